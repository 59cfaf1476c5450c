"""Configuration history (django-simple-history): how deletions are recorded, and the reads
that turn history records into API.md's entries ``{at, user, action, changes}``.

Saves are recorded by simple-history's ``post_save`` signal (the user comes from
``HistoryRequestMiddleware``; for token-authenticated API calls DRF sets the request's user
when it authenticates, so the same request carries it). Deletions are recorded by the
services instead, set-based: ``SetBasedDeleteHistory`` leaves out simple-history's delete
signals, so a queryset delete stays one statement and ``record_deletions`` writes the N
records in one insert.
"""

from django.db import models
from django.db.models import signals
from django.utils import timezone
from simple_history.models import HistoricalRecords

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
ACTION_TYPES = {name: code for code, name in ACTIONS.items()}


class SetBasedDeleteHistory(HistoricalRecords):
    """HistoricalRecords without the per-object delete signals: the model's delete service
    calls ``record_deletions`` for the whole set instead. Its table has the indexes of the
    reads (newest first: all, one user's, one object's), so a page costs the same at any
    size of history."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        name = model._meta.model_name[:14]
        options["indexes"] = [
            models.Index(fields=["history_date", "history_id"], name=f"{name}_hist_date_idx"),
            models.Index(
                fields=["history_user", "history_date", "history_id"],
                name=f"{name}_hist_user_idx",
            ),
            models.Index(fields=["id", "history_date", "history_id"], name=f"{name}_hist_obj_idx"),
        ]
        return options

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            signals.pre_delete.disconnect(self.pre_delete, sender=sender)
            signals.post_delete.disconnect(self.post_delete, sender=sender)


class ServiceRecordedHistory(SetBasedDeleteHistory):
    """HistoricalRecords written by the model's services alone (``record``), saves too: for
    a model whose one change spans several saves (a routing and its tree)."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            signals.post_save.disconnect(self.post_save, sender=sender)


def record(
    model: type[models.Model], objects, action: str, *, user=None, **extra
) -> list[models.Model]:
    """One record per object (``action``: created, changed or deleted) in one insert, with
    ``extra`` values for the history model's own fields; ``user`` defaults to the request's."""
    history = model.history.model
    now = timezone.now()
    return history.objects.bulk_create(
        history(
            history_date=now,
            history_type=ACTION_TYPES[action],
            history_user=user or history.get_default_history_user(obj),
            history_change_reason="",
            **{field.attname: getattr(obj, field.attname) for field in history.tracked_fields},
            **extra,
        )
        for obj in objects
    )


def record_deletions(model: type[models.Model], objects, *, user=None) -> None:
    """One "deleted" record per object, in one insert; ``user`` defaults to the request's."""
    record(model, objects, "deleted", user=user)


def user_label(user) -> str | None:
    return None if user is None else user.get_username()


def entries(records: list, previous=None, extra_fields: tuple[str, ...] = ()) -> list[dict]:
    """API.md's entries for ``records`` (newest first, their users loaded); ``previous`` is
    the record just older than the last one, if any. No query: each record is diffed
    against the next one in the list; ``extra_fields`` (the history model's own fields,
    e.g. a routing's tree) are compared too."""
    older = [*records[1:], previous]
    result = []
    for record, before in zip(records, older, strict=True):
        result.append(
            {
                "at": record.history_date,
                "user": user_label(record.history_user),
                "action": ACTIONS[record.history_type],
                "changes": changes(record, before) + extra_changes(record, before, extra_fields),
            }
        )
    return result


def changes(record, before) -> list[dict]:
    """Each field's old → new: every field for a creation (old None), none for a deletion."""
    if record.history_type == "-":
        return []
    fields = [field for field in record.tracked_fields if field.editable and not field.primary_key]
    if before is None or record.history_type == "+":
        return [
            {"field": field.name, "old": None, "new": field.value_from_object(record)}
            for field in fields
        ]
    delta = record.diff_against(before, included_fields=[field.name for field in fields])
    return [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]


def extra_changes(record, before, names: tuple[str, ...]) -> list[dict]:
    if record.history_type == "-":
        return []
    result = []
    for name in names:
        old = None if before is None else getattr(before, name)
        if (new := getattr(record, name)) != old:
            result.append({"field": name, "old": old, "new": new})
    return result


def previous_record(records: list):
    """The record just older than the last of ``records`` (one query), or None."""
    if not records:
        return None
    last = records[-1]
    return (
        type(last)
        ._default_manager.filter(id=last.id, history_date__lte=last.history_date)
        .exclude(pk=last.pk)
        .filter(models.Q(history_date__lt=last.history_date) | models.Q(pk__lt=last.pk))
        .order_by("-history_date", "-pk")
        .first()
    )


def object_history(model: type[models.Model], pk: int):
    """An object's records, newest first, with their users (one query when read)."""
    return (
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
