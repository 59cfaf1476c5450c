"""A Smart Routing's history as whole versions (DESIGN.md, Configuration history).

Every routing write in ``routing.services`` (create, edit, its tree replaced, a node added,
edited or deleted, a version restored, deleted) adds one record to the routing's history:
its fields and, in ``tree``, the whole tree as nested JSON (``routing.tree.read_tree``) where
each chosen checkpoint also carries its reference (``checkpoint_reference``), so a version
still names its checkpoints once they are deleted or when the ids differ. Restoring a version
resolves those references to today's checkpoints; a reference no checkpoint has any more is
named on the confirmation and restored as the action's reference code.
"""

from dataclasses import dataclass, field
from typing import Any

from checkpoint_maker import history
from checkpoints.models import Checkpoint
from routing.models import Node, SmartRouting
from routing.tree import read_tree

ROUTING_FIELDS = ("name", "channel", "description")


def tree_snapshot(routing: SmartRouting) -> dict[str, Any] | None:
    """The routing's tree with each chosen checkpoint's reference (one query)."""
    nodes = list(Node.objects.filter(routing_id=routing.pk).select_related("checkpoint"))
    references = {node.pk: node.checkpoint.reference for node in nodes if node.checkpoint}
    tree = read_tree(routing, nodes)
    for node in walk(tree):
        if node.get("checkpoint") is not None:
            node["checkpoint_reference"] = references.get(node["id"])
    return tree


def record_version(routing: SmartRouting, action: str, *, user=None) -> None:
    """Record the routing as it now is (two queries: its tree, the insert)."""
    history.record(SmartRouting, [routing], action, user=user, tree=tree_snapshot(routing))


def walk(tree: dict[str, Any] | None):
    """Every node of a nested tree, parents first."""
    pending = [tree] if tree else []
    while pending:
        node = pending.pop(0)
        yield node
        pending.extend(node.get("branches", {}).values())


def flat(tree: dict[str, Any] | None) -> dict[int, dict[str, Any]]:
    """{node id: its own values and the outcome it hangs under} for comparing trees."""
    result = {}

    def visit(node, outcome):
        own = {key: value for key, value in node.items() if key not in ("branches", "id")}
        result[node["id"]] = {**own, "outcome": outcome}
        for branch, child in node.get("branches", {}).items():
            visit(child, branch)

    if tree:
        visit(tree, "")
    return result


@dataclass
class RestorePlan:
    """What restoring a version changes: fields (name, old, new), nodes added, removed or
    changed (their labels), references that no checkpoint has any more, and the tree to
    save."""

    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing_references: list[str] = field(default_factory=list)
    tree: dict[str, Any] | None = None

    @property
    def changes_nothing(self) -> bool:
        return not (self.fields or self.added or self.removed or self.changed)


def _label(node: dict[str, Any]) -> str:
    return node.get("label") or node["kind"].replace("_", " ").capitalize()


def restore_plan(routing: SmartRouting, version) -> RestorePlan:
    """Compare ``version`` (a record of the routing's history) with the routing now, and
    build the tree to save, its checkpoints resolved by reference (one query)."""
    plan = RestorePlan(
        fields=[
            (name, getattr(routing, name), getattr(version, name))
            for name in ROUTING_FIELDS
            if getattr(routing, name) != getattr(version, name)
        ]
    )
    wanted = [node for node in walk(version.tree) if node.get("checkpoint_reference")]
    found = dict(
        Checkpoint.objects.filter(
            reference__in={node["checkpoint_reference"] for node in wanted}
        ).values_list("reference", "pk")
    )
    plan.tree = _resolved(version.tree, found, plan.missing_references)
    now, then = flat(tree_snapshot(routing)), flat(plan.tree)
    plan.added = [_label(node) for pk, node in then.items() if pk not in now]
    plan.removed = [_label(node) for pk, node in now.items() if pk not in then]
    plan.changed = [
        _label(node)
        for pk, node in then.items()
        if pk in now and _comparable(node) != _comparable(now[pk])
    ]
    return plan


def _comparable(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key != "checkpoint_reference"}


def _resolved(tree, found: dict[str, int], missing: list[str]):
    """A copy of ``tree`` to save: checkpoints by today's id for their reference; a missing
    one becomes the action's reference code (and is named in ``missing``)."""
    if tree is None:
        return None
    node = {key: value for key, value in tree.items() if key not in ("branches",)}
    reference = node.pop("checkpoint_reference", None)
    if reference is not None:
        if reference in found:
            node["checkpoint"] = found[reference]
        else:
            missing.append(reference)
            node["checkpoint"] = None
            node["reference_code"] = node.get("reference_code") or reference
    node["branches"] = {
        outcome: _resolved(child, found, missing)
        for outcome, child in tree.get("branches", {}).items()
    }
    return node
