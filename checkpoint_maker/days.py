"""Days in the site's time zone as half-open ranges of a datetime column."""

import datetime

from django.utils import timezone


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the site's time zone: a day is [this midnight, the next), which
    an index on the time column serves."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
