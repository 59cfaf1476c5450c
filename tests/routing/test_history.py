"""Smart Routing history: every write records a whole version (fields and tree, checkpoints
by reference) with its user; the endpoint and the History page need Read; a version is
restored after a confirmation naming what changes, through the services (Modify)."""

import pytest
from django.urls import reverse

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from routing import services
from routing.models import Node, SmartRouting
from tests.conftest import client_for, logged_in, make_user, token_client
from tests.pages import page
from tests.routing.api_helpers import LIST, full_tree, node

pytestmark = pytest.mark.django_db


def records(pk: int) -> list[tuple[str, str | None]]:
    return list(
        SmartRouting.history.filter(id=pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "history_user__username")
    )


def latest(pk: int):
    return SmartRouting.history.filter(id=pk).latest("history_date", "history_id")


def references(tree) -> list[str]:
    found = [tree["checkpoint_reference"]] if tree.get("checkpoint_reference") else []
    for child in tree["branches"].values():
        found += references(child)
    return found


def test_api_writes_record_versions_with_the_token_user(manager, optin_checkpoints):
    api = token_client(manager)
    body = {"name": "Voice", "channel": "voice", "tree": full_tree(optin_checkpoints["fr"].pk)}
    pk = api.post(LIST, body, format="json").json()["id"]
    api.patch(f"{LIST}{pk}/", {"description": "Main line"}, format="json")
    api.delete(f"{LIST}{pk}/")
    assert records(pk) == [("+", "manager"), ("~", "manager"), ("-", "manager")]
    created = SmartRouting.history.get(id=pk, history_type="+")
    assert created.tree["kind"] == "start"
    assert "optin_fr" in references(created.tree)


def test_node_writes_and_bulk_delete_record_versions(routing, manager):
    root = routing.nodes.get(parent=None)
    end = root.children.get()
    services.update_node(end, label="Renamed")
    assert latest(routing.pk).history_type == "~"
    assert "Renamed" in str(latest(routing.pk).tree)
    end_id = end.pk
    services.delete_node(end)
    assert latest(routing.pk).tree["branches"] == {}
    assert Node.history.filter(id=end_id, history_type="-").exists()
    other = services.create_routing(name="Other", channel="email")
    services.bulk_delete_routings(user=manager, ids=[routing.pk, other.pk])
    deleted = SmartRouting.history.filter(history_type="-")
    assert sorted(deleted.values_list("id", flat=True)) == sorted([routing.pk, other.pk])
    assert set(deleted.values_list("history_user__username", flat=True)) == {"manager"}


def test_maker_edit_records_the_user_and_the_field_diff(client, manager, routing):
    logged_in(client, manager)
    edit = reverse("routing:smartrouting_edit", args=[routing.pk])
    response = client.post(edit, {"name": "Voice FR main", "channel": "voice", "description": ""})
    assert response.status_code == 302
    body = client_for(manager).get(f"{LIST}{routing.pk}/history/").json()
    assert body["results"][0]["user"] == "manager"
    assert {"field": "name", "old": "Voice FR", "new": "Voice FR main"} in body["results"][0][
        "changes"
    ]
    assert body["results"][-1]["action"] == "created"


def test_history_needs_read_and_the_licence(routing, settings):
    nobody = make_user("nobody")
    assert client_for(nobody).get(f"{LIST}{routing.pk}/history/").status_code == 403
    url = reverse("routing:smartrouting_history", args=[routing.pk])
    assert logged_in(client_for(nobody), nobody).get(url).status_code == 403
    reader = make_user("reader", ["routing.view_smartrouting"])
    assert client_for(reader).get(f"{LIST}{routing.pk}/history/").status_code == 200
    settings.SMART_LICENCE = False
    assert client_for(reader).get(f"{LIST}{routing.pk}/history/").status_code == 403


