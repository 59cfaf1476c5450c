"""Runtime attachment against API.md (Runtime attachment): credentials, rights, the licence
and fixed query counts."""

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions import services
from interactions.api.permissions import holds_role_wide_right
from interactions.models import Interaction, InteractionCheckpoint
from tests.conftest import LICENCE_BODY, make_user, new_attach_queries, token_client
from tests.interactions.attach_helpers import (
    ATTACH_RIGHT,
    VIEW_RIGHT,
    attach_url,
    attached,
    post,
)

pytestmark = pytest.mark.django_db


# --- Rights and the licence ------------------------------------------------------------------


def test_no_credentials_is_401(interaction, checkpoint):
    response = post(APIClient(), interaction.pk, {"reference": "recognised"})
    assert response.status_code == 401
    assert APIClient().get(attach_url(interaction.pk)).status_code == 401
    assert attached(interaction) == []


def test_bad_token_is_401(interaction, checkpoint):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 401
    assert attached(interaction) == []


def test_without_the_attach_right_is_403(interaction, checkpoint):
    reader = token_client(make_user("reader-only", [VIEW_RIGHT, "interactions.add_interaction"]))
    response = post(reader, interaction.pk, {"reference": "recognised"})
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert InteractionCheckpoint.objects.count() == 0
    # Reading the journey needs only the view right.
    assert reader.get(attach_url(interaction.pk)).status_code == 200


def test_listing_needs_the_view_right(interaction):
    attacher = token_client(make_user("attacher", [ATTACH_RIGHT]))
    assert attacher.get(attach_url(interaction.pk)).status_code == 403


def test_superuser_may_attach(interaction, checkpoint):
    admin = User.objects.create_superuser("root", password="pass-for-tests-1")
    assert post(token_client(admin), interaction.pk, {"reference": "recognised"}).status_code == 201
    assert attached(interaction) == ["recognised"]


def test_right_held_directly_rather_than_through_a_role(interaction, checkpoint):
    user = make_user("direct")
    user.user_permissions.add(Permission.objects.get(codename="add_interactioncheckpoint"))
    assert post(token_client(user), interaction.pk, {"reference": "recognised"}).status_code == 201
    assert attached(interaction) == ["recognised"]


def test_rights_are_read_on_every_request(interaction, checkpoint):
    user = make_user("revoked", [ATTACH_RIGHT])
    client = token_client(user)
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 201
    assert attached(interaction) == ["recognised"]
    InteractionCheckpoint.objects.all().delete()
    user.groups.clear()
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 403
    assert attached(interaction) == []


def test_an_inactive_users_token_is_401(interaction, checkpoint):
    user = make_user("gone", [ATTACH_RIGHT])
    client = token_client(user)
    user.is_active = False
    user.save()
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 401
    assert attached(interaction) == []


def test_a_right_on_another_permission_is_not_enough(interaction, checkpoint):
    user = make_user("other-rights", ["interactions.add_interaction", "checkpoints.add_checkpoint"])
    assert post(token_client(user), interaction.pk, {"reference": "recognised"}).status_code == 403
    assert attached(interaction) == []


@pytest.mark.parametrize(
    ("perms", "superuser", "active"),
    [
        ([ATTACH_RIGHT], False, True),
        ([], False, True),
        (["interactions.add_interaction"], False, True),
        ([], True, True),
        ([ATTACH_RIGHT], False, False),
        ([], True, False),
    ],
)
def test_the_one_query_right_check_agrees_with_has_perm(perms, superuser, active):
    user = make_user("checked", perms)
    User.objects.filter(pk=user.pk).update(is_superuser=superuser, is_active=active)
    user = User.objects.get(pk=user.pk)
    direct = make_user("direct-grant")
    direct.user_permissions.add(Permission.objects.get(codename="add_interactioncheckpoint"))
    for someone in (user, User.objects.get(pk=direct.pk)):
        assert holds_role_wide_right(someone, ATTACH_RIGHT) == someone.has_perm(ATTACH_RIGHT)


def test_session_login_works_too(interaction, checkpoint):
    client = APIClient()
    client.force_login(make_user("browser", [ATTACH_RIGHT]))
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 201
    assert attached(interaction) == ["recognised"]


def test_licence_off_refuses_the_attach_but_not_interactions(
    runtime, interaction, checkpoint, settings
):
    settings.SMART_LICENCE = False
    response = post(runtime, interaction.pk, {"reference": "recognised"})
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY
    assert InteractionCheckpoint.objects.count() == 0
    # Even a user without the right gets the licence answer; anonymous still gets 401.
    other = token_client(make_user("other"))
    assert post(other, interaction.pk, {"reference": "recognised"}).json() == LICENCE_BODY
    assert post(APIClient(), interaction.pk, {"reference": "recognised"}).status_code == 401
    assert attached(interaction) == []
    # Interactions stay: their history is readable.
    assert runtime.get(attach_url(interaction.pk)).status_code == 200
    assert runtime.get(f"/api/v1/interactions/{interaction.pk}/").status_code == 200

    settings.SMART_LICENCE = True
    assert post(runtime, interaction.pk, {"reference": "recognised"}).status_code == 201
    assert attached(interaction) == ["recognised"]


