"""The Audit log: every configuration history record (checkpoints, routings, nodes, roles,
grants), newest first, filtered by user, entity, action and dates.

Each app registers its audited models (``register``) in its AppConfig.ready(). A page reads
by cursor, one query per entity (each on its history table's ``(history_date, history_id)``
order, ``per_page + 1`` rows) merged in Python: no count, no offset, the same cost on any
page of any size of history.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from checkpoint_maker.history import ACTIONS, user_label
from checkpoint_maker.licence import smart_licence_active


@dataclass(frozen=True)
class AuditedEntity:
    key: str
    label: str
    model: type[models.Model]  # the audited model (its ``history`` manager)
    describe: Callable[[models.Model], str]  # a record's object, as it was then
    history_url: Callable[[models.Model], str] | None = None
    licensed: bool = False
    related: tuple[str, ...] = ()  # what ``describe`` reads, fetched with the records

    @property
    def records(self):
        return self.model.history


_registry: dict[str, AuditedEntity] = {}


def register(entity: AuditedEntity) -> None:
    _registry[entity.key] = entity


def entities() -> list[AuditedEntity]:
    """The entities shown: the licensed ones only while the Smart licence is on."""
    active = smart_licence_active()
    return [entity for entity in _registry.values() if active or not entity.licensed]


@dataclass(frozen=True)
class AuditEntry:
    at: datetime.datetime
    user: str | None
    action: str
    entity: AuditedEntity
    object_id: int
    description: str
    url: str
    cursor: str


def encode_cursor(at: datetime.datetime, rank: int, pk: int) -> str:
    return f"{at.isoformat()}_{rank}_{pk}"


def decode_cursor(cursor: str | None) -> tuple[datetime.datetime, int, int] | None:
    if not cursor:
        return None
    try:
        at, rank, pk = cursor.rsplit("_", 2)
        moment, rank_number, number = datetime.datetime.fromisoformat(at), int(rank), int(pk)
    except ValueError:
        return None
    if moment.tzinfo is None or not 0 < number < 2**63:
        return None
    return moment, rank_number, number


def _after(cursor, rank: int) -> Q:
    """Rows of the entity ranked ``rank`` that come after ``cursor`` (newest first, ties by
    entity rank then id)."""
    if cursor is None:
        return Q()
    at, cursor_rank, pk = cursor
    if rank < cursor_rank:
        return Q(history_date__lte=at)
    if rank > cursor_rank:
        return Q(history_date__lt=at)
    return Q(history_date__lt=at) | Q(history_date=at, history_id__lt=pk)


def audit_page(
    *,
    narrow: Callable[[models.QuerySet], models.QuerySet] = lambda records: records,
    entity: str = "",
    older: str | None = None,
    per_page: int = 50,
) -> tuple[list[AuditEntry], str | None]:
    """One page of the log (``narrow`` filters each entity's records; ``entity``, a key,
    reads that entity's alone) and the cursor of the next (older) page, or None."""
    cursor = decode_cursor(older)
    rows = []
    for rank, audited in enumerate(entities()):
        if entity and audited.key != entity:
            continue
        queryset = narrow(audited.records.all()).filter(_after(cursor, rank))
        page = queryset.select_related("history_user", *audited.related).order_by(
            "-history_date", "-history_id"
        )
        rows.extend((record, rank, audited) for record in page[: per_page + 1])
    rows.sort(key=lambda row: (row[0].history_date, row[1], row[0].history_id), reverse=True)
    entries = [_entry(record, rank, audited) for record, rank, audited in rows[:per_page]]
    more = len(rows) > per_page
    return entries, entries[-1].cursor if more and entries else None


def _entry(record, rank: int, audited: AuditedEntity) -> AuditEntry:
    url = ""
    if audited.history_url is not None and record.history_type != "-":
        try:
            url = audited.history_url(record)
        except NoReverseMatch:
            url = ""
    return AuditEntry(
        at=record.history_date,
        user=user_label(record.history_user),
        action=ACTIONS[record.history_type],
        entity=audited,
        object_id=record.id,
        description=audited.describe(record),
        url=url,
        cursor=encode_cursor(record.history_date, rank, record.history_id),
    )


def history_url(url_name: str, field: str = "id") -> Callable[[models.Model], str]:
    """A record's link to its object's History page (``field``: the id the URL takes)."""
    return lambda record: reverse(url_name, args=[getattr(record, field)])
