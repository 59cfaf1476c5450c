"""Demo interactions on every channel, live and closed, with their checkpoint journeys; and the
interaction rights of the demo roles.

Called by ``manage.py seed_demo`` after the checkpoints' demo (INSTALLED_APPS order). Each demo
interaction is keyed on its demo customer identifier: when one exists it is left as it is (a
second run changes nothing); a missing one is created with its journey, attached through
``services.attach_checkpoint`` like the routing runtime does. A checkpoint reference that is not
there (deleted from the Toolbox) is skipped.

The 30 days of history behind the Statistics pages are ``interactions.demo_statistics``, added
by the routing demo once its routings exist (their ids are recorded on the rows).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from checkpoint_maker.demo import ADMINISTRATOR, EDITOR, READ_ONLY, grant
from interactions import services
from interactions.models import Interaction, InteractionCheckpoint

VOICE_ROUTING = "Main voice line"
EMAIL_ROUTING = "Support mailbox"
MESSAGING_ROUTING = "WhatsApp and web chat"


@dataclass(frozen=True)
class Step:
    """One checkpoint of a demo journey: its reference, the action that set it, and when
    (seconds after the interaction started)."""

    reference: str
    action_label: str
    after_seconds: int


@dataclass(frozen=True)
class DemoInteraction:
    customer: str
    channel: str
    subject: str
    started_ago: timedelta
    duration: timedelta | None  # None: still live
    routing_name: str
    steps: tuple[Step, ...]
    variables: dict


DEMO_INTERACTIONS = (
    DemoInteraction(
        "demo-0001 Alice Martin",
        Interaction.Channel.VOICE,
        "Billing question",
        timedelta(minutes=6),
        None,
        VOICE_ROUTING,
        (
            Step("recognised_customer", "Caller recognised by number", 2),
            Step("identification_ok", "Identification by date of birth", 35),
            Step("optin_fr", "Ask for marketing opt-in (FR)", 70),
        ),
        {"lang": "fr", "caller": "+33 6 12 34 56 78", "segment": "gold"},
    ),
    DemoInteraction(
        "demo-0002 Ben Okafor",
        Interaction.Channel.VOICE,
        "Lost card",
        timedelta(minutes=2),
        None,
        VOICE_ROUTING,
        (Step("recognised_customer", "Caller recognised by number", 1),),
        {"lang": "en", "caller": "+44 7700 900123"},
    ),
    DemoInteraction(
        "demo-0003 Chloé Dubois",
        Interaction.Channel.VOICE,
        "Contract renewal",
        timedelta(hours=3),
        timedelta(minutes=9),
        VOICE_ROUTING,
        (
            Step("recognised_customer", "Caller recognised by number", 2),
            Step("vip", "VIP segment check", 4),
            Step("upsell_offered", "Offer premium plan", 140),
            Step("upsell_accepted", "Premium plan accepted", 260),
            Step("transfer-advisor", "Transfer to the VIP queue", 300),
        ),
        {"lang": "fr", "segment": "vip"},
    ),
    DemoInteraction(
        "demo-0004 Daniel Weber",
        Interaction.Channel.VOICE,
        "Evening call",
        timedelta(days=1, hours=2),
        timedelta(minutes=3),
        VOICE_ROUTING,
        (
            Step("out_of_hours", "Opening hours check", 1),
            Step("callback_offered", "Offer a callback", 20),
            Step("callback_accepted", "Callback booked", 75),
        ),
        {"lang": "de"},
    ),
    DemoInteraction(
        "demo-0005 Elena García",
        Interaction.Channel.VOICE,
        "Long wait",
        timedelta(days=2, hours=5),
        timedelta(minutes=14),
        VOICE_ROUTING,
        (
            Step("identification_failed", "Identification by date of birth", 40),
            Step("queue_overflow", "Queue overflow after 5 minutes", 340),
            Step("survey_accepted", "Post-call survey offer", 820),
        ),
        {"lang": "es"},
    ),
    DemoInteraction(
        "demo-0006 Farid Haddad",
        Interaction.Channel.EMAIL,
        "Invoice copy request",
        timedelta(minutes=25),
        None,
        EMAIL_ROUTING,
        (Step("email.autoreply", "Send the acknowledgement", 3),),
        {"lang": "en", "mailbox": "billing@"},
    ),
    DemoInteraction(
        "demo-0007 Greta Lindqvist",
        Interaction.Channel.EMAIL,
        "Complaint about a delivery",
        timedelta(days=1, hours=6),
        timedelta(hours=4),
        EMAIL_ROUTING,
        (
            Step("email.autoreply", "Send the acknowledgement", 2),
            Step("complaint.escalated", "Escalate complaints", 60),
            Step("handover+crm@partner", "Hand over to the CRM", 90),
        ),
        {"lang": "en", "mailbox": "support@"},
    ),
    DemoInteraction(
        "demo-0008 Hugo Lefèvre",
        Interaction.Channel.EMAIL,
        "Newsletter subscription",
        timedelta(days=3, hours=1),
        timedelta(hours=1),
        EMAIL_ROUTING,
        (
            Step("recognised_customer", "Sender found in the CRM", 1),
            Step("optin_fr", "Record the opt-in (FR)", 5),
            Step("campaign_a", "A/B split: campaign A", 6),
        ),
        {"lang": "fr", "mailbox": "hello@"},
    ),
    DemoInteraction(
        "demo-0009 Ines Moreau",
        Interaction.Channel.EMAIL,
        "Password reset",
        timedelta(days=4, hours=3),
        timedelta(minutes=20),
        EMAIL_ROUTING,
        (Step("selfservice_resolved", "Send the self-service link", 4),),
        {"lang": "fr"},
    ),
    DemoInteraction(
        "demo-0010 Jonas Becker",
        Interaction.Channel.MESSAGING,
        "Order status",
        timedelta(minutes=4),
        None,
        MESSAGING_ROUTING,
        (
            Step("recognised_customer", "Contact matched by phone number", 1),
            Step("optin_de", "Ask for marketing opt-in (DE)", 30),
        ),
        {"lang": "de", "source": "whatsapp"},
    ),
    DemoInteraction(
        "demo-0011 Kenji Sato",
        Interaction.Channel.MESSAGING,
        "Change of address",
        timedelta(hours=7),
        timedelta(minutes=12),
        MESSAGING_ROUTING,
        (
            Step("identification_ok", "Identification by one-time code", 25),
            Step("campaign_b", "A/B split: campaign B", 26),
            Step("upsell_offered", "Offer paperless billing", 200),
            Step("transfer-advisor", "Transfer to an advisor", 420),
        ),
        {"lang": "en", "source": "web chat"},
    ),
    DemoInteraction(
        "demo-0012 Laura Rossi",
        Interaction.Channel.MESSAGING,
        "Opening hours",
        timedelta(days=5, hours=4),
        timedelta(minutes=2),
        MESSAGING_ROUTING,
        (
            Step("optin_en", "Ask for marketing opt-in (EN)", 10),
            Step("selfservice_resolved", "Answer from the FAQ bot", 40),
        ),
        {"lang": "en", "source": "web chat"},
    ),
)


def _create(demo: DemoInteraction, now) -> int:
    """Create one demo interaction with its journey; the number of checkpoints attached."""
    started_at = now - demo.started_ago
    interaction = services.create_interaction(
        channel=demo.channel,
        customer=demo.customer,
        subject=demo.subject,
        variables=demo.variables,
        started_at=started_at,
    )
    attached = 0
    for position, step in enumerate(demo.steps, start=1):
        result = services.attach_checkpoint(
            interaction.pk,
            reference=step.reference,
            action=services.ActionRecord(
                routing_name=demo.routing_name, action_label=step.action_label
            ),
            attached_at=started_at + timedelta(seconds=step.after_seconds, microseconds=position),
        )
        attached += int(result.created)
    if demo.duration is not None:
        services.close_interaction(interaction, ended_at=started_at + demo.duration)
    return attached


def seed(stdout) -> None:
    grant(ADMINISTRATOR, Interaction, ["view", "add", "change", "delete"])
    grant(ADMINISTRATOR, InteractionCheckpoint, ["view", "add"])
    grant(EDITOR, Interaction, ["view"])
    grant(READ_ONLY, Interaction, ["view"])

    existing = set(
        Interaction.objects.filter(
            customer__in=[demo.customer for demo in DEMO_INTERACTIONS]
        ).values_list("customer", flat=True)
    )
    now = timezone.now()
    created = attached = 0
    for demo in DEMO_INTERACTIONS:
        if demo.customer in existing:
            continue
        attached += _create(demo, now)
        created += 1
    stdout.write(
        f"Interactions: {len(DEMO_INTERACTIONS)} demo interactions "
        f"({created} new, {attached} checkpoints attached)."
    )
