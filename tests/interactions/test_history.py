"""The Interactions history list: rights, newest first, pagination, each filter, the Live badge,
fixed query count; and the demo interactions (interactions.demo)."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints import demo as checkpoint_demo
from checkpoints.models import Checkpoint
from interactions import demo, services
from interactions.models import Interaction, InteractionCheckpoint
from tests.conftest import make_user
from tests.interactions.journeys import VIEW, attach, detail_url, make_interaction
from tests.pages import page

pytestmark = pytest.mark.django_db

LIST = reverse("interactions:interaction_list")
DAY = datetime.datetime(2025, 6, 10, 12, 0, tzinfo=datetime.UTC)


def listed(html) -> list[int]:
    """Ids of the interactions the list shows, in order (its rows' links)."""
    table = page(html).query_by_role("table", name="Interactions, newest first")
    if table is None:
        return []
    links = table.get_all_by_role("link", name=re.compile(r"^Interaction #\d+$"))
    return [int(link.name.removeprefix("Interaction #")) for link in links]


def maker_menu(response):
    return page(response).get_by_role("navigation", name="Maker")


@pytest.fixture
def reader_client(client):
    client.force_login(make_user("history-reader", [VIEW]))
    return client


@pytest.fixture
def sample(db):
    """Four interactions on different days, channels and statuses, with checkpoints."""
    optin = Checkpoint.objects.create(name="Opt-in FR", reference="optin_fr", alias="opt-in FR")
    vip = Checkpoint.objects.create(name="VIP", reference="vip", alias="VIP")
    voice = make_interaction("voice", "Alice Martin", "Billing", started_at=DAY)
    email = make_interaction(
        "email", "bob@example.com", "Invoice", started_at=DAY - datetime.timedelta(days=1)
    )
    chat = make_interaction(
        "messaging", "ALICE (chat)", "Order", started_at=DAY - datetime.timedelta(days=3)
    )
    old = make_interaction("voice", "Carol", "", started_at=DAY - datetime.timedelta(days=10))
    attach(voice, optin, label="Ask for opt-in")
    attach(email, vip)
    attach(chat, optin)
    services.close_interaction(email)
    services.close_interaction(old)
    return {"voice": voice, "email": email, "chat": chat, "old": old}


def ids(*interactions) -> list[int]:
    return [interaction.pk for interaction in interactions]


# Rights ---------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_without_the_right_the_list_answers_403(client, sample):
    client.force_login(make_user("no-interactions", ["checkpoints.view_checkpoint"]))
    assert client.get(LIST).status_code == 403


def test_a_right_on_one_interaction_lists_that_one_only(client, sample):
    user = make_user("one")
    assign_perm(VIEW, user, sample["email"])
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response.text) == ids(sample["email"])


def test_menu_entry_shows_only_to_those_who_may_read_interactions(client, sample):
    client.force_login(make_user("reader", [VIEW]))
    entry = maker_menu(client.get(LIST)).get_by_role("link", name="Interactions")
    assert (entry.get("href"), entry.get("aria-current")) == (LIST, "page")
    client.force_login(make_user("checkpoints-only", ["checkpoints.view_checkpoint"]))
    menu = maker_menu(client.get(reverse("checkpoints:checkpoint_list")))
    assert menu.query_by_role("link", name="Interactions") is None
    user = make_user("per-object")
    assign_perm(VIEW, user, sample["old"])
    client.force_login(user)
    menu = maker_menu(client.get(detail_url(sample["old"])))
    assert menu.get_by_role("link", name="Interactions").get("href") == LIST


# The list -------------------------------------------------------------------------------------


def test_newest_first_each_row_linking_to_its_details(reader_client, sample):
    html = reader_client.get(LIST).text
    assert listed(html) == ids(sample["voice"], sample["email"], sample["chat"], sample["old"])
    table = page(html).get_by_role("table", name="Interactions, newest first")
    assert table.column("Started (UTC)")[0] == "2025-06-10 12:00:00"
    for interaction in sample.values():
        link = table.get_by_role("link", name=f"Interaction #{interaction.pk}")
        assert link.get("href") == detail_url(interaction)
    assert [header.name for header in table.get_all_by_role("columnheader")] == [
        "Interaction",
        "Started (UTC)",
        "Channel",
        "Status",
        "Customer",
        "Subject",
        "Tags",
    ]


