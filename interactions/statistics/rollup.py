"""The overview's daily rollup: what a closed day's attached rows add up to, folded once.

A checkpoint reached by many interactions over 30 days is one row per day here instead of
one per interaction. ``fold`` writes, for each closed day of the site's time zone (before
today), the interactions per recorded reference for every channel and routing and for any
(``CheckpointDay``), with the day's journeys (``JourneyDay``, journeys.py) and interactions
started (``StartedDay``), and marks the day folded (``FoldedDay``) in the same transaction; the
day's marker row is locked first, so a concurrent fold of the same day waits, then finds it
folded: a day is folded once.
Folding runs outside requests (``manage.py fold_statistics``, e.g. every few minutes from
cron; seed_demo and the benchmarks run it too); a report never writes.

The overview reads the rollup for the folded days of its period and the attached rows
themselves for the others (today, and any day not folded yet), in one statement, so it is
exact whether or not the fold has run. A day's rows change after it closed only when an
interaction is deleted (its days are unfolded, ``forget``, by a signal on every deletion),
created with a past start or moved (its start days), or when rows are written with past times
(the demo data; ``attach_checkpoint(attached_at=...)`` unfolds that day and the interaction's
later ones). One corner is not exact: an interaction that collected two checkpoints
sharing one reference (one deleted before the other was made) on two different days counts
once on each day.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from checkpoint_maker.days import start_of_day
from interactions.models import (
    CheckpointDay,
    FoldedDay,
    Interaction,
    InteractionCheckpoint,
    JourneyDay,
    StartedDay,
)
from interactions.statistics import journeys, sql, windows
from interactions.statistics.scope import Scope

ANY_CHANNEL = ""
ANY_ROUTING = 0
MAX_FOLD_DAYS = 400  # how far back fold_statistics looks by default


def zone_name() -> str:
    return str(timezone.get_default_timezone())


FOLDED_FIELDS = (
    "day",
    "reference",
    "channel",
    "routing_key",
    "interactions",
    "first_at",
    "last_at",
)


def _fold_statement(day: datetime.date) -> tuple[str, list]:
    """One INSERT ... SELECT of a day's rollup rows: four groupings (any channel and routing,
    per channel, per routing, per both)."""
    c = sql.columns()
    table = connection.ops.quote_name(CheckpointDay._meta.db_table)
    target = ", ".join(
        connection.ops.quote_name(CheckpointDay._meta.get_field(name).column)
        for name in FOLDED_FIELDS
    )
    channel, routing = f"a.{c['channel']}", f"a.{c['routing']}"
    groupings = [(None, None), (channel, None), (None, routing), (channel, routing)]
    period = [
        connection.ops.adapt_datetimefield_value(start_of_day(day)),
        connection.ops.adapt_datetimefield_value(start_of_day(day + datetime.timedelta(days=1))),
    ]
    selects, params = [], []
    for by_channel, by_routing in groupings:
        grouped = "".join(f", {column}" for column in (by_channel, by_routing) if column)
        selects.append(
            f"SELECT %s, a.{c['reference']}, {by_channel or '%s'}, "
            f"{by_routing or ANY_ROUTING}, COUNT(DISTINCT a.{c['interaction']}), "
            f"MIN(a.{c['at']}), MAX(a.{c['at']}) FROM {c['attached']} a "
            f"WHERE a.{c['at']} >= %s AND a.{c['at']} < %s"
            f"{f' AND {routing} IS NOT NULL' if by_routing else ''} "
            f"GROUP BY a.{c['reference']}{grouped}"
        )
        channel_param = [] if by_channel else [ANY_CHANNEL]
        params += [connection.ops.adapt_datefield_value(day), *channel_param, *period]
    return f"INSERT INTO {table} ({target}) {' UNION ALL '.join(selects)}", params


def fold_day(day: datetime.date) -> bool:
    """Fold one closed day (again, if it was folded in another time zone). False when it is
    not closed yet or already folded (by a concurrent fold, say)."""
    if day >= timezone.localdate():
        return False
    with transaction.atomic():
        # The day's marker is the lock: a concurrent fold of the same day waits here, then
        # finds it folded.
        FoldedDay.objects.bulk_create([FoldedDay(day=day, time_zone="")], ignore_conflicts=True)
        marker = FoldedDay.objects.select_for_update().get(day=day)
        if marker.time_zone == zone_name():
            return False
        for rollup in (CheckpointDay, JourneyDay, StartedDay):
            rollup.objects.filter(day=day).delete()
        with connection.cursor() as cursor:
            cursor.execute(*_fold_statement(day))
            cursor.execute(*journeys.fold_statement(day))
        _fold_started(day)
        marker.time_zone, marker.folded_at = zone_name(), timezone.now()
        marker.save(update_fields=["time_zone", "folded_at"])
    return True


def _fold_started(day: datetime.date) -> None:
    """The day's StartedDay rows: interactions started, per channel and for any."""
    span = Scope(day, day)
    per_channel = dict(
        Interaction.objects.filter(started_at__gte=span.start, started_at__lt=span.end)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    StartedDay.objects.bulk_create(
        StartedDay(day=day, channel=channel, interactions=n)
        for channel, n in [(ANY_CHANNEL, sum(per_channel.values())), *per_channel.items()]
    )


def days_to_fold(back: int = MAX_FOLD_DAYS) -> list[datetime.date]:
    """The closed days of the last ``back`` days that are not folded in the current zone,
    from the first day that has attached rows."""
    today = timezone.localdate()
    earliest = (
        InteractionCheckpoint.objects.order_by("attached_at")
        .values_list("attached_at", flat=True)
        .first()
    )
    if earliest is None:
        return []
    first = max(today - datetime.timedelta(days=back), timezone.localdate(earliest))
    folded = set(
        FoldedDay.objects.filter(day__gte=first, time_zone=zone_name()).values_list(
            "day", flat=True
        )
    )
    return [
        first + datetime.timedelta(days=n)
        for n in range((today - first).days)
        if first + datetime.timedelta(days=n) not in folded
    ]


def fold(back: int = MAX_FOLD_DAYS) -> int:
    """Fold every closed day not folded yet, then build the rolling windows ending yesterday
    (windows.py); returns how many days were folded."""
    folded = sum(fold_day(day) for day in days_to_fold(back))
    windows.build_current()
    return folded


def forget(first: datetime.date, last: datetime.date) -> None:
    """Unfold the days first..last (their rows changed): reports read them from the attached
    rows until the next fold."""
    for model in (FoldedDay, CheckpointDay, JourneyDay, StartedDay):
        model.objects.filter(day__gte=first, day__lte=last).delete()
    windows.forget(first, last)


def forget_times(earliest: datetime.datetime | None, latest: datetime.datetime | None) -> None:
    """Unfold the days between two attachment times (in the site's time zone)."""
    if earliest is not None and latest is not None:
        forget(timezone.localdate(earliest), timezone.localdate(latest))


def forget_attached(interaction_id: int, attached_at: datetime.datetime) -> None:
    """Unfold the day of a row written with a past time and the interaction's later days
    (their journeys now have an earlier part)."""
    latest = InteractionCheckpoint.objects.filter(interaction_id=interaction_id).aggregate(
        latest=Max("attached_at")
    )["latest"]
    forget_times(attached_at, max(attached_at, latest or attached_at))


def spans(scope: Scope) -> tuple[list[tuple], list[tuple]]:
    """The scope's days as contiguous spans (first, last): those folded in the current zone,
    and the others (today, days not folded yet). One query."""
    folded = set(
        FoldedDay.objects.filter(
            day__gte=scope.first_day, day__lte=scope.last_day, time_zone=zone_name()
        ).values_list("day", flat=True)
    )
    folded_spans: list[tuple] = []
    live_spans: list[tuple] = []
    for n in range(scope.days):
        day = scope.first_day + datetime.timedelta(days=n)
        target = folded_spans if day in folded else live_spans
        if target and target[-1][1] == day - datetime.timedelta(days=1):
            target[-1] = (target[-1][0], day)
        else:
            target.append((day, day))
    return folded_spans, live_spans


def day_counts(scope: Scope, references: list[str], folded: list[tuple]) -> dict[tuple, int]:
    """{(reference, day): interactions} from the rollup for the folded spans of days."""
    if not folded:
        return {}
    days = Q()
    for first, last in folded:
        days |= Q(day__gte=first, day__lte=last)
    rows = CheckpointDay.objects.filter(
        days,
        channel=scope.channel or ANY_CHANNEL,
        routing_key=scope.routing_id or ANY_ROUTING,
        reference__in=references,
    ).values_list("reference", "day", "interactions")
    return {(reference, day): count for reference, day, count in rows}


ORDER_SQL = {
    "interactions": "n",
    "reference": "reference",
    "first_at": "f",
    "last_at": "l",
}


def overview_rows(
    scope: Scope,
    references: list[str] | None,
    sort: str,
    limit: int,
    offset: int,
    spans_of_days: tuple[list[tuple], list[tuple]],
) -> list[tuple]:
    """(reference, interactions, first_at, last_at) per checkpoint reached in the scope, in
    ``sort`` order (a key of ORDER_SQL, "-" first for descending; then by reference), rows
    ``offset`` to ``offset + limit``: the rollup for the folded days, the attached rows for
    the others. Two queries (the spans, then the rows), or three through a rolling window
    (windows.py) for a preset period in the default order."""
    window = windows.window_for(scope, references, sort)
    if window is not None:
        return windows.overview_rows(scope, window, limit, offset)
    c = sql.columns()
    folded, live = spans_of_days
    parts, params = [], []
    day_column = connection.ops.quote_name(CheckpointDay._meta.get_field("day").column)
    table = connection.ops.quote_name(CheckpointDay._meta.db_table)
    wanted = ", ".join(["%s"] * len(references or []))
    if folded:
        days, params = sql.within_days(f"r.{day_column}", folded)
        condition = f"{days} AND r.channel = %s AND r.routing_key = %s"
        params += [scope.channel or ANY_CHANNEL, scope.routing_id or ANY_ROUTING]
        if references:
            condition += f" AND r.reference IN ({wanted})"
            params += references
        parts.append(
            f"SELECT {sql.bytewise('r.reference')} AS reference, r.interactions AS n, "
            f"r.first_at AS f, r.last_at AS l FROM {table} r WHERE {condition}"
        )
    if live:
        condition, live_params = sql.scope_condition(scope, "a", live)
        params += live_params
        if references:
            condition += f" AND a.{c['reference']} IN ({wanted})"
            params += references
        parts.append(
            f"SELECT {sql.bytewise(f'a.{c["reference"]}')} AS reference, "
            f"COUNT(DISTINCT a.{c['interaction']}) AS n, MIN(a.{c['at']}) AS f, "
            f"MAX(a.{c['at']}) AS l FROM {c['attached']} a WHERE {condition} GROUP BY 1"
        )
    key = ORDER_SQL[sort.lstrip("-")]
    direction = "DESC" if sort.startswith("-") else "ASC"
    order = f"{key} {direction}" + (", reference" if key != "reference" else "")
    # Grouped byte by byte (the same groups), ordered in the database's collation.
    statement = (
        f"SELECT {sql.as_text('reference')} AS reference, SUM(n) AS n, MIN(f) AS f, "
        f"MAX(l) AS l FROM ({' UNION ALL '.join(parts)}) x GROUP BY x.reference "
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, limit, offset])
        return cursor.fetchall()


