"""The Statistics pages on hand-built journeys: the figures each page shows (the overview with
its sorting, paging and trend chart, the funnel, the A/B test, the journeys), empty states, the
drop-off link and constant query counts. The form, bad parameters and how the figures read
(durations, periods, chart scales) are in test_page_forms.py."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from routing.models import SmartRouting
from tests.conftest import make_user
from tests.statistics.conftest import DAY, at

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
OVERVIEW = reverse("statistics:overview")
FUNNEL = reverse("statistics:funnel")
AB = reverse("statistics:ab")
JOURNEYS = reverse("statistics:journeys")


def log_in_supervisor(client):
    """The test client, logged in as a user with the rights to read statistics and history."""
    user = make_user(
        "supervisor", ["interactions.view_statistics", "interactions.view_interaction"]
    )
    client.force_login(user)
    return client


@pytest.fixture
def supervisor(client, db):
    return log_in_supervisor(client)


def text(response) -> str:
    """The page's text, tags removed, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def table_rows(response, table_id: str) -> list[list[str]]:
    html = response.content.decode()
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, flags=re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, flags=re.S).group(1)
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def three_step_journeys(journeys):
    """Three reach a, two of them b, one of those c."""
    journeys.checkpoint("a", "Welcome")
    journeys.checkpoint("b", "Identified")
    journeys.checkpoint("c", "Resolved")
    kept = journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 10, 1, 5)), ("c", at(DAY, 11)))
    stopped_at_b = journeys.interaction(("a", at(DAY, 12)), ("b", at(DAY, 12, 3)))
    stopped_at_a = journeys.interaction(("a", at(DAY, 13)))
    return kept, stopped_at_b, stopped_at_a


def test_overview_lists_each_checkpoint_with_its_share(supervisor, journeys):
    three_step_journeys(journeys)
    response = supervisor.get(OVERVIEW, PERIOD)
    assert response.status_code == 200
    assert table_rows(response, "checkpoints-table") == [
        ["", "a", "Welcome", "3", "100.0%", "2026-11-10 10:00", "2026-11-10 13:00"],
        ["", "b", "Identified", "2", "66.7%", "2026-11-10 10:01", "2026-11-10 12:03"],
        ["", "c", "Resolved", "1", "33.3%", "2026-11-10 11:00", "2026-11-10 11:00"],
    ]
    page = text(response)
    assert "Period: 1\N{EN DASH}30 Nov 2026 · Times in UTC" in page
    assert "3 interactions started in this period." in page


def test_overview_sorts_by_column_both_ways(supervisor, journeys):
    three_step_journeys(journeys)
    html = supervisor.get(OVERVIEW, PERIOD).content.decode()
    assert (
        'href="/statistics/?from=2026-11-01&amp;to=2026-11-30&amp;period=custom&amp;sort=reference"'
        not in html
    )
    links = dict(re.findall(r'<a href="([^"]*sort=[^"]*)">(\w+)', html))
    sorts = {
        label: parse_qs(urlsplit(unescape(url)).query)["sort"][0] for url, label in links.items()
    }
    assert sorts == {
        "Reference": "reference",
        "Interactions": "interactions",  # sorted by it (descending): the link flips it
        "First": "first_at",
        "Last": "last_at",
    }
    rows = table_rows(
        supervisor.get(OVERVIEW, {**PERIOD, "sort": "-reference"}), "checkpoints-table"
    )
    assert [row[1] for row in rows] == ["c", "b", "a"]
    rows = table_rows(supervisor.get(OVERVIEW, {**PERIOD, "sort": "last_at"}), "checkpoints-table")
    assert [row[1] for row in rows] == ["c", "b", "a"]


def test_overview_pages_by_fifty_with_previous_and_next(supervisor, journeys):
    for number in range(51):
        journeys.interaction((f"cp{number:02d}", at(DAY, 10)))
    query = {**PERIOD, "sort": "reference"}
    first = supervisor.get(OVERVIEW, query)
    assert len(table_rows(first, "checkpoints-table")) == 50
    html = first.content.decode()
    assert 'rel="prev"' not in html
    next_url = unescape(re.search(r'<a href="([^"]+)" rel="next">Next</a>', html).group(1))
    second = supervisor.get(next_url)
    assert [row[1] for row in table_rows(second, "checkpoints-table")] == ["cp50"]
    assert 'rel="next"' not in second.content.decode()
    assert ">Previous</a>" in second.content.decode()
    beyond = supervisor.get(OVERVIEW, {**query, "offset": "100"})
    assert "No more checkpoints. Previous" in text(beyond)


