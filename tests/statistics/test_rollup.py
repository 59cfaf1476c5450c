"""The overview's daily rollup: folded once per closed day, unfolded when a day changes, and
never a different figure from the attached rows."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from interactions import services
from interactions.models import CheckpointDay, FoldedDay, Interaction, JourneyDay, StartedDay
from interactions.statistics import rollup, selectors
from interactions.statistics.journeys import SEPARATOR
from interactions.statistics.scope import Scope
from tests.statistics.conftest import DAY, at

NEXT_DAY = DAY + datetime.timedelta(days=1)


def counts(scope) -> dict[str, int]:
    return {row.reference: row.interactions for row in selectors.overview(scope).checkpoints}


def test_fold_writes_each_grouping_once_and_marks_the_day(journeys):
    journeys.interaction(("a", at(DAY, 9)), ("b", at(DAY, 10)), channel="email", routing_id=4)
    journeys.interaction(("a", at(DAY, 11)), channel="voice")
    assert rollup.fold_day(DAY)
    rows = {
        (r.reference, r.channel, r.routing_key): r.interactions
        for r in CheckpointDay.objects.filter(day=DAY)
    }
    assert rows == {
        ("a", "", 0): 2,
        ("a", "email", 0): 1,
        ("a", "voice", 0): 1,
        ("a", "", 4): 1,
        ("a", "email", 4): 1,
        ("b", "", 0): 1,
        ("b", "email", 0): 1,
        ("b", "", 4): 1,
        ("b", "email", 4): 1,
    }
    marker = FoldedDay.objects.get(day=DAY)
    assert marker.time_zone == "UTC"
    assert rollup.days_to_fold() == [
        DAY + datetime.timedelta(days=n) for n in range(1, (timezone.localdate() - DAY).days)
    ]


def test_fold_writes_the_days_journeys_and_interactions_started(journeys):
    journeys.interaction(("b", at(DAY, 10)), ("a", at(DAY, 9)), channel="email", routing_id=4)
    journeys.interaction(("a", at(DAY, 23)), ("c", at(NEXT_DAY, 1)), channel="voice")
    journeys.interaction(started=at(DAY, 12), channel="voice")  # reached nothing
    assert rollup.fold_day(DAY)
    sequences = {
        (row.interaction_id, row.channel, row.routing_key): row.sequence.split(SEPARATOR)
        for row in JourneyDay.objects.filter(day=DAY)
    }
    email, voice = Interaction.objects.order_by("id").values_list("id", flat=True)[:2]
    assert sequences == {
        (email, "email", 0): ["a", "b"],
        (email, "email", 4): ["a", "b"],
        (voice, "voice", 0): ["a"],  # its next day's part is that day's
    }
    started = {row.channel: row.interactions for row in StartedDay.objects.filter(day=DAY)}
    assert started == {"": 3, "email": 1, "voice": 2}


def test_an_interaction_created_with_a_past_start_unfolds_that_day(journeys):
    journeys.interaction(("a", at(DAY, 9)))
    rollup.fold()
    assert selectors.overview(Scope(DAY, DAY)).interactions == 1
    services.create_interaction(channel="email", started_at=at(DAY, 15))
    assert not FoldedDay.objects.filter(day=DAY).exists()
    assert not StartedDay.objects.filter(day=DAY).exists()
    assert selectors.overview(Scope(DAY, DAY)).interactions == 2
    assert selectors.overview(Scope(DAY, DAY, channel="email")).interactions == 1
    rollup.fold()
    assert selectors.overview(Scope(DAY, DAY)).interactions == 2


def test_a_deleted_interaction_unfolds_the_day_it_started(journeys):
    gone = journeys.interaction(started=at(DAY, 8))
    journeys.interaction(("a", at(NEXT_DAY, 9)))
    rollup.fold()
    assert selectors.overview(Scope(DAY, DAY)).interactions == 1
    Interaction.objects.filter(pk=gone.pk).delete()
    assert not FoldedDay.objects.filter(day=DAY).exists()
    assert selectors.overview(Scope(DAY, DAY)).interactions == 0


def test_today_is_never_folded_and_is_read_live(journeys):
    today = timezone.localdate()
    journeys.interaction(("a", timezone.now() - datetime.timedelta(seconds=1)))
    assert rollup.fold_day(today) is False
    assert not FoldedDay.objects.filter(day=today).exists()
    assert counts(Scope(today, today)) == {"a": 1}


def test_the_command_folds_the_closed_days_once(journeys):
    journeys.interaction(("a", at(DAY, 9)))
    call_command("fold_statistics", stdout=open("/dev/null", "w"))  # noqa: SIM115
    folded = FoldedDay.objects.count()
    assert folded == (timezone.localdate() - DAY).days
    assert rollup.fold() == 0
    assert FoldedDay.objects.count() == folded
    assert CheckpointDay.objects.filter(day=DAY, channel="", routing_key=0).get().interactions == 1


def test_a_deleted_interaction_unfolds_its_days(journeys):
    gone = journeys.interaction(("a", at(DAY, 23)), ("b", at(NEXT_DAY, 1)))
    journeys.interaction(("a", at(DAY, 9)))
    rollup.fold()
    assert counts(Scope(DAY, NEXT_DAY)) == {"a": 2, "b": 1}
    Interaction.objects.filter(pk=gone.pk).delete()
    assert not FoldedDay.objects.filter(day__in=[DAY, NEXT_DAY]).exists()
    assert FoldedDay.objects.filter(day=NEXT_DAY + datetime.timedelta(days=1)).exists()
    assert counts(Scope(DAY, NEXT_DAY)) == {"a": 1}
    rollup.fold()
    assert counts(Scope(DAY, NEXT_DAY)) == {"a": 1}


def test_an_attachment_with_a_past_time_unfolds_its_day(journeys):
    interaction = journeys.interaction(("a", at(DAY, 9)))
    journeys.checkpoint("late")
    rollup.fold()
    result = services.attach_checkpoint(interaction.pk, reference="late", attached_at=at(DAY, 10))
    assert result.created
    assert not FoldedDay.objects.filter(day=DAY).exists()
    assert counts(Scope(DAY, DAY)) == {"a": 1, "late": 1}


def test_an_attachment_with_a_past_time_unfolds_the_later_days_of_its_interaction(journeys):
    """The later days' journeys now have an earlier part."""
    interaction = journeys.interaction(("b", at(NEXT_DAY, 9)))
    journeys.interaction(("b", at(NEXT_DAY + datetime.timedelta(days=1), 9)))
    journeys.checkpoint("a")
    rollup.fold()
    services.attach_checkpoint(interaction.pk, reference="a", attached_at=at(DAY, 9))
    assert not FoldedDay.objects.filter(day__in=[DAY, NEXT_DAY]).exists()
    assert FoldedDay.objects.filter(day=NEXT_DAY + datetime.timedelta(days=1)).exists()
    scope = Scope(DAY, NEXT_DAY + datetime.timedelta(days=1))
    for _ in ("unfolded", "folded again"):
        found = {tuple(j.references): j.interactions for j in selectors.journeys(scope).journeys}
        assert found == {("a", "b"): 1, ("b",): 1}
        rollup.fold()


