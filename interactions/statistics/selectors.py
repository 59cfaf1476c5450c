"""The statistics reports (see the package docstring).

Each report is a fixed number of queries whatever the period or the data: the overview
three or four (its folded days, whether a preset's window is built, its checkpoints, the
interactions started) plus one for names and one to three for a trend (per hour one; per day
the folded days, the rollup's rows and the other days' rows); a funnel and an A/B test one
each, the journeys two (the folded days, the journeys), plus one for names.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint
from interactions.statistics import figures, rollup, sql
from interactions.statistics.journeys import SEPARATOR, journeys_sql
from interactions.statistics.scope import Scope

QUANTILES = (0.5, 0.9)


@dataclass(frozen=True)
class Bucket:
    start: datetime.datetime
    interactions: int


@dataclass
class CheckpointReach:
    reference: str
    name: str
    interactions: int
    share: float | None
    first_at: datetime.datetime
    last_at: datetime.datetime
    series: list[Bucket] | None = None


@dataclass
class Overview:
    scope: object
    interactions: int
    checkpoints: list[CheckpointReach]
    more: bool = False


@dataclass
class FunnelStep:
    reference: str
    name: str
    interactions: int
    conversion_from_previous: float | None
    conversion_from_first: float | None
    dropped: int | None
    median_seconds_from_previous: float | None
    p90_seconds_from_previous: float | None


@dataclass
class Funnel:
    scope: object
    steps: list[FunnelStep]


@dataclass
class Variant:
    reference: str
    name: str
    interactions: int
    converted: int
    conversion: float | None
    ci95: tuple[float, float] | None
    difference: float | None
    p_value: float | None


@dataclass
class ABTest:
    scope: object
    goal_reference: str
    goal_name: str
    variants: list[Variant]
    verdict: str


@dataclass
class Journey:
    references: list[str]
    interactions: int
    share: float | None
    names: list[str] = field(default_factory=list)


@dataclass
class Journeys:
    scope: object
    journeys: list[Journey]
    interactions: int  # interactions with at least one checkpoint in the scope


def reference_names(references: list[str]) -> dict[str, str]:
    """The name of each known reference: its checkpoint's, or for a deleted checkpoint a name
    its history recorded. Unknown references are left out. One or two queries."""
    names = dict(
        Checkpoint.objects.filter(reference__in=references).values_list("reference", "name")
    )
    missing = [reference for reference in references if reference not in names]
    if missing:
        recorded = (
            InteractionCheckpoint.objects.filter(reference__in=missing)
            .values("reference")
            .annotate(recorded_name=Max("name"))
            .values_list("reference", "recorded_name")
        )
        names.update(recorded)
    return names


def known_references(limit: int = 200) -> list[tuple[str, str]]:
    """The first ``limit`` checkpoints as (reference, name), by reference: the funnel and A/B
    pages' suggestions. One query."""
    return list(Checkpoint.objects.order_by("reference").values_list("reference", "name")[:limit])


def attached_in(scope) -> QuerySet[InteractionCheckpoint]:
    """The attached rows that count in the scope: attached in its period, through its routing,
    on interactions of its channel (as the rows recorded it)."""
    rows = InteractionCheckpoint.objects.filter(
        attached_at__gte=scope.start, attached_at__lt=scope.end
    )
    if scope.routing_id is not None:
        rows = rows.filter(routing_id=scope.routing_id)
    if scope.channel:
        rows = rows.filter(channel=scope.channel)
    return rows.order_by()


def overview(
    scope,
    *,
    references: list[str] | None = None,
    sort: str = "-interactions",
    limit: int = 100,
    offset: int = 0,
    interval: str | None = None,
) -> Overview:
    """Per checkpoint reached in the scope (or the ``references`` given): the interactions
    that reached it, their share of the interactions started in the period, the first and
    last time; ``limit`` of them from ``offset`` in ``sort`` order (``more`` says whether
    there are others). With ``interval`` ("day" or "hour") each carries its trend. The
    folded days come from the daily rollup (rollup.py), the others from the attached rows."""
    spans = rollup.spans(scope)
    found = rollup.overview_rows(scope, references, sort, limit + 1, offset, spans)
    more, found = len(found) > limit, found[:limit]
    started = rollup.started(scope, *spans)
    names = reference_names([reference for reference, *_ in found]) if found else {}
    reached = [
        CheckpointReach(
            reference=reference,
            name=names.get(reference, ""),
            interactions=int(count),
            share=figures.rate(int(count), started),
            first_at=sql.as_datetime(first_at),
            last_at=sql.as_datetime(last_at),
        )
        for reference, count, first_at, last_at in found
    ]
    if interval and reached:
        trends = series(scope, [row.reference for row in reached], interval)
        for row in reached:
            row.series = trends[row.reference]
    return Overview(scope, started, reached, more)


def bucket_starts(scope, interval: str) -> list[datetime.datetime]:
    """Every bucket of the period, in order: each day's midnight, or each hour, in the site's
    time zone (a repeated hour when clocks go back is one bucket)."""
    zone = scope.time_zone
    if interval == "day":
        return [
            timezone.make_aware(
                datetime.datetime.combine(
                    scope.first_day + datetime.timedelta(days=n), datetime.time.min
                ),
                zone,
            )
            for n in range(scope.days)
        ]
    starts, seen = [], set()
    moment = scope.start
    while moment < scope.end:
        wall = moment.astimezone(zone).replace(minute=0, second=0, microsecond=0, tzinfo=None)
        if wall not in seen:
            seen.add(wall)
            starts.append(timezone.make_aware(wall, zone))
        moment += datetime.timedelta(hours=1)
    return starts


