"""Each Statistics page as CSV (``export=csv``): the file name with the period, the header and
the rows with the page's figures (rates as fractions, seconds as numbers), and text cells
escaped against formula injection."""

import csv
import io

import pytest
from django.urls import reverse

from interactions.statistics.export import safe_cell
from tests.conftest import make_user
from tests.statistics.conftest import DAY, at
from tests.statistics.test_pages import PERIOD, three_step_journeys


@pytest.fixture
def supervisor(client, db):
    client.force_login(make_user("supervisor", ["interactions.view_statistics"]))
    return client


def download(client, name: str, query: dict, filename: str) -> list[list[str]]:
    response = client.get(reverse(f"statistics:{name}"), {**query, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_overview_csv(supervisor, journeys):
    three_step_journeys(journeys)
    rows = download(supervisor, "overview", PERIOD, "statistics-overview-2026-11-01-2026-11-30.csv")
    assert rows == [
        ["reference", "name", "interactions", "share", "first_at", "last_at"],
        ["a", "Welcome", "3", "1.0", "2026-11-10T10:00:00+00:00", "2026-11-10T13:00:00+00:00"],
        [
            "b",
            "Identified",
            "2",
            "0.6667",
            "2026-11-10T10:01:05+00:00",
            "2026-11-10T12:03:00+00:00",
        ],
        ["c", "Resolved", "1", "0.3333", "2026-11-10T11:00:00+00:00", "2026-11-10T11:00:00+00:00"],
    ]


def test_funnel_csv(supervisor, journeys):
    three_step_journeys(journeys)
    query = {**PERIOD, "steps": ["a", "b", "c", ""]}
    rows = download(supervisor, "funnel", query, "statistics-funnel-2026-11-01-2026-11-30.csv")
    assert rows == [
        [
            "step",
            "reference",
            "name",
            "interactions",
            "conversion_from_previous",
            "conversion_from_first",
            "dropped",
            "median_seconds_from_previous",
            "p90_seconds_from_previous",
        ],
        ["1", "a", "Welcome", "3", "", "1.0", "", "", ""],
        ["2", "b", "Identified", "2", "0.6667", "0.6667", "1", "122.5", "168.5"],
        ["3", "c", "Resolved", "1", "0.5", "0.3333", "1", "3535.0", "3535.0"],
    ]


def test_ab_csv(supervisor, journeys):
    for number in range(4):
        goal = [("goal", at(DAY, 11))]
        journeys.interaction(("va", at(DAY, 10, number)), *(goal if number < 1 else []))
        journeys.interaction(("vb", at(DAY, 10, number)), *(goal if number < 3 else []))
    query = {**PERIOD, "variants": "va,vb", "goal": "goal"}
    rows = download(supervisor, "ab", query, "statistics-ab-2026-11-01-2026-11-30.csv")
    assert rows[0] == [
        "variant",
        "reference",
        "name",
        "goal_reference",
        "interactions",
        "converted",
        "conversion",
        "ci95_low",
        "ci95_high",
        "difference",
        "p_value",
    ]
    assert rows[1] == [
        "1",
        "va",
        "Checkpoint va",
        "goal",
        "4",
        "1",
        "0.25",
        "0.0456",
        "0.6994",
        "",
        "",
    ]
    assert rows[2][:7] == ["2", "vb", "Checkpoint vb", "goal", "4", "3", "0.75"]
    assert rows[2][9] == "0.5"
    assert 0 < float(rows[2][10]) < 1
    assert len(rows) == 3


def test_journeys_csv(supervisor, journeys):
    three_step_journeys(journeys)
    rows = download(supervisor, "journeys", PERIOD, "statistics-journeys-2026-11-01-2026-11-30.csv")
    assert rows == [
        ["rank", "references", "names", "interactions", "share"],
        ["1", "a", "Welcome", "1", "0.3333"],
        ["2", "a > b", "Welcome > Identified", "1", "0.3333"],
        ["3", "a > b > c", "Welcome > Identified > Resolved", "1", "0.3333"],
    ]


def test_every_page_links_its_csv(supervisor, journeys):
    three_step_journeys(journeys)
    html = supervisor.get(reverse("statistics:funnel"), {"steps": "a,b"}).content.decode()
    assert (
        '<a class="button" href="/statistics/funnel/?steps=a%2Cb&amp;export=csv" download>' in html
    )
    assert ">Download CSV</a>" not in supervisor.get(reverse("statistics:funnel")).content.decode()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_reads_as_a_formula_is_escaped(start):
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_numbers_and_plain_text_are_kept():
    assert safe_cell(-0.25) == -0.25
    assert safe_cell(3) == 3
    assert safe_cell(None) == ""
    assert safe_cell("Welcome") == "Welcome"


def test_a_name_that_reads_as_a_formula_is_escaped_in_the_file(supervisor, journeys):
    journeys.checkpoint("a", '=HYPERLINK("http://evil.example","x")')
    journeys.checkpoint("b", "@SUM(1)")
    journeys.interaction(("a", at(DAY, 10)), ("b", at(DAY, 11)))
    rows = download(supervisor, "overview", PERIOD, "statistics-overview-2026-11-01-2026-11-30.csv")
    assert [row[1] for row in rows[1:]] == ['\'=HYPERLINK("http://evil.example","x")', "'@SUM(1)"]
