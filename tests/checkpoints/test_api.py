"""The checkpoint REST API against API.md (Checkpoints, Errors): list and search, create,
read, edit and delete one."""

import datetime

import pytest
from rest_framework.validators import UniqueValidator

from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE
from tests.checkpoints.api_helpers import (
    LIST,
    OBJECT_FIELDS,
    UNCHANGED,
    duplicate_url,
    one,
    parse_timestamp,
    stored,
)

pytestmark = pytest.mark.django_db


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
    assert stored(response.json()["id"]) == ("n" * 100, "r" * 64, "a" * 32)


@pytest.mark.parametrize("reference", ["with space", "é_accent", "semi;colon", "slash/ref", "a#b"])
def test_reference_characters_rule_has_its_message(full_api, reference):
    response = full_api.post(LIST, {"name": "Opt-in", "reference": reference}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_CHARACTERS_MESSAGE]}
    assert not Checkpoint.objects.exists()


def test_every_allowed_reference_character_is_accepted(full_api):
    reference = "Az09_+.@-"
    response = full_api.post(LIST, {"name": "All", "reference": reference}, format="json")
    assert response.status_code == 201
    assert response.json()["reference"] == reference
    assert stored(response.json()["id"]) == ("All", reference, "")


def test_duplicate_reference_is_a_field_error(full_api, checkpoint):
    response = full_api.post(LIST, {"name": "Other", "reference": " recognised "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert Checkpoint.objects.count() == 1


def test_reference_uniqueness_is_case_sensitive(full_api, checkpoint):
    response = full_api.post(LIST, {"name": "Other", "reference": "RECOGNISED"}, format="json")
    assert response.status_code == 201
    assert stored(response.json()["id"]) == ("Other", "RECOGNISED", "")
    assert stored(checkpoint.pk) == UNCHANGED


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
    assert not Checkpoint.objects.exists()


def test_unknown_checkpoint_duplicate_is_a_404(full_api):
    response = full_api.post(duplicate_url(999999), {"name": "x", "reference": "x"}, format="json")
    assert response.status_code == 404
    assert "detail" in response.json()
    assert not Checkpoint.objects.exists()


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
    assert stored(checkpoint.pk) == UNCHANGED


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
    assert stored(checkpoint.pk) == UNCHANGED


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
    assert stored(checkpoint.pk) == UNCHANGED


def test_delete_answers_204(full_api, checkpoint):
    response = full_api.delete(one(checkpoint.pk))
    assert response.status_code == 204
    assert not response.content
    assert not Checkpoint.objects.exists()
    assert full_api.get(one(checkpoint.pk)).status_code == 404
