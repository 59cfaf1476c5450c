"""The checkpoint REST API against API.md (Authentication and rights, Errors, Checkpoints)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.validators import UniqueValidator

from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE
from tests.conftest import checkpoint_perms

pytestmark = pytest.mark.django_db

LIST = "/api/v1/checkpoints/"
BULK_DELETE = "/api/v1/checkpoints/bulk-delete/"
OBJECT_FIELDS = {"id", "name", "reference", "alias", "created_at", "updated_at", "url"}
LICENCE_BODY = {"detail": "Checkpoints are part of the Smart licence"}
# ISO 8601, UTC, always with microseconds.
TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")


def one(pk) -> str:
    return f"{LIST}{pk}/"


def duplicate_url(pk) -> str:
    return f"{LIST}{pk}/duplicate/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def parse_timestamp(text: str) -> datetime.datetime:
    assert TIMESTAMP.match(text), text
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def full_api(full_user):
    return client_for(full_user)


# --- List and search -------------------------------------------------------------------------


def test_list_is_paginated_in_the_contract_shape(full_api, make_checkpoints):
    make_checkpoints(60)

    first = full_api.get(LIST).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 60
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/checkpoints/?")
    assert "page=2" in first["next"]
    assert set(first["results"][0]) == OBJECT_FIELDS

    second = full_api.get(LIST, {"page": 2}).json()
    assert len(second["results"]) == 10
    assert second["next"] is None
    assert second["previous"] is not None
    names = [row["name"] for row in first["results"] + second["results"]]
    assert names == sorted(names)
    assert len(set(names)) == 60

    assert len(full_api.get(LIST, {"page_size": 7}).json()["results"]) == 7


def test_search_matches_part_of_name_or_reference_case_insensitive(full_api):
    Checkpoint.objects.create(name="Recognised customer", reference="recognised")
    Checkpoint.objects.create(name="Opt-in", reference="optin_FR")
    Checkpoint.objects.create(name="Transfer", reference="xfer")

    def found(text):
        response = full_api.get(LIST, {"search": text})
        assert response.status_code == 200
        return sorted(row["reference"] for row in response.json()["results"])

    assert found("COGNIS") == ["recognised"]  # part of the name and the reference
    assert found("fr") == ["optin_FR"]  # part of the reference only
    assert found("TRANS") == ["xfer"]  # part of the name only
    assert found("nothing-like-it") == []
    assert found("  ") == ["optin_FR", "recognised", "xfer"]
    assert full_api.get(LIST, {"search": "fr"}).json()["count"] == 1


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_bad_page_number_is_a_400_naming_page(full_api, checkpoint, page):
    response = full_api.get(LIST, {"page": page})
    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_a_bad_page_size_is_a_400_naming_it(full_api, checkpoint):
    response = full_api.get(LIST, {"page_size": "lots"})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_a_page_after_the_last_is_a_404_with_detail(full_api, checkpoint):
    response = full_api.get(LIST, {"page": 99})
    assert response.status_code == 404
    assert "detail" in response.json()


# --- Create ----------------------------------------------------------------------------------


def test_create_answers_201_with_the_object(full_api):
    response = full_api.post(
        LIST,
        {"name": "  Opt-in French ", "reference": " optin_fr ", "alias": " optin "},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == OBJECT_FIELDS
    saved = Checkpoint.objects.get()
    assert body["id"] == saved.pk
    assert (body["name"], body["reference"], body["alias"]) == (
        "Opt-in French",
        "optin_fr",
        "optin",
    )
    assert (saved.name, saved.reference, saved.alias) == ("Opt-in French", "optin_fr", "optin")
    assert body["url"] == f"http://testserver/toolbox/checkpoints/{saved.pk}/"
    assert parse_timestamp(body["created_at"]) == saved.created_at
    assert parse_timestamp(body["updated_at"]) == saved.updated_at


def test_create_without_alias_gives_an_empty_alias(full_api):
    response = full_api.post(LIST, {"name": "Opt-in", "reference": "optin"}, format="json")
    assert response.status_code == 201
    assert response.json()["alias"] == ""
    assert Checkpoint.objects.get().alias == ""


def test_timestamps_always_carry_microseconds_in_utc(full_api, checkpoint):
    moment = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(created_at=moment, updated_at=moment)
    body = full_api.get(one(checkpoint.pk)).json()
    assert body["created_at"] == "2026-03-01T09:30:00.000000Z"
    assert body["updated_at"] == "2026-03-01T09:30:00.000000Z"


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({}, {"name", "reference"}),
        ({"name": "", "reference": ""}, {"name", "reference"}),
        ({"name": "   ", "reference": "ok"}, {"name"}),
        ({"name": None, "reference": None, "alias": None}, {"name", "reference", "alias"}),
        ({"name": "x" * 101, "reference": "ok"}, {"name"}),
        ({"name": "ok", "reference": "r" * 65}, {"reference"}),
        ({"name": "ok", "reference": "ok", "alias": "a" * 33}, {"alias"}),
        ({"name": {"a": 1}, "reference": ["x"]}, {"name", "reference"}),
        (
            {"name": "x" * 101, "reference": "bad ref", "alias": "a" * 33},
            {"name", "reference", "alias"},
        ),
    ],
)
def test_invalid_bodies_name_each_bad_field_and_save_nothing(full_api, body, bad_fields):
    response = full_api.post(LIST, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == bad_fields
    for messages in errors.values():
        assert isinstance(messages, list)
        assert all(isinstance(message, str) and message for message in messages)
    assert not Checkpoint.objects.exists()


def test_the_longest_values_are_accepted(full_api):
    body = {"name": "n" * 100, "reference": "r" * 64, "alias": "a" * 32}
    response = full_api.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("reference", ["with space", "é_accent", "semi;colon", "slash/ref", "a#b"])
def test_reference_characters_rule_has_its_message(full_api, reference):
    response = full_api.post(LIST, {"name": "Opt-in", "reference": reference}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_CHARACTERS_MESSAGE]}


def test_every_allowed_reference_character_is_accepted(full_api):
    reference = "Az09_+.@-"
    response = full_api.post(LIST, {"name": "All", "reference": reference}, format="json")
    assert response.status_code == 201
    assert response.json()["reference"] == reference


def test_duplicate_reference_is_a_field_error(full_api, checkpoint):
    response = full_api.post(LIST, {"name": "Other", "reference": " recognised "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert Checkpoint.objects.count() == 1


def test_reference_uniqueness_is_case_sensitive(full_api, checkpoint):
    response = full_api.post(LIST, {"name": "Other", "reference": "RECOGNISED"}, format="json")
    assert response.status_code == 201


def test_a_uniqueness_race_is_still_a_field_error_not_a_500(full_api, checkpoint, monkeypatch):
    """Both up-front checks pass (another request wins the race); the database refuses."""
    monkeypatch.setattr(UniqueValidator, "__call__", lambda self, value, field: None)
    monkeypatch.setattr(Checkpoint, "validate_unique", lambda self, exclude=None: None)
    response = full_api.post(LIST, {"name": "Other", "reference": "recognised"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert Checkpoint.objects.count() == 1


def test_malformed_json_is_a_400(full_api):
    response = full_api.post(LIST, '{"name": "x", ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Checkpoint.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(full_api):
    response = full_api.post(LIST, "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert not Checkpoint.objects.exists()


# --- One checkpoint --------------------------------------------------------------------------


def test_get_one(full_api, checkpoint):
    response = full_api.get(one(checkpoint.pk))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == OBJECT_FIELDS
    assert (body["id"], body["name"], body["reference"], body["alias"]) == (
        checkpoint.pk,
        "Recognised customer",
        "recognised",
        "known",
    )
    assert body["url"] == f"http://testserver/toolbox/checkpoints/{checkpoint.pk}/"


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_unknown_checkpoint_is_a_404_with_detail(full_api, method, pk):
    response = getattr(full_api, method)(one(pk), {"name": "x", "reference": "x"}, format="json")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_unknown_checkpoint_duplicate_is_a_404(full_api):
    response = full_api.post(duplicate_url(999999), {"name": "x", "reference": "x"}, format="json")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_put_replaces_every_field_and_a_left_out_alias_becomes_empty(full_api, checkpoint):
    before = checkpoint.updated_at
    response = full_api.put(
        one(checkpoint.pk), {"name": " Known customer ", "reference": "known_cust"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["reference"], body["alias"]) == ("Known customer", "known_cust", "")
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.reference, checkpoint.alias) == (
        "Known customer",
        "known_cust",
        "",
    )
    assert checkpoint.updated_at > before
    assert parse_timestamp(body["updated_at"]) == checkpoint.updated_at


def test_put_needs_name_and_reference(full_api, checkpoint):
    response = full_api.put(one(checkpoint.pk), {"alias": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "reference"}


def test_patch_changes_only_what_it_names(full_api, checkpoint):
    response = full_api.patch(one(checkpoint.pk), {"alias": "  vip "}, format="json")
    assert response.status_code == 200
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.reference, checkpoint.alias) == (
        "Recognised customer",
        "recognised",
        "vip",
    )


def test_patch_keeping_its_own_reference_is_fine(full_api, checkpoint):
    response = full_api.patch(one(checkpoint.pk), {"reference": "recognised"}, format="json")
    assert response.status_code == 200


def test_patch_to_another_checkpoints_reference_is_a_field_error(full_api, checkpoint):
    other = Checkpoint.objects.create(name="Other", reference="other")
    response = full_api.patch(one(other.pk), {"reference": "recognised"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    other.refresh_from_db()
    assert other.reference == "other"


def test_patch_with_a_bad_reference_names_it(full_api, checkpoint):
    response = full_api.patch(one(checkpoint.pk), {"reference": "no spaces"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_CHARACTERS_MESSAGE]}


def test_delete_answers_204(full_api, checkpoint):
    response = full_api.delete(one(checkpoint.pk))
    assert response.status_code == 204
    assert not response.content
    assert not Checkpoint.objects.exists()
    assert full_api.get(one(checkpoint.pk)).status_code == 404


# --- Duplicate -------------------------------------------------------------------------------


def test_duplicate_copies_the_alias_when_left_out(full_api, checkpoint):
    response = full_api.post(
        duplicate_url(checkpoint.pk),
        {"name": " Recognised (copy) ", "reference": " recognised_2 "},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == OBJECT_FIELDS
    assert body["id"] != checkpoint.pk
    assert (body["name"], body["reference"], body["alias"]) == (
        "Recognised (copy)",
        "recognised_2",
        "known",
    )
    assert body["url"] == f"http://testserver/toolbox/checkpoints/{body['id']}/"
    assert Checkpoint.objects.count() == 2
    checkpoint.refresh_from_db()
    assert checkpoint.reference == "recognised"


def test_duplicate_takes_the_alias_it_is_given_even_empty(full_api, checkpoint):
    response = full_api.post(
        duplicate_url(checkpoint.pk), {"name": "C", "reference": "c1", "alias": "new"}, "json"
    )
    assert response.json()["alias"] == "new"
    response = full_api.post(
        duplicate_url(checkpoint.pk), {"name": "C", "reference": "c2", "alias": ""}, "json"
    )
    assert response.status_code == 201
    assert response.json()["alias"] == ""


def test_duplicate_needs_a_reference_of_its_own(full_api, checkpoint):
    response = full_api.post(
        duplicate_url(checkpoint.pk), {"name": "Copy", "reference": "recognised"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert Checkpoint.objects.count() == 1


def test_duplicate_validates_its_body(full_api, checkpoint):
    response = full_api.post(duplicate_url(checkpoint.pk), {"alias": "a" * 33}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reference", "alias"}
    assert Checkpoint.objects.count() == 1


def test_duplicate_copies_the_name_when_left_out(full_api, checkpoint):
    response = full_api.post(duplicate_url(checkpoint.pk), {"reference": "copy_1"}, format="json")
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["alias"]) == ("Recognised customer", "known")


def test_duplicate_needs_add_role_wide(client, user_factory, checkpoint):
    reader = client_for(user_factory("reader2", checkpoint_perms("reader")))
    response = reader.post(duplicate_url(checkpoint.pk), {"name": "C", "reference": "c"}, "json")
    assert response.status_code == 403
    assert Checkpoint.objects.count() == 1


def test_duplicate_of_a_checkpoint_the_user_cannot_read_is_a_404(user_factory, make_checkpoints):
    mine, hidden = make_checkpoints(2)
    user = user_factory("adder", ["checkpoints.add_checkpoint"])
    assign_perm("checkpoints.view_checkpoint", user, mine)
    api = client_for(user)
    body = {"name": "C", "reference": "c"}
    assert api.post(duplicate_url(hidden.pk), body, format="json").status_code == 404
    response = api.post(duplicate_url(mine.pk), body, format="json")
    assert response.status_code == 201
    assert Checkpoint.objects.count() == 3


# --- Bulk delete -----------------------------------------------------------------------------


def test_bulk_delete_deletes_them_all(full_api, make_checkpoints):
    first, second, third = make_checkpoints(3)
    response = full_api.post(BULK_DELETE, {"ids": [first.pk, third.pk]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"deleted": 2, "warnings": []}
    assert list(Checkpoint.objects.values_list("pk", flat=True)) == [second.pk]


@pytest.mark.parametrize("body", [{"ids": []}, {}, {"ids": "1"}, {"ids": [0]}, {"ids": ["x"]}])
def test_bulk_delete_with_a_bad_list_is_a_400_naming_ids(full_api, make_checkpoints, body):
    make_checkpoints(2)
    response = full_api.post(BULK_DELETE, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["ids"]
    assert Checkpoint.objects.count() == 2


def test_bulk_delete_with_an_unknown_id_deletes_nothing(full_api, make_checkpoints):
    first, _ = make_checkpoints(2)
    response = full_api.post(BULK_DELETE, {"ids": [first.pk, 999999]}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["ids"]
    assert "999999" in response.json()["ids"][0]
    assert Checkpoint.objects.count() == 2


def test_bulk_delete_refuses_all_when_one_is_not_deletable(user_factory, make_checkpoints):
    first, second, third = make_checkpoints(3)
    user = user_factory("deleter", ["checkpoints.view_checkpoint"])
    assign_perm("checkpoints.delete_checkpoint", user, first)
    assign_perm("checkpoints.delete_checkpoint", user, second)
    api = client_for(user)

    response = api.post(BULK_DELETE, {"ids": [first.pk, second.pk, third.pk]}, format="json")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Checkpoint.objects.count() == 3

    response = api.post(BULK_DELETE, {"ids": [first.pk, second.pk]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"deleted": 2, "warnings": []}
    assert list(Checkpoint.objects.values_list("pk", flat=True)) == [third.pk]


def test_bulk_delete_without_any_delete_right_is_a_403(editor_user, make_checkpoints):
    first, _ = make_checkpoints(2)
    response = client_for(editor_user).post(BULK_DELETE, {"ids": [first.pk]}, format="json")
    assert response.status_code == 403
    assert Checkpoint.objects.count() == 2


# --- Authentication --------------------------------------------------------------------------


def endpoints(pk):
    body = {"name": "N", "reference": "ref"}
    return [
        ("get", LIST, None),
        ("post", LIST, body),
        ("get", one(pk), None),
        ("put", one(pk), body),
        ("patch", one(pk), body),
        ("delete", one(pk), None),
        ("post", duplicate_url(pk), body),
        ("post", BULK_DELETE, {"ids": [pk]}),
    ]


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
    response = getattr(api, method)(url, body, format="json")
    assert response.status_code == ALLOWED[level][index], response.content


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
    assert api.patch(one(other.pk), {"alias": "no"}, format="json").status_code == 404
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
