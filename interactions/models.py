"""Interactions and the checkpoints attached to them at runtime.

An attached checkpoint keeps its own copy of what it recorded (name, reference, alias, time,
routing and action), so renaming or deleting the checkpoint never rewrites history. Deleting a
checkpoint does not touch its history rows either: their link keeps the deleted checkpoint's id
(no foreign key constraint; ids are never reused), and every read answers it as empty
(``live_checkpoint_id``: API.md's null ``checkpoint_id``). So a deletion costs the same
whether one interaction or a million reached the checkpoint. Ids and names of the routing and
the action are recorded as plain values: ``interactions`` never depends on ``routing``.
"""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from checkpoint_maker.validators import validate_clean_text, validate_variables
from checkpoints.models import Checkpoint
from checkpoints.validators import ALIAS_MAX_LENGTH, NAME_MAX_LENGTH, REFERENCE_MAX_LENGTH


class Interaction(models.Model):
    class Channel(models.TextChoices):
        VOICE = "voice", "Voice"
        EMAIL = "email", "Email"
        MESSAGING = "messaging", "Messaging"

    class Status(models.TextChoices):
        ONGOING = "ongoing", "Ongoing"
        CLOSED = "closed", "Closed"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ONGOING)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    customer = models.CharField(
        max_length=200,
        blank=True,
        default="",
        validators=[validate_clean_text],
        help_text="Customer identifier.",
    )
    subject = models.CharField(
        max_length=300, blank=True, default="", validators=[validate_clean_text]
    )
    variables = models.JSONField(default=dict, blank=True, validators=[validate_variables])

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="interaction_started_idx"),
            models.Index(fields=["customer"], name="interaction_customer_idx"),
            models.Index(fields=["status", "channel"], name="interaction_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["voice", "email", "messaging"]),
                name="interaction_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["ongoing", "closed"]),
                name="interaction_status_valid",
            ),
        ]

    def __str__(self) -> str:
        who = self.customer or "unknown customer"
        return f"#{self.pk} {self.get_channel_display()} · {who}"

    def get_absolute_url(self) -> str:
        return reverse("interactions:interaction_detail", kwargs={"pk": self.pk})

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.ONGOING


class InteractionTag(models.Model):
    """One entry of an interaction's tag list; the id keeps the order tags were added in."""

    # Deleted with its interaction by the database, like its attached checkpoints.
    interaction = models.ForeignKey(Interaction, on_delete=models.DB_CASCADE, related_name="tags")
    name = models.CharField(max_length=ALIAS_MAX_LENGTH)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "name"], name="interaction_tag_once"),
        ]
        indexes = [models.Index(fields=["name"], name="interaction_tag_name_idx")]

    def __str__(self) -> str:
        return self.name


