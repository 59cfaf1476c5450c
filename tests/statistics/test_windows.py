"""The overview's rolling windows: the "last 7 days" and "last 30 days" pages read through a
window give the same rows as the daily rollup and as a brute-force count."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from interactions.models import FoldedWindow, Interaction, InteractionCheckpoint
from interactions.statistics import rollup, selectors, windows
from interactions.statistics.scope import Scope

REFERENCES = [f"r{n}" for n in range(12)]


@pytest.fixture
def recent_history(journeys):
    """200 interactions over the last 35 days, today included (all before now)."""
    generator = random.Random(7)
    now = timezone.now()
    for _ in range(200):
        start = now - datetime.timedelta(minutes=generator.randrange(1, 35 * 24 * 60))
        picked = generator.sample(REFERENCES, generator.randrange(1, 4))
        steps = [(ref, start + datetime.timedelta(seconds=n)) for n, ref in enumerate(picked)]
        steps = [(ref, when) for ref, when in steps if when < now]
        journeys.interaction(
            *steps,
            started=start,
            channel=generator.choice(["voice", "email"]),
            routing_id=generator.choice([None, 3]),
        )
    rollup.fold()


def preset(days: int, **filters) -> Scope:
    today = timezone.localdate()
    return Scope(today - datetime.timedelta(days=days - 1), today, **filters)


def brute(scope) -> list[tuple[str, int]]:
    reached = Counter()
    for row in InteractionCheckpoint.objects.select_related("interaction"):
        in_scope = scope.start <= row.attached_at < scope.end
        if scope.channel and row.interaction.channel != scope.channel:
            in_scope = False
        if scope.routing_id and row.routing_id != scope.routing_id:
            in_scope = False
        if in_scope:
            reached[row.reference] += 1
    return sorted(reached.items(), key=lambda item: (-item[1], item[0]))


SCOPES = [
    lambda: preset(7),
    lambda: preset(30),
    lambda: preset(30, channel="email"),
    lambda: preset(7, routing_id=3),
]


@pytest.mark.parametrize("make_scope", SCOPES)
@pytest.mark.parametrize(("limit", "offset"), [(3, 0), (4, 3), (50, 0), (2, 10)])
def test_a_preset_page_through_its_window_is_the_brute_force_page(
    recent_history, make_scope, limit, offset
):
    scope = make_scope()
    assert windows.window_for(scope, None, "-interactions") == scope.days - 1
    page = selectors.overview(scope, limit=limit, offset=offset)
    expected = brute(scope)
    assert [(r.reference, r.interactions) for r in page.checkpoints] == expected[
        offset : offset + limit
    ]
    assert page.more == (len(expected) > offset + limit)


@pytest.mark.parametrize("make_scope", SCOPES)
def test_first_and_last_times_through_the_window_match_the_rollup(recent_history, make_scope):
    scope = make_scope()
    through_window = selectors.overview(scope, limit=100).checkpoints
    by_reference = {
        row.reference: (row.first_at, row.last_at)
        for row in selectors.overview(scope, sort="reference", limit=100).checkpoints
    }
    assert {r.reference: (r.first_at, r.last_at) for r in through_window} == by_reference


def test_other_periods_and_orders_do_not_use_a_window(recent_history):
    today = timezone.localdate()
    assert windows.window_for(preset(7), None, "reference") is None
    assert windows.window_for(preset(7), ["r1"], "-interactions") is None
    assert windows.window_for(preset(10), None, "-interactions") is None
    yesterday = today - datetime.timedelta(days=1)
    assert (
        windows.window_for(
            Scope(yesterday - datetime.timedelta(days=6), yesterday), None, "-interactions"
        )
        is None
    )


def test_a_deleted_interaction_drops_the_windows_over_its_days(recent_history):
    scope = preset(30)
    victim = Interaction.objects.filter(
        attached_checkpoints__attached_at__lt=timezone.now() - datetime.timedelta(days=3)
    ).first()
    victim.delete()
    assert windows.window_for(scope, None, "-interactions") is None
    assert [(r.reference, r.interactions) for r in selectors.overview(scope).checkpoints] == brute(
        scope
    )
    rollup.fold()
    assert windows.window_for(scope, None, "-interactions") == 29
    assert [(r.reference, r.interactions) for r in selectors.overview(scope).checkpoints] == brute(
        scope
    )


def test_windows_are_built_once_and_only_from_folded_days(recent_history):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert set(FoldedWindow.objects.values_list("days", flat=True)) == {6, 29}
    assert windows.build(yesterday, 29) is False  # built already
    rollup.forget(yesterday, yesterday)
    assert not FoldedWindow.objects.exists()
    assert windows.build(yesterday, 29) is False  # yesterday is not folded


def test_checkpoints_reached_today_overtake_the_windows_top_exactly(journeys):
    """Today's counts decide the page: a checkpoint the window never saw, one low in the window
    that today lifts past others, and one that today lifts too little to matter."""
    now = timezone.now()
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    earlier = today_start - datetime.timedelta(days=2)
    journeys.interaction(("old", today_start - datetime.timedelta(days=10)))  # folds 10 days
    for rank in range(10):  # the window: p0 reached 10 times ... p9 once
        for n in range(10 - rank):
            journeys.interaction((f"p{rank}", earlier + datetime.timedelta(minutes=n)))
    today = {"p0": 5, "p1": 5, "p2": 5, "p3": 5, "late": 12, "p9": 9, "p8": 4}
    moment = today_start
    for reference, times in today.items():
        for _ in range(times):
            moment = min(moment + datetime.timedelta(seconds=1), now)
            journeys.interaction((reference, moment))
    rollup.fold()
    scope = preset(7)
    assert windows.window_for(scope, None, "-interactions") == 6
    expected = brute(scope)
    assert expected[:6] == [
        ("p0", 15), ("p1", 14), ("p2", 13), ("late", 12), ("p3", 12), ("p9", 10),
    ]  # fmt: skip
    for limit in range(1, 7):
        for offset in range(6):
            page = selectors.overview(scope, limit=limit, offset=offset)
            found = [(row.reference, row.interactions) for row in page.checkpoints]
            assert found == expected[offset : offset + limit], (limit, offset)
