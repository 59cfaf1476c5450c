"""Funnels on hand-built journeys: order, ties, periods, drop-off and time between steps."""

import datetime

from interactions.statistics import selectors
from interactions.statistics.scope import Scope
from tests.statistics.conftest import DAY, at


def step_counts(funnel) -> list[int]:
    return [step.interactions for step in funnel.steps]


def test_a_step_counts_only_after_the_previous_one(journeys, scope):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)), ("c", at(DAY, 12)))
    journeys.interaction(("b", at(DAY, 10)), ("a", at(DAY, 11)))  # B before A: not A → B
    journeys.interaction(("a", at(DAY, 10)), ("c", at(DAY, 11)))  # skipped B: stops at A
    funnel = selectors.funnel(scope, ["a", "b", "c"])
    assert step_counts(funnel) == [3, 1, 1]
    first, second, third = funnel.steps
    assert (first.dropped, first.conversion_from_previous) == (None, None)
    assert first.conversion_from_first == 1.0
    assert (second.dropped, second.conversion_from_previous) == (2, 0.3333)
    assert (third.dropped, third.conversion_from_previous, third.conversion_from_first) == (
        0,
        1.0,
        0.3333,
    )


def test_a_tie_is_not_later(journeys, scope):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 10)))
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 10, micro=1)))
    assert step_counts(selectors.funnel(scope, ["a", "b"])) == [2, 1]


def test_only_attachments_in_the_period_count(journeys):
    next_day = DAY + datetime.timedelta(days=1)
    journeys.interaction(("a", at(DAY, 23, 59)), ("b", at(next_day, 0, 1)))
    assert step_counts(selectors.funnel(Scope(DAY, DAY), ["a", "b"])) == [1, 0]
    assert step_counts(selectors.funnel(Scope(next_day, next_day), ["a", "b"])) == [0, 0]
    assert step_counts(selectors.funnel(Scope(DAY, next_day), ["a", "b"])) == [1, 1]


def test_median_and_p90_of_the_seconds_from_the_previous_step(journeys, scope):
    for seconds in (10, 20, 30, 40, 100):
        journeys.interaction(
            ("a", at(DAY, 10)), ("b", at(DAY, 10, second=0) + datetime.timedelta(seconds=seconds))
        )
    second = selectors.funnel(scope, ["a", "b"]).steps[1]
    assert second.median_seconds_from_previous == 30.0
    assert second.p90_seconds_from_previous == 76.0  # 40 + (100 - 40) * 0.6
    assert selectors.funnel(scope, ["a", "b"]).steps[0].median_seconds_from_previous is None


def test_an_empty_period_has_zero_steps(journeys):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)))
    empty = Scope(DAY + datetime.timedelta(days=5), DAY + datetime.timedelta(days=6))
    funnel = selectors.funnel(empty, ["a", "b"])
    assert step_counts(funnel) == [0, 0]
    assert funnel.steps[1].conversion_from_previous is None
    assert funnel.steps[1].median_seconds_from_previous is None


def test_channel_and_routing_narrow_the_rows(journeys):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)), channel="email", routing_id=7)
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)), channel="voice", routing_id=8)
    assert step_counts(selectors.funnel(Scope(DAY, DAY, channel="email"), ["a", "b"])) == [1, 1]
    assert step_counts(selectors.funnel(Scope(DAY, DAY, routing_id=8), ["a", "b"])) == [1, 1]
    assert step_counts(selectors.funnel(Scope(DAY, DAY, routing_id=9), ["a", "b"])) == [0, 0]