def test_ongoing_interactions_are_marked_live(reader_client, sample):
    table = page(reader_client.get(LIST)).get_by_role("table", name="Interactions, newest first")

    def cells(name: str) -> list:
        return table.row(f"#{sample[name].pk}").get_all_by_role("cell")

    for name in ("voice", "chat"):
        assert cells(name)[3].get_by_text("Live").get("class") == "badge live"
    for name in ("email", "old"):
        assert cells(name)[3].get_by_text("Closed").get("class") == "badge closed"
        assert cells(name)[3].get_all_by_text("Live") == []
    assert cells("voice")[6].get_by_text("opt-in FR").get("class") == "chip"


def test_pages_of_25_by_cursor_newest_first(reader_client):
    Interaction.objects.bulk_create(
        Interaction(channel="voice", customer=f"c{index:02d}", started_at=DAY)
        for index in range(30)
    )
    Interaction.objects.create(channel="email", customer="mail", started_at=DAY)
    first = reader_client.get(LIST)
    assert len(listed(first.text)) == 25
    assert first.context["newer_url"] == ""
    pages = page(first).get_by_role("navigation", name="Pagination")
    assert pages.get_by_role("link", name="Older").get("href") == first.context["older_url"]
    assert pages.query_by_role("link", name="Newer") is None
    second = reader_client.get(LIST + first.context["older_url"])
    assert len(listed(second.text)) == 6
    assert not set(listed(first.text)) & set(listed(second.text))
    assert second.context["older_url"] == ""
    # Newer leads back to the first page, the same rows in the same order.
    back = reader_client.get(LIST + second.context["newer_url"])
    assert listed(back.text) == listed(first.text)
    assert back.context["newer_url"] == ""
    # Filters stay on when turning pages; a malformed cursor is the first page.
    filtered = reader_client.get(LIST, {"channel": "voice"})
    assert filtered.context["older_url"].startswith("?channel=voice&older=")
    assert len(listed(reader_client.get(LIST + filtered.context["older_url"]).text)) == 5
    assert listed(reader_client.get(LIST, {"older": "not-a-cursor"}).text) == listed(first.text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"channel": "voice"}, ["voice", "old"]),
        ({"channel": "email"}, ["email"]),
        ({"channel": "messaging"}, ["chat"]),
        ({"status": "ongoing"}, ["voice", "chat"]),
        ({"status": "closed"}, ["email", "old"]),
        ({"checkpoint": "optin_fr"}, ["voice", "chat"]),
        ({"checkpoint": "vip"}, ["email"]),
        ({"checkpoint": "optin"}, []),  # a reference is matched exactly
        ({"tag": "VIP"}, ["email"]),
        ({"tag": "opt-in FR"}, ["voice", "chat"]),
        ({"started_from": "2025-06-09"}, ["voice", "email"]),
        ({"started_to": "2025-06-07"}, ["chat", "old"]),
        ({"started_from": "2025-06-01", "started_to": "2025-06-09"}, ["email", "chat"]),
        ({"customer": "alice"}, ["voice", "chat"]),
        ({"customer": "example.com"}, ["email"]),
        ({"channel": "voice", "status": "ongoing", "customer": "ali"}, ["voice"]),
    ],
)
def test_each_filter(reader_client, sample, query, expected):
    html = reader_client.get(LIST, query).text
    assert listed(html) == [sample[name].pk for name in expected]
    shown = page(html)
    assert shown.get_by_role("link", name="Clear filters").get("href") == "/interactions/"
    if not expected:
        assert shown.get_by_text("No interactions match these filters.").tag == "p"


def test_the_filter_form_is_labelled(reader_client, sample):
    filters = page(reader_client.get(LIST)).get_by_role("form", name="Filter interactions")
    for name, label in (
        ("channel", "Channel"),
        ("status", "Status"),
        ("checkpoint", "Checkpoint"),
        ("tag", "Tag"),
        ("started_from", "Started from"),
        ("started_to", "Started to"),
        ("customer", "Customer"),
    ):
        assert filters.get_by_label(label).get("id") == f"id_{name}"
    for choice in ("Channel", "Status"):
        first = filters.get_by_label(choice).get_all_by_role("option")[0]
        assert (first.text, first.get("value"), "selected" in first.attrs) == ("Any", "", True)
    assert filters.get_by_role("button", name="Filter").get("type") == "submit"
    assert filters.query_by_role("link", name="Clear filters") is None


