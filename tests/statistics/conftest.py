"""Hand-built journeys for the statistics tests: interactions and attached rows written with
the times the test chooses."""

import datetime

import pytest
from django.utils import timezone

from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint
from interactions.statistics.scope import Scope

DAY = datetime.date(2026, 11, 10)


def at(day: datetime.date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0):
    """An aware time on ``day`` in the site's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour, minute, second, micro))
    )


class Journeys:
    """Builds interactions whose checkpoints were attached at given times."""

    def __init__(self):
        self.checkpoints: dict[str, Checkpoint] = {}

    def checkpoint(self, reference: str, name: str | None = None) -> Checkpoint:
        if reference not in self.checkpoints:
            self.checkpoints[reference] = Checkpoint.objects.create(
                name=name or f"Checkpoint {reference}", reference=reference
            )
        return self.checkpoints[reference]

    def interaction(self, *steps, channel="voice", started=None, routing_id=None) -> Interaction:
        """``steps``: (reference, attached_at) in any order."""
        first = min((when for _, when in steps), default=at(DAY))
        interaction = Interaction.objects.create(channel=channel, started_at=started or first)
        InteractionCheckpoint.objects.bulk_create(
            InteractionCheckpoint(
                interaction=interaction,
                checkpoint=self.checkpoint(reference),
                name=self.checkpoint(reference).name,
                reference=reference,
                attached_at=when,
                routing_id=routing_id,
                channel=interaction.channel,
            )
            for reference, when in steps
        )
        return interaction


@pytest.fixture
def journeys(db):
    return Journeys()


@pytest.fixture
def scope():
    return Scope(DAY, DAY)
