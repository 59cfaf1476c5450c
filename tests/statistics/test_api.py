"""The Statistics endpoints' answers against API.md (Statistics), on hand-built journeys: each
key and type, the period and its time zone, the trends' buckets, the overview's slices."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from interactions.models import Interaction
from interactions.statistics import figures
from tests.conftest import make_user
from tests.statistics.conftest import DAY, at

pytestmark = pytest.mark.django_db

BASE = "/api/v1/statistics/"
CHECKPOINTS = f"{BASE}checkpoints/"
FUNNEL = f"{BASE}funnel/"
AB = f"{BASE}ab/"
JOURNEYS = f"{BASE}journeys/"
STATISTICS_RIGHT = "interactions.view_statistics"
ONE_DAY = {"from": DAY.isoformat(), "to": DAY.isoformat()}
NEXT_DAY = DAY + datetime.timedelta(days=1)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def analyst(db) -> APIClient:
    """A user holding the statistics right through a role, and nothing else."""
    return client_for(make_user("analyst", [STATISTICS_RIGHT]))


def get(client: APIClient, url: str, **query) -> dict:
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    return response.json()


def utc(day: datetime.date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02}:{minute:02}:00.000000Z"


def reach(reference, interactions, share, first_at, last_at, **extra) -> dict:
    return {
        "reference": reference,
        "name": f"Checkpoint {reference}",
        "interactions": interactions,
        "share": share,
        "first_at": first_at,
        "last_at": last_at,
        **extra,
    }


@pytest.fixture
def three(journeys):
    """Three interactions started on DAY: a → b (voice, routing 7), a (email), none."""
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)), channel="voice", routing_id=7)
    journeys.interaction(("a", at(DAY, 12)), channel="email")
    Interaction.objects.create(channel="voice", started_at=at(DAY, 9))
    return journeys


# --- Checkpoints (the overview) --------------------------------------------------------------


def test_checkpoints_answer_every_key_of_the_contract(analyst, three):
    assert get(analyst, CHECKPOINTS, **ONE_DAY) == {
        "from": "2026-11-10",
        "to": "2026-11-10",
        "time_zone": "UTC",
        "interactions": 3,
        "checkpoints": [
            reach("a", 2, 0.6667, utc(DAY, 10), utc(DAY, 12)),
            reach("b", 1, 0.3333, utc(DAY, 11), utc(DAY, 11)),
        ],
        "more": False,
    }


def test_channel_and_routing_narrow_the_checkpoints(analyst, three):
    email = get(analyst, CHECKPOINTS, channel="email", **ONE_DAY)
    assert email["interactions"] == 1
    assert email["checkpoints"] == [reach("a", 1, 1.0, utc(DAY, 12), utc(DAY, 12))]
    routed = get(analyst, CHECKPOINTS, routing=7, **ONE_DAY)
    assert [(row["reference"], row["interactions"]) for row in routed["checkpoints"]] == [
        ("a", 1),
        ("b", 1),
    ]
    assert get(analyst, CHECKPOINTS, routing=8, **ONE_DAY)["checkpoints"] == []


def test_the_default_period_is_the_30_days_ending_today(analyst):
    body = get(analyst, CHECKPOINTS)
    today = timezone.localdate()
    assert body["to"] == today.isoformat()
    assert body["from"] == (today - datetime.timedelta(days=29)).isoformat()
    assert (body["interactions"], body["checkpoints"], body["more"]) == (0, [], False)


def test_a_to_alone_ends_a_30_day_period(analyst):
    body = get(analyst, CHECKPOINTS, to=DAY.isoformat())
    assert body["from"] == (DAY - datetime.timedelta(days=29)).isoformat()


def test_no_share_when_no_interaction_started_in_the_period(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10)), started=at(DAY - datetime.timedelta(days=1)))
    body = get(analyst, CHECKPOINTS, **ONE_DAY)
    assert body["interactions"] == 0
    assert body["checkpoints"][0]["share"] is None


def test_series_only_with_an_interval(analyst, three):
    assert all("series" not in row for row in get(analyst, CHECKPOINTS)["checkpoints"])


def test_a_day_series_has_every_day_zeros_included(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10)))
    journeys.interaction(("a", at(DAY + datetime.timedelta(days=2), 9)))
    body = get(
        analyst,
        CHECKPOINTS,
        interval="day",
        **{"from": DAY.isoformat(), "to": (DAY + datetime.timedelta(days=2)).isoformat()},
    )
    assert body["checkpoints"][0]["series"] == [
        {"start": "2026-11-10T00:00:00.000000Z", "interactions": 1},
        {"start": "2026-11-11T00:00:00.000000Z", "interactions": 0},
        {"start": "2026-11-12T00:00:00.000000Z", "interactions": 1},
    ]


def test_an_hour_series_has_every_hour_of_the_period(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10, 5)), ("b", at(DAY, 10, 6)))
    journeys.interaction(("a", at(DAY, 10, 59)))
    journeys.interaction(("a", at(DAY, 23, 59)))
    body = get(analyst, CHECKPOINTS, interval="hour", **ONE_DAY)
    series = {row["reference"]: row["series"] for row in body["checkpoints"]}
    assert [bucket["start"] for bucket in series["a"]] == [utc(DAY, hour) for hour in range(24)]
    assert [bucket["interactions"] for bucket in series["a"]] == [0] * 10 + [2] + [0] * 12 + [1]
    assert [bucket["interactions"] for bucket in series["b"]] == [0] * 10 + [1] + [0] * 13


def test_days_are_the_site_time_zone_s_days(analyst, journeys, settings):
    """23:30 UTC on DAY is 00:30 on the next day in Paris (UTC+1 in November)."""
    settings.TIME_ZONE = "Europe/Paris"
    late = datetime.datetime(2026, 11, 10, 23, 30, tzinfo=datetime.UTC)
    journeys.interaction(("a", late))
    assert get(analyst, CHECKPOINTS, **ONE_DAY)["checkpoints"] == []
    body = get(analyst, CHECKPOINTS, interval="day", **{"from": DAY, "to": NEXT_DAY})
    assert body["time_zone"] == "Europe/Paris"
    assert body["interactions"] == 1
    assert body["checkpoints"] == [
        reach(
            "a",
            1,
            1.0,
            "2026-11-10T23:30:00.000000Z",
            "2026-11-10T23:30:00.000000Z",
            series=[
                {"start": "2026-11-09T23:00:00.000000Z", "interactions": 0},
                {"start": "2026-11-10T23:00:00.000000Z", "interactions": 1},
            ],
        )
    ]
    hourly = get(analyst, CHECKPOINTS, interval="hour", **{"from": NEXT_DAY, "to": NEXT_DAY})
    buckets = hourly["checkpoints"][0]["series"]
    assert len(buckets) == 24
    assert buckets[0] == {"start": "2026-11-10T23:00:00.000000Z", "interactions": 1}


@pytest.fixture
def ranked(journeys):
    """c reached by 3 interactions, a by 2, b by 1, all on DAY."""
    for hour in (9, 10, 11):
        journeys.interaction(("c", at(DAY, hour)))
    for hour in (12, 13):
        journeys.interaction(("a", at(DAY, hour)))
    journeys.interaction(("b", at(DAY, 14)))
    return journeys


def references_of(body) -> list[str]:
    return [row["reference"] for row in body["checkpoints"]]


def test_checkpoints_are_sorted_and_sliced(analyst, ranked):
    first = get(analyst, CHECKPOINTS, limit=2, **ONE_DAY)
    assert (references_of(first), first["more"]) == (["c", "a"], True)
    rest = get(analyst, CHECKPOINTS, limit=2, offset=2, **ONE_DAY)
    assert (references_of(rest), rest["more"]) == (["b"], False)
    assert references_of(get(analyst, CHECKPOINTS, sort="reference", **ONE_DAY)) == [
        "a",
        "b",
        "c",
    ]
    assert references_of(get(analyst, CHECKPOINTS, sort="-last_at", **ONE_DAY)) == [
        "b",
        "a",
        "c",
    ]
    assert get(analyst, CHECKPOINTS, offset=3, **ONE_DAY)["checkpoints"] == []


def test_with_an_interval_at_most_8_trends_by_default(analyst, journeys):
    for n in range(9):
        journeys.interaction((f"r{n}", at(DAY, 10)))
    body = get(analyst, CHECKPOINTS, interval="day", **ONE_DAY)
    assert (len(body["checkpoints"]), body["more"]) == (8, True)
    rest = get(analyst, CHECKPOINTS, interval="day", offset=8, **ONE_DAY)
    assert (references_of(rest), rest["more"]) == (["r8"], False)
    assert len(get(analyst, CHECKPOINTS, **ONE_DAY)["checkpoints"]) == 9


def test_references_choose_the_checkpoints(analyst, ranked):
    body = get(analyst, CHECKPOINTS, references="b,c", interval="day", **ONE_DAY)
    assert references_of(body) == ["c", "b"]
    assert [row["series"] for row in body["checkpoints"]] == [
        [{"start": utc(DAY, 0), "interactions": 3}],
        [{"start": utc(DAY, 0), "interactions": 1}],
    ]
    repeated = analyst.get(f"{CHECKPOINTS}?references=b&references=c&from={DAY}&to={DAY}")
    assert references_of(repeated.json()) == ["c", "b"]


def test_the_pages_period_preset_is_not_read(analyst, three):
    body = get(analyst, CHECKPOINTS, period="7", **ONE_DAY)
    assert (body["from"], body["to"]) == ("2026-11-10", "2026-11-10")


# --- Funnel ----------------------------------------------------------------------------------


def test_funnel_answers_every_step(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 10, 1)), ("c", at(DAY, 10, 3)))
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 10, 3)))
    journeys.interaction(("a", at(DAY, 10)))
    body = get(analyst, FUNNEL, steps="a,b,c", **ONE_DAY)
    assert body == {
        "from": "2026-11-10",
        "to": "2026-11-10",
        "time_zone": "UTC",
        "steps": [
            {
                "reference": "a",
                "name": "Checkpoint a",
                "interactions": 3,
                "conversion_from_previous": None,
                "conversion_from_first": 1.0,
                "dropped": None,
                "median_seconds_from_previous": None,
                "p90_seconds_from_previous": None,
            },
            {
                "reference": "b",
                "name": "Checkpoint b",
                "interactions": 2,
                "conversion_from_previous": 0.6667,
                "conversion_from_first": 0.6667,
                "dropped": 1,
                "median_seconds_from_previous": 120.0,
                "p90_seconds_from_previous": 168.0,
            },
            {
                "reference": "c",
                "name": "Checkpoint c",
                "interactions": 1,
                "conversion_from_previous": 0.5,
                "conversion_from_first": 0.3333,
                "dropped": 1,
                "median_seconds_from_previous": 120.0,
                "p90_seconds_from_previous": 120.0,
            },
        ],
    }


def test_an_empty_funnel_has_nulls_where_nothing_divides(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)))
    body = get(analyst, FUNNEL, steps="a,b", **{"from": NEXT_DAY, "to": NEXT_DAY})
    first, second = body["steps"]
    assert (first["interactions"], first["conversion_from_first"]) == (0, None)
    assert (second["interactions"], second["dropped"]) == (0, 0)
    assert second["conversion_from_previous"] is None
    assert second["median_seconds_from_previous"] is None


# --- A/B test --------------------------------------------------------------------------------


def test_ab_answers_each_variant_against_the_goal(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10)), ("g", at(DAY, 11)))
    journeys.interaction(("a", at(DAY, 10)))
    journeys.interaction(("b", at(DAY, 10)), ("g", at(DAY, 11)))
    journeys.interaction(("b", at(DAY, 10)), ("g", at(DAY, 9)))  # the goal came first
    journeys.checkpoint("c")
    body = get(analyst, AB, variants="a,b,c", goal="g", **ONE_DAY)
    half = list(figures.wilson_interval(1, 2))
    assert body == {
        "from": "2026-11-10",
        "to": "2026-11-10",
        "time_zone": "UTC",
        "goal": {"reference": "g", "name": "Checkpoint g"},
        "variants": [
            {
                "reference": "a",
                "name": "Checkpoint a",
                "interactions": 2,
                "converted": 1,
                "conversion": 0.5,
                "ci95": half,
                "difference": None,
                "p_value": None,
            },
            {
                "reference": "b",
                "name": "Checkpoint b",
                "interactions": 2,
                "converted": 1,
                "conversion": 0.5,
                "ci95": half,
                "difference": 0.0,
                "p_value": 1.0,
            },
            {
                "reference": "c",
                "name": "Checkpoint c",
                "interactions": 0,
                "converted": 0,
                "conversion": None,
                "ci95": None,
                "difference": None,
                "p_value": None,
            },
        ],
        "verdict": body["verdict"],
    }
    assert body["verdict"].startswith("Not enough data yet")
    assert len(half) == 2 and 0 < half[0] < 0.5 < half[1] < 1


# --- Journeys --------------------------------------------------------------------------------


def test_journeys_answer_the_most_frequent_first(analyst, journeys):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)))
    journeys.interaction(("b", at(DAY, 11)), ("a", at(DAY, 10)))
    journeys.interaction(("b", at(DAY, 10)))
    body = get(analyst, JOURNEYS, **ONE_DAY)
    assert body == {
        "from": "2026-11-10",
        "to": "2026-11-10",
        "time_zone": "UTC",
        "journeys": [
            {
                "references": ["a", "b"],
                "interactions": 2,
                "share": 0.6667,
                "names": ["Checkpoint a", "Checkpoint b"],
            },
            {"references": ["b"], "interactions": 1, "share": 0.3333, "names": ["Checkpoint b"]},
        ],
        "interactions": 3,
    }
    assert [
        row["references"] for row in get(analyst, JOURNEYS, limit=1, **ONE_DAY)["journeys"]
    ] == [["a", "b"]]
