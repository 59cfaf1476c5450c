"""Saving a tree that chooses a checkpoint while that checkpoint is deleted, interleaved both
ways on PostgreSQL, each in its own connection (issue 7, item 2, for Smart Routing actions).
The delete always succeeds; the save either lands first (the database then empties the
action's link: it falls on reference_not_found at runtime) or, after the delete, is refused
as naming an unknown checkpoint. Never a foreign-key failure."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from routing.models import Node
from routing.services import create_routing, update_routing
from tests.conftest import in_thread, wait_until_blocked

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are PostgreSQL's; SQLite runs one writer at a time",
    ),
    pytest.mark.django_db(transaction=True),
]


def tree_choosing(checkpoint_id: int) -> dict:
    step = {"kind": "add_checkpoint", "label": "Opt-in", "checkpoint": checkpoint_id}
    return {"kind": "start", "branches": {"next": step}}


@pytest.fixture
def setup():
    checkpoint = Checkpoint.objects.create(name="Opt-in", reference="optin", alias="opt")
    return create_routing(name="R", channel="voice"), checkpoint


def test_a_delete_waits_for_the_tree_then_empties_the_actions_link(setup):
    routing, checkpoint = setup
    saved, release, outcome = threading.Event(), threading.Event(), {}

    def save_and_hold():
        with transaction.atomic():
            update_routing(routing, tree=tree_choosing(checkpoint.pk))
            saved.set()
            release.wait(timeout=60)

    save = in_thread(save_and_hold, outcome, "save")
    assert saved.wait(timeout=60)
    delete = in_thread(lambda: checkpoint_services.delete_checkpoint(checkpoint), outcome, "delete")
    try:
        wait_until_blocked(outcome, "delete")
        assert "delete" not in outcome, "the delete did not wait for the tree"
    finally:
        release.set()
    save.join(timeout=60)
    delete.join(timeout=60)

    assert outcome == {"save": None, "delete": None}
    assert not Checkpoint.objects.filter(pk=checkpoint.pk).exists()
    action = Node.objects.get(routing=routing, kind=Node.Kind.ADD_CHECKPOINT)
    assert (action.label, action.checkpoint_id) == ("Opt-in", None)


def test_a_tree_saved_after_the_delete_is_refused_as_unknown(setup):
    routing, checkpoint = setup
    chosen = checkpoint.pk
    deleted, release, outcome = threading.Event(), threading.Event(), {}

    def delete_and_hold():
        with transaction.atomic():
            checkpoint_services.delete_checkpoint(checkpoint)
            deleted.set()
            release.wait(timeout=60)

    delete = in_thread(delete_and_hold, outcome, "delete")
    assert deleted.wait(timeout=60)
    save = in_thread(lambda: update_routing(routing, tree=tree_choosing(chosen)), outcome, "save")
    try:
        wait_until_blocked(outcome, "save")
    finally:
        release.set()
    delete.join(timeout=60)
    save.join(timeout=60)

    assert outcome["delete"] is None, outcome
    assert isinstance(outcome["save"], ValidationError), outcome
    assert outcome["save"].message_dict == {
        "tree": [f"tree.branches.next.checkpoint: no checkpoint with id {chosen}"]
    }
    assert list(Node.objects.filter(routing=routing).values_list("kind", flat=True)) == ["start"]
