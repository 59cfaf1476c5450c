"""Checkpoint reads shared by the Maker pages and the API."""

from django.db.models import Q, QuerySet

from checkpoint_maker.permissions import restrict_to_permitted
from checkpoints.models import Checkpoint


def search_checkpoints(queryset: QuerySet[Checkpoint], text: str) -> QuerySet[Checkpoint]:
    """Name or reference containing ``text``, case-insensitive."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__icontains=text) | Q(reference__icontains=text))


def checkpoints_visible_to(user) -> QuerySet[Checkpoint]:
    """Every checkpoint the user may read, role-wide or granted one by one."""
    return restrict_to_permitted(user, "view", Checkpoint.objects.all())
