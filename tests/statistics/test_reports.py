"""The overview, its trends, the A/B test and the journeys on hand-built journeys."""

import datetime

import pytest
from django.utils import timezone

from checkpoints import services as checkpoint_services
from interactions.statistics import selectors
from interactions.statistics.scope import Scope
from tests.statistics.conftest import DAY, at


def by_reference(overview) -> dict[str, int]:
    return {row.reference: row.interactions for row in overview.checkpoints}


def test_overview_counts_interactions_per_checkpoint_with_share_first_and_last(journeys, scope):
    journeys.interaction(("a", at(DAY, 9)), ("b", at(DAY, 10)))
    journeys.interaction(("a", at(DAY, 11)))
    journeys.interaction(started=at(DAY, 8))  # started, reached nothing
    overview = selectors.overview(scope)
    assert overview.interactions == 3
    assert [(r.reference, r.interactions, r.share) for r in overview.checkpoints] == [
        ("a", 2, 0.6667),
        ("b", 1, 0.3333),
    ]
    first = overview.checkpoints[0]
    assert (first.first_at, first.last_at) == (at(DAY, 9), at(DAY, 11))
    assert first.name == "Checkpoint a"
    assert overview.more is False


def test_overview_sorts_and_pages(journeys, scope):
    for number, reference in enumerate(["c", "b", "a"], start=1):
        for _ in range(number):
            journeys.interaction((reference, at(DAY, 10 + number)))
    assert [r.reference for r in selectors.overview(scope).checkpoints] == ["a", "b", "c"]
    assert [r.reference for r in selectors.overview(scope, sort="reference").checkpoints] == [
        "a",
        "b",
        "c",
    ]
    assert [r.reference for r in selectors.overview(scope, sort="-last_at").checkpoints] == [
        "a",
        "b",
        "c",
    ]
    first_page = selectors.overview(scope, limit=2)
    second_page = selectors.overview(scope, limit=2, offset=2)
    assert ([r.reference for r in first_page.checkpoints], first_page.more) == (["a", "b"], True)
    assert ([r.reference for r in second_page.checkpoints], second_page.more) == (["c"], False)


def test_an_interaction_counts_in_each_period_it_reached_a_checkpoint_in(journeys):
    next_day = DAY + datetime.timedelta(days=1)
    journeys.interaction(("a", at(DAY, 23)), ("b", at(next_day, 1)), started=at(DAY, 22))
    assert by_reference(selectors.overview(Scope(DAY, DAY))) == {"a": 1}
    assert by_reference(selectors.overview(Scope(next_day, next_day))) == {"b": 1}
    assert selectors.overview(Scope(next_day, next_day)).interactions == 0  # started the day before
    assert by_reference(selectors.overview(Scope(DAY, next_day))) == {"a": 1, "b": 1}


def test_a_deleted_checkpoint_still_counts_under_its_recorded_reference(journeys, scope):
    journeys.interaction(("gone", at(DAY, 10)), ("b", at(DAY, 11)))
    checkpoint_services.delete_checkpoint(journeys.checkpoints["gone"])
    overview = selectors.overview(scope)
    assert by_reference(overview) == {"gone": 1, "b": 1}
    assert {r.reference: r.name for r in overview.checkpoints}["gone"] == "Checkpoint gone"
    assert [s.interactions for s in selectors.funnel(scope, ["gone", "b"]).steps] == [1, 1]
    assert selectors.reference_names(["gone", "never"]) == {"gone": "Checkpoint gone"}


def test_an_empty_period_has_no_checkpoints(journeys):
    journeys.interaction(("a", at(DAY, 10)))
    overview = selectors.overview(
        Scope(DAY - datetime.timedelta(days=3), DAY - datetime.timedelta(days=1))
    )
    assert (overview.interactions, overview.checkpoints, overview.more) == (0, [], False)
    assert (
        selectors.journeys(
            Scope(DAY + datetime.timedelta(days=1), DAY + datetime.timedelta(days=1))
        ).journeys
        == []
    )


def test_a_daily_trend_has_every_day_of_the_period_zeros_included(journeys):
    journeys.interaction(("a", at(DAY, 10)))
    journeys.interaction(("a", at(DAY + datetime.timedelta(days=2), 10)))
    scope = Scope(DAY, DAY + datetime.timedelta(days=2))
    row = selectors.overview(scope, interval="day").checkpoints[0]
    assert [(b.start.date(), b.interactions) for b in row.series] == [
        (DAY, 1),
        (DAY + datetime.timedelta(days=1), 0),
        (DAY + datetime.timedelta(days=2), 1),
    ]


