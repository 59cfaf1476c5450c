"""Saving a tree that chooses a checkpoint while that checkpoint is deleted, interleaved both
ways on PostgreSQL, each in its own connection (issue 7, item 2, for Smart Routing actions).
The delete always succeeds; the save either lands first (the database then empties the
action's link: it falls on reference_not_found at runtime) or, after the delete, is refused
as naming an unknown checkpoint. Never a foreign-key failure."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from routing.models import Node
from routing.services import create_routing, update_routing
from tests.conftest import run_while_held

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
    outcome = run_while_held(
        ("save", lambda: update_routing(routing, tree=tree_choosing(checkpoint.pk))),
        ("delete", lambda: checkpoint_services.delete_checkpoint(checkpoint)),
        must_wait=True,
    )

    assert outcome == {"save": routing, "delete": None}
    assert not Checkpoint.objects.filter(pk=checkpoint.pk).exists()
    action = Node.objects.get(routing=routing, kind=Node.Kind.ADD_CHECKPOINT)
    assert (action.label, action.checkpoint_id) == ("Opt-in", None)


def test_a_tree_saved_after_the_delete_is_refused_as_unknown(setup):
    routing, checkpoint = setup
    chosen = checkpoint.pk
    outcome = run_while_held(
        ("delete", lambda: checkpoint_services.delete_checkpoint(checkpoint)),
        ("save", lambda: update_routing(routing, tree=tree_choosing(chosen))),
        must_wait=False,
    )

    assert outcome["delete"] is None, outcome
    assert isinstance(outcome["save"], ValidationError), outcome
    assert outcome["save"].message_dict == {
        "tree": [f"tree.branches.next.checkpoint: no checkpoint with id {chosen}"]
    }
    assert list(Node.objects.filter(routing=routing).values_list("kind", flat=True)) == ["start"]