def test_an_invalid_filter_says_why_and_lists_nothing(reader_client, sample):
    html = reader_client.get(LIST, {"channel": "fax", "started_from": "yesterday"}).text
    filters = page(html).get_by_role("form", name="Filter interactions")
    assert "Select a valid choice" in filters.get_by_label("Channel").description
    assert "Enter a valid date" in filters.get_by_label("Started from").description
    assert listed(html) == []


def test_empty_history(reader_client):
    assert page(reader_client.get(LIST)).get_by_text("No interactions yet.").tag == "p"


@pytest.mark.parametrize("rows", [1, 25])
def test_list_query_count_does_not_grow_with_rows(
    client, make_checkpoints, django_assert_num_queries, rows
):
    checkpoints = make_checkpoints(3)
    for checkpoint in checkpoints:
        checkpoint.alias = checkpoint.reference
        checkpoint.save()
    for _ in range(rows):
        interaction = make_interaction()
        for checkpoint in checkpoints:
            attach(interaction, checkpoint)
    client.force_login(make_user("counter", [VIEW]))
    client.get(LIST)
    # session, user, rights (user, roles), page, tags; the menu's per-object grants. No count.
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert len(listed(response.text)) == rows


# Demo data ------------------------------------------------------------------------------------


def run_demo() -> str:
    out = StringIO()
    checkpoint_demo.seed(out)
    demo.seed(out)
    return out.getvalue()


def test_demo_interactions_on_every_channel_live_and_closed():
    output = run_demo()
    assert "Interactions: 12 demo interactions (12 new" in output
    interactions = Interaction.objects.filter(customer__startswith="demo-")
    assert interactions.count() == len(demo.DEMO_INTERACTIONS) == 12
    for channel in Interaction.Channel.values:
        for status in Interaction.Status.values:
            assert interactions.filter(channel=channel, status=status).exists(), (channel, status)
    rows = InteractionCheckpoint.objects.filter(interaction__in=interactions)
    assert rows.count() == sum(len(d.steps) for d in demo.DEMO_INTERACTIONS)
    assert not rows.filter(action_label="").exists()
    assert not rows.filter(routing_name="").exists()
    assert rows.values("attached_at").distinct().count() == rows.count()
    for interaction in interactions:
        journey = list(interaction.attached_checkpoints.order_by("attached_at"))
        assert all(row.attached_at >= interaction.started_at for row in journey)
        if interaction.ended_at:
            assert all(row.attached_at <= interaction.ended_at for row in journey)
        aliases = [row.alias for row in journey if row.alias]
        assert list(interaction.tags.values_list("name", flat=True)) == aliases


def test_demo_roles_get_the_interaction_rights():
    run_demo()

    def rights(role):
        return set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="interactions")
            .values_list("codename", flat=True)
        )

    assert {
        "view_interaction",
        "add_interaction",
        "change_interaction",
        "delete_interaction",
        "add_interactioncheckpoint",
    } <= rights("Administrator")
    assert rights("Checkpoint editor") == {"view_interaction"}
    assert rights("Read-only") == {"view_interaction"}


def test_demo_twice_changes_nothing():
    run_demo()
    snapshot = sorted(
        InteractionCheckpoint.objects.values_list(
            "pk", "interaction_id", "reference", "attached_at", "action_label"
        )
    )
    interactions = sorted(Interaction.objects.values_list("pk", "status", "ended_at"))
    assert "(0 new, 0 checkpoints attached)" in run_demo()
    assert (
        sorted(
            InteractionCheckpoint.objects.values_list(
                "pk", "interaction_id", "reference", "attached_at", "action_label"
            )
        )
        == snapshot
    )
    assert sorted(Interaction.objects.values_list("pk", "status", "ended_at")) == interactions


def test_demo_skips_a_missing_checkpoint_and_recreates_a_missing_interaction():
    out = StringIO()
    checkpoint_demo.seed(out)
    Checkpoint.objects.filter(reference="vip").delete()
    demo.seed(out)
    assert not InteractionCheckpoint.objects.filter(reference="vip").exists()
    Interaction.objects.filter(customer="demo-0001 Alice Martin").delete()
    demo.seed(out)
    assert Interaction.objects.filter(customer="demo-0001 Alice Martin").count() == 1
    assert Interaction.objects.filter(customer__startswith="demo-").count() == 12
