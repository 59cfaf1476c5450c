"""Runtime attachment against API.md (Runtime attachment): every status and body, snapshots,
tags, order, actions and bad bodies."""

import datetime

import pytest
from django.utils import timezone

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint
from tests.conftest import TIMESTAMP
from tests.interactions.attach_helpers import (
    ATTACHED_FIELDS,
    ONE_OF,
    attach_url,
    attached,
    post,
    tags_of,
)

pytestmark = pytest.mark.django_db


# --- The answers of API.md's table --------------------------------------------------------------


def test_attached_now_is_201_with_the_attached_row(runtime, interaction, checkpoint):
    before = timezone.now()
    response = post(runtime, interaction.pk, {"reference": "recognised"})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"outcome", "created", "checkpoint"}
    assert (body["outcome"], body["created"]) == ("ok", True)
    row = body["checkpoint"]
    assert set(row) == ATTACHED_FIELDS
    stored = InteractionCheckpoint.objects.get()
    assert row == {
        "id": stored.pk,
        "checkpoint_id": checkpoint.pk,
        "name": "Recognised customer",
        "reference": "recognised",
        "alias": "known",
        "attached_at": row["attached_at"],
        "routing_id": None,
        "routing_name": "",
        "action_id": None,
        "action_label": "",
    }
    assert TIMESTAMP.match(row["attached_at"]), row["attached_at"]
    attached_at = datetime.datetime.fromisoformat(row["attached_at"])
    assert attached_at == stored.attached_at
    assert before <= attached_at <= timezone.now()


def test_attach_by_checkpoint_id(runtime, interaction, checkpoint):
    response = post(runtime, interaction.pk, {"checkpoint": checkpoint.pk})
    assert response.status_code == 201
    assert response.json()["checkpoint"]["checkpoint_id"] == checkpoint.pk
    assert attached(interaction) == ["recognised"]
    assert tags_of(interaction) == ["known"]


def test_already_attached_is_200_with_the_first_attachment(runtime, interaction, checkpoint):
    first = post(runtime, interaction.pk, {"reference": "recognised", "action_label": "IVR"})
    again = post(runtime, interaction.pk, {"checkpoint": checkpoint.pk, "action_label": "Bot"})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {
        "outcome": "ok",
        "created": False,
        "checkpoint": first.json()["checkpoint"],
    }
    assert again.json()["checkpoint"]["action_label"] == "IVR"
    assert InteractionCheckpoint.objects.count() == 1
    assert tags_of(interaction) == ["known"]


def test_unknown_reference_is_422_echoing_the_reference(runtime, interaction):
    response = post(runtime, interaction.pk, {"reference": "optin_fr"})
    assert response.status_code == 422
    assert response.json() == {"outcome": "reference_not_found", "reference": "optin_fr"}
    assert InteractionCheckpoint.objects.count() == 0
    assert tags_of(interaction) == []


def test_unknown_checkpoint_id_is_422_echoing_the_id(runtime, interaction, checkpoint):
    response = post(runtime, interaction.pk, {"checkpoint": checkpoint.pk + 1000})
    assert response.status_code == 422
    assert response.json() == {"outcome": "reference_not_found", "checkpoint": checkpoint.pk + 1000}
    assert attached(interaction) == []


def test_reference_is_exact_case_sensitive(runtime, interaction, checkpoint):
    response = post(runtime, interaction.pk, {"reference": "RECOGNISED"})
    assert response.status_code == 422
    assert response.json() == {"outcome": "reference_not_found", "reference": "RECOGNISED"}
    assert attached(interaction) == []


@pytest.mark.parametrize("body", [{"reference": "recognised"}, {"reference": "nothing"}])
def test_unknown_interaction_is_404_with_detail(runtime, interaction, checkpoint, body):
    response = post(runtime, interaction.pk + 1000, body)
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert InteractionCheckpoint.objects.count() == 0


@pytest.mark.parametrize("path_id", ["abc", "-1", "99999999999999999999999"])
def test_bad_interaction_ids_are_404(runtime, path_id):
    response = runtime.post(attach_url(path_id), {"reference": "x"}, format="json")
    assert response.status_code == 404
    assert not InteractionCheckpoint.objects.exists()


# --- Snapshots -------------------------------------------------------------------------------


