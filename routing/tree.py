"""A routing's tree as nested JSON (API.md's NODE): validation, reading and replacing.

Validation reports every broken rule as ``"<path>: <rule>"`` where the path leads from the
root, e.g. ``tree.branches.next.branches.ok: ...``.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from checkpoint_maker.validators import MAX_ID
from checkpoints.models import Checkpoint
from routing.models import Node, SmartRouting
from routing.rules import KIND_FIELDS, OUTCOMES, node_field_errors, outcome_error

MAX_NODES = 1000
MAX_DEPTH = 200
NODE_FIELDS = ("label", "variable", "value", "reference_code")  # the text fields


@dataclass
class NodeSpec:
    """One validated node, its parent given by position in a preorder list."""

    kind: str
    path: str
    outcome: str = ""
    parent_index: int | None = None
    id: int | None = None
    label: str = ""
    variable: str = ""
    value: str = ""
    checkpoint_id: int | None = None
    reference_code: str = ""
    children: list[int] = field(default_factory=list)


def is_id(value: Any) -> bool:
    """A whole JSON number that can be an object's id (64 bits)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class TreeError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


class ParsedTree(dict):
    """A tree (nested JSON) that parse_tree validated, carrying its NodeSpecs: parse_tree
    answers them again without parsing it nor looking its checkpoints up a second time."""

    def __init__(self, data: dict[str, Any], specs: list[NodeSpec]):
        super().__init__(data)
        self.specs = specs


