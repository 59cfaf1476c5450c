"""The Audit log (for users who may change roles) and the history of roles and grants."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from checkpoints import services as checkpoint_services
from routing import services as routing_services
from tests.conftest import checkpoint_perms, logged_in, make_user
from tests.maker.test_roles import GROUP_RIGHTS, role_post
from tests.pages import page

pytestmark = pytest.mark.django_db

AUDIT = reverse("audit_log")


@pytest.fixture
def auditor(db):
    return make_user("auditor", GROUP_RIGHTS)


def log(client, **params) -> list[list[str]]:
    table = page(client.get(AUDIT, params)).query_by_role("table")
    if table is None:
        return []
    return [
        [table.column(name)[n] for name in ("User", "Entity", "Action")]
        for n in range(len(table.column("User")))
    ]


def test_role_saved_on_the_roles_page_is_one_record_with_rights_and_members(
    client, auditor, plain_user, django_capture_on_commit_callbacks
):
    logged_in(client, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roles:role_add"), role_post("Agents", [plain_user], ["view"]))
    group = Group.objects.get(name="Agents")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("roles:role_edit", args=[group.pk]), role_post("Agents", [], ["view", "add"])
        )
    records = list(Group.history.filter(id=group.pk).order_by("history_date"))
    assert [(r.history_type, r.history_user.username) for r in records] == [
        ("+", "auditor"),
        ("~", "auditor"),
    ]
    assert records[0].members == ["plain"]
    assert records[0].permissions == ["checkpoints.view_checkpoint"]
    assert records[1].members == []
    assert records[1].permissions == ["checkpoints.add_checkpoint", "checkpoints.view_checkpoint"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roles:role_delete", args=[group.pk]))
    assert Group.history.filter(id=group.pk).latest("history_date").history_type == "-"


def test_grants_are_recorded(plain_user, checkpoint):
    assign_perm("checkpoints.view_checkpoint", plain_user, checkpoint)
    remove_perm("checkpoints.view_checkpoint", plain_user, checkpoint)
    assert list(
        UserObjectPermission.history.values_list("history_type", flat=True).order_by("history_date")
    ) == ["+", "-"]


def test_audit_log_lists_every_entity_newest_first_and_filters(client, auditor, full_user):
    checkpoint = checkpoint_services.create_checkpoint(name="Opt-in", reference="optin")
    routing_services.create_routing(name="Voice", channel="voice")
    assign_perm("checkpoints.change_checkpoint", full_user, checkpoint)
    checkpoint_services.bulk_delete_checkpoints(user=full_user, ids=[checkpoint.pk])
    logged_in(client, auditor)
    rows = log(client)
    assert rows[0] == ["full", "Checkpoint", "Deleted"]
    assert ["unknown", "Smart Routing", "Created"] in rows
    assert ["unknown", "Grant to a user", "Created"] in rows
    assert ["unknown", "Checkpoint", "Created"] in rows
    assert log(client, user=full_user.pk) == [["full", "Checkpoint", "Deleted"]]
    assert log(client, entity="routing") == [["unknown", "Smart Routing", "Created"]]
    assert [row[2] for row in log(client, action="created", entity="checkpoint")] == ["Created"]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert log(client, since=tomorrow.isoformat()) == []


def test_audit_log_pages_by_cursor_at_a_fixed_cost(client, auditor, checkpoint):
    for n in range(60):
        checkpoint_services.update_checkpoint(checkpoint, alias=f"a{n}")
    logged_in(client, auditor)
    with CaptureQueriesContext(connection) as first_page:
        first = page(client.get(AUDIT))
    assert len(first.get_by_role("table").column("User")) == 50
    older = first.get_by_role("link", name="Older").get("href")
    with CaptureQueriesContext(connection) as second_page:
        second = page(client.get(AUDIT + older))
    assert len(second.get_by_role("table").column("User")) == 11
    assert second.query_by_role("link", name="Older") is None
    second.get_by_role("link", name="Newest")
    assert len(first_page) == len(second_page)


def test_audit_log_needs_the_right_to_change_roles(client, full_user, settings, auditor):
    logged_in(client, full_user)
    assert client.get(AUDIT).status_code == 403
    logged_in(client, auditor)
    home = page(client.get(reverse("roles:role_list")))
    home.get_by_role("link", name="Audit log")
    settings.SMART_LICENCE = False
    checkpoint_services.create_checkpoint(name="Opt-in", reference="optin")
    assert all(row[1] != "Checkpoint" for row in log(client))


def test_checkpoint_rights_alone_do_not_show_the_menu_entry(client):
    user = make_user("cp", checkpoint_perms("full"))
    logged_in(client, user)
    listing = page(client.get(reverse("checkpoints:checkpoint_list")))
    assert listing.query_by_role("link", name="Audit log") is None


def test_a_role_changed_in_the_django_admin_is_one_record_by_its_user(
    admin_client, superuser, plain_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        group = Group.objects.create(name="Agents")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:auth_group_change", args=[group.pk]),
            {"name": "Agents FR", "permissions": []},
        )
    assert response.status_code == 302
    latest = Group.history.filter(id=group.pk).latest("history_date")
    assert (latest.history_type, latest.history_user, latest.name) == ("~", superuser, "Agents FR")
    with django_capture_on_commit_callbacks(execute=True):
        plain_user.groups.add(group)
    assert Group.history.filter(id=group.pk).latest("history_date").members == ["plain"]


def test_a_bad_filter_is_named_and_lists_nothing(client, auditor, checkpoint):
    logged_in(client, auditor)
    response = client.get(AUDIT, {"since": "not a day"})
    assert response.status_code == 200
    assert page(response).get_by_label("From").get("aria-invalid") == "true" or (
        "Enter a valid date." in response.text
    )
    assert log(client, since="not a day") == []
