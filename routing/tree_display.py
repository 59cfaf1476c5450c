"""The routing page's tree as the template walks it: ``tree_items`` turns a routing's nodes
into a flat list of open/close/branch tags (no template recursion), with the links into that
tree (a node's ``#node-<pk>`` anchor on the routing page, a branch's Add a node page)."""

from urllib.parse import urlencode

from django.urls import reverse

from routing.models import Node, SmartRouting
from routing.rules import OUTCOMES, outcome_label
from routing.tree import index_branches


def routing_url(routing: SmartRouting, node: Node | None = None) -> str:
    url = reverse("routing:smartrouting_detail", kwargs={"pk": routing.pk})
    return f"{url}#node-{node.pk}" if node is not None else url


def node_add_url(routing_id: int, parent: Node, outcome: str | None = None) -> str:
    url = reverse("routing:node_add", kwargs={"pk": routing_id, "parent": parent.pk})
    return f"{url}?{urlencode({'outcome': outcome})}" if outcome is not None else url


def tree_items(
    routing: SmartRouting,
    nodes: list[Node],
    *,
    can_change: bool,
    checkpoint_links: set[int],
) -> list[dict]:
    """The tree as a flat list of items for nested ``<ul>``s (no template recursion):
    ``open``/``close`` a list of branches, ``branch`` opens an item (with its node, or an
    unwired outcome), ``end`` closes it, ``switch_form`` adds a branch to a switch."""
    root, branches = index_branches(nodes)
    items: list[dict] = []
    if root is None:
        return items

    def outcomes_of(node: Node) -> list[tuple[str, Node | None]]:
        wired = branches.get(node.pk, {})
        fixed = OUTCOMES.get(node.kind)
        if fixed is None:  # a switch: each wired value, then the default
            names = [outcome for outcome in wired if outcome != "default"] + ["default"]
        else:
            names = list(fixed) + [outcome for outcome in wired if outcome not in fixed]
        return [(outcome, wired.get(outcome)) for outcome in names]

    def visit(node: Node, parent: Node | None, outcome: str | None) -> None:
        items.append(
            {
                "tag": "branch",
                "outcome": outcome,
                "outcome_label": outcome_label(outcome) if outcome is not None else "",
                "node": node,
                "parent": parent,
                "checkpoint_url": (
                    node.checkpoint.get_absolute_url()
                    if node.checkpoint_id in checkpoint_links
                    else ""
                ),
                "edit_url": reverse("routing:node_edit", kwargs={"pk": routing.pk, "node": node.pk})
                if can_change
                else "",
                "delete_url": reverse(
                    "routing:node_delete", kwargs={"pk": routing.pk, "node": node.pk}
                )
                if can_change and parent is not None
                else "",
            }
        )
        outcomes = outcomes_of(node)
        if outcomes:
            items.append({"tag": "open"})
            for branch, child in outcomes:
                if child is not None:
                    visit(child, node, branch)
                    continue
                items.append(
                    {
                        "tag": "branch",
                        "outcome": branch,
                        "outcome_label": outcome_label(branch),
                        "node": None,
                        "parent": node,
                        "add_url": node_add_url(routing.pk, node, branch) if can_change else "",
                    }
                )
                items.append({"tag": "end"})
            if node.kind == Node.Kind.SWITCH and can_change:
                items.append(
                    {
                        "tag": "switch_form",
                        "parent": node,
                        "add_url": node_add_url(routing.pk, node),
                    }
                )
            items.append({"tag": "close"})
        items.append({"tag": "end"})

    visit(root, None, None)
    return items
