"""Maker list pages count at most ``COUNT_CAP`` matching rows (DESIGN.md, Storage and scale).

A contact centre's history holds millions of rows: counting all that match on every page would
cost more as history grows. ``CappedPaginator`` counts one row past the cap at most; past it the
page says "more than 10,000" and offers pages up to the cap (narrow with the filters to go
further back).
"""

from functools import cached_property

from django.core.paginator import Paginator

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
