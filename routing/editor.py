"""What the node form pages show besides the form: the Preview (what a value or reference
code renders to, and the checkpoint a reference names) and the warning that a value can pass
the bound of a rendered value (``routing.rules.value_bound_warning``)."""

from typing import Any

from checkpoint_maker.permissions import user_can
from routing.limits import RENDERED_MAX_LENGTH
from routing.models import Node, SmartRouting
from routing.rules import value_bound_warning
from routing.selectors import checkpoint_with_reference, variables_set_by
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


def node_preview(form, user) -> dict:
    """What the node's value or reference code on ``form`` (a valid NodeForm) renders to for
    the sample variables, and whether that reference exists. Nothing is saved."""
    kind = form.chosen_kind
    variables = form.cleaned_data.get("sample_variables") or {}
    fields = form.node_fields()
    if kind == Node.Kind.ADD_CHECKPOINT:
        if fields["checkpoint"] is not None:
            return {"kind": kind, "checkpoint": fields["checkpoint"], "direct": True}
        code = fields["reference_code"]
        if not code:
            return {"kind": kind, "empty": True}
        problem, rendered = preview_render(code, variables)
        found = checkpoint_with_reference(rendered)
        return {
            "kind": kind,
            "code": code,
            "problem": problem,
            "rendered": rendered,
            "checkpoint": found,
            "checkpoint_visible": found is not None and user_can(user, "view", found),
        }
    if kind == Node.Kind.SET_VARIABLE:
        problem, rendered = preview_render(fields["value"], variables)
        return {
            "kind": kind,
            "variable": fields["variable"],
            "problem": problem,
            "rendered": rendered,
        }
    return {"kind": kind, "nothing": True}


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
