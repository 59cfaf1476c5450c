"""Maker list pages whose cost does not grow with history (DESIGN.md, Storage and scale).

A contact centre's history holds millions of rows: counting all that match on every page, or
skipping to a deep offset, would cost more as history grows.
- ``CappedPaginator`` (configuration lists: checkpoints, routings, roles) counts one row past
  ``COUNT_CAP`` at most; past it the page says "more than 10,000" and offers pages up to the
  cap (narrow with the search to go further).
- ``keyset_page`` (the interactions history) pages newest first by a cursor on the list's own
  index: Newer and Older links, no count, no offset, the same cost on any page.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from checkpoint_maker.validators import MAX_ID

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """Matching rows, exactly up to the cap; ``cap + 1`` means "more than the cap"."""
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        """What the page says of the count: ``"123"`` or ``"more than 10,000"``."""
        return f"more than {self.cap:,}" if self.capped else f"{self.count:,}"


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list read newest first by (``field``, pk): the rows, and the cursors of
    the pages before (newer) and after (older) it, None where there is none."""

    rows: list
    newer: str | None
    older: str | None


def encode_cursor(value: datetime.datetime, pk: int) -> str:
    return f"{value.isoformat()}_{pk}"


def decode_cursor(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    """``(value, pk)`` of a cursor, or None for none or a malformed one (the first page)."""
    if not cursor:
        return None
    value, _, pk = cursor.rpartition("_")
    try:
        moment, number = datetime.datetime.fromisoformat(value), int(pk)
    except ValueError:
        return None
    if moment.tzinfo is None or not 0 < number <= MAX_ID:
        return None
    return moment, number


def keyset_page(
    queryset: QuerySet, *, field: str, per_page: int, older: str | None, newer: str | None
) -> KeysetPage:
    """The page of ``queryset`` (newest first by ``field`` then pk) after the ``older`` cursor
    or before the ``newer`` one; the first page without either. One query of ``per_page + 1``
    rows on the (field, pk) index, whatever the depth: no count, no offset."""
    after, before = decode_cursor(older), decode_cursor(newer)
    if before is not None:
        value, pk = before
        rows = list(
            queryset.filter(
                Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))
            ).order_by(field, "pk")[: per_page + 1]
        )
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        more_older = True
    else:
        if after is not None:
            value, pk = after
            queryset = queryset.filter(
                Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))
            )
        rows = list(queryset.order_by(f"-{field}", "-pk")[: per_page + 1])
        more_older = len(rows) > per_page
        rows = rows[:per_page]
        more_newer = after is not None
    if not rows:
        return KeysetPage(rows=[], newer=None, older=None)
    first, last = rows[0], rows[-1]
    return KeysetPage(
        rows=rows,
        newer=encode_cursor(getattr(first, field), first.pk) if more_newer else None,
        older=encode_cursor(getattr(last, field), last.pk) if more_older else None,
    )
