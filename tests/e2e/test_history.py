"""A checkpoint's History in a real browser: who changed the reference, and when."""

import pytest
from playwright.sync_api import Page, expect

from checkpoints import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALL_RIGHTS = [f"checkpoints.{action}_checkpoint" for action in ("view", "add", "change", "delete")]


def test_history_shows_who_changed_the_reference(page: Page, log_in):
    checkpoint = services.create_checkpoint(name="Opt-in", reference="optin")
    log_in("maker", ALL_RIGHTS)
    page.goto(checkpoint.get_absolute_url())
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Reference").fill("optin_fr")
    page.get_by_role("button", name="Save").click()

    page.goto(checkpoint.get_absolute_url())
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History of Opt-in (optin_fr)")).to_be_visible()
    changed = page.get_by_role("row").filter(has_text="Changed")
    expect(changed.get_by_role("cell", name="maker", exact=True)).to_be_visible()
    expect(changed).to_contain_text("reference: optin → optin_fr")
    expect(page.get_by_role("row").filter(has_text="Created")).to_be_visible()
