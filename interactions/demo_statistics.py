"""Thirty days of demo history for the Statistics pages: some thousands of closed interactions
on the three channels whose checkpoints tell one story.

Every interaction first takes the campaign A/B split (half campaign A, half B), then passes
identification (80 %) or fails it; of those identified, 55 % give the marketing opt-in, and of
those 40 % are transferred to an advisor; the campaign offer is accepted by 9 % of campaign A
and 14 % of campaign B. Interactions come more on weekdays and in daytime hours (in the site's
time zone), a little more each week, some of them today; steps follow each other by seconds to
minutes. Everything is drawn from seeded generators: the same story on every run (the times
follow the day the history is made; the outcomes do not).

Called by the routing demo once its routings exist (``routing_ids``: their ids by name, plain
values: ``interactions`` never imports ``routing``), so the rows record the routing that set
them as the runtime does. The history's customers start with ``HISTORY_PREFIX``: when one
exists the history is there and nothing is added. Written set-based (``bulk_create``), with the
copies the attach service makes: the checkpoint's name, reference and alias on each row, and
the alias once in the interaction's tags. A checkpoint that is not there (deleted from the
Toolbox) is skipped, as the runtime's Reference not found would.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from checkpoints.models import Checkpoint
from interactions.demo import EMAIL_ROUTING, MESSAGING_ROUTING, VOICE_ROUTING
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
from interactions.statistics import rollup

HISTORY_PREFIX = "history-"
INTERACTIONS = 3000
DAYS = 30  # today and the 29 days before: the Statistics pages' default period
SEED = 2026
LATEST_START = timedelta(minutes=30)  # a journey is over before now

CAMPAIGN_A = "campaign_a"
CAMPAIGN_B = "campaign_b"
IDENTIFIED = "identification_ok"
NOT_IDENTIFIED = "identification_failed"
OPTED_IN = "optin_en"
TRANSFERRED = "transfer-advisor"
OFFER_ACCEPTED = "offer_accepted"
FUNNEL = (IDENTIFIED, OPTED_IN, TRANSFERRED)  # the story's funnel, for the README and tests

IDENTIFIED_SHARE = 0.80
OPT_IN_SHARE = 0.55  # of those identified
TRANSFER_SHARE = 0.40  # of those who opted in
CONVERSION = {CAMPAIGN_A: 0.09, CAMPAIGN_B: 0.14}  # campaign offer accepted

# Monday first; and per hour of the day, in the site's time zone.
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.0, 0.95, 0.9, 0.45, 0.3)
HOUR_WEIGHTS = (
    *(0.03,) * 7,
    0.3,
    0.8,
    1.1,
    1.2,
    1.1,
    0.7,
    0.9,
    1.1,
    1.0,
    0.9,
    0.6,
    0.35,
    0.2,
    *(0.08,) * 4,
)
GROWTH = 0.3  # the last day has this much more traffic than the first


@dataclass(frozen=True)
class ChannelStory:
    """A channel's share of the history, its routing and the labels of its actions."""

    channel: str
    share: float
    routing_name: str
    subjects: tuple[str, ...]
    action_labels: dict[str, str]


CAMPAIGN_LABELS = {
    CAMPAIGN_A: "A/B split: campaign A",
    CAMPAIGN_B: "A/B split: campaign B",
    OFFER_ACCEPTED: "Campaign offer accepted",
    OPTED_IN: "Ask for marketing opt-in (EN)",
}
CHANNEL_STORIES = (
    ChannelStory(
        Interaction.Channel.VOICE,
        0.5,
        VOICE_ROUTING,
        ("Billing question", "Lost card", "Contract renewal", "Moving house"),
        {
            **CAMPAIGN_LABELS,
            IDENTIFIED: "Identification by date of birth",
            NOT_IDENTIFIED: "Identification by date of birth",
            TRANSFERRED: "Transfer to an advisor",
        },
    ),
    ChannelStory(
        Interaction.Channel.MESSAGING,
        0.3,
        MESSAGING_ROUTING,
        ("Order status", "Change of address", "Delivery slot"),
        {
            **CAMPAIGN_LABELS,
            IDENTIFIED: "Identification by one-time code",
            NOT_IDENTIFIED: "Identification by one-time code",
            TRANSFERRED: "Hand over to an advisor",
        },
    ),
    ChannelStory(
        Interaction.Channel.EMAIL,
        0.2,
        EMAIL_ROUTING,
        ("Invoice copy request", "Re: spring offer", "Complaint about a delivery"),
        {
            **CAMPAIGN_LABELS,
            IDENTIFIED: "Sender found in the CRM",
            NOT_IDENTIFIED: "Sender not found in the CRM",
            TRANSFERRED: "Forward to an advisor",
        },
    ),
)


@dataclass(frozen=True)
class Journey:
    """One history interaction as drawn: its channel story, subject, campaign and steps
    (reference, seconds after the start), and the seconds from the start to its end."""

    story: ChannelStory
    subject: str
    campaign: str
    steps: tuple[tuple[str, float], ...]
    duration: float