def test_overview_draws_the_top_three_by_default_and_the_chosen_ones(supervisor, journeys):
    three_step_journeys(journeys)
    journeys.interaction(("d", at(DAY, 9)))
    html = supervisor.get(OVERVIEW, PERIOD).content.decode()
    assert re.findall(r'value="(\w)" aria-label="Draw \w" checked', html) == ["a", "b", "c"]
    assert '<svg role="img" aria-labelledby="trend-chart-title trend-chart-desc"' in html
    assert "Interactions per day, 30 days from 01 Nov to 30 Nov." in html
    assert "Welcome (a): 3 in all, at most 3 in one day" in html

    chosen = supervisor.get(OVERVIEW, {**PERIOD, "references": ["d", "c"]}).content.decode()
    assert re.findall(r'value="(\w)" aria-label="Draw \w" checked', chosen) == ["c", "d"]
    assert "Checkpoint d (d): 1 in all" in chosen
    assert "Welcome (a)" not in chosen.split("<svg")[1]


def test_a_period_of_two_days_or_less_is_drawn_per_hour(supervisor, journeys):
    three_step_journeys(journeys)
    html = supervisor.get(OVERVIEW, {"from": "2026-11-10", "to": "2026-11-10"}).content.decode()
    assert "Interactions per hour, 24 hours from 10 Nov 00:00 to 10 Nov 23:00." in html


def test_an_hourly_trend_is_drawn_for_a_month_at_most(supervisor, journeys):
    three_step_journeys(journeys)
    week = supervisor.get(OVERVIEW, {"from": "2026-11-10", "to": "2026-11-16", "interval": "hour"})
    assert "Interactions per hour, 168 hours" in week.text
    year = supervisor.get(OVERVIEW, {"from": "2026-01-01", "to": "2026-11-30", "interval": "hour"})
    assert "Interactions per day, 334 days" in year.text


def test_overview_empty_period(supervisor, journeys):
    three_step_journeys(journeys)
    response = supervisor.get(OVERVIEW, {"from": "2026-12-01", "to": "2026-12-02"})
    assert "No checkpoint was reached in this period." in text(response)


def test_funnel_without_steps_explains_itself(supervisor, journeys):
    response = supervisor.get(FUNNEL)
    assert response.status_code == 200
    page = text(response)
    assert "No steps yet." in page
    assert 'class="errorlist"' not in response.content.decode()
    html = response.content.decode()
    assert [f'<label for="id_steps_{n}">Step {n}</label>' in html for n in range(1, 9)] == [
        True
    ] * 8
    assert '<option value="a">' not in html  # no checkpoint yet


def test_funnel_shows_each_step_with_drop_off_and_times(supervisor, journeys):
    three_step_journeys(journeys)
    response = supervisor.get(FUNNEL, {**PERIOD, "steps": ["a", "b", "c", "", ""]})
    assert table_rows(response, "funnel-table") == [
        ["Step 1 a", "Welcome", "3", "—", "100.0%", "—", "—", "—"],
        ["Step 2 b", "Identified", "2", "66.7%", "66.7%", "1", "2 min 3 s", "2 min 49 s"],
        ["Step 3 c", "Resolved", "1", "50.0%", "33.3%", "1", "58 min 55 s", "58 min 55 s"],
    ]
    html = response.content.decode()
    assert '<option value="a">Welcome</option>' in html
    assert 'value="c" list="checkpoint-references"' in html
    assert '<svg role="img" aria-labelledby="funnel-chart-title funnel-chart-desc"' in html
    assert "Step 1: Welcome: 3 (100.0%); Step 2: Identified: 2 (66.7%)" in html


