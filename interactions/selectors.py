"""Interaction reads shared by pages and the API."""

from django.db.models import Prefetch, QuerySet

from checkpoint_maker.pagination import COUNT_CAP
from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag


def interactions_with_journey() -> QuerySet[Interaction]:
    """Interactions with their journey, for the details page and the API: tags in the order
    they were added, then attached checkpoints oldest first, each with its checkpoint while
    it exists (for the link to its configuration page). Three queries whatever the number
    of attached rows."""
    return Interaction.objects.prefetch_related(
        Prefetch("tags", queryset=InteractionTag.objects.order_by("id")),
        Prefetch(
            "attached_checkpoints",
            queryset=InteractionCheckpoint.objects.select_related("checkpoint").order_by(
                "attached_at", "id"
            ),
        ),
    )


def checkpoint_reach(checkpoint: Checkpoint, *, latest: int = 10) -> dict:
    """How many interactions reached a checkpoint (counted up to COUNT_CAP: ``capped`` says
    there are more), and the latest attachments. Two queries on the checkpoint's index."""
    attachments = InteractionCheckpoint.objects.filter(checkpoint=checkpoint)
    count = attachments[: COUNT_CAP + 1].count()
    return {
        "count": min(count, COUNT_CAP),
        "capped": count > COUNT_CAP,
        "latest": list(
            attachments.select_related("interaction").order_by("-attached_at", "-id")[:latest]
        ),
    }


def interactions_for_history() -> QuerySet[Interaction]:
    """The Interactions history: newest first, each with its tag list (one more query)."""
    return Interaction.objects.order_by("-started_at", "-id").prefetch_related(
        Prefetch("tags", queryset=InteractionTag.objects.order_by("id"))
    )
