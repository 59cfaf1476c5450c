"""Smart Routing editor pages: the rights of each page, the routing list and its forms
(create, edit, duplicate, delete, bulk delete) and the Smart licence."""

import re

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing import services
from routing.models import Node, SmartRouting
from tests.conftest import make_user, messages_of
from tests.pages import page
from tests.routing.pages.editor import (
    ADD,
    BULK,
    LIST,
    READ_INTERACTIONS,
    alerts,
    node_data,
    page_urls,
    routing_perms,
    tree_of,
    url,
)

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    """The names in a list page's table (none without a table)."""
    table = page(response).query_by_role("table")
    return table.column("Name") if table else []


# ---- Rights ----


@pytest.mark.parametrize("right", ["view", "add", "change", "delete"])
def test_each_page_needs_its_right(client, routing, root, child, right):
    client.force_login(make_user("one-right", routing_perms(right)))
    for needed, address in page_urls(routing, root, child):
        # Duplicating needs the right to add and to read the source.
        expected = 200 if needed == right and "duplicate" not in address else 403
        assert client.get(address).status_code == expected, (right, address)


def test_a_reader_sees_the_tree_without_editor_buttons(reader_client, routing, child):
    response = reader_client.get(url("smartrouting_detail", pk=routing.pk))
    assert response.status_code == 200
    shown = page(response)
    tree = tree_of(shown)
    assert tree.get_by_text("Opt-in").tag == "strong"
    assert tree.get_by_text("Checkpoint: Opt-in French optin_fr")
    for link in ("Edit", "Duplicate", "Delete", re.compile("^(Add a node|Edit node|Delete node)")):
        assert shown.query_by_role("link", name=link) is None, link
    assert shown.query_by_role("region", name="Test run") is None
    assert len(tree.get_all_by_text("not wired: a run stops here")) == 2
    listing = page(reader_client.get(LIST))
    assert listing.get_by_role("table").column("Name") == ["Voice IVR"]
    assert listing.query_by_role("link", name="New smart routing") is None
    assert listing.query_by_role("button", name="Delete selected") is None
    row = listing.get_by_role("table").row("Voice IVR")
    assert [link.get("href") for link in row.get_all_by_role("link")] == [
        routing.get_absolute_url()
    ]
    assert reader_client.post(url("node_delete", pk=routing.pk, node=child.pk)).status_code == 403
    assert Node.objects.filter(pk=child.pk).exists()


def test_a_full_user_sees_every_button(full_client, routing, child):
    create_interaction(channel="voice")
    shown = page(full_client.get(url("smartrouting_detail", pk=routing.pk)))
    edit = shown.get_by_role("link", name="Edit").get("href")
    assert edit.startswith(url("smartrouting_edit", pk=routing.pk) + "?return_url=")
    for action in ("duplicate", "delete"):
        link = shown.get_by_role("link", name=action.capitalize())
        assert link.get("href") == url(f"smartrouting_{action}", pk=routing.pk)
    assert tree_of(shown).get_all_by_role("link", name=re.compile("^Add a node under “Opt-in”"))
    run = shown.get_by_role("region", name="Test run")
    assert run.get_by_role("button", name="Run").get("type") == "submit"
    listing = page(full_client.get(LIST))
    assert listing.get_by_role("link", name="New smart routing").get("href") == ADD
    assert listing.get_by_role("button", name="Delete selected")


def test_rights_on_one_routing(client, routing, root):
    other = services.create_routing(name="Email flow", channel="email")
    user = make_user("one-routing")
    assign_perm("routing.view_smartrouting", user, routing)
    assign_perm("routing.change_smartrouting", user, routing)
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == ["Voice IVR"]
    assert client.get(url("smartrouting_detail", pk=routing.pk)).status_code == 200
    assert client.get(url("smartrouting_detail", pk=other.pk)).status_code == 403
    assert client.get(url("smartrouting_edit", pk=routing.pk)).status_code == 200
    assert client.get(url("smartrouting_edit", pk=other.pk)).status_code == 403
    assert client.get(ADD).status_code == 403
    response = client.post(
        url("node_add", pk=routing.pk, parent=root.pk), node_data("end", "next", label="Hang up")
    )
    assert response.status_code == 302
    assert list(routing.nodes.filter(kind="end").values_list("label", "parent")) == [
        ("Hang up", root.pk)
    ]
    other_root = other.nodes.get(parent=None)
    response = client.post(
        url("node_add", pk=other.pk, parent=other_root.pk), node_data("end", "next")
    )
    assert response.status_code == 403
    assert list(other.nodes.all()) == [other_root]
    # A node of another routing is not found through this one.
    assert client.get(url("node_edit", pk=routing.pk, node=other_root.pk)).status_code == 404