def forget_deleted_interaction(sender, instance, **kwargs) -> None:
    """pre_delete receiver (interactions/apps.py): the days an interaction started and reached
    checkpoints on change when it is deleted (its rows go with it)."""
    times = InteractionCheckpoint.objects.filter(interaction=instance).aggregate(
        earliest=Min("attached_at"), latest=Max("attached_at")
    )
    moments = [instance.started_at, *(time for time in times.values() if time is not None)]
    forget_times(min(moments), max(moments))


def started(scope: Scope, folded: list[tuple], live: list[tuple]) -> int:
    """Interactions started in the scope's period (of its channel): StartedDay for the folded
    spans of days, the interactions themselves for the others. One query."""
    parts, params = [], []
    if folded:
        days, days_params = sql.within_days("day", folded)
        parts.append(
            "SELECT COALESCE(SUM(interactions), 0) FROM "
            f"{connection.ops.quote_name(StartedDay._meta.db_table)} "
            f"WHERE channel = %s AND {days}"
        )
        params += [scope.channel or ANY_CHANNEL, *days_params]
    if live:
        c = sql.columns()
        start = connection.ops.quote_name(Interaction._meta.get_field("started_at").column)
        condition, times_params = sql.within_times(start, live)
        params += times_params
        if scope.channel:
            condition += f" AND {c['interaction_channel']} = %s"
            params.append(scope.channel)
        parts.append(f"SELECT COUNT(*) FROM {c['interactions']} WHERE {condition}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(f"({part})" for part in parts), params)
        return int(cursor.fetchone()[0])
