"""A routing as portable configuration: a versioned JSON document that names checkpoints by
reference, so that it moves between sites (DESIGN.md, Configuration history and portability).

``export_routing`` writes the document; ``plan_import`` validates one with the routing's own
rules (``routing.tree.parse_tree``, as the API) and says what an import would do;
``apply_import`` does it through ``routing.services`` in one transaction.

A routing with the document's name is replaced, else one is created. A checkpoint reference
that does not exist on this site refuses the import: a routing that silently lost its
checkpoints would take Reference not found on every interaction, so the preview lists every
missing reference and the administrator creates (or imports) those checkpoints first. A
reference code is a template the runner renders: one that is a plain reference naming no
checkpoint here is only a warning (``unmatched_codes``), its action takes Reference not found
until the checkpoint exists, as on the site it came from.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from checkpoint_maker.validators import MAX_ID, find_unclean_text
from checkpoints.models import Checkpoint
from routing import services
from routing.models import Node, SmartRouting
from routing.rules import KIND_FIELDS, can_be_a_reference
from routing.tree import MAX_DEPTH, MAX_NODES, ParsedTree, TreeError, parse_tree

FORMAT = "checkpoint-maker/routing"
VERSION = 1
ROUTING_FIELDS = ("name", "channel", "description")
NODE_KEYS = frozenset(
    ("kind", "label", "variable", "value", "reference_code", "checkpoint_reference", "branches")
)
DOCUMENT_MAX_BYTES = 1_000_000  # a file uploaded on the Import page
MISSING_ID = MAX_ID  # no checkpoint has it
MISSING_REFERENCES = (
    "No checkpoint with these references exists on this site: create or import them first, "
    "then import the routing again."
)


class ImportRefused(Exception):
    """``apply_import`` of a plan that cannot be applied (its errors or missing references)."""


def document_text(document: dict[str, Any]) -> str:
    """The document as a file: sorted keys, two-space indent, UTF-8 text, a final newline."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def read_document(data: bytes) -> tuple[Any, str | None]:
    """A file's document, or None and why it is not one (not UTF-8, not JSON, too large,
    nested too deeply, a number too long)."""
    if len(data) > DOCUMENT_MAX_BYTES:
        return None, f"document: a routing document has at most {DOCUMENT_MAX_BYTES:,} bytes"
    try:
        return json.loads(data.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        return None, "document: not UTF-8 text"
    except RecursionError:
        return None, "document: JSON nested too deeply"
    except ValueError as error:
        return None, f"document: not JSON ({error})"


def _export_node(node: Node, children: dict[int, list[Node]]) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": node.kind, "label": node.label}
    for name in KIND_FIELDS.get(node.kind, ()):
        if name == "checkpoint":
            data["checkpoint_reference"] = node.checkpoint.reference if node.checkpoint else None
        else:
            data[name] = getattr(node, name)
    data["branches"] = {
        child.outcome: _export_node(child, children) for child in children.get(node.pk, [])
    }
    return data


def export_routing(routing: SmartRouting) -> dict[str, Any]:
    """The routing's document: its fields and its tree, without ids (one query). A chosen
    checkpoint is named by its reference (null once the checkpoint was deleted)."""
    nodes = list(routing.nodes.select_related("checkpoint").order_by("id"))
    children: dict[int, list[Node]] = {}
    root = None
    for node in nodes:
        if node.parent_id is None:
            root = node
        else:
            children.setdefault(node.parent_id, []).append(node)
    return {
        "format": FORMAT,
        "version": VERSION,
        "routing": {
            "name": routing.name,
            "channel": routing.channel,
            "description": routing.description,
            "tree": _export_node(root, children) if root else None,
        },
    }


@dataclass
class ImportPlan:
    """What importing a document would do, or why it cannot."""

    action: str = "create"  # or "replace"
    name: str = ""
    channel: str = ""
    description: str = ""
    tree: ParsedTree | None = None
    existing: SmartRouting | None = None
    node_counts: dict[str, int] = field(default_factory=dict)
    missing_references: list[str] = field(default_factory=list)
    unmatched_codes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return not self.errors and not self.missing_references and self.tree is not None

    @property
    def node_count(self) -> int:
        return sum(self.node_counts.values())


def _refused(plan: ImportPlan, error: str) -> ImportPlan:
    plan.errors.append(error)
    return plan


def _survey(tree: Any) -> tuple[set[str], set[str], dict[str, int]]:
    """The checkpoint references of the document's tree, its reference codes that are a
    plain reference (no template part), and its number of nodes of each kind (bounded like
    parse_tree)."""
    found: set[str] = set()
    codes: set[str] = set()
    counts: dict[str, int] = {}
    pending = [(tree, 0)]
    seen = 0
    while pending and seen <= MAX_NODES:
        node, depth = pending.pop()
        seen += 1
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            continue
        kind = node.get("kind")
        if isinstance(kind, str):
            counts[kind] = counts.get(kind, 0) + 1
        reference = node.get("checkpoint_reference")
        if isinstance(reference, str):
            found.add(reference)
        code = node.get("reference_code")
        if isinstance(code, str) and can_be_a_reference(code.strip()):
            codes.add(code.strip())
        branches = node.get("branches")
        if isinstance(branches, dict):
            pending.extend((child, depth + 1) for child in branches.values())
    return found, codes, counts


def _api_tree(node: Any, path: str, ids: dict[str, int], errors: list[str], depth: int = 0) -> Any:
    """The document's node as API.md's NODE (``checkpoint_reference`` → ``checkpoint`` id),
    for parse_tree to validate; what is not a node, or past the depth limit, stays as it is
    for parse_tree to report. A missing reference stands as MISSING_ID, whose "no checkpoint"
    error plan_import leaves out: the plan lists it among the missing references instead."""
    if not isinstance(node, dict) or depth > MAX_DEPTH:
        return node
    for key in sorted(set(node) - NODE_KEYS, key=str):
        errors.append(f"{path}.{key}: not a field of a routing document's node")
    converted = {key: value for key, value in node.items() if key in NODE_KEYS}
    if "checkpoint_reference" in converted:
        reference = converted.pop("checkpoint_reference")
        if reference is not None and not (
            isinstance(reference, str) and can_be_a_reference(reference)
        ):
            errors.append(f"{path}.checkpoint_reference: must be a checkpoint reference")
        elif reference in ids:
            converted["checkpoint"] = ids[reference]
        elif reference is not None:
            converted["checkpoint"] = MISSING_ID
    branches = converted.get("branches")
    if isinstance(branches, dict):
        converted["branches"] = {
            outcome: _api_tree(child, f"{path}.branches.{outcome}", ids, errors, depth + 1)
            for outcome, child in branches.items()
        }
    return converted


def _routing_fields(plan: ImportPlan, routing: dict[str, Any]) -> None:
    """The routing's own fields, checked by the model's rules."""
    for name in ROUTING_FIELDS:
        value = routing.get(name, "" if name == "description" else None)
        if not isinstance(value, str):
            plan.errors.append(f"routing.{name}: must be a string")
            value = ""
        setattr(plan, name, value.strip())
    candidate = SmartRouting(name=plan.name, channel=plan.channel, description=plan.description)
    try:
        candidate.clean_fields()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            plan.errors.extend(f"routing.{name}: {message}" for message in messages)
    for key in sorted(set(routing) - {*ROUTING_FIELDS, "tree"}, key=str):
        plan.errors.append(f"routing.{key}: not a field of a routing document")


def plan_import(document: Any) -> ImportPlan:
    """Validate a document (already parsed from JSON) and say what importing it would do.
    A few queries whatever the tree's size."""
    plan = ImportPlan()
    if not isinstance(document, dict):
        return _refused(plan, "document: must be a JSON object")
    if found := find_unclean_text(document, path="document"):
        where, problem = found
        return _refused(plan, f"{where}: text {problem}")
    if document.get("format") != FORMAT:
        return _refused(plan, f"format: must be {FORMAT!r}")
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        return _refused(plan, f"version: must be {VERSION} (this site reads version {VERSION})")
    routing = document.get("routing")
    if not isinstance(routing, dict):
        return _refused(plan, "routing: must be an object")
    _routing_fields(plan, routing)
    references, codes, plan.node_counts = _survey(routing.get("tree"))
    wanted = {reference for reference in references if can_be_a_reference(reference)}
    found = Checkpoint.objects.filter(reference__in=wanted | codes)
    ids = dict(found.values_list("reference", "pk"))
    plan.missing_references = sorted(reference for reference in wanted if reference not in ids)
    plan.unmatched_codes = sorted(code for code in codes if code not in ids)
    tree = _api_tree(routing.get("tree"), "routing.tree", ids, plan.errors)
    try:
        specs = parse_tree(tree, path="routing.tree")
    except TreeError as error:
        missing = f".checkpoint: no checkpoint with id {MISSING_ID}"
        plan.errors.extend(problem for problem in error.errors if not problem.endswith(missing))
    else:
        plan.tree = ParsedTree(tree, specs)
    if plan.name:
        same_name = list(SmartRouting.objects.filter(name=plan.name).order_by("pk")[:2])
        if len(same_name) > 1:
            plan.errors.append(
                f"routing.name: several routings are named {plan.name!r} on this site: "
                "rename all but one before importing"
            )
        elif same_name:
            plan.action, plan.existing = "replace", same_name[0]
    return plan


def apply_import(plan: ImportPlan, user) -> SmartRouting:
    """Create or replace the routing as planned, all or nothing (one transaction of
    routing.services). ``user`` is who imports: the caller checked the rights (Create and
    Modify on routings)."""
    if not plan.can_apply:
        raise ImportRefused("; ".join(plan.errors) or MISSING_REFERENCES)
    fields = {"name": plan.name, "channel": plan.channel, "description": plan.description}
    if plan.existing is None:
        return services.create_routing(**fields, tree=plan.tree)
    return services.update_routing(plan.existing, **fields, tree=plan.tree)
