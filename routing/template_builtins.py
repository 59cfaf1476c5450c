"""The only tags and filters of routing templates (the engine's builtins, routing.templating).

Tags: a short allowlist of Django's built-in tags that cannot repeat work (no ``for``, no
``cycle``, no ``include``, no ``load``…). Filters: every built-in filter, each wrapped so that
a result longer than ``RENDERED_MAX_LENGTH`` raises ``ValueTooLarge``, and those whose
argument sets a width or a precision (ljust, rjust, center, stringformat, floatformat) or
whose result multiplies its input (join) refuse before building such a result.
"""

import functools
import re
from collections.abc import Callable, Sized
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template import Library, defaultfilters, defaulttags

from routing.limits import RENDERED_MAX_LENGTH

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "filter",
    "firstof",
    "if",
    "now",
    "spaceless",
    "templatetag",
    "verbatim",
    "with",
)
FILTER_FLAGS = ("expects_localtime", "is_safe", "needs_autoescape")
_NUMBER = re.compile(r"\d+")


class ValueTooLarge(Exception):
    """A rendered value, or a filter's result on the way, would pass RENDERED_MAX_LENGTH."""

    def __init__(self, size: int | None = None):
        self.size = size
        super().__init__(f"a value may have at most {RENDERED_MAX_LENGTH:,} characters")


def size_of(value: Any, limit: int = RENDERED_MAX_LENGTH) -> int:
    """About how many characters ``value`` takes as text (a string exactly; lists and dicts
    by their items, two more for each), counting no further than just past ``limit``.
    Iterative: nesting costs no stack."""
    total = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
            total += 2 + 4 * len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
            total += 2 + 2 * len(item)
        else:
            try:
                total += len(str(item))
            except ValueError:  # e.g. an integer with too many digits to print
                total += limit + 1
    return total


def check_size(value: Any) -> Any:
    if size_of(value) > RENDERED_MAX_LENGTH:
        raise ValueTooLarge
    return value


def _number(text: Any) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _width_argument(value: Any, arg: Any) -> None:
    """ljust, rjust, center: a width past the bound can only build a value too large."""
    width = _number(arg)
    if width is not None and width > RENDERED_MAX_LENGTH:
        raise ValueTooLarge(width)


def _format_argument(value: Any, arg: Any) -> None:
    """stringformat: no width nor precision past the bound (``%50000000s``)."""
    if any(int(number) > RENDERED_MAX_LENGTH for number in _NUMBER.findall(str(arg))):
        raise ValueTooLarge


def _floatformat_argument(value: Any, arg: Any = -1) -> None:
    """floatformat: no precision past the bound, nor a number whose digits would pass it
    (``1e99999999``)."""
    _format_argument(value, arg)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return
    if number.is_finite() and abs(number.adjusted()) > RENDERED_MAX_LENGTH:
        raise ValueTooLarge


def _join_argument(value: Any, arg: Any, autoescape: bool = True) -> None:
    """join: the items and the separator between each two."""
    if (
        isinstance(value, Sized)
        and isinstance(arg, str)
        and len(arg) * max(len(value) - 1, 0) + size_of(value) > RENDERED_MAX_LENGTH
    ):
        raise ValueTooLarge


BEFORE: dict[str, Callable[..., None]] = {
    "center": _width_argument,
    "floatformat": _floatformat_argument,
    "join": _join_argument,
    "ljust": _width_argument,
    "rjust": _width_argument,
    "stringformat": _format_argument,
}


def bounded(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a built-in filter) refusing a result past the bound."""
    before = BEFORE.get(name)

    @functools.wraps(func)  # keeps its signature (arguments are checked on it) and flags
    def filter_func(value, *args, **kwargs):
        if before is not None:
            before(value, *args, **kwargs)
        return check_size(func(value, *args, **kwargs))

    return filter_func


register = Library()
for _name in ALLOWED_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name, _func in defaultfilters.register.filters.items():
    register.filter(
        _name,
        bounded(_name, _func),
        **{flag: getattr(_func, flag) for flag in FILTER_FLAGS if hasattr(_func, flag)},
    )
