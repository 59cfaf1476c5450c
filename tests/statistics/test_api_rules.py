"""The Statistics endpoints' rules: bad parameters are 400s naming the parameter, the order
authentication → licence → right, a fixed query count, and the OpenAPI schema."""

import datetime
import json
from urllib.parse import urlencode

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.statistics.conftest import DAY, at
from tests.statistics.test_api import (
    AB,
    CHECKPOINTS,
    FUNNEL,
    JOURNEYS,
    ONE_DAY,
    STATISTICS_RIGHT,
    client_for,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [CHECKPOINTS, FUNNEL, AB, JOURNEYS]
LICENCE_BODY = {"detail": "Checkpoints are part of the Smart licence"}
# A valid query for each endpoint, on the checkpoints the ``known`` fixture makes.
VALID = {
    CHECKPOINTS: {},
    FUNNEL: {"steps": "a,b"},
    AB: {"variants": "a,b", "goal": "g"},
    JOURNEYS: {},
}
MANY = ",".join(f"r{n}" for n in range(9))
DAY_RANGE = ["Give a day from 1900-01-01 to 9999-12-30."]


@pytest.fixture
def analyst(db) -> APIClient:
    return client_for(make_user("analyst", [STATISTICS_RIGHT]))


@pytest.fixture
def known(journeys):
    for reference in ["a", "b", "g", *MANY.split(",")]:
        journeys.checkpoint(reference)
    return journeys


def bad(client, url: str, **query) -> dict:
    response = client.get(url, {**VALID[url], **query})
    assert response.status_code == 400, response.content
    return response.json()


@pytest.mark.parametrize(
    ("url", "query", "answer"),
    [
        (FUNNEL, {"steps": "a,zzz"}, {"steps": ["Unknown reference: zzz."]}),
        (FUNNEL, {"steps": MANY}, {"steps": ["Give at most 8 references."]}),
        (FUNNEL, {"steps": "a"}, {"steps": ["Give at least 2 references."]}),
        (FUNNEL, {"steps": ""}, {"steps": ["This field is required."]}),
        (FUNNEL, {"steps": "a,b,a"}, {"steps": ["Each reference once: a is repeated."]}),
        (CHECKPOINTS, {"references": MANY}, {"references": ["Give at most 8 references."]}),
        (CHECKPOINTS, {"references": "a,nope"}, {"references": ["Unknown reference: nope."]}),
        (AB, {"variants": "a"}, {"variants": ["Give at least 2 references."]}),
        (AB, {"goal": "a"}, {"goal": ["The goal may not also be a variant."]}),
        (AB, {"goal": "g,b"}, {"goal": ["Give at most 1 references."]}),
        (
            JOURNEYS,
            {"from": "2026-11-10", "to": "2026-11-09"},
            {"from": ["from must not be after to."]},
        ),
        (
            JOURNEYS,
            {"from": "2025-01-01", "to": "2026-11-10"},
            {"from": ["The period may not be longer than 400 days."]},
        ),
        (JOURNEYS, {"from": "2026-13-01"}, {"from": ["Enter a valid date."]}),
        (JOURNEYS, {"to": "0000-01-01"}, {"to": ["Enter a valid date."]}),
        (JOURNEYS, {"to": "9999-12-31"}, {"to": DAY_RANGE}),
        (
            JOURNEYS,
            {"from": "0001-01-01", "to": "0001-01-02"},
            {"from": DAY_RANGE, "to": DAY_RANGE},
        ),
        (
            JOURNEYS,
            {"channel": "fax"},
            {"channel": ["Select a valid choice. fax is not one of the available choices."]},
        ),
        (
            JOURNEYS,
            {"limit": "101"},
            {"limit": ["Ensure this value is less than or equal to 100."]},
        ),
        (
            CHECKPOINTS,
            {"interval": "week"},
            {"interval": ["Select a valid choice. week is not one of the available choices."]},
        ),
        (
            CHECKPOINTS,
            {"sort": "name"},
            {"sort": ["Select a valid choice. name is not one of the available choices."]},
        ),
        (
            CHECKPOINTS,
            {"interval": "hour", "limit": "9"},
            {"limit": ["With an interval, give a limit of at most 8."]},
        ),
        (
            CHECKPOINTS,
            {"limit": "0"},
            {"limit": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            CHECKPOINTS,
            {"limit": "1001"},
            {"limit": ["Ensure this value is less than or equal to 1000."]},
        ),
        (
            CHECKPOINTS,
            {"offset": "-1"},
            {"offset": ["Ensure this value is greater than or equal to 0."]},
        ),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(analyst, known, url, query, answer):
    assert bad(analyst, url, **query) == answer


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("from", "2026-11-10\x00"),
        ("to", "9999-99-99"),
        ("channel", "voice\x00"),
        ("routing", str(2**63)),
        ("routing", "0"),
        ("routing", "9" * 5000),
        ("routing", "1e3x"),
    ],
)
def test_a_bad_common_parameter_is_a_400_naming_it(analyst, known, url, parameter, value):
    assert set(bad(analyst, url, **{parameter: value})) == {parameter}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [(FUNNEL, "steps"), (CHECKPOINTS, "references"), (AB, "variants"), (AB, "goal")],
)
def test_nul_in_references_is_a_400_naming_them(analyst, known, url, parameter):
    assert set(bad(analyst, url, **{parameter: "a\x00b"})) == {parameter}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_undecodable_bytes_are_a_400_naming_the_parameter(analyst, known, url):
    """A lone surrogate's UTF-8 bytes (``%ED%A0%80``) decode to U+FFFD: no such day."""
    response = analyst.get(f"{url}?{urlencode(VALID[url])}&to=%ED%A0%80")
    assert response.status_code == 400
    assert set(response.json()) == {"to"}


def test_every_bad_parameter_is_named_at_once(analyst, known):
    body = bad(analyst, FUNNEL, steps=MANY, channel="fax", interval="x", routing="-1")
    assert set(body) == {"steps", "channel", "routing"}


def test_repeated_dates_read_the_last_one(analyst, known):
    response = analyst.get(f"{JOURNEYS}?to=2026-11-01&to=2026-11-10")
    assert response.status_code == 200
    assert response.json()["to"] == "2026-11-10"


def test_the_last_possible_day_is_answered(analyst, known):
    for url in ENDPOINTS:
        response = analyst.get(url, {**VALID[url], "from": "9999-12-30", "to": "9999-12-30"})
        assert response.status_code == 200, (url, response.content)
    hourly = analyst.get(
        CHECKPOINTS, {"from": "1900-01-01", "to": "1900-01-02", "interval": "hour"}
    )
    assert hourly.status_code == 200


# --- Authentication, licence, right ----------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_is_401(db, url, settings):
    assert APIClient().get(url).status_code == 401
    settings.SMART_LICENCE = False
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_without_the_right_is_403(db, url):
    reader = client_for(make_user("reader", ["interactions.view_interaction"]))
    response = reader.get(url, VALID[url])
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not view the statistics."}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_licence_off_is_403_with_its_message(analyst, known, url, settings):
    settings.SMART_LICENCE = False
    response = analyst.get(url, VALID[url])
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY


def test_the_right_comes_before_the_parameters(db):
    reader = client_for(make_user("reader"))
    assert reader.get(FUNNEL, {"steps": MANY}).status_code == 403


@pytest.mark.parametrize("url", ENDPOINTS)
def test_token_clients_and_superusers_read_statistics(known, url):
    token = Token.objects.create(user=make_user("runtime", [STATISTICS_RIGHT]))
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(url, VALID[url]).status_code == 200
    admin = make_user("admin")
    admin.is_superuser = True
    admin.save()
    assert client_for(admin).get(url, VALID[url]).status_code == 200


# --- Query counts ----------------------------------------------------------------------------

# Four to sign in (the session, the user, the user's and the roles' rights), then the report:
# the overview's folded days, checkpoints, interactions started, names and trend; a funnel's
# or A/B test's names (read by the form) and figures; the journeys' folded days, the journeys
# and their names.
SIGNED_IN = 4
QUERIES = {
    CHECKPOINTS: SIGNED_IN + 5,
    FUNNEL: SIGNED_IN + 2,
    AB: SIGNED_IN + 2,
    JOURNEYS: SIGNED_IN + 3,
}


def add_journeys(journeys, count: int) -> None:
    for n in range(count):
        journeys.interaction(
            ("a", at(DAY, 9, n)), ("b", at(DAY, 10, n)), ("g", at(DAY, 11, n)), routing_id=n
        )


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_report_costs_the_same_queries_at_any_size(
    analyst,
    journeys,
    url,
    django_assert_num_queries,
):
    query = {**VALID[url], **ONE_DAY}
    if url == CHECKPOINTS:
        query["interval"] = "hour"
    for size in (1, 20):
        add_journeys(journeys, size)
        with django_assert_num_queries(QUERIES[url]):
            assert analyst.get(url, query).status_code == 200


# --- OpenAPI schema --------------------------------------------------------------------------

PARAMETERS = {
    CHECKPOINTS: {"interval", "references", "sort", "limit", "offset"},
    FUNNEL: {"steps"},
    AB: {"variants", "goal"},
    JOURNEYS: {"limit"},
}
COMMON = {"from", "to", "channel", "routing"}


def test_the_schema_documents_the_four_reports(analyst):
    schema = json.loads(analyst.get("/api/schema/", {"format": "json"}).content)
    for url, own in PARAMETERS.items():
        operation = schema["paths"][url]["get"]
        assert {parameter["name"] for parameter in operation["parameters"]} == COMMON | own
        assert operation["tags"] == ["Statistics"]
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
    components = schema["components"]["schemas"]
    required = {"from", "to", "time_zone"}
    assert set(components["Overview"]["required"]) == required | {
        "interactions",
        "checkpoints",
        "more",
    }
    assert "series" not in components["CheckpointReach"]["required"]
    assert set(components["Funnel"]["required"]) == required | {"steps"}
    assert set(components["ABTest"]["required"]) == required | {"goal", "variants", "verdict"}
    assert components["Variant"]["properties"]["ci95"]["nullable"] is True
    assert set(components["Journeys"]["required"]) == required | {"journeys", "interactions"}
    required_parameters = {
        parameter["name"]
        for parameter in schema["paths"][AB]["get"]["parameters"]
        if parameter.get("required")
    }
    assert required_parameters == {"variants", "goal"}


def test_a_day_is_an_api_date(analyst, known):
    body = analyst.get(JOURNEYS, {"to": DAY + datetime.timedelta(days=1)}).json()
    assert body["to"] == "2026-11-11"
