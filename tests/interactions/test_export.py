"""The Interactions history and Smart Routing exports: the same tables as the lists, the
filtered list only, newest first and bounded (read by cursor), and the lists' rights."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions.views import InteractionListView
from routing import services as routing_services
from tests.conftest import make_user
from tests.interactions.journeys import VIEW, make_interaction

pytestmark = pytest.mark.django_db

LIST = reverse("interactions:interaction_list")
ROUTINGS = reverse("routing:smartrouting_list")
DAY = datetime.datetime(2025, 6, 10, 12, 0, tzinfo=datetime.UTC)
HEADERS = ["Interaction", "Started (UTC)", "Channel", "Status", "Customer", "Subject", "Tags"]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def history(db):
    first = make_interaction(customer="=HYPERLINK(1)", subject="Billing", started_at=DAY)
    second = make_interaction(
        channel="email", customer="bob", started_at=DAY + datetime.timedelta(hours=1)
    )
    return first, second


def test_the_history_exports_newest_first_with_formula_cells_escaped(reader_client, history):
    first, second = history
    response = reader_client.get(LIST, {"export": "csv"})
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="interactions-{today}.csv"'
    assert csv_rows(response) == [
        HEADERS,
        [str(second.pk), "2025-06-10 13:00:00", "Email", "Live", "bob", "", ""],
        [str(first.pk), "2025-06-10 12:00:00", "Voice", "Live", "'=HYPERLINK(1)", "Billing", ""],
    ]


def test_the_filtered_history_is_exported_and_bounded(reader_client, history, monkeypatch):
    first, second = history
    filtered = csv_rows(reader_client.get(LIST, {"export": "csv", "channel": "voice"}))
    assert [row[0] for row in filtered[1:]] == [str(first.pk)]
    monkeypatch.setattr(InteractionListView, "export_limit", 1)
    response = reader_client.get(LIST, {"export": "json"})
    assert [row["Interaction"] for row in response.json()] == [second.pk]
    assert response["X-Export-Truncated"] == "1"


def test_without_the_right_the_history_export_is_refused(client, history):
    client.force_login(make_user("plain"))
    assert client.get(LIST, {"export": "csv"}).status_code == 403


def test_the_history_export_makes_no_count(reader_client, history, django_assert_num_queries):
    reader_client.get(LIST, {"export": "csv"})
    # session, user, 2 permission caches, the rows, their tags
    with django_assert_num_queries(6) as captured:
        reader_client.get(LIST, {"export": "csv"})
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)


def test_routings_export_their_list(client, db):
    routing = routing_services.create_routing(name="@Voice IVR", channel="voice")
    client.force_login(make_user("router", ["routing.view_smartrouting", VIEW]))
    rows = csv_rows(client.get(ROUTINGS, {"export": "csv"}))
    changed = f"{timezone.localtime(routing.updated_at, datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"
    assert rows == [["Name", "Channel", "Last changed"], ["'@Voice IVR", "Voice", changed]]
    client.force_login(make_user("plain"))
    assert client.get(ROUTINGS, {"export": "csv"}).status_code == 403