def hourly_slots(now: datetime) -> tuple[list[datetime], list[float]]:
    """Every hour of the last DAYS days that ends before ``now - LATEST_START``, and its
    weight (weekday, hour of the day, growth)."""
    today = timezone.localtime(now).date()
    latest = now - LATEST_START
    starts, weights = [], []
    for number in range(DAYS):
        day = today - timedelta(days=DAYS - 1 - number)
        day_weight = WEEKDAY_WEIGHTS[day.weekday()] * (1 + GROWTH * number / (DAYS - 1))
        for hour, hour_weight in enumerate(HOUR_WEIGHTS):
            start = timezone.make_aware(datetime.combine(day, time(hour)))
            if start + timedelta(hours=1) <= latest:
                starts.append(start)
                weights.append(day_weight * hour_weight)
    return starts, weights


def start_times(now: datetime, count: int) -> list[datetime]:
    """``count`` start times over the last DAYS days, in order."""
    rng = random.Random(SEED)
    starts, weights = hourly_slots(now)
    return sorted(
        start + timedelta(seconds=rng.uniform(0, 3600))
        for start in rng.choices(starts, weights, k=count)
    )


def draw_journey(rng: random.Random) -> Journey:
    """One interaction's channel, campaign and steps (see the module docstring)."""
    story = rng.choices(CHANNEL_STORIES, [story.share for story in CHANNEL_STORIES])[0]
    campaign = CAMPAIGN_A if rng.random() < 0.5 else CAMPAIGN_B
    at = rng.uniform(1, 4)
    steps = [(campaign, at)]
    at += rng.uniform(8, 60)
    identified = rng.random() < IDENTIFIED_SHARE
    steps.append((IDENTIFIED if identified else NOT_IDENTIFIED, at))
    if identified and rng.random() < OPT_IN_SHARE:
        at += rng.uniform(15, 150)
        steps.append((OPTED_IN, at))
        if rng.random() < TRANSFER_SHARE:
            at += rng.uniform(20, 240)
            steps.append((TRANSFERRED, at))
    if rng.random() < CONVERSION[campaign]:
        at += rng.uniform(30, 420)
        steps.append((OFFER_ACCEPTED, at))
    return Journey(
        story, rng.choice(story.subjects), campaign, tuple(steps), at + rng.uniform(20, 600)
    )


def draw_journeys(count: int) -> list[Journey]:
    """The history's journeys, the same on every run (a generator of their own, so the
    outcomes do not depend on the day's times)."""
    rng = random.Random(SEED + 1)
    return [draw_journey(rng) for _ in range(count)]


def seed_history(stdout, routing_ids: dict[str, int]) -> None:
    """Add the history unless it is there; ``routing_ids``: the demo routings' ids by name
    (a routing that is missing is recorded by name only)."""
    if Interaction.objects.filter(customer__startswith=HISTORY_PREFIX).exists():
        stdout.write(f"Statistics history: already there ({HISTORY_PREFIX}* customers).")
        return
    now = timezone.now()
    journeys = draw_journeys(INTERACTIONS)
    interactions = Interaction.objects.bulk_create(
        Interaction(
            channel=journey.story.channel,
            status=Interaction.Status.CLOSED,
            started_at=started_at,
            ended_at=started_at + timedelta(seconds=journey.duration),
            customer=f"{HISTORY_PREFIX}{number:04d}",
            subject=journey.subject,
            variables={"lang": "en", "campaign": journey.campaign[-1].upper()},
        )
        for number, (journey, started_at) in enumerate(
            zip(journeys, start_times(now, INTERACTIONS), strict=True), start=1
        )
    )
    checkpoints = Checkpoint.objects.in_bulk(
        {reference for journey in journeys for reference, _ in journey.steps},
        field_name="reference",
    )
    attached, tags = [], []
    for interaction, journey in zip(interactions, journeys, strict=True):
        story = journey.story
        tagged = set()
        for reference, seconds in journey.steps:
            checkpoint = checkpoints.get(reference)
            if checkpoint is None:
                continue
            attached.append(
                InteractionCheckpoint(
                    interaction=interaction,
                    checkpoint=checkpoint,
                    name=checkpoint.name,
                    reference=checkpoint.reference,
                    alias=checkpoint.alias,
                    attached_at=interaction.started_at + timedelta(seconds=seconds),
                    routing_id=routing_ids.get(story.routing_name),
                    routing_name=story.routing_name,
                    action_label=story.action_labels[reference],
                    channel=interaction.channel,
                )
            )
            if checkpoint.alias and checkpoint.alias not in tagged:
                tagged.add(checkpoint.alias)
                tags.append(InteractionTag(interaction=interaction, name=checkpoint.alias))
    InteractionCheckpoint.objects.bulk_create(attached, batch_size=2000)
    InteractionTag.objects.bulk_create(tags, batch_size=2000)
    # Past days were written behind the attach service: fold them afresh.
    rollup.forget(timezone.localdate() - timedelta(days=DAYS), timezone.localdate())
    rollup.fold(back=DAYS + 1)
    stdout.write(
        f"Statistics history: {len(interactions)} interactions over the last {DAYS} days "
        f"({len(attached)} checkpoints attached)."
    )
