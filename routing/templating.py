"""Django's template engine for routing values and reference codes.

A dedicated engine: no autoescaping (the result is a value, not HTML), no template loaders
and no tag libraries beyond the built-ins, so a code can read variables and use filters but
cannot include files.
"""

from typing import Any

from django.template import Context, Engine, TemplateSyntaxError

ENGINE = Engine(autoescape=False, loaders=[], libraries={}, debug=False)


def template_syntax_error(code: str) -> str | None:
    """The syntax error in ``code`` as a sentence, or None when it compiles."""
    try:
        ENGINE.from_string(code)
    except TemplateSyntaxError as error:
        return f"invalid template syntax: {error}"
    return None


def render_code(code: str, variables: dict[str, Any]) -> str | None:
    """``code`` rendered over ``variables`` and trimmed; None when it cannot be rendered."""
    try:
        return ENGINE.from_string(code).render(Context(variables)).strip()
    except Exception:
        # Bad data in a tree or in the variables must never crash a run.
        return None