def test_snapshot_survives_checkpoint_rename(runtime, interaction, checkpoint):
    post(runtime, interaction.pk, {"reference": "recognised"})
    checkpoint_services.update_checkpoint(
        checkpoint, name="Renamed", reference="renamed", alias="other"
    )

    rows = runtime.get(attach_url(interaction.pk)).json()
    assert [(r["name"], r["reference"], r["alias"]) for r in rows] == [
        ("Recognised customer", "recognised", "known")
    ]
    assert rows[0]["checkpoint_id"] == checkpoint.pk
    # Attaching it again, under its new reference, is still "already attached".
    again = post(runtime, interaction.pk, {"reference": "renamed"})
    assert again.status_code == 200
    assert again.json()["checkpoint"]["reference"] == "recognised"
    assert attached(interaction) == ["recognised"]


def test_snapshot_survives_checkpoint_delete(runtime, interaction, checkpoint):
    post(runtime, interaction.pk, {"reference": "recognised"})
    checkpoint_services.delete_checkpoint(checkpoint)

    rows = runtime.get(attach_url(interaction.pk)).json()
    assert len(rows) == 1
    assert rows[0]["checkpoint_id"] is None
    assert (rows[0]["name"], rows[0]["reference"], rows[0]["alias"]) == (
        "Recognised customer",
        "recognised",
        "known",
    )
    assert tags_of(interaction) == ["known"]
    detail = runtime.get(f"/api/v1/interactions/{interaction.pk}/").json()
    assert detail["checkpoints"] == rows
    # The reference is gone now.
    gone = post(runtime, interaction.pk, {"reference": "recognised"})
    assert gone.status_code == 422


def test_a_recreated_checkpoint_attaches_beside_the_deleted_ones_history(
    runtime, interaction, checkpoint
):
    post(runtime, interaction.pk, {"reference": "recognised"})
    checkpoint_services.delete_checkpoint(checkpoint)
    Checkpoint.objects.create(name="Again", reference="recognised", alias="known")

    response = post(runtime, interaction.pk, {"reference": "recognised"})
    assert response.status_code == 201
    assert InteractionCheckpoint.objects.count() == 2
    assert tags_of(interaction) == ["known"]


# --- Tags and order --------------------------------------------------------------------------


def test_alias_joins_the_tags_once_in_the_order_added(runtime, interaction):
    Checkpoint.objects.create(name="B", reference="b", alias="zeta")
    Checkpoint.objects.create(name="A", reference="a", alias="alpha")
    Checkpoint.objects.create(name="No alias", reference="plain", alias="")
    Checkpoint.objects.create(name="Same alias", reference="b2", alias="zeta")

    for reference in ["b", "a", "plain", "b2", "a", "b"]:
        assert post(runtime, interaction.pk, {"reference": reference}).status_code in (200, 201)

    assert tags_of(interaction) == ["zeta", "alpha"]
    detail = runtime.get(f"/api/v1/interactions/{interaction.pk}/").json()
    assert detail["tags"] == ["zeta", "alpha"]
    assert [row["reference"] for row in detail["checkpoints"]] == ["b", "a", "plain", "b2"]


def test_empty_alias_adds_no_tag(runtime, interaction):
    Checkpoint.objects.create(name="No alias", reference="plain", alias="")
    assert post(runtime, interaction.pk, {"reference": "plain"}).status_code == 201
    assert tags_of(interaction) == []
    assert runtime.get(f"/api/v1/interactions/{interaction.pk}/").json()["tags"] == []


def test_list_is_plain_json_oldest_first(runtime, interaction, make_checkpoints):
    first, second, third = make_checkpoints(3)
    now = timezone.now()
    # Stored out of time order: the answer follows attached_at, not the row id.
    for checkpoint, minutes in [(second, 5), (third, 10), (first, 1)]:
        InteractionCheckpoint.objects.create(
            interaction=interaction,
            checkpoint=checkpoint,
            name=checkpoint.name,
            reference=checkpoint.reference,
            attached_at=now - datetime.timedelta(minutes=minutes),
            channel=interaction.channel,
        )

    response = runtime.get(attach_url(interaction.pk))
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list)
    assert [row["reference"] for row in rows] == ["cp_0002", "cp_0001", "cp_0000"]
    assert all(set(row) == ATTACHED_FIELDS for row in rows)
    times = [row["attached_at"] for row in rows]
    assert times == sorted(times)


def test_list_of_an_unknown_interaction_is_404(runtime):
    response = runtime.get(attach_url(123456))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


