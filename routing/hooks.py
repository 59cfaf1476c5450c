"""What the routing app registers on the generic Maker pages (``RoutingConfig.ready``): on the
checkpoint pages (brief §4) the "Used in Smart Routings" panel, the delete warnings and the edit
warning about reference codes; on the routing delete pages, what goes with a routing."""

from collections.abc import Iterable

from checkpoint_maker.extensions import Panel
from checkpoint_maker.permissions import permitted_ids
from checkpoints.models import Checkpoint
from routing import selectors
from routing.models import Node, SmartRouting
from routing.tree_display import routing_url


def routing_delete_warnings(routings: Iterable[SmartRouting]) -> list[str]:
    """Shown before routings are deleted: their trees go with them, history stays."""
    routings = list(routings)
    if not routings:
        return []
    count = Node.objects.filter(routing__in=routings).count()
    return [
        f"Their trees ({count} node{'s' if count != 1 else ''}) are deleted with them. "
        "Interactions keep the checkpoints they set."
        if len(routings) > 1
        else f"Its tree ({count} node{'s' if count != 1 else ''}) is deleted with it. "
        "Interactions keep the checkpoints it set."
    ]


def _action_name(node: Node) -> str:
    return f"“{node.display_label}” in “{node.routing.name}”"


def checkpoint_where_used_panel(request, checkpoint: Checkpoint) -> Panel:
    """The checkpoint page's "Used in Smart Routings" panel: every add-a-checkpoint action
    that uses it, chosen directly or by a reference code that contains or may render to its
    reference, linking to the routings the user may read."""
    actions = selectors.actions_using([checkpoint])[checkpoint.pk]
    unique = list({node.pk: node for node in actions}.values())
    routings = list({node.routing_id: node.routing for node in unique}.values())
    readable = permitted_ids(request.user, "view", routings)
    rows = [
        {
            "node": node,
            "routing": node.routing,
            "url": routing_url(node.routing, node) if node.routing_id in readable else "",
            "direct": node.checkpoint_id == checkpoint.pk,
        }
        for node in sorted(unique, key=lambda node: (node.routing.name, node.routing_id, node.pk))
    ]
    return Panel(
        template="routing/where_used_panel.html",
        context={"actions": rows, "checkpoint": checkpoint},
        order=150,
    )


def checkpoint_delete_warnings(checkpoints: Iterable[Checkpoint]) -> list[str]:
    """Before checkpoints are deleted: the routings whose actions use them (brief §4)."""
    checkpoints = list(checkpoints)
    found = selectors.actions_using(checkpoints)
    warnings = []
    for checkpoint in checkpoints:
        actions = found.get(checkpoint.pk) or []
        if not actions:
            continue
        names = sorted({node.routing.name for node in actions})
        count = len({node.pk for node in actions})
        warnings.append(
            f"“{checkpoint}” is used by {count} Smart Routing action{'s' if count != 1 else ''} "
            f"in {', '.join(f'“{name}”' for name in names)}. Detach it from "
            f"{'them' if count != 1 else 'it'} first: once the checkpoint is deleted, "
            f"{'they fall' if count != 1 else 'it falls'} on Reference not found."
        )
    return warnings


def checkpoint_edit_warnings(checkpoint: Checkpoint, changed: set[str] | None) -> list[str]:
    """Brief §4: changing the Reference impacts the actions that use it as a code."""
    if changed is not None and "reference" not in changed:
        return []
    actions = selectors.codes_using_reference(checkpoint.reference)
    if not actions:
        return []
    listed = ", ".join(
        _action_name(node) for node in sorted(actions, key=lambda n: (n.routing.name, n.pk))
    )
    return [
        f"Reference codes in these routing actions use “{checkpoint.reference}”: {listed}; "
        "changing the Reference makes them fall on Reference not found."
    ]
