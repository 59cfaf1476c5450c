"""Smart Routing API: rights per role and per routing, and the Smart licence."""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing.models import Node, SmartRouting
from tests.conftest import LICENCE_BODY, client_for, make_user
from tests.routing.api_helpers import (
    ATTACH,
    LIST,
    READ_INTERACTIONS,
    ROUTING_RIGHTS,
    node,
    one,
    run_url,
)

pytestmark = pytest.mark.django_db


# --- Rights ----------------------------------------------------------------------------------


def endpoints(routing: SmartRouting, interaction_id: int) -> list[tuple[str, str, dict | None]]:
    body = {"name": "Changed", "channel": routing.channel, "tree": node("start")}
    return [
        ("get", LIST, None),
        ("post", LIST, {"name": "New", "channel": "voice", "tree": node("start")}),
        ("get", one(routing.pk), None),
        ("put", one(routing.pk), body),
        ("patch", one(routing.pk), {"name": "Patched"}),
        ("delete", one(routing.pk), None),
        ("post", run_url(routing.pk), {"interaction": interaction_id}),
    ]


ROLE_ANSWERS = {
    # rights: (list, create, get, put, patch, delete, run)
    "everything": (
        [*ROUTING_RIGHTS, ATTACH, READ_INTERACTIONS],
        (200, 201, 200, 200, 200, 204, 200),
    ),
    "reader": (["routing.view_smartrouting"], (200, 403, 200, 403, 403, 403, 403)),
    "runtime": (
        ["routing.view_smartrouting", ATTACH, READ_INTERACTIONS],
        (200, 403, 200, 403, 403, 403, 200),
    ),
    # The run's interaction must be one the user may read: unknown to this user.
    "runtime not reading interactions": (
        ["routing.view_smartrouting", ATTACH],
        (200, 403, 200, 403, 403, 403, 400),
    ),
    "attach only": ([ATTACH], (403, 403, 403, 403, 403, 403, 403)),
    "editor": (ROUTING_RIGHTS[:3], (200, 201, 200, 200, 200, 403, 403)),
    "nothing": ([], (403, 403, 403, 403, 403, 403, 403)),
}


def stored() -> tuple[list[str], int, int]:
    """What is stored: the routings' names, how many nodes, how many checkpoints attached."""
    return (
        sorted(SmartRouting.objects.values_list("name", flat=True)),
        Node.objects.count(),
        InteractionCheckpoint.objects.count(),
    )


# What each endpoint leaves stored when allowed, from one "voice main" routing of 9 nodes.
STORED_AFTER = (
    (["voice main"], 9, 0),
    (["New", "voice main"], 10, 0),
    (["voice main"], 9, 0),
    (["Changed"], 1, 0),
    (["Patched"], 9, 0),
    ([], 0, 0),
    (["voice main"], 9, 1),
)


@pytest.mark.parametrize("role", list(ROLE_ANSWERS))
@pytest.mark.parametrize("index", range(7))
def test_role_rights_decide_each_endpoint(run_routing_of, voice_interaction, role, index):
    perms, answers = ROLE_ANSWERS[role]
    routing = run_routing_of("voice")
    method, url, body = endpoints(routing, voice_interaction.pk)[index]
    response = getattr(client_for(make_user(f"u-{role}", perms)), method)(url, body, "json")
    assert response.status_code == answers[index], response.content
    assert stored() == (STORED_AFTER[index] if answers[index] < 400 else STORED_AFTER[0])


@pytest.mark.parametrize("index", range(7))
def test_no_credentials_is_a_401(routing, voice_interaction, index):
    method, url, body = endpoints(routing, voice_interaction.pk)[index]
    assert getattr(APIClient(), method)(url, body, "json").status_code == 401
    assert stored() == (["Voice FR"], 9, 0)