class InteractionCheckpoint(models.Model):
    """A checkpoint attached to an interaction, as it was when attached."""

    # The database deletes an interaction's rows with it (ON DELETE CASCADE). A checkpoint's
    # deletion leaves its rows as they are: the link is then a deleted checkpoint's id, which
    # reads answer as empty (see the module docstring), so nothing rewrites history.
    interaction = models.ForeignKey(
        Interaction, on_delete=models.DB_CASCADE, related_name="attached_checkpoints"
    )
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="attachments",
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    alias = models.CharField(max_length=ALIAS_MAX_LENGTH, blank=True, default="")
    attached_at = models.DateTimeField(default=timezone.now)
    routing_id = models.BigIntegerField(null=True, blank=True)
    routing_name = models.CharField(max_length=200, blank=True, default="")
    action_id = models.BigIntegerField(null=True, blank=True)
    action_label = models.CharField(max_length=200, blank=True, default="")
    # The interaction's channel, copied by the attach like the rest (an interaction keeps its
    # channel): the statistics filter a period's rows by channel without the interactions.
    channel = models.CharField(max_length=16, blank=True, default="", editable=False)

    class Meta:
        verbose_name = "attached checkpoint"
        ordering = ["attached_at", "id"]
        constraints = [
            # The attach-once rule. A deleted checkpoint's id is never given again, so its
            # rows never conflict with a later checkpoint's.
            models.UniqueConstraint(
                fields=["interaction", "checkpoint"], name="interaction_checkpoint_once"
            ),
        ]
        indexes = [
            models.Index(fields=["interaction", "attached_at"], name="attached_timeline_idx"),
            models.Index(fields=["checkpoint", "-attached_at"], name="attached_checkpoint_idx"),
            # The history's reference filter and the statistics (interactions/statistics):
            # a step's rows by reference and time, a period's rows by time, index-only on
            # PostgreSQL.
            models.Index(
                fields=["reference", "attached_at"],
                name="attached_reference_time_idx",
                include=["interaction", "routing_id", "channel"],
            ),
            models.Index(
                fields=["attached_at"],
                name="attached_time_idx",
                include=["reference", "interaction", "routing_id", "channel"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference}) on interaction {self.interaction_id}"

    @property
    def live_checkpoint_id(self) -> int | None:
        """``checkpoint_id`` as API.md answers it: None once the checkpoint is deleted. Rows
        read for a journey carry their checkpoint (``select_related``: None when it is gone);
        a row an attach just wrote or found points at a checkpoint it has just read."""
        if type(self).checkpoint.is_cached(self):
            return None if self.checkpoint is None else self.checkpoint_id
        return self.checkpoint_id

    @property
    def checkpoint_deleted(self) -> bool:
        return self.live_checkpoint_id is None


class Statistics(Interaction):
    """The Statistics section's right, ``interactions.view_statistics`` (Read on the Roles
    page's "Statistics" row; role-wide only). A proxy holds it, so the right is a model
    permission like every other and the Roles matrix shows it with no special case; it has
    no rows of its own."""

    class Meta:
        proxy = True
        verbose_name = "statistics"
        verbose_name_plural = "statistics"
        default_permissions = ("view",)


class CheckpointCounts(models.Model):
    """What the statistics' rollups count per recorded reference, channel and routing
    (``channel`` "" and ``routing_key`` 0 stand for any): interactions, first and last time."""

    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    channel = models.CharField(max_length=16, blank=True, default="")
    routing_key = models.BigIntegerField(default=0)
    interactions = models.PositiveIntegerField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        abstract = True


class CheckpointDay(CheckpointCounts):
    """The overview's daily rollup (interactions/statistics/rollup.py): per closed day of the
    site's time zone, per recorded reference, the interactions that reached it that day, for
    every channel and routing (``channel`` "" and ``routing_key`` 0 stand for any), with the
    first and last time. Written only by the fold; never read by anything but the overview."""

    day = models.DateField()

    class Meta:
        verbose_name = "checkpoint day"
        indexes = [
            # The grouping first (a report reads one), then its days.
            models.Index(
                fields=["channel", "routing_key", "day"],
                name="checkpoint_day_idx",
                include=["reference", "interactions", "first_at", "last_at"],
            ),
            # A trend: the chosen checkpoints' days.
            models.Index(
                fields=["channel", "routing_key", "reference", "day"],
                name="checkpoint_day_trend_idx",
                include=["interactions"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} on {self.day}: {self.interactions}"


class FoldedDay(models.Model):
    """A day whose CheckpointDay rows are complete, folded in ``time_zone`` (a change of the
    site's zone makes it unfolded again; empty while a fold is writing it)."""

    day = models.DateField(unique=True)
    time_zone = models.CharField(max_length=64)
    folded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} ({self.time_zone})"


class CheckpointWindow(CheckpointCounts):
    """The overview's rolling windows (interactions/statistics/windows.py): CheckpointDay
    summed over the ``days`` closed days ending ``ending_day`` (the closed part of the
    "last 7 days" and "last 30 days" periods), per reference, channel and routing."""

    ending_day = models.DateField()
    days = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "checkpoint window"
        indexes = [
            # The window's checkpoints most reached first, and one checkpoint's row.
            models.Index(
                "days",
                "ending_day",
                "channel",
                "routing_key",
                models.F("interactions").desc(),
                "reference",
                name="checkpoint_window_rank_idx",
            ),
            models.Index(
                fields=["days", "ending_day", "channel", "routing_key", "reference"],
                name="checkpoint_window_ref_idx",
                include=["interactions", "first_at", "last_at"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}, {self.days} days to {self.ending_day}: {self.interactions}"


class FoldedWindow(models.Model):
    """A CheckpointWindow that is complete, built in ``time_zone``."""

    ending_day = models.DateField()
    days = models.PositiveSmallIntegerField()
    time_zone = models.CharField(max_length=64)
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ending_day", "days"], name="folded_window_once"),
        ]

    def __str__(self) -> str:
        return f"{self.days} days to {self.ending_day} ({self.time_zone})"


class JourneyDay(models.Model):
    """The journeys' daily rollup (interactions/statistics/journeys.py): per closed day, per
    interaction, the references it reached that day in attachment order (one text, joined by
    ``journeys.SEPARATOR``), for any routing (``routing_key`` 0) and per routing recorded on
    its rows. Written by the fold with the day's CheckpointDay rows, dropped with them."""

    day = models.DateField()
    interaction_id = models.BigIntegerField()
    channel = models.CharField(max_length=16, blank=True, default="")
    routing_key = models.BigIntegerField(default=0)
    sequence = models.TextField()
    # The interaction reached checkpoints (of that routing) before that day: its journey in a
    # period may have an earlier part. Stable once folded: attachments are written at the
    # time they happen, and one written with a past time unfolds the days after it too.
    continued = models.BooleanField(default=False)

    class Meta:
        verbose_name = "journey day"
        indexes = [
            models.Index(fields=["routing_key", "day"], name="journey_day_idx"),
            models.Index(fields=["routing_key", "channel", "day"], name="journey_day_channel_idx"),
            # The few interactions whose journey may have an earlier part.
            models.Index(
                fields=["routing_key", "day"],
                name="journey_day_continued_idx",
                condition=models.Q(continued=True),
            ),
        ]

    def __str__(self) -> str:
        return f"interaction {self.interaction_id} on {self.day}"


class StartedDay(models.Model):
    """The interactions started per closed day and channel ("" for any): the overview's
    whole, folded with the day. Creating an interaction with a past start, or moving its
    start, unfolds the days concerned."""

    day = models.DateField()
    channel = models.CharField(max_length=16, blank=True, default="")
    interactions = models.PositiveIntegerField()

    class Meta:
        verbose_name = "started day"
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="started_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel or 'any channel'}: {self.interactions}"
