"""The overview's rolling windows: the closed part of the "last 7 days" and "last 30 days"
periods (their 6 and 29 closed days ending yesterday), summed once from the daily rollup.

With a window, the overview of such a period in its default order (most reached first) reads
the window's top rows through its rank index and today's attached rows, not a row per
checkpoint and day: the window's top ``offset + limit + 1`` checkpoints and those reached
today often enough to overtake them are the only ones that can rank in the page (the bound is
in ``overview_rows``), so the page is exact. ``fold`` builds the windows ending yesterday after
folding the days; ``forget`` drops the windows that cover a forgotten day, and a window is
used only if built in the current time zone from days all folded (``FoldedWindow``).
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from interactions.models import CheckpointDay, CheckpointWindow, FoldedDay, FoldedWindow
from interactions.statistics import sql
from interactions.statistics.scope import Scope

WINDOW_DAYS = (6, 29)  # the closed days of the "last 7 days" and "last 30 days" presets


def _zone() -> str:
    return str(timezone.get_default_timezone())


def build(ending_day: datetime.date, days: int) -> bool:
    """Sum the ``days`` folded days ending ``ending_day`` into a window; False when one of
    them is not folded (in the current zone) or the window is already built."""
    first = ending_day - datetime.timedelta(days=days - 1)
    folded = FoldedDay.objects.filter(day__gte=first, day__lte=ending_day, time_zone=_zone())
    with transaction.atomic():
        FoldedWindow.objects.bulk_create(
            [FoldedWindow(ending_day=ending_day, days=days, time_zone="")], ignore_conflicts=True
        )
        marker = FoldedWindow.objects.select_for_update().get(ending_day=ending_day, days=days)
        if marker.time_zone == _zone() or folded.count() != days:
            return False
        CheckpointWindow.objects.filter(ending_day=ending_day, days=days).delete()
        table = connection.ops.quote_name(CheckpointWindow._meta.db_table)
        source = connection.ops.quote_name(CheckpointDay._meta.db_table)
        grouped = "reference, channel, routing_key"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (ending_day, days, {grouped}, interactions, first_at, "
                f"last_at) SELECT %s, %s, {grouped}, SUM(interactions), MIN(first_at), "
                f"MAX(last_at) FROM {source} WHERE day >= %s AND day <= %s GROUP BY {grouped}",
                [
                    connection.ops.adapt_datefield_value(ending_day),
                    days,
                    connection.ops.adapt_datefield_value(first),
                    connection.ops.adapt_datefield_value(ending_day),
                ],
            )
        marker.time_zone, marker.built_at = _zone(), timezone.now()
        marker.save(update_fields=["time_zone", "built_at"])
    return True


def build_current() -> int:
    """Build the windows ending yesterday and drop older ones; how many were built."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CheckpointWindow.objects.filter(ending_day__lt=yesterday).delete()
    FoldedWindow.objects.filter(ending_day__lt=yesterday).delete()
    return sum(build(yesterday, days) for days in WINDOW_DAYS)


def forget(first: datetime.date, last: datetime.date) -> None:
    """Drop the windows covering any day of first..last."""
    for days in WINDOW_DAYS:
        covering = {
            "days": days,
            "ending_day__gte": first,
            "ending_day__lte": last + datetime.timedelta(days=days - 1),
        }
        FoldedWindow.objects.filter(**covering).delete()
        CheckpointWindow.objects.filter(**covering).delete()


def window_for(scope: Scope, references, sort: str) -> int | None:
    """The window's length that serves ``scope``'s overview, if one does: the period is a
    preset ending today, in the default order, for every checkpoint, and its window is built."""
    today = timezone.localdate()
    days = scope.days - 1
    if references or sort != "-interactions" or scope.last_day != today or days not in WINDOW_DAYS:
        return None
    built = FoldedWindow.objects.filter(
        ending_day=today - datetime.timedelta(days=1), days=days, time_zone=_zone()
    ).exists()
    return days if built else None


def overview_rows(scope: Scope, days: int, limit: int, offset: int) -> list[tuple]:
    """The overview's rows ``offset`` to ``offset + limit`` (most reached first) from the
    window of ``days`` ending yesterday and today's attached rows, in one statement.

    With K = offset + limit + 1 and the window's top K rows (the K-th has ``w_K``), the K-th
    largest sum (window + today) is at least ``s_K``, the smallest sum among those K. Any other
    checkpoint has a window count of at most ``w_K``, so it can rank in the first K only if
    today added at least ``s_K - w_K``: only those checkpoints reached today get their window
    row read, not one per checkpoint reached today. (With fewer than K rows in the window,
    every checkpoint reached today is a candidate.)"""
    c = sql.columns()
    window = connection.ops.quote_name(CheckpointWindow._meta.db_table)
    today = timezone.localdate()
    key = [
        connection.ops.adapt_datefield_value(today - datetime.timedelta(days=1)),
        days,
        scope.channel or "",
        scope.routing_id or 0,
    ]
    ranks = offset + limit + 1
    condition, params = sql.scope_condition(scope, "a", [(today, today)])
    in_window = "ending_day = %s AND days = %s AND channel = %s AND routing_key = %s"
    statement = (
        f"WITH t AS MATERIALIZED (SELECT {sql.as_text('g.reference')} AS reference, n, f, l "
        f"FROM (SELECT {sql.bytewise(f'a.{c["reference"]}')} AS reference, "
        f"COUNT(DISTINCT a.{c['interaction']}) AS n, MIN(a.{c['at']}) AS f, "
        f"MAX(a.{c['at']}) AS l FROM {c['attached']} a WHERE {condition} "
        "GROUP BY 1) g), "
        f"top AS MATERIALIZED (SELECT reference, interactions AS n, first_at AS f, "
        f"last_at AS l FROM {window} WHERE {in_window} "
        "ORDER BY interactions DESC, reference LIMIT %s), "
        "bound AS (SELECT CASE WHEN (SELECT COUNT(*) FROM top) < %s THEN 0 ELSE "
        "(SELECT MIN(top.n + COALESCE(t.n, 0)) FROM top LEFT JOIN t "
        "ON t.reference = top.reference) - (SELECT MIN(n) FROM top) END AS need), "
        "candidates AS MATERIALIZED (SELECT t.reference FROM t WHERE "
        "t.n >= (SELECT need FROM bound) AND t.reference NOT IN (SELECT reference FROM top)) "
        "SELECT reference, SUM(n) AS n, MIN(f) AS f, MAX(l) AS l FROM ("
        "SELECT reference, n, f, l FROM t WHERE reference IN (SELECT reference FROM top) "
        "OR reference IN (SELECT reference FROM candidates) "
        "UNION ALL SELECT reference, n, f, l FROM top "
        f"UNION ALL SELECT reference, interactions, first_at, last_at FROM {window} "
        f"WHERE {in_window} AND reference IN (SELECT reference FROM candidates)) x "
        "GROUP BY reference ORDER BY n DESC, reference LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *key, ranks, ranks, *key, limit, offset])
        return cursor.fetchall()
