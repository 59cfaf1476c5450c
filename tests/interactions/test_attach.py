"""Runtime attachment against API.md (Runtime attachment): every status and body, snapshots,
tags, order, bad bodies, the licence, rights and fixed query counts."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from rest_framework.test import APIClient

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from interactions import services
from interactions.api.permissions import holds_role_wide_right
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
from tests.conftest import make_user, new_attach_queries, token_client

pytestmark = pytest.mark.django_db

ATTACH_RIGHT = "interactions.add_interactioncheckpoint"
VIEW_RIGHT = "interactions.view_interaction"
ATTACHED_FIELDS = {
    "id",
    "checkpoint_id",
    "name",
    "reference",
    "alias",
    "attached_at",
    "routing_id",
    "routing_name",
    "action_id",
    "action_label",
}
LICENCE_BODY = {"detail": "Checkpoints are part of the Smart licence"}
ONE_OF = ["Give exactly one of reference or checkpoint."]
TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")


def attach_url(interaction_id) -> str:
    return f"/api/v1/interactions/{interaction_id}/checkpoints/"


@pytest.fixture
def runtime(db) -> APIClient:
    """The routing runtime: a machine user holding the attach right and the view right."""
    return token_client(make_user("runtime", [ATTACH_RIGHT, VIEW_RIGHT]))


@pytest.fixture
def interaction(db) -> Interaction:
    return services.create_interaction(channel="voice", customer="+33100000000")


@pytest.fixture
def resolver(monkeypatch):
    """A Smart Routing action resolver for one test, in place of the routing app's."""
    actions = {
        7: services.ActionRecord(
            routing_id=3, routing_name="Voice FR", action_id=7, action_label="Opt-in check"
        )
    }
    monkeypatch.setattr(services, "_action_resolver", None)  # restored after the test
    services.register_action_resolver(actions.get)
    return actions


@pytest.fixture
def no_resolver(monkeypatch):
    monkeypatch.setattr(services, "_action_resolver", None)


def post(client, interaction_id, body):
    return client.post(attach_url(interaction_id), body, format="json")


def tags_of(interaction: Interaction) -> list[str]:
    return list(
        InteractionTag.objects.filter(interaction=interaction).values_list("name", flat=True)
    )


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


def test_reference_is_exact_case_sensitive(runtime, interaction, checkpoint):
    response = post(runtime, interaction.pk, {"reference": "RECOGNISED"})
    assert response.status_code == 422
    assert response.json() == {"outcome": "reference_not_found", "reference": "RECOGNISED"}


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


def test_unknown_action_is_400(runtime, interaction, checkpoint, resolver):
    response = post(runtime, interaction.pk, {"reference": "recognised", "action": 8})
    assert response.status_code == 400
    assert response.json() == {"action": ["No Smart Routing action with id 8."]}
    assert InteractionCheckpoint.objects.count() == 0


def test_action_without_a_resolver_is_400(runtime, interaction, checkpoint, no_resolver):
    response = post(runtime, interaction.pk, {"reference": "recognised", "action": 7})
    assert response.status_code == 400
    assert response.json() == {"action": ["No Smart Routing action with id 7."]}


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


@pytest.mark.parametrize(
    "payload",
    ['{"reference": "recognised"', "[1, 2]", '"text"', "null", "[" * 100_000 + "]" * 100_000],
)
def test_malformed_or_non_object_json_is_400(runtime, interaction, checkpoint, payload):
    response = runtime.post(attach_url(interaction.pk), payload, content_type="application/json")
    assert response.status_code == 400
    assert InteractionCheckpoint.objects.count() == 0


# --- Rights and the licence ------------------------------------------------------------------


def test_no_credentials_is_401(interaction, checkpoint):
    response = post(APIClient(), interaction.pk, {"reference": "recognised"})
    assert response.status_code == 401
    assert APIClient().get(attach_url(interaction.pk)).status_code == 401


def test_bad_token_is_401(interaction, checkpoint):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 401


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


def test_right_held_directly_rather_than_through_a_role(interaction, checkpoint):
    user = make_user("direct")
    user.user_permissions.add(Permission.objects.get(codename="add_interactioncheckpoint"))
    assert post(token_client(user), interaction.pk, {"reference": "recognised"}).status_code == 201


def test_rights_are_read_on_every_request(interaction, checkpoint):
    user = make_user("revoked", [ATTACH_RIGHT])
    client = token_client(user)
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 201
    user.groups.clear()
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 403


def test_an_inactive_users_token_is_401(interaction, checkpoint):
    user = make_user("gone", [ATTACH_RIGHT])
    client = token_client(user)
    user.is_active = False
    user.save()
    assert post(client, interaction.pk, {"reference": "recognised"}).status_code == 401


def test_a_right_on_another_permission_is_not_enough(interaction, checkpoint):
    user = make_user("other-rights", ["interactions.add_interaction", "checkpoints.add_checkpoint"])
    assert post(token_client(user), interaction.pk, {"reference": "recognised"}).status_code == 403


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
    # Interactions stay: their history is readable.
    assert runtime.get(attach_url(interaction.pk)).status_code == 200
    assert runtime.get(f"/api/v1/interactions/{interaction.pk}/").status_code == 200

    settings.SMART_LICENCE = True
    assert post(runtime, interaction.pk, {"reference": "recognised"}).status_code == 201


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
    unknown = post(runtime, interaction.pk, {"reference": "recognised", "action": node.pk + 99})
    assert unknown.status_code == 400
    assert unknown.json() == {"action": [f"No Smart Routing action with id {node.pk + 99}."]}
