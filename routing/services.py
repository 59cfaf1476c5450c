"""Smart Routing writes: routings with their whole tree (API), and node by node (editor)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from checkpoint_maker.history import record_deletions
from checkpoint_maker.services import bulk_delete, model_update
from checkpoints.models import Checkpoint
from interactions.services import ActionRecord
from routing.models import Node, SmartRouting
from routing.rules import OUTCOME_WIRED, node_field_errors, outcome_error, sentence
from routing.tree import NodeSpec, TreeError, parse_tree, replace_tree
from routing.versions import record_version, restore_plan

START_TREE = {"kind": Node.Kind.START, "label": "Start"}


def _clean_routing(routing: SmartRouting) -> None:
    routing.name = routing.name.strip()
    routing.description = routing.description.strip()
    routing.full_clean()


def _specs(tree: dict[str, Any] | None) -> list[NodeSpec]:
    try:
        return parse_tree(tree if tree is not None else START_TREE)
    except TreeError as error:
        raise ValidationError({"tree": error.errors}) from error


def _lock_checkpoints(ids: set[int]) -> set[int]:
    """Those of ``ids`` that still exist, locked until the transaction ends (on PostgreSQL;
    SQLite runs one writer at a time): a delete of one waits for the nodes that name it to
    be saved, and the database then empties their links, instead of the save failing on a
    foreign key. No query without ids."""
    if not ids:
        return set()
    locked = Checkpoint.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    return set(locked.values_list("pk", flat=True))


def _lock_chosen_checkpoints(specs: list[NodeSpec]) -> None:
    """Lock the checkpoints the tree chooses; one deleted since the tree was validated is
    the same error as an unknown one."""
    chosen = [spec for spec in specs if spec.checkpoint_id is not None]
    found = _lock_checkpoints({spec.checkpoint_id for spec in chosen})
    errors = [
        f"{spec.path}.checkpoint: no checkpoint with id {spec.checkpoint_id}"
        for spec in chosen
        if spec.checkpoint_id not in found
    ]
    if errors:
        raise ValidationError({"tree": errors})


def create_routing(
    *, name: str, channel: str, description: str = "", tree: dict[str, Any] | None = None
) -> SmartRouting:
    """A new routing; without a tree it gets a lone start node to build on."""
    routing = SmartRouting(name=name, channel=channel, description=description)
    _clean_routing(routing)
    specs = _specs(tree)
    with transaction.atomic():
        _lock_chosen_checkpoints(specs)
        routing.save()
        replace_tree(routing, specs)
        record_version(routing, "created")
    return routing


def update_routing(
    routing: SmartRouting,
    *,
    name: str | None = None,
    channel: str | None = None,
    description: str | None = None,
    tree: dict[str, Any] | None = None,
) -> SmartRouting:
    """Change the given fields (those left as None keep their value); a given tree replaces
    the whole tree."""
    model_update(routing, fields={"name": name, "channel": channel, "description": description})
    _clean_routing(routing)
    specs = _specs(tree) if tree is not None else None
    with transaction.atomic():
        if specs is not None:
            _lock_chosen_checkpoints(specs)
        routing.save()
        if specs is not None:
            replace_tree(routing, specs)
        record_version(routing, "changed")
    return routing


def restore_version(routing: SmartRouting, version) -> SmartRouting:
    """Put back a version of the routing's history (its fields and its whole tree, its
    checkpoints resolved by reference), recorded as a new change."""
    plan = restore_plan(routing, version)
    return update_routing(
        routing,
        name=version.name,
        channel=version.channel,
        description=version.description,
        tree=plan.tree,
    )


def delete_routings(routings: QuerySet[SmartRouting], *, user=None) -> None:
    """Delete routings with their nodes (set-based: a few queries whatever their number),
    each deletion recorded in the routing history by ``user`` (else the request's)."""
    with transaction.atomic(savepoint=False):
        record_deletions(SmartRouting, list(routings), user=user)
        routings.delete()


def delete_routing(routing: SmartRouting) -> None:
    delete_routings(SmartRouting.objects.filter(pk=routing.pk))


def bulk_delete_routings(*, user, ids: Iterable[int]) -> int:
    """Delete every listed routing in one transaction, or none (see ``bulk_delete``)."""
    return bulk_delete(
        user=user,
        model=SmartRouting,
        ids=ids,
        delete=lambda routings: delete_routings(routings, user=user),
    )


def _node_errors(node: Node) -> dict[str, list[str]]:
    errors = node_field_errors(
        node.kind,
        label=node.label,
        variable=node.variable,
        value=node.value,
        checkpoint_given=node.checkpoint_id is not None,
        reference_code=node.reference_code,
    )
    return {field: [f"{rule[0].upper()}{rule[1:]}."] for field, rule in errors.items()}


def _save_node(node: Node) -> Node:
    errors = _node_errors(node)
    if node.parent_id is not None:
        if node.kind == Node.Kind.START:
            errors.setdefault("kind", []).append("A start may only be the root.")
        if problem := outcome_error(node.parent.kind, node.outcome):
            errors.setdefault("outcome", []).append(f"{problem[0].upper()}{problem[1:]}.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if node.checkpoint_id is not None and not _lock_checkpoints({node.checkpoint_id}):
                raise ValidationError({"checkpoint": ["This checkpoint no longer exists."]})
            node.save()
            _record_tree_change(node.routing_id)
    except IntegrityError as error:
        raise ValidationError({"outcome": [sentence(OUTCOME_WIRED)]}) from error
    return node


def add_node(parent: Node, *, outcome: str, kind: str, **fields: Any) -> Node:
    """Hang a new node under ``outcome`` of ``parent`` (which must not be wired yet)."""
    node = Node(
        routing_id=parent.routing_id, parent=parent, outcome=outcome.strip(), kind=kind, **fields
    )
    return _save_node(node)


def update_node(node: Node, **fields: Any) -> Node:
    """Change a node's own fields (not its place in the tree)."""
    for name, value in fields.items():
        setattr(node, name, value)
    if node.kind != Node.Kind.ADD_CHECKPOINT:
        node.checkpoint = None
        node.reference_code = ""
    return _save_node(node)


def subtree(node: Node) -> list[Node]:
    """``node`` and everything under it, parents first (one query for the routing)."""
    nodes = list(Node.objects.filter(routing_id=node.routing_id))
    by_parent: dict[int, list[Node]] = {}
    for candidate in nodes:
        if candidate.parent_id is not None:
            by_parent.setdefault(candidate.parent_id, []).append(candidate)
    found = [next(candidate for candidate in nodes if candidate.pk == node.pk)]
    for current in found:
        found.extend(by_parent.get(current.pk, []))
    return found


def delete_node(node: Node) -> int:
    """Delete a node with its subtree; the root (start) cannot be deleted."""
    if node.parent_id is None:
        raise ValidationError("The start of a routing cannot be deleted.")
    removed = subtree(node)
    with transaction.atomic():
        record_deletions(Node, removed)
        node.delete()
        _record_tree_change(node.routing_id)
    return len(removed)


def _record_tree_change(routing_id: int) -> None:
    """A node changed: the routing's new version (its updated time, then the record)."""
    routing = SmartRouting.objects.get(pk=routing_id)
    routing.save(update_fields=["updated_at"])
    record_version(routing, "changed")


def resolve_action(action_id: int) -> ActionRecord | None:
    """What a Smart Routing action (node) id stands for, as an attachment records it; None
    for an unknown id. One query. Registered with interactions.services (the attach API's
    ``action``) by the routing app."""
    node = Node.objects.select_related("routing").filter(pk=action_id).first()
    if node is None:
        return None
    return ActionRecord(
        routing_id=node.routing_id,
        routing_name=node.routing.name,
        action_id=node.pk,
        action_label=node.display_label,
    )
