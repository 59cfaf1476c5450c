"""What the Smart Routing editor pages tests share: urls, rights, a node form's data, and
the page's parts found by role."""

from django.urls import reverse

from routing import services

LIST = reverse("routing:smartrouting_list")
ADD = reverse("routing:smartrouting_add")
BULK = reverse("routing:smartrouting_bulk_delete")
RUN_RIGHT = "interactions.add_interactioncheckpoint"
READ_INTERACTIONS = "interactions.view_interaction"
READ_CHECKPOINTS = "checkpoints.view_checkpoint"
WIRED = "This outcome is already wired to another node."


def routing_perms(*actions: str) -> list[str]:
    return [f"routing.{action}_smartrouting" for action in actions]


ALL = routing_perms("view", "add", "change", "delete")


def url(name: str, **kwargs) -> str:
    return reverse(f"routing:{name}", kwargs=kwargs)


def alerts(shown) -> list[str]:
    """The texts of the page's alerts: error messages, a form's errors, a run's stop."""
    return [alert.text for alert in shown.get_all_by_role("alert")]


def tree_of(shown):
    """The routing page's tree (its nodes, outcomes and Add a node links)."""
    return shown.get_by_role("list", name="Tree")


def node_data(kind: str, outcome: str = "", **fields) -> dict:
    data = {
        "outcome": outcome,
        "kind": kind,
        "label": "",
        "variable": "",
        "value": "",
        "checkpoint": "",
        "reference_code": "",
        "sample_variables": "",
    }
    data.update({name: "" if value is None else value for name, value in fields.items()})
    return data


def page_urls(routing, root, child) -> list[tuple[str, str]]:
    """(right on the routing, url) of every GET page."""
    return [
        ("view", LIST),
        ("view", url("smartrouting_detail", pk=routing.pk)),
        ("add", ADD),
        ("add", url("smartrouting_duplicate", pk=routing.pk)),
        ("change", url("smartrouting_edit", pk=routing.pk)),
        ("delete", url("smartrouting_delete", pk=routing.pk)),
        ("change", url("node_add", pk=routing.pk, parent=child.pk) + "?outcome=ok"),
        ("change", url("node_edit", pk=routing.pk, node=child.pk)),
        ("change", url("node_delete", pk=routing.pk, node=child.pk)),
    ]


def add_run_tree(root):
    """Under the start: an add_checkpoint by code (optin_{{ lang }}), then on OK an end."""
    code = services.add_node(
        root,
        outcome="next",
        kind="add_checkpoint",
        label="Opt-in by language",
        reference_code="optin_{{ lang }}",
    )
    services.add_node(code, outcome="ok", kind="end", label="Transfer")
    return code
