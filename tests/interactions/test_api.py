"""The interaction REST API against API.md (Interactions): create, list with filters, one
interaction with its tags and checkpoints, rights (role-wide and per object), the licence."""

import datetime

import pytest
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import Interaction
from tests.conftest import make_user, token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/interactions/"
VIEW = "interactions.view_interaction"
ADD = "interactions.add_interaction"
FIELDS = {
    "id",
    "channel",
    "status",
    "started_at",
    "ended_at",
    "customer",
    "subject",
    "variables",
    "tags",
    "checkpoints",
    "url",
}


def one(pk) -> str:
    return f"{LIST}{pk}/"


@pytest.fixture
def agent(db) -> APIClient:
    return token_client(make_user("agent", [VIEW, ADD]))


@pytest.fixture
def journey(db) -> Interaction:
    """A voice interaction with two checkpoints attached (aliases ``zeta`` then ``alpha``)."""
    interaction = services.create_interaction(channel="voice", customer="C-1", subject="Billing")
    Checkpoint.objects.create(name="Z", reference="zed", alias="zeta")
    Checkpoint.objects.create(name="A", reference="ay", alias="alpha")
    services.attach_checkpoint(interaction.pk, reference="zed")
    services.attach_checkpoint(
        interaction.pk, reference="ay", action=services.ActionRecord(action_label="IVR")
    )
    return interaction


# --- Create ----------------------------------------------------------------------------------


