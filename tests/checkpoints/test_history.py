"""Checkpoint configuration history: every write from the Maker, the admin and the API is
recorded with its user and field diffs; the History page and endpoint need Read; costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints import services
from checkpoints.models import Checkpoint
from tests.conftest import LICENCE_BODY, client_for, logged_in, make_user, token_client
from tests.pages import page

pytestmark = pytest.mark.django_db

API = "/api/v1/checkpoints/"


def records(pk: int) -> list[tuple[str, str | None]]:
    """(action code, username) of a checkpoint's records, oldest first."""
    return list(
        Checkpoint.history.filter(id=pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "history_user__username")
    )


def history_url(pk: int) -> str:
    return f"{API}{pk}/history/"


@pytest.fixture
def editor(db):
    return make_user("editor", [f"checkpoints.{a}_checkpoint" for a in ("view", "add", "change")])


# --- Writes from each door ---------------------------------------------------------------------


def test_maker_pages_record_create_edit_duplicate_delete_with_the_user(client, full_user):
    logged_in(client, full_user)
    form = {"name": "Opt-in", "reference": "optin", "alias": "oi"}
    assert client.post(reverse("checkpoints:checkpoint_add"), form).status_code == 302
    created = Checkpoint.objects.get(reference="optin")
    edit = reverse("checkpoints:checkpoint_edit", args=[created.pk])
    assert client.post(edit, {**form, "reference": "optin_fr"}).status_code == 302
    duplicate = reverse("checkpoints:checkpoint_duplicate", args=[created.pk])
    assert client.post(duplicate, {**form, "reference": "optin_en"}).status_code == 302
    copy = Checkpoint.objects.get(reference="optin_en")
    delete = reverse("checkpoints:checkpoint_delete", args=[created.pk])
    assert client.post(delete).status_code == 302
    bulk = reverse("checkpoints:checkpoint_bulk_delete")
    assert client.post(bulk, {"pk": [copy.pk], "confirm": "1"}).status_code == 302

    assert records(created.pk) == [("+", "full"), ("~", "full"), ("-", "full")]
    assert records(copy.pk) == [("+", "full"), ("-", "full")]
    edited = Checkpoint.history.get(id=created.pk, history_type="~")
    delta = edited.diff_against(edited.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("reference", "optin", "optin_fr")]


