"""What every statistics report covers (the scope), shared by the reports, their parameters and
the history's reached filter."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from checkpoint_maker.days import start_of_day

HOURLY_UP_TO_DAYS = 2  # a trend of two days or less is drawn per hour


@dataclass(frozen=True)
class Scope:
    """What every report covers: the days ``first_day``..``last_day`` (both included, in the
    site's time zone), of one channel or all, through one routing or any."""

    first_day: datetime.date
    last_day: datetime.date
    channel: str | None = None
    routing_id: int | None = None

    @property
    def start(self) -> datetime.datetime:
        return start_of_day(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """The midnight after the last day: the period is [start, end)."""
        return start_of_day(self.last_day + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def time_zone(self) -> ZoneInfo:
        return timezone.get_default_timezone()

    @property
    def default_interval(self) -> str:
        return "hour" if self.days <= HOURLY_UP_TO_DAYS else "day"

    def query(self) -> dict[str, str]:
        """The scope as query parameters (for links and the CSV download)."""
        query = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        if self.channel:
            query["channel"] = self.channel
        if self.routing_id:
            query["routing"] = str(self.routing_id)
        return query