def test_create_is_201_with_the_interaction(agent):
    response = agent.post(
        LIST,
        {
            "channel": "email",
            "customer": " jane@example.com ",
            "subject": "Refund",
            "variables": {"lang": "fr", "vip": True},
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    stored = Interaction.objects.get()
    assert body["id"] == stored.pk
    assert (body["channel"], body["status"], body["customer"], body["subject"]) == (
        "email",
        "ongoing",
        "jane@example.com",
        "Refund",
    )
    assert body["variables"] == stored.variables == {"lang": "fr", "vip": True}
    assert (body["tags"], body["checkpoints"], body["ended_at"]) == ([], [], None)
    assert datetime.datetime.fromisoformat(body["started_at"]) == stored.started_at
    assert body["url"].endswith(stored.get_absolute_url())


def test_create_needs_only_the_channel(agent):
    response = agent.post(LIST, {"channel": "messaging"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["customer"], body["subject"], body["variables"]) == ("", "", {})
    stored = Interaction.objects.get()
    assert (stored.pk, stored.channel, stored.customer, stored.subject, stored.variables) == (
        body["id"],
        "messaging",
        "",
        "",
        {},
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"channel"}),
        ({"channel": "fax"}, {"channel"}),
        ({"channel": ""}, {"channel"}),
        ({"channel": None}, {"channel"}),
        ({"channel": "voice", "variables": [1, 2]}, {"variables"}),
        ({"channel": "voice", "variables": "text"}, {"variables"}),
        ({"channel": "voice", "customer": "x" * 201}, {"customer"}),
        ({"channel": "voice", "subject": "x" * 301}, {"subject"}),
        ({"channel": "voice", "customer": None}, {"customer"}),
    ],
)
def test_create_refuses_bad_bodies_naming_the_fields(agent, body, fields):
    response = agent.post(LIST, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert Interaction.objects.count() == 0


def test_create_refuses_malformed_json(agent):
    response = agent.post(LIST, '{"channel": "voice"', content_type="application/json")
    assert response.status_code == 400
    assert Interaction.objects.count() == 0


def test_create_ignores_read_only_fields(agent):
    response = agent.post(LIST, {"channel": "voice", "status": "closed", "id": 999}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "ongoing"
    assert response.json()["id"] != 999
    stored = Interaction.objects.get()
    assert (stored.pk, stored.status) == (response.json()["id"], "ongoing")


def test_create_needs_the_add_right_role_wide(journey):
    reader = token_client(make_user("reader", [VIEW]))
    assert reader.post(LIST, {"channel": "voice"}, format="json").status_code == 403
    assert APIClient().post(LIST, {"channel": "voice"}, format="json").status_code == 401
    assert list(Interaction.objects.all()) == [journey]


# --- One interaction -------------------------------------------------------------------------


def test_detail_has_tags_in_order_and_checkpoints_oldest_first(agent, journey):
    response = agent.get(one(journey.pk))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS
    assert body["tags"] == ["zeta", "alpha"]
    assert [row["reference"] for row in body["checkpoints"]] == ["zed", "ay"]
    assert [row["action_label"] for row in body["checkpoints"]] == ["", "IVR"]
    assert body["checkpoints"][0]["attached_at"] < body["checkpoints"][1]["attached_at"]
    assert body["checkpoints"] == agent.get(f"{one(journey.pk)}checkpoints/").json()


def test_unknown_interaction_is_404(agent):
    response = agent.get(one(424242))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


# --- List and filters ------------------------------------------------------------------------


def test_list_is_paginated_newest_first(agent, journey):
    for index in range(55):
        services.create_interaction(channel="email", customer=f"c{index}")

    first = agent.get(LIST).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 56
    assert len(first["results"]) == 50
    assert set(first["results"][0]) == FIELDS
    second = agent.get(LIST, {"page": 2}).json()
    assert len(second["results"]) == 6
    started = [row["started_at"] for row in first["results"] + second["results"]]
    assert started == sorted(started, reverse=True)
    assert agent.get(LIST, {"page": "x"}).status_code == 400


def test_list_filters(agent, journey):
    email = services.create_interaction(channel="email")
    closed = services.close_interaction(services.create_interaction(channel="messaging"))
    Checkpoint.objects.create(name="Other", reference="other", alias="beta")
    services.attach_checkpoint(email.pk, reference="other")

    def ids(**query):
        response = agent.get(LIST, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(channel="voice") == {journey.pk}
    assert ids(status="closed") == {closed.pk}
    assert ids(status="ongoing") == {journey.pk, email.pk}
    assert ids(checkpoint="zed") == {journey.pk}
    assert ids(checkpoint="other") == {email.pk}
    assert ids(checkpoint="nothing") == set()
    assert ids(tag="alpha") == {journey.pk}
    assert ids(tag="beta") == {email.pk}
    assert ids(channel="voice", tag="beta") == set()


def test_filters_keep_history_after_the_checkpoint_is_deleted(agent, journey):
    Checkpoint.objects.filter(reference="zed").delete()
    assert [row["id"] for row in agent.get(LIST, {"checkpoint": "zed"}).json()["results"]] == [
        journey.pk
    ]


@pytest.mark.parametrize("query", [{"channel": "fax"}, {"status": "maybe"}])
def test_bad_filter_values_are_400_naming_them(agent, query):
    response = agent.get(LIST, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


@pytest.mark.parametrize("count", [1, 30])
def test_list_and_detail_query_counts_do_not_grow(agent, count, django_assert_num_queries):
    checkpoints = Checkpoint.objects.bulk_create(
        Checkpoint(name=f"N{i}", reference=f"n{i}", alias=f"a{i}") for i in range(5)
    )
    for _ in range(count):
        interaction = services.create_interaction(channel="voice")
        for checkpoint in checkpoints:
            services.attach_checkpoint(interaction.pk, checkpoint_id=checkpoint.pk)
    # Token, rights (2), count, page with the tags, checkpoints with the tags.
    with django_assert_num_queries(1 + 2 + 3):
        assert len(agent.get(LIST).json()["results"]) == count
    # Token, rights (2), the interaction with its tags, checkpoints with the tags.
    with django_assert_num_queries(1 + 2 + 2):
        assert len(agent.get(one(interaction.pk)).json()["checkpoints"]) == 5


# --- Rights and the licence ------------------------------------------------------------------


def test_no_credentials_is_401_and_no_right_is_403(journey):
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().get(one(journey.pk)).status_code == 401
    nobody = token_client(make_user("nobody"))
    assert nobody.get(LIST).status_code == 403
    assert nobody.get(one(journey.pk)).status_code == 403
    assert nobody.get(f"{one(journey.pk)}checkpoints/").status_code == 403


def test_per_object_view_right(journey):
    other = services.create_interaction(channel="email")
    user = make_user("one-only")
    assign_perm(VIEW, user, journey)
    client = token_client(user)

    listed = client.get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [journey.pk]
    assert listed["count"] == 1
    assert client.get(one(journey.pk)).status_code == 200
    assert client.get(f"{one(journey.pk)}checkpoints/").status_code == 200
    assert client.get(one(other.pk)).status_code == 404
    assert client.get(f"{one(other.pk)}checkpoints/").status_code == 404
    # A right on one interaction is not the right to create interactions.
    assert client.post(LIST, {"channel": "voice"}, format="json").status_code == 403
    assert Interaction.objects.count() == 2


def test_per_object_view_right_through_a_role(journey):
    user = make_user("member")
    group = user.groups.create(name="Supervisors")
    assign_perm(VIEW, group, journey)
    client = token_client(user)
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [journey.pk]
    assert client.get(one(journey.pk)).json()["tags"] == ["zeta", "alpha"]


def test_interactions_stay_when_the_licence_is_off(agent, journey, settings):
    settings.SMART_LICENCE = False
    assert agent.get(LIST).status_code == 200
    assert agent.get(one(journey.pk)).json()["tags"] == ["zeta", "alpha"]
    response = agent.post(LIST, {"channel": "voice"}, format="json")
    assert response.status_code == 201
    assert Interaction.objects.get(pk=response.json()["id"]).channel == "voice"
    assert agent.get("/api/v1/checkpoints/").status_code == 403
