"""The checkpoint REST API against API.md (Authentication and rights): credentials, role
and per-object rights, the Smart licence, and query counts."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from tests.checkpoints.api_helpers import (
    LIST,
    endpoints,
    one,
    stored,
    stored_rows,
)
from tests.conftest import LICENCE_BODY, checkpoint_perms, client_for

pytestmark = pytest.mark.django_db


# --- Authentication --------------------------------------------------------------------------


def test_no_credentials_is_a_401_asking_for_a_token(checkpoint):
    api = APIClient()
    for method, url, body in endpoints(checkpoint.pk):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Token", (method, url)
        assert "detail" in response.json()
    assert Checkpoint.objects.count() == 1


def test_a_wrong_token_is_a_401(checkpoint):
    api = APIClient(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api.get(LIST).status_code == 401


def test_token_authentication(full_user, checkpoint):
    token = Token.objects.create(user=full_user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(LIST).json()["count"] == 1
    response = api.post(LIST, {"name": "By token", "reference": "token"}, format="json")
    assert response.status_code == 201  # no CSRF for token clients
    assert stored(response.json()["id"]) == ("By token", "token", "")


def test_session_authentication_enforces_csrf(full_user):
    api = APIClient(enforce_csrf_checks=True)
    api.get("/login/")  # the login page sets the CSRF cookie, as in a browser
    csrf_token = api.cookies["csrftoken"].value
    assert api.login(username=full_user.username, password="pass-for-tests-1")
    assert api.get(LIST).status_code == 200

    response = api.post(LIST, {"name": "No token", "reference": "nocsrf"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Checkpoint.objects.exists()

    response = api.post(
        LIST,
        {"name": "With token", "reference": "csrf"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf_token,
    )
    assert response.status_code == 201
    assert stored_rows() == [("With token", "csrf", "")]


# --- Rights ----------------------------------------------------------------------------------

ALLOWED = {
    # level: (list, create, get, put, patch, delete, duplicate, bulk delete)
    "full": (200, 201, 200, 200, 200, 204, 201, 200),
    "editor": (200, 201, 200, 200, 200, 403, 201, 403),
    "reader": (200, 403, 200, 403, 403, 403, 403, 403),
    "none": (403, 403, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("level", list(ALLOWED))
@pytest.mark.parametrize("index", range(8))
def test_role_rights_decide_each_endpoint(user_factory, level, index):
    checkpoint = Checkpoint.objects.create(name="Target", reference="target", alias="t")
    api = client_for(user_factory(f"user-{level}", checkpoint_perms(level)))
    method, url, body = endpoints(checkpoint.pk)[index]
    if url.endswith("duplicate/"):
        body = {"name": "Copy", "reference": "copy"}
    before = stored_rows()
    response = getattr(api, method)(url, body, format="json")
    assert response.status_code == ALLOWED[level][index], response.content
    if method == "get" or response.status_code == 403:
        assert stored_rows() == before
    else:
        assert stored_rows() != before


def test_rights_granted_to_a_group_apply_to_its_members(user_factory, checkpoint):
    user = user_factory("member")
    group = Group.objects.create(name="Supervisors")
    assign_perm("checkpoints.view_checkpoint", group)
    user.groups.add(group)
    assert client_for(user).get(LIST).json()["count"] == 1


def test_view_on_some_checkpoints_lists_only_those(user_factory, make_checkpoints):
    checkpoints = make_checkpoints(5)
    user = user_factory("partial")
    for checkpoint in checkpoints[:2]:
        assign_perm("checkpoints.view_checkpoint", user, checkpoint)
    api = client_for(user)

    body = api.get(LIST).json()
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {c.pk for c in checkpoints[:2]}
    assert api.get(LIST, {"search": checkpoints[4].reference}).json()["count"] == 0
    assert api.get(one(checkpoints[0].pk)).status_code == 200
    assert api.get(one(checkpoints[4].pk)).status_code == 404
    assert api.post(LIST, {"name": "N", "reference": "n"}, format="json").status_code == 403
    assert Checkpoint.objects.count() == 5


def test_view_granted_on_one_checkpoint_to_a_group(user_factory, make_checkpoints):
    mine, _ = make_checkpoints(2)
    user = user_factory("grouped")
    group = Group.objects.create(name="Team FR")
    assign_perm("checkpoints.view_checkpoint", group, mine)
    user.groups.add(group)
    body = client_for(user).get(LIST).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_change_on_one_checkpoint(user_factory, make_checkpoints):
    mine, readable, hidden = make_checkpoints(3)
    user = user_factory("one-editor")
    assign_perm("checkpoints.view_checkpoint", user, mine)
    assign_perm("checkpoints.view_checkpoint", user, readable)
    assign_perm("checkpoints.change_checkpoint", user, mine)
    api = client_for(user)

    response = api.patch(one(mine.pk), {"alias": "mine"}, format="json")
    assert response.status_code == 200
    assert response.json()["alias"] == "mine"
    body = {"name": "Mine", "reference": "mine", "alias": "mine"}
    assert api.put(one(mine.pk), body, format="json").status_code == 200

    assert api.patch(one(readable.pk), {"alias": "x"}, format="json").status_code == 403
    assert api.patch(one(hidden.pk), {"alias": "x"}, format="json").status_code == 404
    assert api.delete(one(mine.pk)).status_code == 403
    assert set(Checkpoint.objects.values_list("alias", flat=True)) == {"", "mine"}


def test_a_right_on_one_object_is_enough_to_use_it(user_factory, make_checkpoints):
    """Modify or Delete granted on one checkpoint, without Read: like the Django admin."""
    mine, other = make_checkpoints(2)
    user = user_factory("modifier")
    assign_perm("checkpoints.change_checkpoint", user, mine)
    assign_perm("checkpoints.delete_checkpoint", user, mine)
    api = client_for(user)
    assert api.get(LIST).status_code == 403
    assert api.patch(one(mine.pk), {"alias": "ok"}, format="json").status_code == 200
    assert stored(mine.pk)[2] == "ok"
    assert api.patch(one(other.pk), {"alias": "no"}, format="json").status_code == 404
    assert stored(other.pk)[2] == ""
    assert api.delete(one(other.pk)).status_code == 404
    assert api.delete(one(mine.pk)).status_code == 204
    assert list(Checkpoint.objects.all()) == [other]


# --- Licence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(8))
def test_licence_off_refuses_every_checkpoint_endpoint(full_api, checkpoint, settings, index):
    settings.SMART_LICENCE = False
    method, url, body = endpoints(checkpoint.pk)[index]
    response = getattr(full_api, method)(url, body, format="json")
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY
    assert list(Checkpoint.objects.all()) == [checkpoint]


def test_licence_off_refuses_token_clients_too(full_user, checkpoint, settings):
    settings.SMART_LICENCE = False
    token = Token.objects.create(user=full_user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(LIST)
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY


# --- Query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 200])
def test_list_query_count_does_not_grow_with_rows(
    full_user, make_checkpoints, django_assert_num_queries, rows
):
    make_checkpoints(rows)
    api = client_for(full_user)
    # session, user, user permissions, group permissions, count, page
    with django_assert_num_queries(6):
        response = api.get(LIST, {"search": "cp", "page_size": 200})
    assert response.json()["count"] == rows
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [5, 200])
def test_list_query_count_with_per_object_rights_does_not_grow_with_rows(
    user_factory, make_checkpoints, django_assert_num_queries, rows
):
    checkpoints = make_checkpoints(rows)
    user = user_factory("per-object")
    for checkpoint in checkpoints:
        assign_perm("checkpoints.view_checkpoint", user, checkpoint)
    api = client_for(user)
    with django_assert_num_queries(7):
        response = api.get(LIST, {"search": "cp", "page_size": 200})
    assert response.json()["count"] == rows
    assert len(response.json()["results"]) == rows


def test_timestamps_stay_in_utc_whatever_the_active_time_zone(full_api, checkpoint):
    moment = datetime.datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=datetime.UTC)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(created_at=moment)
    with timezone.override("Europe/Paris"):
        body = full_api.get(one(checkpoint.pk)).json()
    assert body["created_at"] == "2026-03-01T09:30:05.123456Z"
