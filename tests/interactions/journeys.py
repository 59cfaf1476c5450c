"""What the interaction pages tests share: a journey of three checkpoints, the pages' urls,
and the Data and Information tabs found by role (the fixtures are in conftest)."""

import datetime

from django.urls import reverse

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import Interaction

VIEW = "interactions.view_interaction"
VIEW_CHECKPOINT = "checkpoints.view_checkpoint"
T0 = datetime.datetime(2025, 3, 4, 9, 15, 30, 123456, tzinfo=datetime.UTC)


def make_interaction(channel="voice", customer="+33100000000", subject="", **extra) -> Interaction:
    return services.create_interaction(channel=channel, customer=customer, subject=subject, **extra)


def attach(interaction, checkpoint, *, at=None, label="", routing="", action_id=None):
    return services.attach_checkpoint(
        interaction.pk,
        checkpoint_id=checkpoint.pk,
        action=services.ActionRecord(routing_name=routing, action_label=label, action_id=action_id),
        attached_at=at,
    ).attachment


def detail_url(interaction) -> str:
    return reverse("interactions:interaction_detail", kwargs={"pk": interaction.pk})


def journey_url(interaction) -> str:
    return reverse("interactions:interaction_journey", kwargs={"pk": interaction.pk})


def data_panel(shown):
    """The Data tab's panel, shown or not."""
    return shown.get_by_role("tabpanel", name="Data", hidden=True)


def chips(shown):
    """The alias chips of the Information tab, shown or not."""
    information = shown.get_by_role("tabpanel", name="Information", hidden=True)
    return [
        item.text
        for item in information.get_by_role("list", name="Checkpoints").get_all_by_role("listitem")
    ]


def make_journey() -> Interaction:
    """A live voice interaction with three checkpoints attached out of order in time."""
    interaction = make_interaction(subject="Lost card", variables={"lang": "fr", "tries": 2})
    recognised = Checkpoint.objects.create(
        name="Recognised customer", reference="recognised_customer", alias="recognised"
    )
    optin = Checkpoint.objects.create(name="Opt-in FR", reference="optin_fr", alias="opt-in FR")
    vip = Checkpoint.objects.create(name="VIP customer", reference="vip", alias="")
    attach(
        interaction,
        optin,
        at=T0 + datetime.timedelta(seconds=40),
        label="Ask for opt-in",
        routing="Main voice line",
    )
    attach(interaction, recognised, at=T0, label="Caller recognised", routing="Main voice line")
    attach(interaction, vip, at=T0 + datetime.timedelta(minutes=2, seconds=5))
    return interaction
