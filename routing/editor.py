"""What the node form pages show besides the form: the Preview's rendering and the warning
that a value can pass the bound of a rendered value (``routing.rules.value_bound_warning``)."""

from typing import Any

from routing.limits import RENDERED_MAX_LENGTH
from routing.models import Node, SmartRouting
from routing.rules import value_bound_warning
from routing.selectors import variables_set_by
from routing.templating import ValueTooLarge, render_code, template_syntax_error


def preview_render(code: str, variables: dict[str, Any]) -> tuple[str | None, str | None]:
    """(the problem, or None; the rendered value, or None) of ``code`` over ``variables``."""
    if problem := template_syntax_error(code):
        return problem, None
    try:
        return None, render_code(code, variables)
    except ValueTooLarge:
        return (
            f"the value passes {RENDERED_MAX_LENGTH:,} characters, the most a value may have",
            None,
        )


def node_bound_warning(form, routing: SmartRouting) -> str | None:
    """The bound warning for the value or reference code on ``form`` (a NodeForm)."""
    kind = form.chosen_kind
    name = {Node.Kind.SET_VARIABLE: "value", Node.Kind.ADD_CHECKPOINT: "reference_code"}.get(kind)
    if name is None:
        return None
    code = form[name].value() or ""
    if not code.strip():
        return None
    return value_bound_warning(kind, code, variables_set_by(routing))