def test_an_hourly_trend_has_24_buckets_a_day(journeys, scope):
    journeys.interaction(("a", at(DAY, 0, 30)), ("b", at(DAY, 23, 59)))
    journeys.interaction(("a", at(DAY, 0, 1)))
    series = selectors.series(scope, ["a", "b"], "hour")
    assert len(series["a"]) == 24
    assert series["a"][0].interactions == 2 and sum(b.interactions for b in series["a"]) == 2
    assert series["b"][23].interactions == 1
    assert series["a"][5].start == at(DAY, 5)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata"])
def test_days_are_the_site_time_zone_s_days(journeys, settings, zone):
    settings.TIME_ZONE = zone
    timezone.activate(zone)
    try:
        late = at(DAY, 23, 30)  # 23:30 in the site's zone: not the same day in UTC
        journeys.interaction(("a", late), ("b", late + datetime.timedelta(minutes=45)))
        assert by_reference(selectors.overview(Scope(DAY, DAY))) == {"a": 1}
        next_day = DAY + datetime.timedelta(days=1)
        assert by_reference(selectors.overview(Scope(next_day, next_day))) == {"b": 1}
        series = selectors.series(Scope(DAY, next_day), ["a", "b"], "day")
        assert [b.interactions for b in series["a"]] == [1, 0]
        assert [b.interactions for b in series["b"]] == [0, 1]
        hours = selectors.series(Scope(DAY, DAY), ["a"], "hour")["a"]
        assert hours[23].interactions == 1 and hours[23].start == at(DAY, 23)
    finally:
        timezone.deactivate()


def test_the_hours_of_a_day_when_clocks_go_back(settings):
    settings.TIME_ZONE = "Europe/Paris"
    day = datetime.date(2026, 10, 25)  # 25 hours; 02:00 comes twice
    starts = selectors.bucket_starts(Scope(day, day), "hour")
    assert len(starts) == 24
    assert [start.hour for start in starts] == list(range(24))


def test_ab_test_conversions_intervals_and_verdict(journeys, scope):
    for n in range(100):
        steps = [("campaign_a", at(DAY, 9))]
        if n < 10:
            steps.append(("goal", at(DAY, 10)))
        journeys.interaction(*steps)
    for n in range(100):
        steps = [("campaign_b", at(DAY, 9))]
        if n < 30:
            steps.append(("goal", at(DAY, 10)))
        journeys.interaction(*steps)
    journeys.interaction(("goal", at(DAY, 8)), ("campaign_a", at(DAY, 9)))  # goal before: no
    test = selectors.ab_test(scope, ["campaign_a", "campaign_b"], "goal")
    a, b = test.variants
    assert (a.interactions, a.converted, a.conversion) == (101, 10, 0.099)
    assert (b.interactions, b.converted, b.conversion) == (100, 30, 0.3)
    assert a.difference is None and a.p_value is None
    assert b.difference == 0.201
    assert b.ci95 == (0.2189, 0.3958)
    assert 0 < b.p_value < 0.001
    assert test.verdict == (
        "Checkpoint campaign_b converts better than Checkpoint campaign_a: "
        "30.0% vs 9.9%, p < 0.001."
    )


def test_ab_test_with_too_few_interactions_says_so(journeys, scope):
    journeys.interaction(("a", at(DAY, 9)), ("g", at(DAY, 10)))
    journeys.interaction(("b", at(DAY, 9)))
    test = selectors.ab_test(scope, ["a", "b"], "g")
    assert test.verdict.startswith("Not enough data yet")
    assert [v.conversion for v in test.variants] == [1.0, 0.0]


def test_journeys_are_the_most_frequent_sequences_in_attachment_order(journeys, scope):
    for _ in range(3):
        journeys.interaction(("a", at(DAY, 9)), ("b", at(DAY, 10)))
    journeys.interaction(("b", at(DAY, 9)), ("a", at(DAY, 10)))
    journeys.interaction(("a", at(DAY, 9)), ("b", at(DAY, 10)), ("c", at(DAY, 11)))
    journeys.interaction(("a", at(DAY, 9)), ("b", at(DAY, 9)))  # a tie: the order rows were written
    result = selectors.journeys(scope)
    assert result.interactions == 6
    assert [(j.references, j.interactions, j.share) for j in result.journeys] == [
        (["a", "b"], 4, 0.6667),
        (["a", "b", "c"], 1, 0.1667),
        (["b", "a"], 1, 0.1667),
    ]
    assert result.journeys[0].names == ["Checkpoint a", "Checkpoint b"]
    assert len(selectors.journeys(scope, limit=1).journeys) == 1