def test_admin_records_add_change_delete_and_delete_selected(admin_client, superuser):
    form = {"name": "Opt-in", "reference": "optin", "alias": ""}
    admin_client.post(reverse("admin:checkpoints_checkpoint_add"), form)
    first = Checkpoint.objects.get(reference="optin")
    change = reverse("admin:checkpoints_checkpoint_change", args=[first.pk])
    admin_client.post(change, {**form, "name": "Opt-in collected"})
    second = services.create_checkpoint(name="Other", reference="other")
    admin_client.post(
        reverse("admin:checkpoints_checkpoint_delete", args=[first.pk]), {"post": "yes"}
    )
    admin_client.post(
        reverse("admin:checkpoints_checkpoint_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
    )
    assert records(first.pk) == [("+", "root"), ("~", "root"), ("-", "root")]
    assert records(second.pk) == [("+", None), ("-", "root")]


def test_admin_history_view_lists_the_changes(admin_client):
    admin_client.post(
        reverse("admin:checkpoints_checkpoint_add"),
        {"name": "Opt-in", "reference": "optin", "alias": ""},
    )
    checkpoint = Checkpoint.objects.get()
    response = admin_client.get(
        reverse("admin:checkpoints_checkpoint_history", args=[checkpoint.pk])
    )
    assert response.status_code == 200
    assert "root" in response.text


def test_api_token_writes_record_the_token_user(full_user):
    api = token_client(full_user)
    created = api.post(API, {"name": "Opt-in", "reference": "optin"}, format="json").json()
    api.patch(f"{API}{created['id']}/", {"alias": "oi"}, format="json")
    copy = api.post(f"{API}{created['id']}/duplicate/", {"reference": "optin_2"}, format="json")
    api.delete(f"{API}{created['id']}/")
    api.post(f"{API}bulk-delete/", {"ids": [copy.json()["id"]]}, format="json")
    assert records(created["id"]) == [("+", "full"), ("~", "full"), ("-", "full")]
    assert records(copy.json()["id"]) == [("+", "full"), ("-", "full")]


def test_bulk_delete_leaves_one_record_per_checkpoint(full_user, make_checkpoints):
    ids = [checkpoint.pk for checkpoint in make_checkpoints(25)]
    services.bulk_delete_checkpoints(user=full_user, ids=ids)
    deleted = Checkpoint.history.filter(history_type="-")
    assert sorted(deleted.values_list("id", flat=True)) == sorted(ids)
    assert set(deleted.values_list("history_user", flat=True)) == {full_user.pk}
    assert set(deleted.values_list("reference", flat=True)) == {f"cp_{n:04d}" for n in range(25)}


# --- The history endpoint ----------------------------------------------------------------------


def test_history_endpoint_answers_newest_first_with_field_diffs(full_user):
    api = token_client(full_user)
    pk = api.post(API, {"name": "Opt-in", "reference": "optin"}, format="json").json()["id"]
    api.patch(f"{API}{pk}/", {"name": "Opt-in collected", "alias": "oi"}, format="json")

    body = api.get(history_url(pk)).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    changed, created = body["results"]
    assert changed["user"] == "full"
    assert changed["action"] == "changed"
    assert changed["changes"] == [
        {"field": "alias", "old": "", "new": "oi"},
        {"field": "name", "old": "Opt-in", "new": "Opt-in collected"},
    ]
    assert created["action"] == "created"
    assert {"field": "reference", "old": None, "new": "optin"} in created["changes"]
    assert changed["at"] > created["at"]


def test_a_page_boundary_diffs_against_the_record_on_the_next_page(full_user, checkpoint):
    for n in range(3):
        services.update_checkpoint(checkpoint, name=f"Name {n}")
    body = client_for(full_user).get(history_url(checkpoint.pk), {"page_size": 1}).json()
    assert body["results"][0]["changes"] == [{"field": "name", "old": "Name 1", "new": "Name 2"}]
    cursor = client_for(full_user).get(history_url(checkpoint.pk), {"cursor": ""}).json()
    assert cursor["count"] is None
    assert len(cursor["results"]) == 4


def test_history_needs_read_on_the_checkpoint(checkpoint):
    nobody = make_user("nobody")
    other_reader = make_user("other")
    elsewhere = Checkpoint.objects.create(name="Other", reference="other")
    assign_perm("checkpoints.view_checkpoint", other_reader, elsewhere)
    assert client_for(nobody).get(history_url(checkpoint.pk)).status_code == 403
    assert client_for(other_reader).get(history_url(checkpoint.pk)).status_code == 404
    assert client_for(other_reader).get(history_url(elsewhere.pk)).status_code == 200
    page_url = reverse("checkpoints:checkpoint_history", args=[checkpoint.pk])
    assert logged_in(client_for(nobody), nobody).get(page_url).status_code == 403


def test_licence_off_refuses_the_history(full_user, checkpoint, settings, client):
    settings.SMART_LICENCE = False
    response = token_client(full_user).get(history_url(checkpoint.pk))
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY
    page_url = reverse("checkpoints:checkpoint_history", args=[checkpoint.pk])
    assert logged_in(client, full_user).get(page_url).status_code == 403


# --- The History page --------------------------------------------------------------------------


def test_history_page_says_who_changed_the_reference_and_when(client, full_user, editor):
    checkpoint = Checkpoint.objects.create(name="Opt-in", reference="optin")
    logged_in(client, editor)
    edit = reverse("checkpoints:checkpoint_edit", args=[checkpoint.pk])
    client.post(edit, {"name": "Opt-in", "reference": "optin_fr", "alias": ""})

    logged_in(client, full_user)
    detail = page(client.get(checkpoint.get_absolute_url()))
    link = detail.get_by_role("link", name="History")
    history = page(client.get(link.get("href")))
    history.get_by_role("heading", name="History of Opt-in (optin_fr)")
    table = history.get_by_role("table")
    assert table.column("User") == ["editor", "unknown"]
    assert table.column("Action") == ["Changed", "Created"]
    assert table.row("editor").text.count("optin → optin_fr") == 1
    recorded = Checkpoint.history.filter(id=checkpoint.pk).latest("history_date")
    assert recorded.history_date.strftime("%Y-%m-%d %H:%M:%S") in table.row("editor").text


def test_history_page_pages_by_cursor(client, full_user, checkpoint):
    for n in range(55):
        services.update_checkpoint(checkpoint, alias=f"a{n}")
    logged_in(client, full_user)
    url = reverse("checkpoints:checkpoint_history", args=[checkpoint.pk])
    first = page(client.get(url))
    assert len(first.get_by_role("table").column("Action")) == 50
    older = page(client.get(url + first.get_by_role("link", name="Older").get("href")))
    assert older.get_by_role("table").column("Action") == ["Changed"] * 5 + ["Created"]
    assert older.query_by_role("link", name="Older") is None
    older.get_by_role("link", name="Newer")


# --- Costs -------------------------------------------------------------------------------------


def edit_queries(api, pk: int, alias: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.patch(f"{API}{pk}/", {"alias": alias}, format="json").status_code == 200
    return len(captured)


def test_an_edit_costs_at_most_two_more_queries(full_user, checkpoint, settings):
    api = token_client(full_user)
    edit_queries(api, checkpoint.pk, "warm")
    settings.SIMPLE_HISTORY_ENABLED = False
    without = edit_queries(api, checkpoint.pk, "off")
    settings.SIMPLE_HISTORY_ENABLED = True
    with_history = edit_queries(api, checkpoint.pk, "on")
    assert without < with_history <= without + 2


def history_queries(full_user, checkpoint, url) -> int:
    client = logged_in(client_for(full_user), full_user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("kind", ["api", "page"])
def test_history_reads_cost_the_same_for_3_or_60_records(full_user, checkpoint, kind):
    url = (
        history_url(checkpoint.pk)
        if kind == "api"
        else reverse("checkpoints:checkpoint_history", args=[checkpoint.pk])
    )
    for n in range(3):
        services.update_checkpoint(checkpoint, alias=f"a{n}")
    few = history_queries(full_user, checkpoint, url)
    for n in range(60):
        services.update_checkpoint(checkpoint, alias=f"b{n}")
    assert history_queries(full_user, checkpoint, url) == few