# --- Fixed query counts ----------------------------------------------------------------------


def _seed(interaction: Interaction, count: int) -> None:
    """``count`` checkpoints, all attached to another interaction and all but one to this one."""
    checkpoints = Checkpoint.objects.bulk_create(
        Checkpoint(name=f"Seed {i}", reference=f"seed_{i}", alias=f"s{i}") for i in range(count)
    )
    other = services.create_interaction(channel="email")
    for checkpoint in checkpoints:
        services.attach_checkpoint(other.pk, checkpoint_id=checkpoint.pk)
    for checkpoint in checkpoints[1:]:
        services.attach_checkpoint(interaction.pk, checkpoint_id=checkpoint.pk)


@pytest.mark.parametrize("count", [1, 50])
def test_service_costs_at_most_three_queries(
    interaction, checkpoint, count, django_assert_max_num_queries
):
    _seed(interaction, count)
    with django_assert_max_num_queries(3):
        assert services.attach_checkpoint(interaction.pk, reference="recognised").created
    with django_assert_max_num_queries(3):
        assert not services.attach_checkpoint(interaction.pk, reference="recognised").created
    with django_assert_max_num_queries(3):
        assert not services.attach_checkpoint(interaction.pk, reference="nothing").ok


# The token with its user and the attach right: one query before the attach.
AUTH_QUERIES = 1


@pytest.mark.parametrize("count", [1, 50])
def test_whole_request_has_a_fixed_query_count(
    runtime, interaction, checkpoint, count, django_assert_num_queries
):
    _seed(interaction, count)
    # Attached now: the insert (copying the checkpoint) with the tag.
    with django_assert_num_queries(AUTH_QUERIES + new_attach_queries()):
        assert post(runtime, interaction.pk, {"reference": "recognised"}).status_code == 201
    # Nothing inserted: find (checkpoint and interaction), then the first attachment.
    with django_assert_num_queries(AUTH_QUERIES + 3):
        assert post(runtime, interaction.pk, {"checkpoint": checkpoint.pk}).status_code == 200
    # Nothing inserted: find, then whether the interaction exists.
    with django_assert_num_queries(AUTH_QUERIES + 3):
        assert post(runtime, interaction.pk, {"reference": "nothing"}).status_code == 422
    # Nothing inserted, and the find tells there is no interaction.
    with django_assert_num_queries(AUTH_QUERIES + 2):
        assert post(runtime, interaction.pk + 999, {"reference": "recognised"}).status_code == 404


def test_a_resolved_action_costs_what_the_resolver_costs(
    runtime, interaction, checkpoint, django_assert_num_queries, monkeypatch
):
    def resolve(action_id):  # one query, as a database-backed resolver would make
        list(Interaction.objects.filter(pk=-action_id))
        return services.ActionRecord(action_id=action_id, action_label="Step")

    monkeypatch.setattr(services, "_action_resolver", None)  # restored after the test
    services.register_action_resolver(resolve)
    with django_assert_num_queries(AUTH_QUERIES + 1 + new_attach_queries()):
        response = post(runtime, interaction.pk, {"reference": "recognised", "action": 4})
    assert response.status_code == 201
    assert response.json()["checkpoint"]["action_id"] == 4


@pytest.mark.parametrize("count", [1, 50])
def test_journey_list_has_a_fixed_query_count(
    runtime, interaction, checkpoint, count, django_assert_num_queries
):
    _seed(interaction, count)
    # Token and user, view rights (user's and roles': 2), the interaction (with its tags) and
    # its checkpoints.
    with django_assert_num_queries(1 + 2 + 2):
        rows = runtime.get(attach_url(interaction.pk)).json()
    assert len(rows) == count - 1


def test_the_routing_apps_resolver_records_a_real_action(runtime, interaction, checkpoint):
    """Against the resolver the routing app registers: a real node, then an unknown id."""
    from routing.services import create_routing

    routing = create_routing(name="Voice FR", channel="voice")
    node = routing.nodes.get()
    response = post(runtime, interaction.pk, {"reference": "recognised", "action": node.pk})
    assert response.status_code == 201, response.json()
    row = response.json()["checkpoint"]
    assert (row["routing_id"], row["routing_name"], row["action_id"]) == (
        routing.pk,
        "Voice FR",
        node.pk,
    )
    stored = InteractionCheckpoint.objects.get(interaction=interaction)
    assert (stored.routing_id, stored.routing_name, stored.action_id) == (
        routing.pk,
        "Voice FR",
        node.pk,
    )
    unknown = post(runtime, interaction.pk, {"reference": "recognised", "action": node.pk + 99})
    assert unknown.status_code == 400
    assert unknown.json() == {"action": [f"No Smart Routing action with id {node.pk + 99}."]}
    assert list(InteractionCheckpoint.objects.filter(interaction=interaction)) == [stored]