# --- Actions ---------------------------------------------------------------------------------


def test_action_label_is_recorded(runtime, interaction, checkpoint):
    response = post(runtime, interaction.pk, {"reference": "recognised", "action_label": " IVR "})
    assert response.status_code == 201
    row = response.json()["checkpoint"]
    assert (row["action_id"], row["action_label"], row["routing_id"]) == (None, "IVR", None)
    stored = InteractionCheckpoint.objects.get(interaction=interaction)
    assert (stored.action_id, stored.action_label, stored.routing_id) == (None, "IVR", None)


def test_action_is_resolved_through_the_registered_resolver(
    runtime, interaction, checkpoint, resolver
):
    response = post(runtime, interaction.pk, {"reference": "recognised", "action": 7})
    assert response.status_code == 201
    row = response.json()["checkpoint"]
    assert (row["routing_id"], row["routing_name"], row["action_id"], row["action_label"]) == (
        3,
        "Voice FR",
        7,
        "Opt-in check",
    )
    stored = InteractionCheckpoint.objects.get(interaction=interaction)
    assert (stored.routing_id, stored.routing_name, stored.action_id, stored.action_label) == (
        3,
        "Voice FR",
        7,
        "Opt-in check",
    )


def test_unknown_action_is_400(runtime, interaction, checkpoint, resolver):
    response = post(runtime, interaction.pk, {"reference": "recognised", "action": 8})
    assert response.status_code == 400
    assert response.json() == {"action": ["No Smart Routing action with id 8."]}
    assert InteractionCheckpoint.objects.count() == 0


def test_action_without_a_resolver_is_400(runtime, interaction, checkpoint, no_resolver):
    response = post(runtime, interaction.pk, {"reference": "recognised", "action": 7})
    assert response.status_code == 400
    assert response.json() == {"action": ["No Smart Routing action with id 7."]}
    assert attached(interaction) == []


# --- Bad bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"reference", "checkpoint"}),
        ({"action_label": "IVR"}, {"reference", "checkpoint"}),
        ({"reference": "recognised", "checkpoint": 1}, {"reference", "checkpoint"}),
        ({"reference": 12}, {"reference"}),
        ({"reference": ["recognised"]}, {"reference"}),
        ({"reference": None}, {"reference"}),
        ({"reference": ""}, {"reference"}),
        ({"reference": "x" * 65}, {"reference"}),
        ({"checkpoint": "1"}, {"checkpoint"}),
        ({"checkpoint": True}, {"checkpoint"}),
        ({"checkpoint": 1.5}, {"checkpoint"}),
        ({"checkpoint": 0}, {"checkpoint"}),
        ({"checkpoint": 2**63}, {"checkpoint"}),
        ({"checkpoint": None}, {"checkpoint"}),
        ({"reference": "recognised", "action": "7"}, {"action"}),
        ({"reference": "recognised", "action": -7}, {"action"}),
        ({"reference": "recognised", "action_label": 5}, {"action_label"}),
        ({"reference": "recognised", "action_label": "x" * 201}, {"action_label"}),
        ({"reference": "recognised", "action": 7, "action_label": "x"}, {"action", "action_label"}),
    ],
)
def test_bad_bodies_are_400_naming_the_fields(runtime, interaction, checkpoint, body, fields):
    response = post(runtime, interaction.pk, body)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == fields
    assert all(isinstance(messages, list) and messages for messages in errors.values())
    assert InteractionCheckpoint.objects.count() == 0


def test_both_and_neither_say_which_fields(runtime, interaction, checkpoint):
    both = post(runtime, interaction.pk, {"reference": "recognised", "checkpoint": checkpoint.pk})
    neither = post(runtime, interaction.pk, {})
    assert both.json() == neither.json() == {"reference": ONE_OF, "checkpoint": ONE_OF}
    assert (both.status_code, neither.status_code) == (400, 400)
    assert attached(interaction) == []


@pytest.mark.parametrize(
    "payload",
    ['{"reference": "recognised"', "[1, 2]", '"text"', "null", "[" * 100_000 + "]" * 100_000],
)
def test_malformed_or_non_object_json_is_400(runtime, interaction, checkpoint, payload):
    response = runtime.post(attach_url(interaction.pk), payload, content_type="application/json")
    assert response.status_code == 400
    assert InteractionCheckpoint.objects.count() == 0