def test_days_folded_in_another_time_zone_are_read_live(journeys, settings):
    journeys.interaction(("a", at(DAY, 23, 30)))  # 23:30 UTC: the next day in Paris
    rollup.fold()
    settings.TIME_ZONE = "Europe/Paris"
    assert counts(Scope(DAY, DAY)) == {}
    assert counts(Scope(NEXT_DAY, NEXT_DAY)) == {"a": 1}
    assert NEXT_DAY in rollup.days_to_fold()  # its first local day, folded in UTC before
    rollup.fold()
    assert FoldedDay.objects.get(day=NEXT_DAY).time_zone == "Europe/Paris"
    assert counts(Scope(NEXT_DAY, NEXT_DAY)) == {"a": 1}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_folds_of_a_day_write_it_once(journeys):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL; SQLite runs one writer at a time")
    for n in range(50):
        journeys.interaction(("a", at(DAY, 9, n)), (f"r{n % 7}", at(DAY, 10, n)))
    barrier = threading.Barrier(4)
    results = []

    def fold():
        try:
            barrier.wait()
            results.append(rollup.fold_day(DAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) >= 1
    assert FoldedDay.objects.filter(day=DAY).count() == 1
    totals = CheckpointDay.objects.filter(day=DAY, channel="", routing_key=0)
    assert {row.reference: row.interactions for row in totals}["a"] == 50
    assert totals.count() == 8
