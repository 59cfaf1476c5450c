"""Toolbox > Checkpoints pages: rights, search, sort, pagination, duplicate, delete, bulk."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE
from tests.conftest import checkpoint_perms

pytestmark = pytest.mark.django_db

LIST = reverse("checkpoints:checkpoint_list")
ADD = reverse("checkpoints:checkpoint_add")
BULK = reverse("checkpoints:checkpoint_bulk_delete")


def object_urls(pk: int) -> dict[str, str]:
    return {
        action: reverse(f"checkpoints:checkpoint_{action}", kwargs={"pk": pk})
        for action in ("detail", "edit", "duplicate", "delete")
    }


def page_urls(checkpoint) -> list[tuple[str, str]]:
    """(right needed, url) for every GET page."""
    urls = object_urls(checkpoint.pk)
    return [
        ("view", LIST),
        ("view", urls["detail"]),
        ("add", ADD),
        ("add", urls["duplicate"]),
        ("change", urls["edit"]),
        ("delete", urls["delete"]),
    ]


@pytest.mark.parametrize("level", ["none", "reader", "editor", "full"])
def test_each_page_answers_by_the_role_rights(client, user_factory, checkpoint, level):
    client.force_login(user_factory(level, checkpoint_perms(level)))
    rights = {perm.split(".")[1].split("_")[0] for perm in checkpoint_perms(level)}
    for needed, url in page_urls(checkpoint):
        expected = 200 if needed in rights and "view" in rights else 403
        assert client.get(url).status_code == expected, (level, url)


def test_reader_sees_no_write_buttons(client, reader_user, checkpoint):
    client.force_login(reader_user)
    page = client.get(LIST).text
    assert "New checkpoint" not in page
    assert "Delete selected" not in page
    for url in object_urls(checkpoint.pk).values():
        if not url.endswith(f"/{checkpoint.pk}/"):
            assert url not in page
    detail = client.get(checkpoint.get_absolute_url()).text
    assert ">Edit<" not in detail and ">Delete<" not in detail


def test_full_user_sees_every_button(full_client, checkpoint):
    page = full_client.get(LIST).text
    assert 'aria-label="New checkpoint"' in page
    assert "Delete selected" in page
    for url in object_urls(checkpoint.pk).values():
        assert url in page


def test_a_right_granted_on_one_checkpoint(client, user_factory, make_checkpoints):
    mine, other = make_checkpoints(2)
    user = user_factory("one")
    assign_perm("checkpoints.view_checkpoint", user, mine)
    assign_perm("checkpoints.change_checkpoint", user, mine)
    client.force_login(user)
    page = client.get(LIST).text
    assert mine.name in page and other.name not in page
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 403
    response = client.post(
        object_urls(mine.pk)["edit"], {"name": "Mine", "reference": mine.reference}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Mine"
    assert client.get(object_urls(other.pk)["edit"]).status_code == 403
    assert client.get(ADD).status_code == 403


def test_menu_shows_checkpoints_only_to_those_who_may_read_them(client, plain_user, reader_user):
    client.force_login(plain_user)
    assert reverse("checkpoints:checkpoint_list") not in client.get(reverse("home")).text
    client.force_login(reader_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == LIST
    assert f'href="{LIST}"' in client.get(LIST).text


def test_create_shows_the_new_checkpoint_in_the_list(full_client):
    response = full_client.post(
        ADD,
        {"name": " Opt-in collected ", "reference": " optin_fr ", "alias": "opt-in"},
        follow=True,
    )
    checkpoint = Checkpoint.objects.get()
    assert (checkpoint.name, checkpoint.reference) == ("Opt-in collected", "optin_fr")
    assert response.request["PATH_INFO"] == LIST
    assert "created" in response.text and "optin_fr" in response.text


def test_invalid_input_shows_field_errors_and_saves_nothing(full_client, checkpoint):
    response = full_client.post(ADD, {"name": "", "reference": "bad ref!", "alias": "x" * 33})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["This field is required."]
    assert form.errors["reference"] == [REFERENCE_CHARACTERS_MESSAGE]
    assert form.errors["alias"] == ["Ensure this value has at most 32 characters (it has 33)."]
    assert "Please correct the errors below." in response.text
    response = full_client.post(ADD, {"name": "Again", "reference": "recognised"})
    assert response.context["form"].errors["reference"] == [REFERENCE_UNIQUE_MESSAGE]
    assert Checkpoint.objects.count() == 1


def test_edit_changes_the_checkpoint(full_client, checkpoint):
    response = full_client.post(
        object_urls(checkpoint.pk)["edit"],
        {"name": "Known", "reference": "known_customer", "alias": ""},
    )
    assert response.status_code == 302
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.reference, checkpoint.alias) == (
        "Known",
        "known_customer",
        "",
    )


def test_duplicate_is_prefilled_says_to_change_and_needs_a_new_reference(full_client, checkpoint):
    url = object_urls(checkpoint.pk)["duplicate"]
    page = full_client.get(url)
    assert page.context["form"].initial == {
        "name": "Recognised customer",
        "reference": "recognised",
        "alias": "known",
    }
    assert "Change its Name and its Reference" in page.text
    unchanged = full_client.post(url, {"name": "Recognised customer", "reference": "recognised"})
    assert unchanged.status_code == 200
    assert unchanged.context["form"].errors["reference"] == [REFERENCE_UNIQUE_MESSAGE]
    response = full_client.post(
        url, {"name": "Recognised again", "reference": "recognised_2", "alias": "known"}
    )
    assert response.status_code == 302
    assert Checkpoint.objects.filter(reference="recognised_2", alias="known").exists()


def test_delete_asks_for_confirmation_then_deletes(full_client, checkpoint):
    url = object_urls(checkpoint.pk)["delete"]
    confirmation = full_client.get(url)
    assert "Delete checkpoint “Recognised customer (recognised)”?" in confirmation.text
    assert Checkpoint.objects.exists()
    response = full_client.post(url, follow=True)
    assert not Checkpoint.objects.exists()
    assert "deleted" in response.text


def test_bulk_delete_confirms_then_deletes_in_one_go(full_client, make_checkpoints):
    first, second, kept = make_checkpoints(3)
    confirmation = full_client.post(BULK, {"pk": [first.pk, second.pk]})
    assert confirmation.status_code == 200
    assert first.name in confirmation.text and second.name in confirmation.text
    assert kept.name not in confirmation.text
    assert Checkpoint.objects.count() == 3
    response = full_client.post(BULK, {"pk": [first.pk, second.pk], "confirm": "1"}, follow=True)
    assert list(Checkpoint.objects.all()) == [kept]
    assert "2 checkpoints deleted." in response.text


def test_bulk_delete_with_nothing_selected_or_unknown_ids(full_client, checkpoint):
    response = full_client.post(BULK, {}, follow=True)
    assert "Select at least one checkpoint to delete." in response.text
    response = full_client.post(BULK, {"pk": [checkpoint.pk, 424242], "confirm": "1"}, follow=True)
    assert "No checkpoint with id 424242." in response.text
    assert Checkpoint.objects.filter(pk=checkpoint.pk).exists()


def test_bulk_delete_refuses_when_one_is_not_deletable(client, user_factory, make_checkpoints):
    first, second = make_checkpoints(2)
    user = user_factory("partial", checkpoint_perms("reader"))
    assign_perm("checkpoints.delete_checkpoint", user, first)
    client.force_login(user)
    assert client.post(BULK, {"pk": [first.pk, second.pk]}).status_code == 403
    assert client.post(BULK, {"pk": [first.pk, second.pk], "confirm": "1"}).status_code == 403
    assert Checkpoint.objects.count() == 2


def test_search_matches_part_of_name_or_reference_case_insensitive(full_client, make_checkpoints):
    Checkpoint.objects.create(name="Callback offered", reference="callback")
    Checkpoint.objects.create(name="Upsell offered", reference="UPSELL_1")
    make_checkpoints(3)
    names = lambda text: [  # noqa: E731
        row["object"].name for row in full_client.get(LIST, {"search": text}).context["rows"]
    ]
    assert names("CALLB") == ["Callback offered"]
    assert names("upsell_") == ["Upsell offered"]
    assert names("offered") == ["Callback offered", "Upsell offered"]
    empty = full_client.get(LIST, {"search": "nothing-like-this"})
    assert "No checkpoints match “nothing-like-this”." in empty.text


def test_empty_state_invites_to_create(full_client):
    page = full_client.get(LIST).text
    assert "No checkpoints yet." in page and "Create the first checkpoint" in page


def test_sort_by_each_column(full_client):
    Checkpoint.objects.create(name="B", reference="a_ref", alias="z")
    Checkpoint.objects.create(name="A", reference="b_ref", alias="y")
    order = lambda sort: [  # noqa: E731
        row["object"].name for row in full_client.get(LIST, {"sort": sort}).context["rows"]
    ]
    assert order("name") == ["A", "B"]
    assert order("-name") == ["B", "A"]
    assert order("reference") == ["B", "A"]
    assert order("alias") == ["A", "B"]
    assert order("created_at;drop") == ["A", "B"]


def test_pagination(full_client, make_checkpoints):
    make_checkpoints(60)
    first = full_client.get(LIST)
    assert len(first.context["rows"]) == 25
    assert "Page 1 of 3" in first.text
    last = full_client.get(LIST, {"page": 3})
    assert len(last.context["rows"]) == 10
    assert full_client.get(LIST, {"page": "999"}).context["page"].number == 3


def test_names_are_escaped(full_client):
    Checkpoint.objects.create(name="<script>alert(1)</script>", reference="xss")
    page = full_client.get(LIST).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("rows", [5, 200])
def test_list_query_count_does_not_grow_with_rows(
    client, user_factory, make_checkpoints, django_assert_num_queries, rows
):
    make_checkpoints(rows)
    client.force_login(user_factory("full", checkpoint_perms("full")))
    client.get(LIST)  # warm the session
    # session, user, 2 permission caches, count, page, per-object grants for the Roles menu
    with django_assert_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_licence_off_hides_and_refuses_checkpoint_pages(full_client, checkpoint, settings):
    settings.SMART_LICENCE = False
    for _, url in page_urls(checkpoint):
        response = full_client.get(url)
        assert response.status_code == 403, url
        assert "Checkpoints are part of the Smart licence" in response.text
    assert LIST not in full_client.get(reverse("home")).text