def test_test_run_needs_the_attach_right(client, routing, root):
    interaction = create_interaction(channel="voice")
    client.force_login(make_user("viewer", [*routing_perms("view"), READ_INTERACTIONS]))
    detail = page(client.get(url("smartrouting_detail", pk=routing.pk)))
    assert detail.query_by_role("region", name="Test run") is None
    response = client.post(url("smartrouting_run", pk=routing.pk), {"interaction": interaction.pk})
    assert response.status_code == 403
    assert not InteractionCheckpoint.objects.exists()


def test_the_licence_off_refuses_every_page(full_client, routing, root, child, settings):
    settings.SMART_LICENCE = False
    for _, address in page_urls(routing, root, child):
        response = full_client.get(address)
        assert response.status_code == 403, address
        refusal = page(response)
        assert refusal.get_by_role("heading", level=1).text == "Not allowed"
        assert refusal.get_by_text(re.compile("^Checkpoints are part of the Smart licence"))
    interaction = create_interaction(channel="voice")
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk), {"interaction": interaction.pk}
    )
    assert response.status_code == 403
    assert not InteractionCheckpoint.objects.exists()
    interactions = page(full_client.get(reverse("interactions:interaction_list")))
    menu = interactions.get_by_role("navigation", name="Maker")
    assert menu.query_by_role("link", name="Smart Routing") is None
    assert "Smart Routing" not in interactions.text


# ---- Routings: list, create, edit, duplicate, delete ----


def test_list_filters_by_channel_and_search(full_client, routing):
    services.create_routing(name="Email campaign", channel="email")
    services.create_routing(name="Voice overflow", channel="voice")

    def shown(**query):
        return set(listed(full_client.get(LIST, query)))

    assert shown() == {"Voice IVR", "Email campaign", "Voice overflow"}
    assert shown(channel="email") == {"Email campaign"}
    assert shown(search="voice") == {"Voice IVR", "Voice overflow"}
    assert shown(search="overflow", channel="voice") == {"Voice overflow"}
    assert shown(search="ivr", channel="email") == set()
    empty = page(full_client.get(LIST, {"search": "nothing"}))
    assert empty.get_by_text("No smart routings match “nothing”.").tag == "p"
    search = empty.get_by_role("search")
    assert search.get_by_role("searchbox", name="Search").get("value") == "nothing"
    assert search.get_by_role("combobox", name="Channel").get("name") == "channel"


