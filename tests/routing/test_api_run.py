"""Smart Routing API: the run endpoint, its path and checkpoints, its body and its interaction."""

import pytest
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing.services import create_routing
from routing.tree import read_tree
from tests.conftest import TIMESTAMP, client_for, make_user
from tests.interactions.attach_helpers import ATTACHED_FIELDS
from tests.routing.api_helpers import (
    ATTACH,
    CHANNELS,
    at,
    path_of,
    run_url,
    wrap,
)

pytestmark = pytest.mark.django_db


# --- Run -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_switch_value_and_add_checkpoint_by_id(api, run_routing_of, channel):
    routing = run_routing_of(channel)
    interaction = create_interaction(channel=channel, variables={"lang": "FR"})
    response = api.post(run_url(routing.pk), {"interaction": interaction.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"path", "checkpoints", "end", "stopped"}
    assert body["stopped"] is None
    assert path_of(body) == [
        ("start", "Incoming", "next"),
        ("set_variable", "Language", "next"),
        ("switch", "By language", "fr"),
        ("add_checkpoint", "Opt-in FR", "ok"),
        ("end", "Transfer FR", None),
    ]
    tree = read_tree(routing)
    assert [step["node_id"] for step in body["path"]] == [
        tree["id"],
        at(tree, "next")["id"],
        at(tree, "next", "next")["id"],
        at(tree, "next", "next", "fr")["id"],
        at(tree, "next", "next", "fr", "ok")["id"],
    ]
    assert body["end"] == body["path"][-1]["node_id"]
    [attached] = body["checkpoints"]
    assert set(attached) == ATTACHED_FIELDS
    row = InteractionCheckpoint.objects.get(interaction=interaction)
    assert attached["id"] == row.pk
    assert attached["checkpoint_id"] == row.checkpoint_id
    assert (attached["name"], attached["reference"], attached["alias"]) == (
        "Opt-in fr",
        "optin_fr",
        "optin-fr",
    )
    assert TIMESTAMP.match(attached["attached_at"])
    assert (attached["routing_id"], attached["action_id"], attached["action_label"]) == (
        routing.pk,
        body["path"][3]["node_id"],
        "Opt-in FR",
    )
    assert list(interaction.tags.values_list("name", flat=True)) == ["optin-fr"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_reference_code_over_the_runs_variables(api, run_routing_of, channel):
    routing = run_routing_of(channel)
    interaction = create_interaction(channel=channel, variables={"lang": "fr"})
    response = api.post(
        run_url(routing.pk),
        {"interaction": interaction.pk, "variables": {"lang": "EN"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert path_of(body) == [
        ("start", "Incoming", "next"),
        ("set_variable", "Language", "next"),
        ("switch", "By language", "en"),
        ("add_checkpoint", "Opt-in by code", "ok"),
        ("end", "Transfer EN", None),
    ]
    assert [row["reference"] for row in body["checkpoints"]] == ["optin_en"]
    assert list(
        InteractionCheckpoint.objects.filter(interaction=interaction).values_list(
            "checkpoint__reference", flat=True
        )
    ) == ["optin_en"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_switch_default_and_set_variable_default(api, run_routing_of, channel):
    routing = run_routing_of(channel)
    interaction = create_interaction(channel=channel)
    # No lang: the set_variable makes it "fr".
    body = api.post(run_url(routing.pk), {"interaction": interaction.pk}, format="json").json()
    assert path_of(body)[2] == ("switch", "By language", "fr")
    # An unexpected value takes default, then ends; nothing attached.
    other = create_interaction(channel=channel)
    body = api.post(
        run_url(routing.pk),
        {"interaction": other.pk, "variables": {"lang": "DE"}},
        format="json",
    ).json()
    assert path_of(body)[2:] == [("switch", "By language", "default"), ("end", "Close", None)]
    assert body["checkpoints"] == []
    assert body["end"] == body["path"][-1]["node_id"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_reference_not_found_branch_and_unwired_outcome(api, optin_checkpoints, channel):
    tree = wrap(
        {
            "kind": "add_checkpoint",
            "label": "By code",
            "reference_code": "optin_{{ lang }}",
            "branches": {"reference_not_found": {"kind": "end", "label": "Unknown"}},
        }
    )
    routing = create_routing(name="Codes", channel=channel, tree=tree)
    interaction = create_interaction(channel=channel)
    body = api.post(
        run_url(routing.pk), {"interaction": interaction.pk, "variables": {"lang": "zz"}}, "json"
    ).json()
    assert path_of(body) == [
        ("start", "Start", "next"),
        ("add_checkpoint", "By code", "reference_not_found"),
        ("end", "Unknown", None),
    ]
    assert body["checkpoints"] == []
    # ok is not wired: the run ends on the add_checkpoint.
    body = api.post(
        run_url(routing.pk), {"interaction": interaction.pk, "variables": {"lang": "fr"}}, "json"
    ).json()
    assert path_of(body)[-1] == ("add_checkpoint", "By code", "ok")
    assert body["end"] == body["path"][-1]["node_id"]
    assert [row["reference"] for row in body["checkpoints"]] == ["optin_fr"]


def test_a_lone_start_runs_to_itself(api, other_routing):
    interaction = create_interaction(channel="email")
    body = api.post(run_url(other_routing.pk), {"interaction": interaction.pk}, "json").json()
    start = other_routing.nodes.get()
    assert body == {
        "path": [{"node_id": start.pk, "kind": "start", "label": "Start", "outcome": "next"}],
        "checkpoints": [],
        "end": start.pk,
        "stopped": None,
    }


def test_run_returns_the_existing_row_when_already_attached(api, run_routing_of):
    routing = run_routing_of("voice")
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})
    first = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    second = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    assert second["checkpoints"] == first["checkpoints"]
    assert InteractionCheckpoint.objects.count() == 1


def test_run_with_an_unknown_interaction_is_a_400_naming_it(api, routing):
    response = api.post(run_url(routing.pk), {"interaction": 999999}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"interaction"}
    assert "999999" in response.json()["interaction"][0]
    assert not InteractionCheckpoint.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"interaction"}),
        ({"interaction": None}, {"interaction"}),
        ({"interaction": "1"}, {"interaction"}),
        ({"interaction": True}, {"interaction"}),
        ({"interaction": 0}, {"interaction"}),
        ({"interaction": 2**70}, {"interaction"}),
        ({"interaction": "KEEP", "variables": ["lang"]}, {"variables"}),
        ({"interaction": "KEEP", "variables": "lang=fr"}, {"variables"}),
        ({"interaction": "KEEP", "variables": None}, {"variables"}),
        ({"interaction": 999999, "variables": 3}, {"interaction", "variables"}),
    ],
)
def test_run_with_a_bad_body_is_a_400_naming_each_field(
    api, routing, voice_interaction, body, fields
):
    if body.get("interaction") == "KEEP":
        body = {**body, "interaction": voice_interaction.pk}
    response = api.post(run_url(routing.pk), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not InteractionCheckpoint.objects.exists()


def test_run_of_an_unknown_routing_is_a_404(api, voice_interaction):
    response = api.post(run_url(999999), {"interaction": voice_interaction.pk}, format="json")
    assert response.status_code == 404
    assert not InteractionCheckpoint.objects.exists()


def test_run_with_bad_variable_values_does_not_fail(api, run_routing_of):
    routing = run_routing_of("messaging")
    interaction = create_interaction(channel="messaging")
    response = api.post(
        run_url(routing.pk),
        {"interaction": interaction.pk, "variables": {"lang": {"nested": [1, None]}}},
        format="json",
    )
    assert response.status_code == 200
    assert path_of(response.json())[2][2] == "default"
    assert not InteractionCheckpoint.objects.exists()


def test_run_over_a_token(manager, run_routing_of):
    routing = run_routing_of("voice")
    interaction = create_interaction(channel="voice", variables={"lang": "en"})
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    response = client.post(run_url(routing.pk), {"interaction": interaction.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["checkpoints"][0]["reference"] == "optin_en"
    assert list(
        InteractionCheckpoint.objects.filter(interaction=interaction).values_list(
            "checkpoint__reference", flat=True
        )
    ) == ["optin_en"]


# --- The run's interaction: one rule (routing.selectors.run_interaction) ------------------------


def test_run_on_an_interaction_of_another_channel_is_a_400_naming_it(api, routing):
    email = create_interaction(channel="email", variables={"lang": "fr"})
    response = api.post(run_url(routing.pk), {"interaction": email.pk}, "json")
    assert response.status_code == 400
    assert response.json() == {
        "interaction": [
            f"Interaction {email.pk} is on the Email channel: this routing runs on Voice "
            "interactions only."
        ]
    }
    assert not InteractionCheckpoint.objects.exists()


def test_run_on_an_interaction_the_user_may_not_read_is_unknown_to_it(routing):
    user = make_user("reads-one", ["routing.view_smartrouting", ATTACH])
    readable = create_interaction(channel="voice", variables={"lang": "fr"})
    hidden = create_interaction(channel="voice", variables={"lang": "fr"})
    assign_perm("interactions.view_interaction", user, readable)
    api = client_for(user)
    response = api.post(run_url(routing.pk), {"interaction": hidden.pk}, "json")
    assert response.status_code == 400
    assert response.json() == {"interaction": [f"No interaction with id {hidden.pk}."]}
    assert api.post(run_url(routing.pk), {"interaction": readable.pk}, "json").status_code == 200
    assert list(InteractionCheckpoint.objects.values_list("interaction_id", flat=True)) == [
        readable.pk
    ]
