"""Interaction writes: create and close interactions, and the one attach service.

``attach_checkpoint`` is used by the API, the routing runner and the admin. The attach-once
rule and "the alias joins the tags once" are held by unique constraints and inserts that
ignore a conflict, never by reading first: concurrent identical attaches create one row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Exists
from django.utils import timezone

from checkpoint_maker.validators import MAX_ID
from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
from interactions.statistics import rollup

OK = "ok"
REFERENCE_NOT_FOUND = "reference_not_found"


@dataclass(frozen=True)
class ActionRecord:
    """The Smart Routing step that sets a checkpoint, as it will be recorded."""

    routing_id: int | None = None
    routing_name: str = ""
    action_id: int | None = None
    action_label: str = ""


NO_ACTION = ActionRecord()

ActionResolver = Callable[[int], ActionRecord | None]
_action_resolver: ActionResolver | None = None


def register_action_resolver(resolver: ActionResolver | None) -> ActionResolver | None:
    """Let a higher app (routing) say what a Smart Routing action id stands for.

    ``resolver(action_id)`` returns the ActionRecord to record, or None for an unknown id.
    ``interactions`` never imports ``routing``: the routing app registers its resolver (in
    ``AppConfig.ready``). Registering replaces the previous one; None removes it.
    """
    global _action_resolver
    _action_resolver = resolver
    return resolver


def resolve_action(action_id: int) -> ActionRecord | None:
    """The recorded form of a Smart Routing action, or None (unknown, or no resolver)."""
    return None if _action_resolver is None else _action_resolver(action_id)


# The attached row as the attach statement and its parameters give it (Model.from_db order).
ATTACHED_FIELDS = (
    "id",
    "interaction_id",
    "checkpoint_id",
    "name",
    "reference",
    "alias",
    "attached_at",
    "routing_id",
    "routing_name",
    "action_id",
    "action_label",
    "channel",
)


@dataclass(frozen=True)
class AttachResult:
    outcome: Literal["ok", "reference_not_found"]
    created: bool = False
    attachment: InteractionCheckpoint | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == OK


def create_interaction(
    *,
    channel: str,
    customer: str = "",
    subject: str = "",
    variables: dict[str, Any] | None = None,
    started_at=None,
) -> Interaction:
    interaction = Interaction(
        channel=channel,
        customer=(customer or "").strip(),
        subject=(subject or "").strip(),
        variables=variables or {},
        started_at=started_at or timezone.now(),
    )
    interaction.full_clean()
    interaction.save()
    if timezone.localdate(interaction.started_at) < timezone.localdate():
        # A past start changes a closed day's count of interactions started.
        rollup.forget_times(interaction.started_at, interaction.started_at)
    return interaction


def save_interaction(interaction: Interaction, *, previous_started_at) -> Interaction:
    """Save an edited interaction (the admin); a moved start unfolds the day it left and the
    day it joined, whose counts of interactions started change."""
    interaction.full_clean()
    interaction.save()
    if previous_started_at != interaction.started_at:
        for moment in (previous_started_at, interaction.started_at):
            rollup.forget_times(moment, moment)
    return interaction


def close_interaction(interaction: Interaction, *, ended_at=None) -> Interaction:
    """Close an ongoing interaction; closing a closed one changes nothing."""
    if interaction.status == Interaction.Status.CLOSED:
        return interaction
    interaction.status = Interaction.Status.CLOSED
    interaction.ended_at = ended_at or timezone.now()
    interaction.save(update_fields=["status", "ended_at"])
    return interaction


def _find_checkpoint(
    interaction_id: int, *, reference: str | None, checkpoint_id: int | None
) -> tuple[Checkpoint | None, bool]:
    """(the checkpoint or None, whether the interaction exists), in one query when found."""
    lookup = {"reference": reference} if reference is not None else {"pk": checkpoint_id}
    found = (
        Checkpoint.objects.filter(**lookup)
        .annotate(interaction_exists=Exists(Interaction.objects.filter(pk=interaction_id)))
        .first()
    )
    if found is None:
        return None, Interaction.objects.filter(pk=interaction_id).exists()
    return found, found.interaction_exists


@cache
def _attach_sql(vendor: str, key: str) -> str:
    """The attach in one statement: copy the checkpoint found by ``key`` (reference or id)
    and the interaction's channel into a new attached row, if both exist, ignoring a
    conflict with the attach-once constraint; return the new row. PostgreSQL and SQLite
    (3.35+) both run it; names come from the models. ``vendor`` keys the cache by database.

    On PostgreSQL the statement locks the checkpoint and the interaction it reads (``FOR KEY
    SHARE``, the lock the foreign-key checks take at commit anyway): a concurrent delete
    then either waits for the attach (and the database sets the new row's link null) or,
    committed first, leaves nothing to read, so nothing is inserted, never a row whose
    foreign key fails. SQLite serializes writers: nothing can be deleted meanwhile."""
    quote = connection.ops.quote_name
    attached = InteractionCheckpoint._meta
    checkpoint = Checkpoint._meta
    interaction = Interaction._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    copied = ("name", "reference", "alias")
    given = ("attached_at", "routing_id", "routing_name", "action_id", "action_label")
    columns = ", ".join(
        column(attached, name) for name in ("interaction", "checkpoint", *copied, *given, "channel")
    )
    selected = ", ".join(
        ["%s", f"c.{column(checkpoint, 'id')}"]
        + [f"c.{column(checkpoint, name)}" for name in copied]
        + ["%s"] * len(given)
        + [f"i.{column(interaction, 'channel')}"]
    )
    conflict = ", ".join(column(attached, name) for name in ("interaction", "checkpoint"))
    returned = ", ".join(
        column(attached, name) for name in ("id", "checkpoint", *copied, "channel")
    )
    lock = " FOR KEY SHARE OF c, i" if vendor == "postgresql" else ""
    return (
        f"INSERT INTO {quote(attached.db_table)} ({columns}) "
        f"SELECT {selected} FROM {quote(checkpoint.db_table)} c, "
        f"{quote(interaction.db_table)} i WHERE c.{column(checkpoint, key)} = %s "
        f"AND i.{column(interaction, 'id')} = %s{lock} "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {returned}"
    )


@cache
def _tag_sql(vendor: str) -> str:
    """Add a tag to an interaction's list unless it is there already."""
    quote = connection.ops.quote_name
    tag = InteractionTag._meta
    columns = ", ".join(quote(tag.get_field(name).column) for name in ("interaction", "name"))
    return (
        f"INSERT INTO {quote(tag.db_table)} ({columns}) VALUES (%s, %s) "
        f"ON CONFLICT ({columns}) DO NOTHING"
    )


@cache
def _attach_with_tag_sql(vendor: str, key: str) -> str:
    """PostgreSQL: the attach and its tag in one statement, so one round trip, atomic by
    itself (SQLite has no INSERT inside WITH: there the two run in one transaction)."""
    quote = connection.ops.quote_name
    tag = InteractionTag._meta
    attached = InteractionCheckpoint._meta
    alias = quote(attached.get_field("alias").column)
    columns = ", ".join(quote(tag.get_field(name).column) for name in ("interaction", "name"))
    returned = ", ".join(
        quote(attached.get_field(name).column)
        for name in ("id", "checkpoint", "name", "reference", "alias", "channel")
    )
    return (
        f"WITH inserted AS ({_attach_sql(vendor, key)}), "
        f"tagged AS (INSERT INTO {quote(tag.db_table)} ({columns}) "
        f"SELECT %s, {alias} FROM inserted WHERE {alias} <> '' "
        f"ON CONFLICT ({columns}) DO NOTHING) "
        f"SELECT {returned} FROM inserted"
    )


def _already_attached(
    interaction_id: int, *, reference: str | None, checkpoint_id: int | None
) -> AttachResult:
    """Why nothing was inserted: already attached, no such checkpoint, or no interaction."""
    checkpoint, interaction_exists = _find_checkpoint(
        interaction_id, reference=reference, checkpoint_id=checkpoint_id
    )
    if not interaction_exists:
        raise Interaction.DoesNotExist(f"No interaction with id {interaction_id}.")
    existing = (
        InteractionCheckpoint.objects.filter(
            interaction_id=interaction_id, checkpoint_id=checkpoint.pk
        ).first()
        if checkpoint is not None
        else None
    )
    if existing is None:
        return AttachResult(REFERENCE_NOT_FOUND)
    return AttachResult(OK, created=False, attachment=existing)


def attach_checkpoint(
    interaction_id: int,
    *,
    reference: str | None = None,
    checkpoint_id: int | None = None,
    action: ActionRecord = NO_ACTION,
    attached_at=None,
) -> AttachResult:
    """Attach a checkpoint, by reference or by id, to an interaction.

    Outcomes: ``ok`` with ``created`` True (attached now) or False (already attached: the
    first attachment is returned, nothing changes), or ``reference_not_found``.
    Raises Interaction.DoesNotExist when there is no such interaction.
    ``attached_at`` defaults to now; the demo data passes past times.
    An attach is one statement on PostgreSQL (elsewhere, plus the tag when the checkpoint
    has an alias); when it inserts nothing, two more queries tell why: three at most.
    """
    if (reference is None) == (checkpoint_id is None):
        raise ValueError("Give exactly one of reference or checkpoint_id.")
    if not 0 < interaction_id <= MAX_ID:
        raise Interaction.DoesNotExist(f"No interaction with id {interaction_id}.")
    if checkpoint_id is not None and not 0 < checkpoint_id <= MAX_ID:
        return _already_attached(interaction_id, reference=None, checkpoint_id=checkpoint_id)
    past = attached_at is not None and timezone.localdate(attached_at) < timezone.localdate()
    attached_at = attached_at or timezone.now()
    routing_name = action.routing_name[:200]
    action_label = action.action_label[:200]
    key, value = ("reference", reference) if reference is not None else ("id", checkpoint_id)
    params = [
        interaction_id,
        attached_at,
        action.routing_id,
        routing_name,
        action.action_id,
        action_label,
        value,
        interaction_id,
    ]
    # The row and its tag together, so a concurrent attach that finds the row also finds
    # the tag: one statement on PostgreSQL; elsewhere one transaction (no savepoint:
    # nothing here is retried after an error).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_attach_with_tag_sql(connection.vendor, key), [*params, interaction_id])
            inserted = cursor.fetchone()
    else:
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(_attach_sql(connection.vendor, key), params)
            inserted = cursor.fetchone()
            if inserted is not None and inserted[4]:
                cursor.execute(_tag_sql(connection.vendor), [interaction_id, inserted[4]])
    if inserted is None:
        return _already_attached(interaction_id, reference=reference, checkpoint_id=checkpoint_id)
    row_id, attached_checkpoint_id, name, recorded_reference, alias, channel = inserted
    row = InteractionCheckpoint.from_db(
        connection.alias,
        ATTACHED_FIELDS,
        (
            row_id,
            interaction_id,
            attached_checkpoint_id,
            name,
            recorded_reference,
            alias,
            attached_at,
            action.routing_id,
            routing_name,
            action.action_id,
            action_label,
            channel,
        ),
    )
    if past:  # a closed day changed (demo data): it and the later ones are read afresh
        rollup.forget_attached(interaction_id, attached_at)
    return AttachResult(OK, created=True, attachment=row)
