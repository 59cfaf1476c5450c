"""Write rules shared by every app."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet

from checkpoint_maker.permissions import permitted_ids
from checkpoint_maker.validators import MAX_ID


def model_update(
    instance: models.Model,
    *,
    fields: dict[str, Any],
    clean: Callable[[Any], Any] | None = None,
) -> list[str]:
    """Set on ``instance`` each of ``fields`` whose value is not None (None: keep the
    field's value), passed through ``clean`` first when given (e.g. trimming). Returns the
    names whose value changed. Saves nothing: the caller validates and saves by its rules.

    A field ``instance`` has not loaded (deferred) is set without being read, and counts as
    changed: reading it would cost a query."""
    deferred = instance.get_deferred_fields()
    changed = []
    for name, value in fields.items():
        if value is None:
            continue
        if clean is not None:
            value = clean(value)
        if name in deferred or getattr(instance, name) != value:
            changed.append(name)
        setattr(instance, name, value)
    return changed


def bulk_delete[M: models.Model](
    *,
    user,
    model: type[M],
    ids: Iterable[int],
    delete: Callable[[QuerySet[M]], None],
    dry_run: bool = False,
) -> int:
    """Delete every listed object in one transaction, or none of them.

    Raises ValidationError (field ``ids``) for an empty list or an unknown id (one that
    cannot be an id, past 64 bits, included), and PermissionDenied when the user may not
    delete one of them. ``delete`` is the app's own delete service for a set of objects, so
    its rules apply, set-based: the cost is a fixed number of queries whatever the number of
    ids. ``dry_run`` checks all that and deletes nothing.
    """
    name = model._meta.verbose_name
    wanted = set(ids)
    if not wanted:
        raise ValidationError({"ids": [f"Select at least one {name}."]})
    if unknown := sorted(pk for pk in wanted if not 0 < pk <= MAX_ID):
        listed = ", ".join(str(pk) for pk in unknown)
        raise ValidationError({"ids": [f"No {name} with id {listed}."]})
    with transaction.atomic():
        selected = model._default_manager.filter(pk__in=wanted)
        # Locked in id order, so two overlapping bulk deletes queue instead of deadlocking.
        objects = list(selected.order_by("pk").select_for_update())
        missing = wanted - {obj.pk for obj in objects}
        if missing:
            listed = ", ".join(str(pk) for pk in sorted(missing))
            raise ValidationError({"ids": [f"No {name} with id {listed}."]})
        if permitted_ids(user, "delete", objects) != wanted:
            raise PermissionDenied(f"You may not delete every selected {name}.")
        if not dry_run:
            delete(selected)
    return len(objects)
