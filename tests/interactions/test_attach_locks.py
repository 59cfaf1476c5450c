"""The attach and a delete of its checkpoint or of its interaction, interleaved both ways on
PostgreSQL, each in its own connection (issue 7, item 2). The attach locks the checkpoint it
copies and the interaction (FOR KEY SHARE), so: attach first, the delete waits for it, then
the new row's link reads empty (or the database deletes the row and its tag with the
interaction); delete first, the attach waits, then finds nothing: reference_not_found (or no
such interaction). Neither ever fails on a foreign key."""

import pytest
from django.db import connection

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
from tests.conftest import run_while_held

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are PostgreSQL's; SQLite runs one writer at a time",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def setup():
    checkpoint = Checkpoint.objects.create(name="Opt-in", reference="optin", alias="opt")
    return services.create_interaction(channel="voice"), checkpoint


def test_a_delete_waits_for_the_attach_then_its_link_reads_empty(setup):
    interaction, checkpoint = setup
    outcome = run_while_held(
        ("attach", lambda: services.attach_checkpoint(interaction.pk, reference="optin")),
        ("delete", lambda: checkpoint_services.delete_checkpoint(checkpoint)),
        must_wait=True,
    )

    assert outcome["attach"].created, outcome
    assert outcome["delete"] is None, outcome
    assert not Checkpoint.objects.filter(pk=checkpoint.pk).exists()
    row = InteractionCheckpoint.objects.select_related("checkpoint").get(interaction=interaction)
    assert (row.pk, row.live_checkpoint_id, row.name, row.reference, row.alias) == (
        outcome["attach"].attachment.pk,
        None,
        "Opt-in",
        "optin",
        "opt",
    )
    assert list(InteractionTag.objects.filter(interaction=interaction).values_list("name")) == [
        ("opt",)
    ]


def test_an_attach_waits_for_the_delete_then_finds_nothing(setup):
    interaction, checkpoint = setup
    outcome = run_while_held(
        ("delete", lambda: checkpoint_services.delete_checkpoint(checkpoint)),
        ("attach", lambda: services.attach_checkpoint(interaction.pk, reference="optin")),
        must_wait=False,
    )

    assert outcome["delete"] is None, outcome
    assert outcome["attach"] == services.AttachResult(services.REFERENCE_NOT_FOUND), outcome
    assert not InteractionCheckpoint.objects.filter(interaction=interaction).exists()
    assert not InteractionTag.objects.filter(interaction=interaction).exists()


def test_deleting_the_interaction_waits_for_the_attach_then_takes_it_all(setup):
    """As the admin deletes an interaction: the database deletes its rows and its tags."""
    interaction, checkpoint = setup
    outcome = run_while_held(
        ("attach", lambda: services.attach_checkpoint(interaction.pk, checkpoint_id=checkpoint.pk)),
        ("delete", interaction.delete),
        must_wait=True,
    )

    assert outcome["attach"].created, outcome
    assert outcome["delete"] == (1, {"interactions.Interaction": 1}), outcome
    assert not InteractionCheckpoint.objects.exists()
    assert not InteractionTag.objects.exists()
    assert Checkpoint.objects.filter(pk=checkpoint.pk).exists()


def test_an_attach_waits_for_the_interactions_delete_then_finds_no_interaction(setup):
    interaction, checkpoint = setup
    interaction_id = interaction.pk
    outcome = run_while_held(
        ("delete", interaction.delete),
        ("attach", lambda: services.attach_checkpoint(interaction_id, checkpoint_id=checkpoint.pk)),
        must_wait=False,
    )

    assert outcome["delete"] == (1, {"interactions.Interaction": 1}), outcome
    assert isinstance(outcome["attach"], Interaction.DoesNotExist), outcome
    assert not InteractionCheckpoint.objects.exists()
    assert not InteractionTag.objects.exists()
