"""Toolbox > Checkpoints pages: rights, search, sort, pagination, duplicate, delete, bulk."""

import re

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE
from tests.conftest import checkpoint_perms
from tests.pages import page

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
    shown = page(client.get(LIST))
    assert shown.query_by_role("link", name="New checkpoint") is None
    assert shown.query_by_role("button", name="Delete selected") is None
    assert shown.query_by_role("checkbox", name="Select all on this page") is None
    row = shown.get_by_role("table").row("Recognised customer")
    assert [link.get("href") for link in row.get_all_by_role("link")] == [
        checkpoint.get_absolute_url()
    ]
    detail = page(client.get(checkpoint.get_absolute_url()))
    for label in ("Edit", "Duplicate", "Delete"):
        assert detail.query_by_role("link", name=label) is None


def test_full_user_sees_every_button(full_client, checkpoint):
    shown = page(full_client.get(LIST))
    assert shown.get_by_role("link", name="New checkpoint").get("href") == ADD
    assert shown.get_by_role("button", name="Delete selected").get("type") == "submit"
    box = shown.get_by_role("checkbox", name="Select Recognised customer (recognised)")
    assert box.get("value") == str(checkpoint.pk)
    urls = object_urls(checkpoint.pk)
    row = shown.get_by_role("table").row("Recognised customer")
    assert row.get_by_role("link", name="Recognised customer").get("href") == urls["detail"]
    for action in ("edit", "duplicate", "delete"):
        name = f"{action.capitalize()} Recognised customer (recognised)"
        assert row.get_by_role("link", name=name).get("href") == urls[action]
    detail = page(full_client.get(urls["detail"]))
    for action in ("edit", "duplicate", "delete"):
        assert detail.get_by_role("link", name=action.capitalize()).get("href") == urls[action]


def test_a_right_granted_on_one_checkpoint(client, user_factory, make_checkpoints):
    mine, other = make_checkpoints(2)
    user = user_factory("one")
    assign_perm("checkpoints.view_checkpoint", user, mine)
    assign_perm("checkpoints.change_checkpoint", user, mine)
    client.force_login(user)
    assert page(client.get(LIST)).get_by_role("table").column("Name") == [mine.name]
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
    menu = page(client.get(reverse("home"))).get_by_role("navigation", name="Maker")
    assert menu.query_by_role("link", name="Checkpoints") is None
    client.force_login(reader_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == LIST
    menu = page(client.get(LIST)).get_by_role("navigation", name="Maker")
    assert menu.get_by_role("link", name="Checkpoints").get("href") == LIST


def test_create_shows_the_new_checkpoint_in_the_list(full_client):
    response = full_client.post(
        ADD,
        {"name": " Opt-in collected ", "reference": " optin_fr ", "alias": "opt-in"},
        follow=True,
    )
    checkpoint = Checkpoint.objects.get()
    assert (checkpoint.name, checkpoint.reference) == ("Opt-in collected", "optin_fr")
    assert response.request["PATH_INFO"] == LIST
    shown = page(response)
    assert shown.get_by_role("status").text == "Checkpoint “Opt-in collected (optin_fr)” created."
    assert shown.get_by_role("table").column("Reference") == ["optin_fr"]


def test_invalid_input_shows_field_errors_and_saves_nothing(full_client, checkpoint):
    response = full_client.post(ADD, {"name": "", "reference": "bad ref!", "alias": "x" * 33})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["This field is required."]
    assert form.errors["reference"] == [REFERENCE_CHARACTERS_MESSAGE]
    assert form.errors["alias"] == ["Ensure this value has at most 32 characters (it has 33)."]
    shown = page(response)
    assert shown.get_by_role("alert").text == "Please correct the errors below."
    assert shown.get_by_label("Reference").get("value") == "bad ref!"
    response = full_client.post(ADD, {"name": "Again", "reference": "recognised"})
    assert response.context["form"].errors["reference"] == [REFERENCE_UNIQUE_MESSAGE]
    assert list(Checkpoint.objects.values_list("reference", flat=True)) == ["recognised"]


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
    form_page = full_client.get(url)
    assert form_page.context["form"].initial == {
        "name": "Recognised customer",
        "reference": "recognised",
        "alias": "known",
    }
    shown = page(form_page)
    assert "Change its Name and its Reference" in shown.get_by_role("note").text
    assert shown.get_by_label("Reference").get("value") == "recognised"
    assert shown.get_by_role("button", name="Save").get("type") == "submit"
    unchanged = full_client.post(url, {"name": "Recognised customer", "reference": "recognised"})
    assert unchanged.status_code == 200
    assert unchanged.context["form"].errors["reference"] == [REFERENCE_UNIQUE_MESSAGE]
    assert Checkpoint.objects.count() == 1
    response = full_client.post(
        url, {"name": "Recognised again", "reference": "recognised_2", "alias": "known"}
    )
    assert response.status_code == 302
    assert Checkpoint.objects.filter(reference="recognised_2", alias="known").exists()


def test_delete_asks_for_confirmation_then_deletes(full_client, checkpoint):
    url = object_urls(checkpoint.pk)["delete"]
    confirmation = page(full_client.get(url))
    heading = "Delete checkpoint “Recognised customer (recognised)”?"
    assert confirmation.get_by_role("heading", level=1).text == heading
    assert confirmation.get_by_role("button", name="Delete").get("type") == "submit"
    assert Checkpoint.objects.exists()
    response = full_client.post(url, follow=True)
    assert not Checkpoint.objects.exists()
    deleted = "Checkpoint “Recognised customer (recognised)” deleted."
    assert page(response).get_by_role("status").text == deleted


def test_bulk_delete_confirms_then_deletes_in_one_go(full_client, make_checkpoints):
    first, second, kept = make_checkpoints(3)
    confirmation = full_client.post(BULK, {"pk": [first.pk, second.pk]})
    assert confirmation.status_code == 200
    shown = page(confirmation)
    assert shown.get_by_role("heading", level=1).text == "Delete 2 checkpoints?"
    listed = shown.get_by_role("list", name="To delete").get_all_by_role("listitem")
    assert [item.text for item in listed] == [str(first), str(second)]
    assert shown.get_by_role("button", name="Delete").get("value") == "1"
    assert Checkpoint.objects.count() == 3
    response = full_client.post(BULK, {"pk": [first.pk, second.pk], "confirm": "1"}, follow=True)
    assert list(Checkpoint.objects.all()) == [kept]
    assert page(response).get_by_role("status").text == "2 checkpoints deleted."


def test_bulk_delete_with_nothing_selected_or_unknown_ids(full_client, checkpoint):
    response = full_client.post(BULK, {}, follow=True)
    assert page(response).get_by_role("status").text == "Select at least one checkpoint to delete."
    assert Checkpoint.objects.filter(pk=checkpoint.pk).exists()
    response = full_client.post(BULK, {"pk": [checkpoint.pk, 424242], "confirm": "1"}, follow=True)
    assert page(response).get_by_role("alert").text == "No checkpoint with id 424242."
    assert list(Checkpoint.objects.all()) == [checkpoint]


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
        row.record.name for row in full_client.get(LIST, {"search": text}).context["table"].rows
    ]
    assert names("CALLB") == ["Callback offered"]
    assert names("upsell_") == ["Upsell offered"]
    assert names("offered") == ["Callback offered", "Upsell offered"]
    empty = page(full_client.get(LIST, {"search": "nothing-like-this"}))
    assert empty.get_by_text("No checkpoints match “nothing-like-this”.").tag == "p"
    assert empty.query_by_role("table") is None