def test_the_list_table_shows_each_column_sorted_by_the_header_links(full_client, routing):
    services.create_routing(name="Email campaign", channel="email")
    table = page(full_client.get(LIST, {"channel": "email", "sort": "channel"})).get_by_role(
        "table", name="Smart routings, page 1 of 1"
    )
    headers = table.get_all_by_role("columnheader")
    assert [header.name for header in headers] == [
        "", "Name", "Channel", "Last changed", "Actions",
    ]  # fmt: skip
    channel = table.get_by_role("columnheader", name="Channel")
    assert channel.get("aria-sort") == "ascending"
    assert channel.get_by_role("link").get("href") == "?channel=email&sort=-channel"
    assert table.column("Channel") == ["Email"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", table.column("Last changed")[0])
    checkbox = table.get_by_role("checkbox", name="Select Email campaign")
    assert checkbox.get("name") == "pk"


def test_create_a_routing_starts_with_a_start_node(full_client):
    form = page(full_client.get(ADD))
    assert form.get_by_role("heading", level=1).text == "New smart routing"
    for label, tag in (("Name", "input"), ("Channel", "select"), ("Description", "textarea")):
        assert form.get_by_label(label).tag == tag
    response = full_client.post(
        ADD, {"name": "  Messaging  ", "channel": "messaging", "description": "Chat"}
    )
    routing = SmartRouting.objects.get()
    assert response.status_code == 302
    assert response.url == routing.get_absolute_url()
    assert "Smart routing “Messaging” created." in messages_of(response)
    assert (routing.name, routing.channel, routing.description) == (
        "Messaging",
        "messaging",
        "Chat",
    )
    assert list(routing.nodes.values_list("kind", "parent")) == [("start", None)]
    tree = tree_of(page(full_client.get(response.url)))
    start = tree.get_all_by_role("listitem")[0]
    assert start.get_by_role("link", name="Edit node “Start”")
    assert tree.get_by_role("link", name=re.compile("^Add a node under “Start”"))


def test_create_refuses_invalid_fields(full_client):
    response = full_client.post(ADD, {"name": "", "channel": "fax"})
    assert response.status_code == 200
    shown = page(response)
    assert "This field is required." in shown.get_by_label("Name").description
    assert "Select a valid choice." in shown.get_by_label("Channel").description
    assert not SmartRouting.objects.exists()


def test_edit_a_routing(full_client, routing):
    address = url("smartrouting_edit", pk=routing.pk)
    response = full_client.post(
        address, {"name": "Voice IVR 2", "channel": "voice", "description": "New"}
    )
    assert response.status_code == 302
    assert "Smart routing “Voice IVR 2” saved." in messages_of(response)
    routing.refresh_from_db()
    assert (routing.name, routing.description) == ("Voice IVR 2", "New")
    # From the routing page, the form comes back to it.
    detail = routing.get_absolute_url()
    response = full_client.post(
        f"{address}?return_url={detail}", {"name": "Voice IVR", "channel": "voice"}
    )
    assert response.url == detail
    routing.refresh_from_db()
    assert (routing.name, routing.description) == ("Voice IVR", "")


def test_duplicate_copies_the_tree(full_client, routing, child):
    response = full_client.post(
        url("smartrouting_duplicate", pk=routing.pk),
        {"name": "Voice IVR (copy)", "channel": "voice", "description": ""},
    )
    copy = SmartRouting.objects.get(name="Voice IVR (copy)")
    assert response.status_code == 302
    assert sorted(copy.nodes.values_list("kind", "label", "outcome", "checkpoint")) == sorted(
        routing.nodes.values_list("kind", "label", "outcome", "checkpoint")
    )
    assert not set(copy.nodes.values_list("pk", flat=True)) & set(
        routing.nodes.values_list("pk", flat=True)
    )


def test_delete_a_routing_with_confirmation(full_client, routing, child):
    address = url("smartrouting_delete", pk=routing.pk)
    confirm = page(full_client.get(address))
    assert confirm.get_by_role("heading", level=1).text == "Delete smart routing “Voice IVR”?"
    assert any(
        alert.startswith("Its tree (2 nodes) is deleted with it.") for alert in alerts(confirm)
    )
    assert confirm.get_by_role("button", name="Delete").get("type") == "submit"
    assert routing.nodes.count() == 2
    response = full_client.post(address)
    assert response.url == LIST
    assert "Smart routing “Voice IVR” deleted." in messages_of(response)
    assert not SmartRouting.objects.exists() and not Node.objects.exists()


def test_bulk_delete(full_client, routing):
    other = services.create_routing(name="Email flow", channel="email")
    keep = services.create_routing(name="Keep me", channel="email")
    ids = {"pk": [routing.pk, other.pk]}
    confirm = full_client.post(BULK, ids)
    assert confirm.status_code == 200
    to_delete = page(confirm).get_by_role("list", name="To delete")
    assert sorted(item.text for item in to_delete.get_all_by_role("listitem")) == [
        str(other),
        str(routing),
    ]
    assert SmartRouting.objects.count() == 3
    response = full_client.post(BULK, {**ids, "confirm": "1"})
    assert "2 smart routings deleted." in messages_of(response)
    assert list(SmartRouting.objects.all()) == [keep]


def test_bulk_delete_refuses_routings_without_the_right(client, routing):
    other = services.create_routing(name="Email flow", channel="email")
    user = make_user("deleter", routing_perms("view"))
    assign_perm("routing.delete_smartrouting", user, routing)
    client.force_login(user)
    assert client.post(BULK, {"pk": [routing.pk, other.pk]}).status_code == 403
    response = client.post(BULK, {"pk": [routing.pk, other.pk], "confirm": "1"})
    assert response.status_code == 403
    assert SmartRouting.objects.count() == 2
    client.post(BULK, {"pk": [routing.pk], "confirm": "1"})
    assert list(SmartRouting.objects.all()) == [other]
