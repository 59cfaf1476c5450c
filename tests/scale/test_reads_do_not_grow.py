"""Cost must not grow with history (DESIGN.md, Storage and scale): every Maker list and detail
page and every API read makes the same number of queries at two sizes of data; days are
half-open ranges; list pages count at most COUNT_CAP rows; on PostgreSQL the searches and the
date range are served by their indexes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkpoint_maker.pagination import CappedPaginator
from checkpoints.models import Checkpoint
from interactions import services
from interactions.filters import start_of_day
from interactions.models import Interaction
from routing.models import Node, SmartRouting

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 14)


def grow(size: int) -> None:
    """``size`` more interactions, each with two checkpoints and their tags, and as many
    checkpoints and routings."""
    start = Checkpoint.objects.count()
    checkpoints = Checkpoint.objects.bulk_create(
        Checkpoint(name=f"Step {n}", reference=f"step_{n}", alias=f"s{n}")
        for n in range(start, start + size)
    )
    for n in range(size):
        routing = SmartRouting.objects.create(name=f"Routing {start + n}", channel="voice")
        Node.objects.create(routing=routing, kind="start", label="Start")
        interaction = services.create_interaction(
            channel="voice",
            customer=f"cust-{start + n}",
            started_at=start_of_day(DAY) + datetime.timedelta(minutes=n),
        )
        for checkpoint in (checkpoints[n], checkpoints[0]):
            services.attach_checkpoint(interaction.pk, checkpoint_id=checkpoint.pk)


def reads() -> list[str]:
    checkpoint = Checkpoint.objects.order_by("pk").first()
    interaction = Interaction.objects.order_by("pk").first()
    routing = SmartRouting.objects.order_by("pk").first()
    day = DAY.isoformat()
    return [
        "/toolbox/checkpoints/",
        "/toolbox/checkpoints/?search=step_1",
        f"/toolbox/checkpoints/{checkpoint.pk}/",
        "/interactions/",
        "/interactions/?older=2026-03-14T00:10:00%2B00:00_11",
        f"/interactions/?checkpoint={checkpoint.reference}",
        f"/interactions/?tag={checkpoint.alias}",
        "/interactions/?customer=cust-1",
        f"/interactions/?started_from={day}&started_to={day}",
        "/interactions/?channel=voice&status=ongoing",
        f"/interactions/{interaction.pk}/",
        "/smart-routing/",
        f"/smart-routing/{routing.pk}/",
        "/api/v1/checkpoints/",
        "/api/v1/checkpoints/?search=step_1",
        f"/api/v1/checkpoints/{checkpoint.pk}/",
        "/api/v1/interactions/",
        f"/api/v1/interactions/?checkpoint={checkpoint.reference}&tag={checkpoint.alias}",
        "/api/v1/interactions/?channel=voice&status=ongoing",
        f"/api/v1/interactions/{interaction.pk}/",
        f"/api/v1/interactions/{interaction.pk}/checkpoints/",
        "/api/v1/routings/",
        f"/api/v1/routings/{routing.pk}/",
    ]


def queries_of(client, url: str) -> int:
    client.get(url)  # once first: the database's one-time feature checks are not the read's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_every_read_costs_the_same_queries_at_two_sizes(admin_client):
    grow(30)
    urls = reads()
    small = {url: queries_of(admin_client, url) for url in urls}
    grow(90)
    large = {url: queries_of(admin_client, url) for url in urls}
    assert large == small


def test_a_day_is_a_half_open_range_in_the_site_time_zone(admin_client):
    last_moment = start_of_day(DAY + datetime.timedelta(days=1)) - datetime.timedelta(
        microseconds=1
    )
    inside = services.create_interaction(channel="voice", started_at=start_of_day(DAY))
    late = services.create_interaction(channel="voice", started_at=last_moment)
    services.create_interaction(
        channel="voice", started_at=last_moment + datetime.timedelta(microseconds=1)
    )
    services.create_interaction(
        channel="voice", started_at=start_of_day(DAY) - datetime.timedelta(microseconds=1)
    )
    response = admin_client.get(f"/interactions/?started_from={DAY}&started_to={DAY}")
    shown = [interaction.pk for interaction in response.context["interactions"]]
    assert shown == [late.pk, inside.pk]
    assert start_of_day(DAY).tzinfo == timezone.get_default_timezone()


def test_list_pages_count_at_most_the_cap(admin_client, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 30)
    grow(40)
    response = admin_client.get("/toolbox/checkpoints/")
    assert "more than 30 in all" in response.text
    assert response.context["page"].paginator.count == 31
    last = admin_client.get("/toolbox/checkpoints/?page=99")
    assert last.context["page"].number == 2  # pages reach to the cap: search to go further
    few = admin_client.get("/toolbox/checkpoints/?search=step_3")
    assert "1 in all" in few.text


def test_the_history_pages_by_cursor_with_no_count(admin_client, django_assert_num_queries):
    grow(60)
    first = admin_client.get("/interactions/")
    deep = first
    for _ in range(2):
        deep = admin_client.get("/interactions/" + deep.context["older_url"])
    assert len(deep.context["interactions"]) == 10
    with CaptureQueriesContext(connection) as on_first:
        admin_client.get("/interactions/")
    with CaptureQueriesContext(connection) as on_last:
        admin_client.get("/interactions/" + deep.context["newer_url"])
    assert len(on_first) == len(on_last)
    assert not any("COUNT(" in query["sql"] for query in on_first.captured_queries)


def plan(sql: str, params) -> str:
    """The plan with scans that read every row off, so that on the tests' tiny tables the
    planner shows which index can answer the condition (a bitmap scan needs one)."""
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Checkpoint.objects.filter(name__icontains="ck_0900"), "checkpoint_name_trgm"),
        (
            lambda: Checkpoint.objects.filter(reference__icontains="ck_0900"),
            "checkpoint_reference_trgm",
        ),
        (
            lambda: Interaction.objects.filter(customer__icontains="st-12"),
            "interaction_customer_trgm",
        ),
        (
            lambda: Interaction.objects.filter(
                started_at__gte=start_of_day(DAY),
                started_at__lt=start_of_day(DAY + datetime.timedelta(days=1)),
            ),
            "interaction_started_idx",
        ),
    ],
)
def test_searches_and_date_ranges_use_their_index(queryset, index):
    if connection.vendor != "postgresql":
        pytest.skip("index plans are PostgreSQL's (pg_trgm); SQLite scans its small tables")
    sql, params = queryset().order_by().query.sql_with_params()
    assert index in plan(sql, params)


def test_the_checkpoint_page_counts_its_interactions_up_to_the_cap(admin_client, monkeypatch):
    monkeypatch.setattr("interactions.selectors.COUNT_CAP", 5)
    grow(8)
    hot = Checkpoint.objects.order_by("pk").first()  # reached by every interaction
    response = admin_client.get(f"/toolbox/checkpoints/{hot.pk}/")
    assert "More than 5 interactions reached this checkpoint." in response.text
    cold = Checkpoint.objects.order_by("pk")[3]
    assert (
        "1 interaction reached this checkpoint."
        in admin_client.get(f"/toolbox/checkpoints/{cold.pk}/").text
    )


@pytest.mark.parametrize(
    ("path", "order_key"),
    [
        ("/api/v1/interactions/", lambda row: (row["started_at"], row["id"])),
        ("/api/v1/checkpoints/", lambda row: (row["name"], row["id"])),
    ],
)
def test_the_api_reads_a_list_by_cursor_with_no_count(admin_client, path, order_key):
    grow(35)
    url, seen, query_counts = f"{path}?cursor=&page_size=10", [], []
    while url:
        with CaptureQueriesContext(connection) as captured:
            answer = admin_client.get(url)
        assert answer.status_code == 200
        body = answer.json()
        assert body["count"] is None and set(body) == {"count", "next", "previous", "results"}
        assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
        query_counts.append(len(captured))
        seen.extend(body["results"])
        url = body["next"]
    assert len(seen) == len({row["id"] for row in seen}) == admin_client.get(path).json()["count"]
    keys = [order_key(row) for row in seen]
    assert keys == sorted(keys, reverse=path.endswith("interactions/"))
    assert len(set(query_counts)) == 1
    invalid = admin_client.get(f"{path}?cursor=not-a-cursor")
    assert invalid.status_code == 404 and invalid.json() == {"detail": "Invalid cursor"}
