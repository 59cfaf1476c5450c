"""The rules of a Smart Routing node: one function per rule, used by the Maker editor's forms,
the admin and the API's tree validation alike."""

import re

from routing.models import Node
from routing.templating import template_syntax_error

OUTCOMES: dict[str, tuple[str, ...] | None] = {
    Node.Kind.START: ("next",),
    Node.Kind.SET_VARIABLE: ("next",),
    Node.Kind.SWITCH: None,  # each expected value, plus "default"
    Node.Kind.ADD_CHECKPOINT: ("ok", "reference_not_found"),
    Node.Kind.END: (),
}
OUTCOME_LABELS = {
    "next": "Next",
    "ok": "OK",
    "reference_not_found": "Reference not found",
    "default": "Default",
}
VARIABLE_PATTERN = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
OUTCOME_MAX_LENGTH = 100


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
    if len(label) > 200:
        errors["label"] = "a label may have at most 200 characters"
    if kind in (Node.Kind.SET_VARIABLE, Node.Kind.SWITCH) and not VARIABLE_PATTERN.match(variable):
        errors["variable"] = (
            "a variable name is required: letters, digits and _, not starting with a digit"
        )
    if kind == Node.Kind.SET_VARIABLE and (problem := template_syntax_error(value)):
        errors["value"] = problem
    if kind == Node.Kind.ADD_CHECKPOINT:
        if checkpoint_given == bool(reference_code.strip()):
            errors["checkpoint"] = (
                "an add_checkpoint needs exactly one of a checkpoint or a reference code"
            )
        elif reference_code and (problem := template_syntax_error(reference_code)):
            errors["reference_code"] = problem
        elif len(reference_code) > 500:
            errors["reference_code"] = "a reference code may have at most 500 characters"
    return errors