def parse_tree(data: Any, *, path: str = "tree") -> list[NodeSpec]:
    """Validate nested JSON into NodeSpecs (preorder, root first) or raise TreeError; a
    ParsedTree answers its specs."""
    if isinstance(data, ParsedTree):
        return data.specs
    errors: list[str] = []
    specs: list[NodeSpec] = []
    too_many: list[bool] = []  # the size limit is reported once

    def visit(
        node: Any, node_path: str, parent_index: int | None, outcome: str, depth: int = 0
    ) -> None:
        if depth > MAX_DEPTH:
            errors.append(f"{node_path}: a tree may be at most {MAX_DEPTH} nodes deep")
            return
        if len(specs) >= MAX_NODES:
            if not too_many:
                too_many.append(True)
                errors.append(f"{path}: a tree may have at most {MAX_NODES} nodes")
            return
        if not isinstance(node, dict):
            errors.append(f"{node_path}: a node must be an object")
            return
        kind = node.get("kind")
        if not isinstance(kind, str) or kind not in OUTCOMES:
            errors.append(f"{node_path}: unknown kind {kind!r} (expected {', '.join(OUTCOMES)})")
            return
        if parent_index is None and kind != Node.Kind.START:
            errors.append(f"{node_path}: the root must be a start")
        if parent_index is not None and kind == Node.Kind.START:
            errors.append(f"{node_path}: a start may only be the root")
        values = {}
        for name in NODE_FIELDS:
            value = node.get(name, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors.append(f"{node_path}.{name}: must be a string")
                value = ""
            values[name] = value.strip() if name != "value" else value
        checkpoint_id = node.get("checkpoint")
        if checkpoint_id is not None and not is_id(checkpoint_id):
            errors.append(f"{node_path}.checkpoint: must be a checkpoint id")
            checkpoint_id = None
        node_id = node.get("id")
        if node_id is not None and not is_id(node_id):
            errors.append(f"{node_path}.id: must be a node id")
            node_id = None
        for name, rule in node_field_errors(
            kind, checkpoint_given=checkpoint_id is not None, **values
        ).items():
            errors.append(
                f"{node_path}: {rule}" if name == "checkpoint" else f"{node_path}.{name}: {rule}"
            )
        spec = NodeSpec(
            kind=kind,
            path=node_path,
            outcome=outcome,
            parent_index=parent_index,
            id=node_id,
            checkpoint_id=checkpoint_id if "checkpoint" in KIND_FIELDS[kind] else None,
            **{
                name: value if name == "label" or name in KIND_FIELDS[kind] else ""
                for name, value in values.items()
            },
        )
        index = len(specs)
        specs.append(spec)
        if parent_index is not None:
            specs[parent_index].children.append(index)
        branches = node.get("branches")
        if branches is None:  # like a left-out field
            branches = {}
        if not isinstance(branches, dict):
            errors.append(f"{node_path}.branches: must be an object of outcome: node")
            return
        for branch, child in branches.items():
            child_path = f"{node_path}.branches.{branch}"
            if problem := outcome_error(kind, branch):
                errors.append(f"{child_path}: {problem}")
                continue
            visit(child, child_path, index, branch, depth + 1)

    visit(data, path, None, "")
    ids = [spec.id for spec in specs if spec.id is not None]
    if len(ids) != len(set(ids)):
        errors.append(f"{path}: a node id appears more than once")
    wanted = {spec.checkpoint_id for spec in specs if spec.checkpoint_id is not None}
    known = set(Checkpoint.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for spec in specs:
        if spec.checkpoint_id is not None and spec.checkpoint_id not in known:
            errors.append(f"{spec.path}.checkpoint: no checkpoint with id {spec.checkpoint_id}")
    if errors:
        raise TreeError(errors)
    return specs


def replace_tree(routing: SmartRouting, specs: list[NodeSpec]) -> None:
    """Replace the routing's nodes by ``specs`` in one transaction.

    Nodes whose id the specs carry (and that belong to this routing) keep their id, so the
    history recorded on interactions still names the same actions.
    """
    with transaction.atomic():
        own_ids = set(routing.nodes.values_list("id", flat=True))
        routing.nodes.all().delete()
        created: list[Node | None] = [None] * len(specs)
        depth_of = {}
        for index, spec in enumerate(specs):
            depth_of[index] = 0 if spec.parent_index is None else depth_of[spec.parent_index] + 1
        for depth in sorted(set(depth_of.values())):
            level = [index for index, d in depth_of.items() if d == depth]
            nodes = [
                Node(
                    id=specs[index].id if specs[index].id in own_ids else None,
                    routing=routing,
                    parent=None
                    if specs[index].parent_index is None
                    else created[specs[index].parent_index],
                    outcome=specs[index].outcome,
                    kind=specs[index].kind,
                    label=specs[index].label,
                    variable=specs[index].variable,
                    value=specs[index].value,
                    checkpoint_id=specs[index].checkpoint_id,
                    reference_code=specs[index].reference_code,
                )
                for index in level
            ]
            Node.objects.bulk_create(nodes)
            for index, node in zip(level, nodes, strict=True):
                created[index] = node
        routing.save(update_fields=["updated_at"])


Branches = dict[int, dict[str, Node]]


def index_branches(nodes: list[Node]) -> tuple[Node | None, Branches]:
    """(the root, {parent id: {outcome: child}}) of a routing's nodes."""
    root = None
    branches: Branches = {}
    for node in sorted(nodes, key=lambda node: node.pk):
        if node.parent_id is None:
            root = node
        else:
            branches.setdefault(node.parent_id, {})[node.outcome] = node
    return root, branches


def serialize_node(node: Node, branches: Branches) -> dict[str, Any]:
    data: dict[str, Any] = {"id": node.pk, "kind": node.kind, "label": node.label}
    for name in KIND_FIELDS.get(node.kind, ()):
        data[name] = node.checkpoint_id if name == "checkpoint" else getattr(node, name)
    data["branches"] = {
        outcome: serialize_node(child, branches)
        for outcome, child in branches.get(node.pk, {}).items()
    }
    return data


def read_tree(routing: SmartRouting, nodes: list[Node] | None = None) -> dict[str, Any] | None:
    """The routing's tree as nested JSON, from its nodes (loaded in one query if not given)."""
    if nodes is None:
        nodes = list(routing.nodes.all())
    root, branches = index_branches(nodes)
    return serialize_node(root, branches) if root else None
