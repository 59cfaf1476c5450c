"""Statistics as a supervisor uses them, in a real browser, by roles, labels and names only:
open Statistics from the menu, build a three-step funnel in the form, read its table, follow a
drop-off link to the interactions history, and download the funnel as CSV."""

import csv
import io
import os

import pytest
from playwright.sync_api import Page, expect

from tests.statistics.conftest import DAY, Journeys, at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIGHTS = ["interactions.view_statistics", "interactions.view_interaction"]
SCREENSHOTS = os.environ.get("STATISTICS_SCREENSHOTS")


@pytest.fixture
def funnel_data(db):
    """Three interactions reach Welcome, two of them Identified, one of those Resolved."""
    journeys = Journeys()
    journeys.checkpoint("welcome", "Welcome")
    journeys.checkpoint("identified", "Identified")
    journeys.checkpoint("resolved", "Resolved")
    journeys.interaction(
        ("welcome", at(DAY, 10)), ("identified", at(DAY, 10, 1)), ("resolved", at(DAY, 10, 5))
    )
    stopped = journeys.interaction(("welcome", at(DAY, 11)), ("identified", at(DAY, 11, 2)))
    journeys.interaction(("welcome", at(DAY, 12)))
    return stopped


def test_build_a_funnel_follow_a_drop_off_and_download_it(page: Page, log_in, funnel_data):
    log_in("supervisor", RIGHTS)
    page.get_by_role("navigation", name="Maker").get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", name="Statistics", level=1)).to_be_visible()
    expect(page.get_by_text("Times in UTC")).to_be_visible()
    page.get_by_role("navigation", name="Statistics reports").get_by_role(
        "link", name="Funnel"
    ).click()
    expect(page.get_by_role("heading", name="Funnel", level=1)).to_be_visible()
    expect(page.get_by_text("No steps yet.")).to_be_visible()

    page.get_by_label("Period").select_option(label="From - to")
    page.get_by_label("From", exact=True).fill("2026-11-01")
    page.get_by_label("To", exact=True).fill("2026-11-30")
    page.get_by_label("Step 1", exact=True).fill("welcome")
    page.get_by_label("Step 2", exact=True).fill("identified")
    page.get_by_label("Step 3", exact=True).fill("resolved")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_text("Period: 1\N{EN DASH}30 Nov 2026")).to_be_visible()
    table = page.get_by_role("table", name="Funnel, step by step")
    rows = table.get_by_role("row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("Welcome")
    expect(rows.nth(1).get_by_role("cell").nth(1)).to_have_text("3")
    expect(rows.nth(2).get_by_role("cell").nth(1)).to_have_text("2")
    expect(rows.nth(2)).to_contain_text("66.7%")
    expect(rows.nth(2)).to_contain_text("1 min 30 s")  # median of 1 and 2 minutes
    expect(rows.nth(3).get_by_role("cell").nth(1)).to_have_text("1")
    expect(rows.nth(3)).to_contain_text("50.0%")
    expect(page.get_by_role("img", name="Interactions reaching each step")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/funnel.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "statistics-funnel-2026-11-01-2026-11-30.csv"
    with open(download.path(), encoding="utf-8") as file:
        content = list(csv.reader(io.StringIO(file.read())))
    assert content[0][:4] == ["step", "reference", "name", "interactions"]
    assert [row[:4] for row in content[1:]] == [
        ["1", "welcome", "Welcome", "3"],
        ["2", "identified", "Identified", "2"],
        ["3", "resolved", "Resolved", "1"],
    ]
    assert content[2][7] == "90.0"  # the median in seconds

    page.get_by_role("link", name="1 dropped before step 3: show them").click()
    expect(page.get_by_role("heading", name="Interactions", level=1)).to_be_visible()
    expect(
        page.get_by_text("Reached Welcome → Identified, then not Resolved, 1\N{EN DASH}30 Nov 2026")
    ).to_be_visible()
    listed = page.get_by_role("link", name="Interaction #")
    expect(listed).to_have_count(1)
    expect(page.get_by_role("link", name=f"Interaction #{funnel_data.pk}")).to_be_visible()
