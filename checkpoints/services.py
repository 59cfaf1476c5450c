"""Every checkpoint write that has rules: create, update, duplicate, delete, bulk delete.

Pages, the admin and the API call these; none of them writes checkpoints on its own.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from checkpoint_maker.history import record_deletions
from checkpoint_maker.services import bulk_delete, model_update
from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_UNIQUE_MESSAGE


def _trimmed(value: str | None) -> str:
    return (value or "").strip()


def _save(checkpoint: Checkpoint) -> Checkpoint:
    """Validate every field rule, then save; a uniqueness race becomes a field error."""
    checkpoint.full_clean()
    try:
        with transaction.atomic():
            checkpoint.save()
    except IntegrityError as error:
        if (
            Checkpoint.objects.filter(reference=checkpoint.reference)
            .exclude(pk=checkpoint.pk)
            .exists()
        ):
            raise ValidationError({"reference": [REFERENCE_UNIQUE_MESSAGE]}) from error
        raise
    return checkpoint


def create_checkpoint(*, name: str, reference: str, alias: str = "") -> Checkpoint:
    return _save(
        Checkpoint(name=_trimmed(name), reference=_trimmed(reference), alias=_trimmed(alias))
    )


def update_checkpoint(
    checkpoint: Checkpoint,
    *,
    name: str | None = None,
    reference: str | None = None,
    alias: str | None = None,
) -> Checkpoint:
    """Change the given fields (trimmed); those left as None keep their value."""
    model_update(
        checkpoint,
        fields={"name": name, "reference": reference, "alias": alias},
        clean=_trimmed,
    )
    return _save(checkpoint)


def duplicate_checkpoint(
    source: Checkpoint, *, reference: str, name: str | None = None, alias: str | None = None
) -> Checkpoint:
    """A copy of ``source``: it needs a reference of its own; a missing name or alias is
    copied."""
    return create_checkpoint(
        name=source.name if name is None else name,
        reference=reference,
        alias=source.alias if alias is None else alias,
    )


def delete_checkpoints(checkpoints: QuerySet[Checkpoint], *, user=None) -> None:
    """Delete checkpoints in one statement, whatever their history: the interactions' rows
    are not touched (they keep their copies; reads answer their link as empty) and the
    database empties the Smart Routing actions' links itself. Each deletion is recorded in
    the configuration history (one read, one insert) by ``user``, else the request's."""
    with transaction.atomic(savepoint=False):
        record_deletions(Checkpoint, list(checkpoints), user=user)
        checkpoints.delete()


def delete_checkpoint(checkpoint: Checkpoint) -> None:
    delete_checkpoints(Checkpoint.objects.filter(pk=checkpoint.pk))


def bulk_delete_checkpoints(*, user, ids: Iterable[int], dry_run: bool = False) -> int:
    """Delete every listed checkpoint in one transaction, or none (see ``bulk_delete``)."""
    return bulk_delete(
        user=user,
        model=Checkpoint,
        ids=ids,
        delete=lambda checkpoints: delete_checkpoints(checkpoints, user=user),
        dry_run=dry_run,
    )
