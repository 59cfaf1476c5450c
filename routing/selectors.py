"""Smart Routing reads shared by pages and the API: lists and where-used."""

import re
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from checkpoints.models import Checkpoint
from routing.models import Node, SmartRouting

TEMPLATE_PART = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def search_routings(queryset: QuerySet[SmartRouting], text: str) -> QuerySet[SmartRouting]:
    text = text.strip()
    return queryset.filter(Q(name__icontains=text)) if text else queryset


def code_may_render_to(code: str, reference: str) -> bool:
    """Whether a reference code contains ``reference`` or, with its template parts filled in,
    could render to it (``optin_{{ lang }}`` may render to ``optin_fr``)."""
    if reference in code:
        return True
    literal_parts = TEMPLATE_PART.split(code)
    if len(literal_parts) == 1:
        return False
    pattern = ".*".join(
        re.escape(part.strip() if index in (0, len(literal_parts) - 1) else part)
        for index, part in enumerate(literal_parts)
    )
    return re.fullmatch(pattern, reference) is not None


def actions_using(checkpoints: Iterable[Checkpoint]) -> dict[int, list[Node]]:
    """For each checkpoint id, the add_checkpoint actions that use it: chosen directly, or by
    a reference code that contains or may render to its reference. Two queries."""
    checkpoints = list(checkpoints)
    found: dict[int, list[Node]] = {checkpoint.pk: [] for checkpoint in checkpoints}
    if not checkpoints:
        return found
    actions = Node.objects.filter(kind=Node.Kind.ADD_CHECKPOINT).select_related("routing")
    for node in actions.filter(checkpoint__in=checkpoints):
        found[node.checkpoint_id].append(node)
    for node in actions.exclude(reference_code=""):
        for checkpoint in checkpoints:
            if code_may_render_to(node.reference_code, checkpoint.reference):
                found[checkpoint.pk].append(node)
    return found


def codes_using_reference(reference: str) -> list[Node]:
    """Actions whose reference code contains or may render to ``reference``."""
    actions = Node.objects.filter(kind=Node.Kind.ADD_CHECKPOINT).exclude(reference_code="")
    return [
        node
        for node in actions.select_related("routing")
        if code_may_render_to(node.reference_code, reference)
    ]