def restore_setup(routing, optin_checkpoints):
    first = latest(routing.pk)
    services.update_routing(
        routing, name="Voice FR v2", tree=node("start", "Start", {"next": node("end", "Bye")})
    )
    return first


def test_restore_confirmation_shows_what_changes_then_restores(
    client, manager, routing, optin_checkpoints
):
    first = restore_setup(routing, optin_checkpoints)
    logged_in(client, manager)
    history = page(client.get(reverse("routing:smartrouting_history", args=[routing.pk])))
    link = (
        history.get_by_role("table").row("Created").get_by_role("link", name="Restore this version")
    )
    confirm = page(client.get(link.get("href")))
    fields = confirm.get_by_role("table")
    assert fields.column("Now") == ["Voice FR v2"]
    assert fields.column("Restored") == ["Voice FR"]
    assert confirm.get_by_role("list", name="Nodes added").text
    assert confirm.query_by_role("list", name="Missing references") is None

    response = client.post(link.get("href"))
    assert response.status_code == 302
    routing.refresh_from_db()
    assert routing.name == "Voice FR"
    restored = latest(routing.pk)
    assert restored.history_user.username == "manager"
    assert references(restored.tree) == references(first.tree)


def test_restore_resolves_checkpoints_by_reference_and_names_missing_ones(
    client, manager, routing, optin_checkpoints
):
    first = restore_setup(routing, optin_checkpoints)
    fr = optin_checkpoints["fr"]
    checkpoint_services.delete_checkpoint(fr)
    again = checkpoint_services.create_checkpoint(name="Opt-in FR", reference="optin_fr")
    other = Checkpoint.objects.create(name="Gone", reference="gone")
    logged_in(client, manager)
    url = reverse("routing:smartrouting_restore", args=[routing.pk, first.history_id])
    client.post(url)
    chosen = set(
        routing.nodes.filter(checkpoint__isnull=False).values_list("checkpoint", flat=True)
    )
    assert chosen == {again.pk}
    assert other.pk not in chosen

    checkpoint_services.delete_checkpoint(again)
    confirm = page(client.get(url))
    assert confirm.get_by_role("list", name="Missing references").text == "optin_fr"
    client.post(url)
    assert routing.nodes.filter(reference_code="optin_fr", checkpoint__isnull=True).exists()


def test_restore_needs_modify(routing, optin_checkpoints):
    first = restore_setup(routing, optin_checkpoints)
    reader = make_user("reader", ["routing.view_smartrouting"])
    client = logged_in(client_for(reader), reader)
    url = reverse("routing:smartrouting_restore", args=[routing.pk, first.history_id])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    routing.refresh_from_db()
    assert routing.name == "Voice FR v2"
    history = page(client.get(reverse("routing:smartrouting_history", args=[routing.pk])))
    assert history.query_by_role("link", name="Restore this version") is None


def test_admin_history_view_lists_the_versions(admin_client, routing):
    services.update_routing(routing, description="Main line")
    response = admin_client.get(reverse("admin:routing_smartrouting_history", args=[routing.pk]))
    assert response.status_code == 200
    assert response.text.count("Voice FR") >= 2


def test_maker_duplicate_delete_and_bulk_delete_are_recorded(client, manager, routing):
    logged_in(client, manager)
    duplicate = reverse("routing:smartrouting_duplicate", args=[routing.pk])
    form = {"name": "Voice FR copy", "channel": "voice", "description": ""}
    assert client.post(duplicate, form).status_code == 302
    copy = SmartRouting.objects.get(name="Voice FR copy")
    assert records(copy.pk) == [("+", "manager")]
    assert references(latest(copy.pk).tree) == references(latest(routing.pk).tree)
    client.post(reverse("routing:smartrouting_delete", args=[routing.pk]))
    client.post(reverse("routing:smartrouting_bulk_delete"), {"pk": [copy.pk], "confirm": "1"})
    assert records(routing.pk)[-1] == ("-", "manager")
    assert records(copy.pk)[-1] == ("-", "manager")
