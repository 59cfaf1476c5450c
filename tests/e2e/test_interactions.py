"""Interactions as a user reads them, in a real browser, by roles, labels and names only:
the history list, the details page's Checkpoints section, the Information and Data tabs, and a
Data row's link to the checkpoint configuration page."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from checkpoints.models import Checkpoint
from interactions import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIGHTS = ["interactions.view_interaction", "checkpoints.view_checkpoint"]
T0 = datetime.datetime(2025, 3, 4, 9, 15, 30, tzinfo=datetime.UTC)


@pytest.fixture
def journey(db):
    interaction = services.create_interaction(
        channel="voice", customer="Alice Martin", subject="Lost card"
    )
    steps = (
        ("Recognised customer", "recognised_customer", "recognised", "Caller recognised", 0),
        ("Opt-in collected (French)", "optin_fr", "opt-in FR", "Ask for opt-in (FR)", 42),
    )
    for name, reference, alias, label, seconds in steps:
        checkpoint = Checkpoint.objects.create(name=name, reference=reference, alias=alias)
        services.attach_checkpoint(
            interaction.pk,
            checkpoint_id=checkpoint.pk,
            action=services.ActionRecord(routing_name="Main voice line", action_label=label),
            attached_at=T0 + datetime.timedelta(seconds=seconds),
        )
    return interaction


def test_open_an_interaction_and_follow_its_checkpoints(page: Page, log_in, journey):
    log_in("agent-lead", RIGHTS)
    page.get_by_role("navigation", name="Maker").get_by_role("link", name="Interactions").click()
    expect(page.get_by_role("heading", name="Interactions", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Alice Martin")
    expect(row.get_by_text("Live", exact=True)).to_be_visible()
    row.get_by_role("link", name=f"Interaction #{journey.pk}").click()
    expect(
        page.get_by_role("heading", name=re.compile(rf"Interaction #{journey.pk}"))
    ).to_be_visible()

    # The Checkpoints section: chronological, absolute times, the action that set each one.
    timeline = page.get_by_role("list", name="Checkpoints in the order they were attached")
    items = timeline.get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("2025-03-04 09:15:30 UTC")
    expect(items.nth(0)).to_contain_text("Recognised customer")
    expect(items.nth(0)).to_contain_text("Caller recognised")
    expect(items.nth(1)).to_contain_text("2025-03-04 09:16:12 UTC")
    expect(items.nth(1)).to_contain_text("Opt-in collected (French)")
    expect(items.nth(1)).to_contain_text("Ask for opt-in (FR)")

    # The Information tab: each alias as a chip.
    information = page.get_by_role("tab", name="Information")
    data = page.get_by_role("tab", name="Data")
    data.click()
    expect(data).to_have_attribute("aria-selected", "true")
    information.click()
    expect(information).to_have_attribute("aria-selected", "true")
    expect(data).to_have_attribute("aria-selected", "false")
    panel = page.get_by_role("tabpanel", name="Information")
    expect(panel).to_be_visible()
    expect(page.get_by_role("tabpanel", name="Data")).to_be_hidden()
    expect(panel.get_by_role("heading", name="Checkpoints")).to_be_visible()
    chips = panel.get_by_role("list", name="Checkpoints").get_by_role("listitem")
    expect(chips).to_have_text(["recognised", "opt-in FR"])

    # Keyboard: the arrow key moves to the Data tab.
    information.focus()
    page.keyboard.press("ArrowRight")
    expect(data).to_be_focused()
    expect(data).to_have_attribute("aria-selected", "true")

    # The Data tab: the detailed rows; a row's name opens the checkpoint configuration page.
    table = page.get_by_role("tabpanel", name="Data").get_by_role("table")
    expect(table.get_by_role("columnheader", name="Date and time (UTC)")).to_be_visible()
    optin_row = table.get_by_role("row").filter(has_text="optin_fr")
    expect(optin_row).to_contain_text("2025-03-04 09:16:12")
    expect(optin_row).to_contain_text("Ask for opt-in (FR)")
    optin_row.get_by_role("link", name="Opt-in collected (French)").click()
    expect(page).to_have_url(re.compile(r"/toolbox/checkpoints/\d+/$"))
    expect(page.get_by_role("heading", name="Opt-in collected (French)", level=1)).to_be_visible()

    # The checkpoint page says which interactions reached it, and leads back.
    expect(page.get_by_text("1 interaction reached this checkpoint.")).to_be_visible()
    page.get_by_role("link", name=f"Interaction #{journey.pk}").click()
    expect(page.get_by_role("heading", name="Checkpoints", level=2)).to_be_visible()


def test_a_live_interaction_updates_without_reloading(page: Page, log_in, journey, monkeypatch):
    monkeypatch.setattr("interactions.views.POLL_SECONDS", 1)
    log_in("watcher", RIGHTS)
    page.goto(f"/interactions/{journey.pk}/")
    timeline = page.get_by_role("list", name="Checkpoints in the order they were attached")
    expect(timeline.get_by_role("listitem")).to_have_count(2)
    callback = Checkpoint.objects.create(
        name="Callback offered", reference="callback_offered", alias="callback"
    )
    services.attach_checkpoint(
        journey.pk,
        checkpoint_id=callback.pk,
        action=services.ActionRecord(action_label="Offer a callback"),
    )
    expect(timeline.get_by_role("listitem")).to_have_count(3, timeout=8_000)
    expect(timeline).to_contain_text("Offer a callback")
    chips = page.get_by_role("tabpanel", name="Information").get_by_role("listitem")
    expect(chips.filter(has_text="callback")).to_have_count(1, timeout=8_000)

    services.close_interaction(journey)
    expect(page.get_by_role("status").get_by_text("Closed")).to_be_visible(timeout=8_000)
