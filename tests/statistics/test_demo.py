"""The demo's Statistics history (interactions.demo_statistics): right after ``seed_demo`` the
reports of the last 30 days tell its story, and a second run adds nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from interactions import demo_statistics as history
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
from interactions.statistics import selectors
from interactions.statistics.scope import Scope
from routing.models import SmartRouting

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def last_30_days() -> Scope:
    today = timezone.localdate()
    return Scope(today - datetime.timedelta(days=29), today)


def row_counts() -> tuple[int, int, int]:
    return (
        Interaction.objects.count(),
        InteractionCheckpoint.objects.count(),
        InteractionTag.objects.count(),
    )


def test_the_reports_tell_the_story_and_a_second_run_adds_nothing():
    output = seed()
    assert f"Statistics history: {history.INTERACTIONS} interactions" in output
    scope = last_30_days()

    overview = selectors.overview(scope, references=list(history.FUNNEL), interval="day")
    assert overview.interactions >= history.INTERACTIONS
    for reached in overview.checkpoints:
        busy_days = [bucket for bucket in reached.series if bucket.interactions]
        assert len(busy_days) >= 20, reached.reference
        assert len({bucket.interactions for bucket in busy_days}) > 5, reached.reference

    funnel = selectors.funnel(scope, list(history.FUNNEL))
    identified, opted_in, transferred = funnel.steps
    assert identified.interactions < overview.interactions  # some fail identification
    assert opted_in.dropped > 0 and transferred.dropped > 0
    assert 0.45 < opted_in.conversion_from_previous < 0.65
    assert 0.3 < transferred.conversion_from_previous < 0.5
    assert 0 < opted_in.median_seconds_from_previous < 600

    ab = selectors.ab_test(scope, [history.CAMPAIGN_A, history.CAMPAIGN_B], history.OFFER_ACCEPTED)
    campaign_a, campaign_b = ab.variants
    assert campaign_b.conversion > campaign_a.conversion
    assert campaign_b.p_value < 0.05
    assert ab.verdict.startswith(f"{campaign_b.name} converts better than {campaign_a.name}")

    counts = row_counts()
    assert "Statistics history: already there" in seed()
    assert row_counts() == counts


def test_rows_carry_the_copies_the_attach_service_writes():
    seed()
    voice = SmartRouting.objects.get(name="Main voice line")
    rows = InteractionCheckpoint.objects.filter(
        interaction__customer__startswith=history.HISTORY_PREFIX
    ).select_related("checkpoint")
    assert rows.filter(routing_id=voice.pk, routing_name=voice.name).exists()
    assert not rows.filter(routing_id__isnull=True).exists()
    for row in rows.filter(interaction__channel="voice")[:200]:
        checkpoint = row.checkpoint
        assert (row.name, row.reference, row.alias) == (
            checkpoint.name,
            checkpoint.reference,
            checkpoint.alias,
        )
        assert row.action_label
    interaction = Interaction.objects.filter(customer__startswith=history.HISTORY_PREFIX).first()
    aliases = [
        row.alias for row in interaction.attached_checkpoints.order_by("attached_at") if row.alias
    ]
    assert list(interaction.tags.values_list("name", flat=True)) == aliases
    assert not Interaction.objects.filter(
        customer__startswith=history.HISTORY_PREFIX, status=Interaction.Status.ONGOING
    ).exists()
    assert not rows.filter(attached_at__gt=timezone.now()).exists()
