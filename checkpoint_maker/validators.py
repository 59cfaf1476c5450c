"""Input rules for the whole product (DESIGN.md, Input rules), one validator per rule.

Model fields carry them, so ModelForms (Maker and admin) and ModelSerializers (API) apply the
same rules with the same messages; the API's JSON parser applies ``find_unclean_text`` to every
string of a body, and ``validate_variables`` guards every ``variables`` object (an
interaction's, a run's).

- Text never holds NUL (PostgreSQL refuses it) or an unpaired surrogate (no UTF-8 encoding
  exists for it, so a stored one breaks every read that renders it).
- Ids fit in 64 bits (``MAX_ID``).
- ``variables`` is a JSON object of bounded depth and size (Amazon Connect allows 32 KB of
  contact attributes).
"""

import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Ids are 64-bit signed integers in the databases; a larger one names nothing.
MAX_ID = 2**63 - 1

VARIABLES_MAX_BYTES = 32 * 1024
VARIABLES_MAX_DEPTH = 8

NUL_MESSAGE = "may not contain the NUL character (\\u0000)"
SURROGATE_MESSAGE = "may not contain an unpaired surrogate (\\ud800-\\udfff)"

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, as the end of a sentence, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if _SURROGATE.search(value):
        return SURROGATE_MESSAGE
    return None


def find_unclean_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first string (key or value) of a JSON value that cannot be stored, as (its path,
    the rule), or None. The path starts with ``path`` (``variables.lang``, ``tree.label``);
    iterative, so depth costs no stack."""
    pending: list[tuple[str, Any]] = [(path, value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            if problem := text_problem(item):
                return where, problem
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and (problem := text_problem(key)):
                    return where, f"a key {problem}"
                pending.append((f"{where}.{key}" if where else str(key), child))
        elif isinstance(item, list):
            pending.extend((f"{where}[{index}]", child) for index, child in enumerate(item))
    return None


@deconstructible
class CleanTextValidator:
    """Text fields: no NUL, no unpaired surrogate."""

    code = "invalid_characters"

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and (problem := text_problem(value)):
            raise ValidationError(f"This field {problem}.", code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CleanTextValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_clean_text = CleanTextValidator()


def json_depth(value: Any) -> int:
    """How deeply objects and lists nest in ``value`` (a scalar is 0). Iterative."""
    deepest = 0
    pending: list[tuple[int, Any]] = [(0, value)]
    while pending:
        depth, item = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((depth + 1, child) for child in children)
    return deepest


def variables_problem(value: Any) -> str | None:
    """Why ``value`` is not acceptable as ``variables``, as a sentence, or None."""
    if not isinstance(value, dict):
        return "Variables must be a JSON object."
    if json_depth(value) > VARIABLES_MAX_DEPTH:
        return f"Variables may nest at most {VARIABLES_MAX_DEPTH} levels deep."
    if found := find_unclean_text(value):
        where, problem = found
        return f"Variables{f' ({where})' if where else ''}: text {problem}."
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    if size > VARIABLES_MAX_BYTES:
        return (
            f"Variables may take at most {VARIABLES_MAX_BYTES // 1024} KB as JSON "
            f"(these take {size:,} bytes)."
        )
    return None


@deconstructible
class VariablesValidator:
    """``variables``: a JSON object, at most VARIABLES_MAX_DEPTH deep and VARIABLES_MAX_BYTES
    as compact UTF-8 JSON, with clean text in every key and value."""

    code = "invalid_variables"

    def __call__(self, value: Any) -> None:
        if problem := variables_problem(value):
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VariablesValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_variables = VariablesValidator()