def test_empty_state_invites_to_create(full_client):
    shown = page(full_client.get(LIST))
    assert shown.get_by_text("No checkpoints yet.").tag == "p"
    assert shown.get_by_role("link", name="Create the first checkpoint").get("href") == ADD


def test_sort_by_each_column(full_client):
    Checkpoint.objects.create(name="B", reference="a_ref", alias="z")
    Checkpoint.objects.create(name="A", reference="b_ref", alias="y")
    order = lambda sort: [  # noqa: E731
        row.record.name for row in full_client.get(LIST, {"sort": sort}).context["table"].rows
    ]
    assert order("name") == ["A", "B"]
    assert order("-name") == ["B", "A"]
    assert order("reference") == ["B", "A"]
    assert order("alias") == ["A", "B"]
    assert order("created_at;drop") == ["A", "B"]


def test_pagination(full_client, make_checkpoints):
    make_checkpoints(60)
    first = full_client.get(LIST)
    assert len(first.context["table"].rows) == 25
    pages = page(first).get_by_role("navigation", name="Pagination")
    assert pages.text.startswith("Page 1 of 3")
    assert pages.get_by_role("link", name="Next").get("href") == "?page=2"
    last = full_client.get(LIST, {"page": 3})
    assert len(last.context["table"].rows) == 10
    assert full_client.get(LIST, {"page": "999"}).context["page"].number == 3


def test_names_are_escaped(full_client):
    Checkpoint.objects.create(name="<script>alert(1)</script>", reference="xss")
    text = full_client.get(LIST).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert page(text).get_by_role("table").column("Name") == ["<script>alert(1)</script>"]


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
        refusal = page(response)
        assert refusal.get_by_role("heading", level=1).text == "Not allowed"
        assert refusal.get_by_text(re.compile("^Checkpoints are part of the Smart licence"))
    menu = page(full_client.get(reverse("home"))).get_by_role("navigation", name="Maker")
    assert menu.query_by_role("link", name="Checkpoints") is None


def test_the_table_marks_the_sorted_column_and_its_links_keep_the_search(full_client, checkpoint):
    shown = page(full_client.get(LIST, {"search": "rec", "sort": "-reference", "page": "1"}))
    table = shown.get_by_role("table", name="Checkpoints, page 1 of 1")
    headers = table.get_all_by_role("columnheader")
    assert [header.name for header in headers] == ["", "Name", "Reference", "Alias", "Actions"]
    assert headers[0].get_by_role("checkbox").name == "Select all on this page"
    reference = table.get_by_role("columnheader", name="Reference")
    assert reference.get("aria-sort") == "descending"
    assert reference.get_by_role("link").get("href") == "?search=rec&sort=reference"
    name = table.get_by_role("columnheader", name="Name")
    assert "aria-sort" not in name.attrs
    assert name.get_by_role("link").get("href") == "?search=rec&sort=name"
    assert table.get_by_role("columnheader", name="Actions").query_by_role("link") is None


def test_the_default_sort_is_by_name_ascending(full_client, checkpoint):
    table = page(full_client.get(LIST)).get_by_role("table")
    name = table.get_by_role("columnheader", name="Name")
    assert name.get("aria-sort") == "ascending"
    assert name.get_by_role("link").get("href") == "?sort=-name"
    assert table.row("Recognised customer").get_by_role("cell", name="known")


def test_an_empty_alias_shows_a_dash(full_client):
    Checkpoint.objects.create(name="No alias", reference="no_alias")
    assert page(full_client.get(LIST)).get_by_role("table").column("Alias") == ["—"]
