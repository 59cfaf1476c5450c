"""The checkpoint REST API against API.md (Checkpoints): duplicate and bulk delete."""

import pytest
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_UNIQUE_MESSAGE
from tests.checkpoints.api_helpers import (
    BULK_DELETE,
    OBJECT_FIELDS,
    UNCHANGED,
    duplicate_url,
    stored,
)
from tests.conftest import checkpoint_perms, client_for

pytestmark = pytest.mark.django_db


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
    assert stored(response.json()["id"]) == ("C", "c1", "new")
    response = full_api.post(
        duplicate_url(checkpoint.pk), {"name": "C", "reference": "c2", "alias": ""}, "json"
    )
    assert response.status_code == 201
    assert response.json()["alias"] == ""
    assert stored(response.json()["id"]) == ("C", "c2", "")
    assert stored(checkpoint.pk) == UNCHANGED


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
    assert stored(response.json()["id"]) == ("Recognised customer", "copy_1", "known")


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