def test_view_on_one_routing_reads_and_runs_that_one_only(run_routing_of, optin_checkpoints):
    mine, theirs = run_routing_of("voice"), run_routing_of("email")
    user = make_user("one-routing", [ATTACH, READ_INTERACTIONS])
    assign_perm("routing.view_smartrouting", user, mine)
    api = client_for(user)
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})

    assert [item["id"] for item in api.get(LIST).json()["results"]] == [mine.pk]
    assert api.get(one(mine.pk)).status_code == 200
    assert api.get(one(theirs.pk)).status_code == 404
    assert api.post(run_url(mine.pk), {"interaction": interaction.pk}, "json").status_code == 200
    assert api.post(run_url(theirs.pk), {"interaction": interaction.pk}, "json").status_code == 404
    # Reading is not changing: 403 on the readable one.
    assert api.patch(one(mine.pk), {"name": "X"}, "json").status_code == 403
    assert api.delete(one(mine.pk)).status_code == 403
    # No change right anywhere: 403 before any lookup.
    assert api.patch(one(theirs.pk), {"name": "X"}, "json").status_code == 403
    created = api.post(LIST, {"name": "N", "channel": "voice", "tree": node("start")}, "json")
    assert created.status_code == 403
    assert SmartRouting.objects.count() == 2
    assert InteractionCheckpoint.objects.filter(routing_id=theirs.pk).count() == 0
    assert sorted(SmartRouting.objects.values_list("name", flat=True)) == [
        "email main",
        "voice main",
    ]
    assert InteractionCheckpoint.objects.filter(routing_id=mine.pk).count() == 1


def test_view_on_one_routing_without_the_attach_right_cannot_run(run_routing_of):
    mine = run_routing_of("voice")
    user = make_user("no-attach")
    assign_perm("routing.view_smartrouting", user, mine)
    api = client_for(user)
    interaction = create_interaction(channel="voice")
    assert api.get(one(mine.pk)).status_code == 200
    response = api.post(run_url(mine.pk), {"interaction": interaction.pk}, "json")
    assert response.status_code == 403
    assert not InteractionCheckpoint.objects.exists()


def test_change_on_one_routing(run_routing_of):
    mine, theirs = run_routing_of("voice"), run_routing_of("email")
    user = make_user("change-one")
    assign_perm("routing.view_smartrouting", user, mine)
    assign_perm("routing.view_smartrouting", user, theirs)
    assign_perm("routing.change_smartrouting", user, mine)
    api = client_for(user)
    assert api.patch(one(mine.pk), {"name": "Mine"}, "json").status_code == 200
    assert api.patch(one(theirs.pk), {"name": "Theirs"}, "json").status_code == 403
    assert SmartRouting.objects.get(pk=mine.pk).name == "Mine"
    assert SmartRouting.objects.get(pk=theirs.pk).name == "email main"


def test_rights_on_one_routing_through_a_role(run_routing_of):
    mine, theirs = run_routing_of("voice"), run_routing_of("email")
    user = make_user("group-member", [ATTACH, READ_INTERACTIONS])
    group = Group.objects.create(name="routing-team")
    user.groups.add(group)
    assign_perm("routing.view_smartrouting", group, mine)
    api = client_for(user)
    interaction = create_interaction(channel="voice")
    assert [item["id"] for item in api.get(LIST).json()["results"]] == [mine.pk]
    assert api.post(run_url(mine.pk), {"interaction": interaction.pk}, "json").status_code == 200
    assert api.post(run_url(theirs.pk), {"interaction": interaction.pk}, "json").status_code == 404
    assert list(InteractionCheckpoint.objects.values_list("routing_id", flat=True)) == [mine.pk]


# --- Licence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(7))
def test_licence_off_refuses_every_routing_endpoint(
    api, routing, voice_interaction, settings, index
):
    settings.SMART_LICENCE = False
    method, url, body = endpoints(routing, voice_interaction.pk)[index]
    response = getattr(api, method)(url, body, "json")
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY
    assert list(SmartRouting.objects.values_list("name", flat=True)) == ["Voice FR"]
    assert not InteractionCheckpoint.objects.exists()


def test_licence_off_refuses_token_clients_too(manager, routing, settings):
    settings.SMART_LICENCE = False
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    response = client.get(LIST)
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY
