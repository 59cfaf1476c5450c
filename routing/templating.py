"""Django's template engine for routing values and reference codes, restricted.

A dedicated engine: no autoescaping (the result is a value, not HTML), no template loaders and
no tag libraries: its only builtins are ``routing.template_builtins`` (a few tags that cannot
repeat work, the built-in filters bounded). A code can read variables and use filters but
cannot include files nor loop, and no value it renders passes ``RENDERED_MAX_LENGTH``.
"""

from typing import Any

from django.template import Context, Engine, TemplateSyntaxError

from routing.template_builtins import ValueTooLarge, check_size

__all__ = ["ENGINE", "ValueTooLarge", "render_code", "template_syntax_error"]


class RoutingEngine(Engine):
    default_builtins = ["routing.template_builtins"]


ENGINE = RoutingEngine(autoescape=False, loaders=[], libraries={}, debug=False)


def template_syntax_error(code: str) -> str | None:
    """The syntax error in ``code`` as a sentence, or None when it compiles."""
    try:
        ENGINE.from_string(code)
    except TemplateSyntaxError as error:
        return f"invalid template syntax: {error}"
    return None


def render_code(code: str, variables: dict[str, Any]) -> str | None:
    """``code`` rendered over ``variables`` and trimmed; None when it cannot be rendered.

    Raises ValueTooLarge when the value, or a filter's result on the way, would pass
    ``RENDERED_MAX_LENGTH`` characters.
    """
    try:
        return check_size(
            ENGINE.from_string(code).render(Context(variables, autoescape=False))
        ).strip()
    except ValueTooLarge:
        raise
    except Exception:
        # Bad data in a tree or in the variables must never crash a run.
        return None
