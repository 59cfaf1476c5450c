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

pytestmark = pytest.mark.django_db

LIST = reverse("interactions:interaction_list")
DAY = datetime.datetime(2025, 6, 10, 12, 0, tzinfo=datetime.UTC)


def listed(html: str) -> list[int]:
    """Ids of the interactions the list shows, in order."""
    return [int(pk) for pk in re.findall(r'<a href="/interactions/(\d+)/"', html)]


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
    menu = client.get(LIST).text
    assert f'<a href="{LIST}" aria-current="page">Interactions</a>' in menu
    client.force_login(make_user("checkpoints-only", ["checkpoints.view_checkpoint"]))
    assert f'href="{LIST}"' not in client.get(reverse("checkpoints:checkpoint_list")).text
    user = make_user("per-object")
    assign_perm(VIEW, user, sample["old"])
    client.force_login(user)
    assert f'href="{LIST}"' in client.get(detail_url(sample["old"])).text


# The list -------------------------------------------------------------------------------------


def test_newest_first_each_row_linking_to_its_details(reader_client, sample):
    html = reader_client.get(LIST).text
    assert listed(html) == ids(sample["voice"], sample["email"], sample["chat"], sample["old"])
    assert "2025-06-10 12:00:00" in html
    for interaction in sample.values():
        assert f'<a href="{detail_url(interaction)}"' in html
    for header in ("Interaction", "Started (UTC)", "Channel", "Status", "Customer", "Tags"):
        assert f'<th scope="col">{header}</th>' in html


def test_ongoing_interactions_are_marked_live(reader_client, sample):
    html = reader_client.get(LIST).text
    rows = dict(
        (int(pk), row)
        for pk, row in re.findall(
            r'<tr>\s*<td><a href="/interactions/(\d+)/"(.*?)</tr>', html, re.S
        )
    )
    for name in ("voice", "chat"):
        assert '<span class="badge live">Live</span>' in rows[sample[name].pk]
    for name in ("email", "old"):
        assert "Live" not in rows[sample[name].pk]
        assert '<span class="badge closed">Closed</span>' in rows[sample[name].pk]
    assert '<span class="chip">opt-in FR</span>' in rows[sample["voice"].pk]


def test_pages_of_25_by_cursor_newest_first(reader_client):
    Interaction.objects.bulk_create(
        Interaction(channel="voice", customer=f"c{index:02d}", started_at=DAY)
        for index in range(30)
    )
    Interaction.objects.create(channel="email", customer="mail", started_at=DAY)
    first = reader_client.get(LIST)
    assert len(listed(first.text)) == 25
    assert first.context["newer_url"] == ""
    assert 'rel="next">Older</a>' in first.text
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
    assert '<a href="/interactions/">Clear filters</a>' in html
    if not expected:
        assert "No interactions match these filters." in html


def test_the_filter_form_is_labelled(reader_client, sample):
    html = reader_client.get(LIST).text
    for name, label in (
        ("channel", "Channel"),
        ("status", "Status"),
        ("checkpoint", "Checkpoint"),
        ("tag", "Tag"),
        ("started_from", "Started from"),
        ("started_to", "Started to"),
        ("customer", "Customer"),
    ):
        assert f'<label for="id_{name}">{label}</label>' in html
    assert '<option value="" selected>Any</option>' in html
    assert '<button type="submit" class="primary">Filter</button>' in html
    assert "Clear filters" not in html


def test_an_invalid_filter_says_why_and_lists_nothing(reader_client, sample):
    html = reader_client.get(LIST, {"channel": "fax", "started_from": "yesterday"}).text
    assert "Select a valid choice" in html
    assert "Enter a valid date" in html
    assert listed(html) == []


def test_empty_history(reader_client):
    assert "No interactions yet." in reader_client.get(LIST).text


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
