"""Interaction reads shared by pages and the API."""

from django.db.models import Aggregate, JSONField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import JSONArray

from checkpoint_maker.pagination import COUNT_CAP
from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

# Where interactions_with_journey() puts the tag list read with the interaction, and with
# each of its attached rows: [[tag id, name], ...].
TAGS = "journey_tags"


class JSONList(Aggregate):
    """The group's values as one JSON array, in no particular order."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _tag_list(interaction: OuterRef) -> Subquery:
    """The interaction's tags as [[id, name], ...] (or null when it has none)."""
    tags = InteractionTag.objects.filter(interaction=interaction).order_by().values("interaction")
    return Subquery(
        tags.annotate(tags=JSONList(JSONArray("id", "name"))).values("tags"),
        output_field=JSONField(),
    )


def interactions_with_journey() -> QuerySet[Interaction]:
    """Interactions with their journey, for the details page and the API: attached
    checkpoints oldest first, each with its checkpoint while it exists (for the link to its
    configuration page), and the tag list read with them (see journey_tags). Two queries
    whatever the number of attached rows."""
    return Interaction.objects.annotate(**{TAGS: _tag_list(OuterRef("pk"))}).prefetch_related(
        Prefetch(
            "attached_checkpoints",
            queryset=InteractionCheckpoint.objects.select_related("checkpoint")
            .annotate(**{TAGS: _tag_list(OuterRef("interaction"))})
            .order_by("attached_at", "id"),
        ),
    )


def journey_tags(interaction: Interaction) -> list[str]:
    """The tags of an interaction from interactions_with_journey(), in the order they were
    added, as one read saw them with the attached rows shown: the rows' own statement when
    there are rows (an alias shown with its checkpoint, never a tag without its row), else
    the interaction's (no row then means none was attached before, so no attach's tag is
    missing). No query; an interaction read otherwise gets its tags read."""
    rows = interaction.attached_checkpoints.all()
    holder = rows[0] if rows else interaction
    if not hasattr(holder, TAGS):
        return [tag.name for tag in interaction.tags.all()]
    return [name for _, name in sorted(getattr(holder, TAGS) or [])]


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
