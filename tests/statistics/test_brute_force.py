"""Every report against a brute-force count over random journeys (ties, periods, channels,
routings and a deleted checkpoint included)."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from checkpoints import services as checkpoint_services
from interactions.filters import InteractionFilterSet
from interactions.models import Interaction, InteractionCheckpoint
from interactions.statistics import figures, rollup, selectors
from interactions.statistics.scope import Scope
from tests.statistics.conftest import DAY, at

REFERENCES = ["a", "b", "c", "d", "e"]
DAYS = [DAY + datetime.timedelta(days=n) for n in range(4)]


FOLDED = ["none", "one day", "alternate days", "all days"]


def fold(folded: str) -> None:
    """Fold none of the days, the second, the second and fourth, or all."""
    days = {"none": [], "one day": DAYS[1:2], "alternate days": DAYS[1::2]}.get(folded)
    if days is None:
        assert rollup.fold() >= len(DAYS)
    for day in days or []:
        assert rollup.fold_day(day)


@pytest.fixture
def random_history(journeys):
    """150 interactions with 0 to 5 checkpoints each at random times over four days (a few at
    the very same time); the checkpoint "e" deleted afterwards."""
    generator = random.Random(20261201)
    for _ in range(150):
        day = generator.choice(DAYS)
        start = at(day, generator.randrange(24), generator.randrange(60))
        references = generator.sample(REFERENCES, generator.randrange(6))
        steps, when = [], start
        for reference in references:
            if generator.random() > 0.2:  # else the same time as the previous one: a tie
                when = when + datetime.timedelta(seconds=generator.randrange(1, 7200))
            steps.append((reference, when))
        journeys.interaction(
            *steps,
            started=start,
            channel=generator.choice(["voice", "email", "messaging"]),
            routing_id=generator.choice([None, 1, 2]),
        )
    checkpoint_services.delete_checkpoint(journeys.checkpoints["e"])


SCOPES = [
    Scope(DAYS[0], DAYS[3]),
    Scope(DAYS[1], DAYS[2]),
    Scope(DAYS[1], DAYS[1]),
    Scope(DAYS[0], DAYS[3], channel="email"),
    Scope(DAYS[0], DAYS[3], routing_id=2),
    Scope(DAYS[2], DAYS[3], channel="voice", routing_id=1),
]


def rows_in(scope) -> dict[int, list[tuple]]:
    """Per interaction, its (attached_at, id, reference) rows in the scope, in order."""
    rows: dict[int, list[tuple]] = {}
    for row in InteractionCheckpoint.objects.select_related("interaction").order_by(
        "attached_at", "id"
    ):
        if not scope.start <= row.attached_at < scope.end:
            continue
        if scope.routing_id is not None and row.routing_id != scope.routing_id:
            continue
        if scope.channel and row.interaction.channel != scope.channel:
            continue
        rows.setdefault(row.interaction_id, []).append((row.attached_at, row.id, row.reference))
    return rows


def reached_in_order(rows: list[tuple], steps: list[str]) -> list:
    """The attachment times of the steps reached in order (each strictly later), greedily."""
    times, after = [], None
    for step in steps:
        found = [t for t, _, ref in rows if ref == step and (after is None or t > after)]
        if not found:
            break
        after = min(found)
        times.append(after)
    return times


def brute_percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    low, share = figures.percentile_rank(len(values), fraction)
    value = values[low] + ((values[low + 1] - values[low]) * share if share else 0)
    return round(value, figures.SECONDS_DIGITS)


@pytest.mark.parametrize("folded", FOLDED)
@pytest.mark.parametrize("scope", SCOPES)
def test_overview(random_history, scope, folded):
    """The same figures whether the days come from the attached rows, the rollup or both."""
    fold(folded)
    rows = rows_in(scope)
    expected = Counter(ref for found in rows.values() for ref in {r for _, _, r in found})
    started = sum(
        1
        for i in Interaction.objects.all()
        if scope.start <= i.started_at < scope.end
        and (not scope.channel or i.channel == scope.channel)
    )
    overview = selectors.overview(scope)
    assert overview.interactions == started
    assert {r.reference: r.interactions for r in overview.checkpoints} == dict(expected)
    for row in overview.checkpoints:
        times = [t for found in rows.values() for t, _, ref in found if ref == row.reference]
        assert (row.first_at, row.last_at) == (min(times), max(times))
        assert row.share == figures.rate(expected[row.reference], started)
    trend = selectors.series(scope, REFERENCES, "day")
    for reference in REFERENCES:
        per_day = Counter(
            t.astimezone(scope.time_zone).date()
            for found in rows.values()
            for t, _, ref in found
            if ref == reference
        )
        assert {b.start.date(): b.interactions for b in trend[reference] if b.interactions} == dict(
            per_day
        )


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("steps", [["a", "b"], ["b", "a", "c"], ["a", "b", "c", "d", "e"]])
def test_funnel_and_its_drop_off_filter(random_history, scope, steps):
    rows = rows_in(scope)
    reached = {iid: reached_in_order(found, steps) for iid, found in rows.items()}
    funnel = selectors.funnel(scope, steps)
    for number, step in enumerate(funnel.steps, start=1):
        at_step = [times for times in reached.values() if len(times) >= number]
        assert step.interactions == len(at_step)
        if number > 1:
            gaps = [(t[number - 1] - t[number - 2]).total_seconds() for t in at_step]
            assert step.median_seconds_from_previous == brute_percentile(gaps, 0.5)
            assert step.p90_seconds_from_previous == brute_percentile(gaps, 0.9)
            dropped = {iid for iid, times in reached.items() if len(times) == number - 1}
            assert step.dropped == len(dropped)
            query = {
                "reached": ",".join(steps[: number - 1]),
                "not_reached": steps[number - 1],
                "reached_from": scope.first_day,
                "reached_to": scope.last_day,
            }
            if scope.channel:
                query["channel"] = scope.channel
            if scope.routing_id:
                query["reached_routing"] = scope.routing_id
            filtered = InteractionFilterSet(query, queryset=Interaction.objects.all())
            assert filtered.is_valid(), filtered.errors
            assert set(filtered.qs.values_list("pk", flat=True)) == dropped


@pytest.mark.parametrize("scope", SCOPES)
def test_ab_test(random_history, scope):
    rows = rows_in(scope)
    test = selectors.ab_test(scope, ["a", "b", "c"], "d")
    for variant in test.variants:
        n = sum(1 for found in rows.values() if reached_in_order(found, [variant.reference]))
        converted = sum(
            1
            for found in rows.values()
            if len(reached_in_order(found, [variant.reference, "d"])) == 2
        )
        assert (variant.interactions, variant.converted) == (n, converted)
        assert variant.ci95 == figures.wilson_interval(converted, n)


@pytest.mark.parametrize("folded", FOLDED)
@pytest.mark.parametrize("scope", SCOPES)
def test_journeys(random_history, scope, folded):
    """Folded days read the journeys' rollup, the others the attached rows; interactions
    active on several days (folded, not folded, both) join their days' sequences."""
    fold(folded)
    rows = rows_in(scope)
    several_days = [
        found
        for found in rows_in(SCOPES[0]).values()
        if len({timezone.localdate(t) for t, _, _ in found}) > 1
    ]
    assert several_days
    sequences = Counter(tuple(ref for _, _, ref in found) for found in rows.values())
    result = selectors.journeys(scope, limit=100)
    assert result.interactions == len(rows)
    assert {tuple(j.references): j.interactions for j in result.journeys} == dict(sequences)
    counts = [j.interactions for j in result.journeys]
    assert counts == sorted(counts, reverse=True)
