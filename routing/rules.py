"""The rules of a Smart Routing node: one function per rule, used by the Maker editor's forms,
the admin and the API's tree validation alike."""

import re

from django.core.exceptions import ValidationError

from checkpoints.validators import REFERENCE_MAX_LENGTH, validate_reference_characters
from routing.limits import (
    LABEL_MAX_LENGTH,
    OUTCOME_MAX_LENGTH,
    REFERENCE_CODE_MAX_LENGTH,
    RENDERED_MAX_LENGTH,
    VALUE_MAX_LENGTH,
    VARIABLE_MAX_LENGTH,
)
from routing.models import Node
from routing.templating import template_syntax_error

OUTCOMES: dict[str, tuple[str, ...] | None] = {
    Node.Kind.START: ("next",),
    Node.Kind.SET_VARIABLE: ("next",),
    Node.Kind.SWITCH: None,  # each expected value, plus "default"
    Node.Kind.ADD_CHECKPOINT: ("ok", "reference_not_found"),
    Node.Kind.END: (),
}
# The fields a node of each kind keeps besides its label; the others are not stored (nor answered).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Node.Kind.START: (),
    Node.Kind.SET_VARIABLE: ("variable", "value"),
    Node.Kind.SWITCH: ("variable",),
    Node.Kind.ADD_CHECKPOINT: ("checkpoint", "reference_code"),
    Node.Kind.END: (),
}
OUTCOME_LABELS = {
    "next": "Next",
    "ok": "OK",
    "reference_not_found": "Reference not found",
    "default": "Default",
}
OUTCOME_WIRED = "this outcome is already wired to another node"
VARIABLE_PATTERN = re.compile(rf"\A[A-Za-z_][A-Za-z0-9_]{{0,{VARIABLE_MAX_LENGTH - 1}}}\Z")


def sentence(rule: str) -> str:
    """A rule as a message: capitalised, with a full stop."""
    return f"{rule[0].upper()}{rule[1:]}."


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


def outcome_error(kind: str, outcome: str) -> str | None:
    """Why ``outcome`` is not a branch of a node of ``kind``, or None."""
    allowed = OUTCOMES[kind]
    if allowed is None:
        if not outcome.strip() or len(outcome) > OUTCOME_MAX_LENGTH:
            return f"a switch value must have 1 to {OUTCOME_MAX_LENGTH} characters"
        return None
    if not allowed:
        return f"{'an' if kind == Node.Kind.END else 'a'} {kind} has no branches"
    if outcome not in allowed:
        return f"'{outcome}' is not an outcome of {kind} (expected {', '.join(allowed)})"
    return None


def branch_error(parent: Node, outcome: str, *, node_id: int | None = None) -> str | None:
    """Why a node (``node_id``, once saved) cannot hang under ``outcome`` of ``parent``, or
    None: not one of the parent's outcomes, or already wired to another node (one query)."""
    if problem := outcome_error(parent.kind, outcome):
        return problem
    wired = Node.objects.filter(parent=parent, outcome=outcome)
    if node_id is not None:
        wired = wired.exclude(pk=node_id)
    return OUTCOME_WIRED if wired.exists() else None


def node_field_errors(
    kind: str,
    *,
    label: str = "",
    variable: str = "",
    value: str = "",
    checkpoint_given: bool = False,
    reference_code: str = "",
) -> dict[str, str]:
    """Field rules of one node: {field: rule broken}."""
    errors: dict[str, str] = {}
    if kind not in OUTCOMES:
        return {"kind": f"unknown kind '{kind}' (expected {', '.join(OUTCOMES)})"}
    if len(label) > LABEL_MAX_LENGTH:
        errors["label"] = f"a label may have at most {LABEL_MAX_LENGTH} characters"
    kept = KIND_FIELDS[kind]
    if "variable" in kept and not VARIABLE_PATTERN.match(variable):
        errors["variable"] = (
            "a variable name is required: letters, digits and _, not starting with a digit"
        )
    if "value" in kept:
        if len(value) > VALUE_MAX_LENGTH:
            errors["value"] = f"a value may have at most {VALUE_MAX_LENGTH} characters"
        elif problem := template_syntax_error(value):
            errors["value"] = problem
    if "checkpoint" in kept:
        if checkpoint_given == bool(reference_code.strip()):
            errors["checkpoint"] = (
                "an add_checkpoint needs exactly one of a checkpoint or a reference code"
            )
        elif len(reference_code) > REFERENCE_CODE_MAX_LENGTH:
            errors["reference_code"] = (
                f"a reference code may have at most {REFERENCE_CODE_MAX_LENGTH} characters"
            )
        elif reference_code and (problem := template_syntax_error(reference_code)):
            errors["reference_code"] = problem
    return errors


def can_be_a_reference(rendered: str | None) -> bool:
    """Whether a rendered reference code can name a checkpoint: the checkpoint reference rule
    (1 to 64 of its characters). Anything else matches nothing and is never looked up, so
    no NUL nor surrogate of the variables reaches the database."""
    if not rendered or len(rendered) > REFERENCE_MAX_LENGTH:
        return False
    try:
        validate_reference_characters(rendered)
    except ValidationError:
        return False
    return True


# Filters whose result can be longer than their input.
GROWING_FILTERS = frozenset(
    ("add", "center", "join", "ljust", "make_list", "rjust", "stringformat", "urlencode")
)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_FILTER = re.compile(r"\|\s*([A-Za-z_]\w*)")
_NAME = re.compile(r"(?<![\w.|])([A-Za-z_]\w*)")
_ONE_OUTPUT = re.compile(r"\{\{(?:(?!\}\}).)*\}\}", re.DOTALL)


def value_bound_warning(kind: str, code: str, routing_variables: set[str]) -> str | None:
    """A warning when a set_variable's value or a reference code can pass the bound of a
    rendered value: it uses a filter that grows its input, or (a value) it adds to a variable
    that the routing sets, so that it can grow from node to node. Only copying a variable
    (``{{ lang|lower }}``) never grows."""
    if not code or kind not in (Node.Kind.SET_VARIABLE, Node.Kind.ADD_CHECKPOINT):
        return None
    filters: set[str] = set()
    outputs = []
    for match in _TAG.finditer(code):
        inside = _QUOTED.sub("", match.group(0)[2:-2])
        filters.update(_FILTER.findall(inside))
        outputs.extend(name for name in _NAME.findall(inside) if name in routing_variables)
    grows = bool(filters & GROWING_FILTERS)
    if kind == Node.Kind.SET_VARIABLE and outputs:
        copies = _ONE_OUTPUT.fullmatch(code.strip()) is not None
        grows = grows or len(outputs) > 1 or not copies
    if not grows:
        return None
    if kind == Node.Kind.ADD_CHECKPOINT:
        return (
            f"This code can render to more than {RENDERED_MAX_LENGTH:,} characters: "
            "the action then takes Reference not found."
        )
    return (
        f"This value can grow past {RENDERED_MAX_LENGTH:,} characters: the run stops when it "
        "passes them."
    )