def test_a_drop_off_link_lands_on_exactly_the_dropped_interactions(supervisor, journeys):
    _kept, stopped_at_b, stopped_at_a = three_step_journeys(journeys)
    html = supervisor.get(FUNNEL, {**PERIOD, "steps": "a,b,c"}).content.decode()
    links = re.findall(r'<a href="([^"]+)" aria-label="1 dropped before step (\d)', html)
    assert [step for _, step in links] == ["2", "3"]
    for (url, _), dropped in zip(links, (stopped_at_a, stopped_at_b), strict=True):
        history = supervisor.get(unescape(url)).content.decode()
        assert re.findall(r'aria-label="Interaction #(\d+)"', history) == [str(dropped.pk)]
    history = supervisor.get(unescape(links[1][0]))
    assert (
        "Reached Welcome \N{RIGHTWARDS ARROW} Identified, then not Resolved, "
        "1\N{EN DASH}30 Nov 2026 · Remove this filter"
    ) in text(history)
    removed = re.search(r'<a href="([^"]+)">Remove this filter</a>', history.text).group(1)
    assert removed == "/interactions/"
    step_3 = parse_qs(urlsplit(unescape(links[1][0])).query)
    assert step_3 == {
        "reached": ["a,b"],
        "not_reached": ["c"],
        "reached_from": ["2026-11-01"],
        "reached_to": ["2026-11-30"],
    }


def test_ab_comparison_shows_the_verdict_and_each_variant(supervisor, journeys):
    for number in range(4):
        journeys.interaction(
            ("va", at(DAY, 10, number)), *([("goal", at(DAY, 11))] if number < 1 else [])
        )
        journeys.interaction(
            ("vb", at(DAY, 10, number)), *([("goal", at(DAY, 11))] if number < 3 else [])
        )
    response = supervisor.get(AB, {**PERIOD, "variants": ["va", "vb", ""], "goal": "goal"})
    html = response.content.decode()
    assert '<p class="verdict" role="status"><strong>Not enough data yet' in html
    rows = table_rows(response, "ab-table")
    assert rows[0][:4] == ["Checkpoint va va (baseline)", "4", "1", "25.0%"]
    assert rows[0][5:] == ["—", "—"]
    assert rows[1][:4] == ["Checkpoint vb vb", "4", "3", "75.0%"]
    assert rows[1][5] == "+50.0 pts"
    assert '<svg role="img" aria-labelledby="ab-chart-title ab-chart-desc"' in html
    assert html.count('<g class="whisker">') == 2


def test_ab_without_variants_explains_itself(supervisor):
    response = supervisor.get(AB)
    assert "No variants yet." in text(response)
    assert '<label for="id_variants_4">Variant 4</label>' in response.content.decode()
    assert '<label for="id_goal">Goal</label>' in response.content.decode()


def test_journeys_lists_the_most_frequent_sequences(supervisor, journeys):
    three_step_journeys(journeys)
    journeys.interaction(("a", at(DAY, 14)))
    response = supervisor.get(JOURNEYS, PERIOD)
    assert table_rows(response, "journeys-table") == [
        ["1", "Welcome a", "2", "50.0%", ""],
        ["2", "Welcome → Identified a → b", "1", "25.0%", "As a funnel"],
        ["3", "Welcome → Identified → Resolved a → b → c", "1", "25.0%", "As a funnel"],
    ]
    assert "4 interactions reached at least one checkpoint" in text(response)
    assert "No checkpoint was reached" in text(supervisor.get(JOURNEYS, {"period": "today"}))


def page_queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (OVERVIEW, PERIOD),
        (OVERVIEW, {**PERIOD, "references": "a,b"}),
        (FUNNEL, {**PERIOD, "steps": "a,b,c"}),
        (AB, {**PERIOD, "variants": "a,b", "goal": "c"}),
        (JOURNEYS, PERIOD),
    ],
)
def test_each_page_costs_the_same_queries_whatever_the_data(
    supervisor, journeys, django_assert_num_queries, url, query
):
    three_step_journeys(journeys)
    small = page_queries(supervisor, url, query)
    for hour in range(14, 23):
        for _ in range(3):
            journeys.interaction(
                ("a", at(DAY, hour)), ("b", at(DAY, hour, 5)), ("c", at(DAY, hour, 9))
            )
            journeys.interaction(("x", at(DAY, hour)))
    SmartRouting.objects.create(name="Another routing")
    with django_assert_num_queries(small):
        supervisor.get(url, query)