def _wall(moment) -> datetime.datetime | datetime.date:
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)
    return moment


def series(scope, references: list[str], interval: str) -> dict[str, list[Bucket]]:
    """Per reference, the interactions that reached it in each bucket of the period (zeros
    included). Per hour from the attached rows, one query; per day from the daily rollup for
    the folded days and the attached rows for the others, three."""
    found: dict[tuple, int] = {}
    rows = attached_in(scope).filter(reference__in=references)
    if interval == "day":
        folded, live = rollup.spans(scope)
        found.update(rollup.day_counts(scope, references, folded))
        rows = rows.filter(_within(live)) if live else rows.none()
    truncate = TruncDate if interval == "day" else TruncHour
    counted = (
        rows.annotate(bucket=truncate("attached_at", tzinfo=scope.time_zone))
        .values("reference", "bucket")
        .annotate(interactions=Count("interaction", distinct=True))
    )
    found.update({(row["reference"], _wall(row["bucket"])): row["interactions"] for row in counted})
    starts = bucket_starts(scope, interval)
    keys = [start.date() if interval == "day" else _wall(start) for start in starts]
    return {
        reference: [
            Bucket(start, found.get((reference, key), 0))
            for start, key in zip(starts, keys, strict=True)
        ]
        for reference in references
    }


def _within(spans: list[tuple]) -> Q:
    """Attached in one of the spans of days."""
    within = Q()
    for first, last in spans:
        span = Scope(first, last)
        within |= Q(attached_at__gte=span.start, attached_at__lt=span.end)
    return within


def _run(statement: tuple[str, list]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall()


def funnel(scope, steps: list[str], names: dict[str, str] | None = None) -> Funnel:
    """Per step, the interactions that reached every step up to it in order in the scope, the
    conversions, the drop-off and the median and 90th percentile of the seconds from the
    previous step. One query (two with names to read)."""
    names = names if names is not None else reference_names(steps)
    counts: dict[int, int] = {}
    gaps: dict[int, dict[int, float]] = {}
    for step, n, rank, gap in _run(sql.funnel_sql(scope, steps, QUANTILES)):
        if rank is None:
            counts[step] = n
        else:
            gaps.setdefault(step, {})[rank] = float(gap)
    first = counts[1]
    result = []
    for number, reference in enumerate(steps, start=1):
        reached = counts[number]
        previous = counts.get(number - 1)
        at_rank = gaps.get(number, {})
        result.append(
            FunnelStep(
                reference=reference,
                name=names.get(reference, ""),
                interactions=reached,
                conversion_from_previous=None
                if previous is None
                else figures.rate(reached, previous),
                conversion_from_first=figures.rate(reached, first),
                dropped=None if previous is None else previous - reached,
                median_seconds_from_previous=None
                if previous is None
                else figures.percentile(at_rank, reached, 0.5),
                p90_seconds_from_previous=None
                if previous is None
                else figures.percentile(at_rank, reached, 0.9),
            )
        )
    return Funnel(scope, result)


def ab_test(scope, variants: list[str], goal: str, names: dict[str, str] | None = None) -> ABTest:
    """Per variant, the interactions that reached it in the scope and those of them that
    reached the goal after it, the conversion with its Wilson interval, and the difference to
    the first variant with the two-proportion test's p-value; and the verdict in words. One
    query (two with names to read)."""
    names = names if names is not None else reference_names([*variants, goal])
    rows = {
        number: (n, converted)
        for number, n, converted in _run(sql.conversions_sql(scope, variants, goal))
    }
    base_n, base_converted = rows[1]
    result = []
    for number, reference in enumerate(variants, start=1):
        n, converted = rows[number]
        conversion = figures.rate(converted, n)
        baseline = figures.rate(base_converted, base_n)
        compared = number > 1 and conversion is not None and baseline is not None
        result.append(
            Variant(
                reference=reference,
                name=names.get(reference, ""),
                interactions=n,
                converted=converted,
                conversion=conversion,
                ci95=figures.wilson_interval(converted, n),
                difference=round(conversion - baseline, figures.RATE_DIGITS) if compared else None,
                p_value=figures.two_proportion_p_value(base_converted, base_n, converted, n)
                if compared
                else None,
            )
        )
    return ABTest(scope, goal, names.get(goal, ""), result, figures.verdict(result))


def journeys(scope, limit: int = 20) -> Journeys:
    """The ``limit`` most frequent sequences of checkpoints of the interactions in the scope
    (by attachment time), most frequent first, each with its share of the interactions that
    have at least one. Two queries (the folded days, then journeys.py's), plus one for names."""
    rows = _run(journeys_sql(scope, limit, *rollup.spans(scope)))
    total = int(rows[0][2]) if rows else 0
    found = [
        Journey(sequence.split(SEPARATOR), n, figures.rate(n, total)) for sequence, n, _ in rows
    ]
    names = reference_names(sorted({ref for journey in found for ref in journey.references}))
    for journey in found:
        journey.names = [names.get(ref, ref) for ref in journey.references]
    return Journeys(scope, found, total)
