"""Interaction writes: create and close interactions, and the one attach service.

``attach_checkpoint`` is used by the API, the routing runner and the admin. The attach-once
rule and "the alias joins the tags once" are held by unique constraints and inserts that
ignore a conflict, never by reading first: concurrent identical attaches create one row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Exists
from django.utils import timezone

from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

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


def _insert_attachment(row: InteractionCheckpoint) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None if already there.

    Portable SQL: PostgreSQL and SQLite (3.35+) both speak it. The conflict target is the
    attach-once constraint.
    """
    meta = InteractionCheckpoint._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    conflict = ", ".join(
        quote(meta.get_field(name).column) for name in ("interaction", "checkpoint")
    )
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        returned = cursor.fetchone()
    return returned[0] if returned else None


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
    At most three queries: find (checkpoint + interaction), insert, then the tag or the
    existing row.
    """
    if (reference is None) == (checkpoint_id is None):
        raise ValueError("Give exactly one of reference or checkpoint_id.")
    checkpoint, interaction_exists = _find_checkpoint(
        interaction_id, reference=reference, checkpoint_id=checkpoint_id
    )
    if not interaction_exists:
        raise Interaction.DoesNotExist(f"No interaction with id {interaction_id}.")
    if checkpoint is None:
        return AttachResult(REFERENCE_NOT_FOUND)
    row = InteractionCheckpoint(
        interaction_id=interaction_id,
        checkpoint_id=checkpoint.pk,
        name=checkpoint.name,
        reference=checkpoint.reference,
        alias=checkpoint.alias,
        attached_at=attached_at or timezone.now(),
        routing_id=action.routing_id,
        routing_name=action.routing_name[:200],
        action_id=action.action_id,
        action_label=action.action_label[:200],
    )
    # One transaction for the row and its tag, so a concurrent attach that finds the row
    # also finds the tag. No savepoint: nothing here is retried after an error.
    with transaction.atomic(savepoint=False):
        row.pk = _insert_attachment(row)
        if row.pk is not None and row.alias:
            InteractionTag.objects.bulk_create(
                [InteractionTag(interaction_id=interaction_id, name=row.alias)],
                ignore_conflicts=True,
            )
    if row.pk is not None:
        row._state.adding = False
        return AttachResult(OK, created=True, attachment=row)
    existing = InteractionCheckpoint.objects.get(
        interaction_id=interaction_id, checkpoint_id=checkpoint.pk
    )
    return AttachResult(OK, created=False, attachment=existing)
