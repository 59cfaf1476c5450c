"""Where a supervisor starts without knowing any reference: a journey opens as a funnel, the
A/B page suggests checkpoints that look like variants, the funnel page points at Journeys."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import make_user
from tests.pages import page
from tests.statistics.conftest import DAY, at

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def supervisor(client, db):
    client.force_login(make_user("supervisor", ["interactions.view_statistics"]))
    return client


def query_of(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_a_journey_opens_as_a_funnel_of_its_steps(supervisor, journeys):
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)))
    journeys.interaction(("solo", at(DAY, 10)))
    found = page(supervisor.get("/statistics/journeys/", PERIOD))
    link = found.get_by_role("link", name="Open journey 1 as a funnel")
    query = query_of(link.get("href"))
    assert (query["steps"], query["from"], query["to"]) == (
        ["a", "b"],
        ["2026-11-01"],
        ["2026-11-30"],
    )
    assert found.query_by_role("link", name="Open journey 2 as a funnel") is None  # one step
    funnel = page(supervisor.get(link.get("href")))
    steps = funnel.get_by_role("table", name="Funnel, step by step")
    assert steps.column("Interactions") == ["1", "1"]


def test_the_ab_page_suggests_checkpoints_that_look_like_variants(supervisor, journeys):
    for reference in ("campaign_a", "campaign_b", "identification_ok", "optin"):
        journeys.checkpoint(reference)
    found = page(supervisor.get("/statistics/ab/", PERIOD))
    suggestions = found.get_by_role("list", name="Suggested variants")
    links = suggestions.get_all_by_role("link")
    assert [link.name for link in links] == ["Checkpoint campaign_a / Checkpoint campaign_b"]
    query = query_of(links[0].get("href"))
    assert (query["variants"], query["from"]) == (["campaign_a", "campaign_b"], ["2026-11-01"])
    assert "goal" not in query


def test_the_empty_funnel_points_at_the_journeys(supervisor):
    found = page(supervisor.get("/statistics/funnel/", PERIOD))
    link = found.get_by_role("link", name="See the most frequent journeys")
    assert link.get("href") == "/statistics/journeys/"
