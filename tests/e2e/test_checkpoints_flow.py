"""Toolbox > Checkpoints as a user works it, in a real browser, by labels and names only."""

import re

import pytest
from playwright.sync_api import Page, expect

from checkpoints.models import Checkpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALL_RIGHTS = [f"checkpoints.{action}_checkpoint" for action in ("view", "add", "change", "delete")]


def status(page: Page):
    return page.get_by_role("status")


def row(page: Page, text: str):
    return page.get_by_role("row").filter(has_text=text)


def create(page: Page, name: str, reference: str, alias: str = "") -> None:
    page.get_by_role("link", name="New checkpoint").click()
    expect(page.get_by_role("heading", name="New checkpoint")).to_be_visible()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Alias").fill(alias)
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text(f"“{name} ({reference})” created")
    expect(row(page, reference)).to_be_visible()


def search(page: Page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Search")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def test_checkpoint_life_cycle(page: Page, log_in):
    log_in("maker", ALL_RIGHTS)
    page.get_by_role("navigation", name="Maker").get_by_role("link", name="Checkpoints").click()
    expect(page.get_by_role("heading", name="Checkpoints", level=1)).to_be_visible()
    expect(page.get_by_text("No checkpoints yet.")).to_be_visible()

    # Create: the + button, the form, the success message and the new row.
    create(page, "Recognised customer", "recognised_customer", "recognised")
    new_row = row(page, "recognised_customer")
    for column in ("Recognised customer", "recognised_customer", "recognised"):
        expect(new_row.get_by_role("cell", name=column, exact=True)).to_be_visible()
    create(page, "Opt-in collected (French)", "optin_fr", "opt-in FR")
    create(page, "Opt-in collected (English)", "optin_en", "opt-in EN")
    create(page, "Callback offered", "callback_offered", "callback")

    # A reference that breaks the rule is refused with the rule named, and nothing is saved.
    page.get_by_role("link", name="New checkpoint").click()
    page.get_by_label("Name").fill("Bad reference")
    page.get_by_label("Reference").fill("bad reference!")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Reference may contain only letters, digits and _ + . @ -")
    ).to_be_visible()
    page.get_by_role("link", name="Cancel").click()

    # Search by part of a reference, whatever the case.
    search(page, "OPTIN")
    expect(row(page, "optin_fr")).to_be_visible()
    expect(row(page, "optin_en")).to_be_visible()
    expect(row(page, "callback_offered")).to_have_count(0)
    expect(row(page, "recognised_customer")).to_have_count(0)
    search(page, "nothing-like-this")
    expect(page.get_by_text("No checkpoints match “nothing-like-this”.")).to_be_visible()
    search(page, "")

    # Duplicate: a notice asks for a new Name and Reference; unchanged, the reference clashes.
    page.get_by_role("link", name="Duplicate Opt-in collected (French) (optin_fr)").click()
    expect(page.get_by_role("note")).to_contain_text("Change its Name and its Reference")
    expect(page.get_by_label("Reference")).to_have_value("optin_fr")
    expect(page.get_by_label("Alias")).to_have_value("opt-in FR")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A checkpoint with this reference already exists.")).to_be_visible()
    page.get_by_label("Name").fill("Opt-in collected (German)")
    page.get_by_label("Reference").fill("optin_de")
    page.get_by_label("Alias").fill("opt-in DE")
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text("created as a copy of")
    expect(row(page, "optin_de")).to_be_visible()
    expect(row(page, "optin_fr")).to_be_visible()

    # Edit.
    page.get_by_role("link", name="Edit Callback offered (callback_offered)").click()
    expect(page.get_by_label("Name")).to_have_value("Callback offered")
    page.get_by_label("Alias").fill("call me")
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text("“Callback offered (callback_offered)” saved")
    expect(row(page, "callback_offered")).to_contain_text("call me")

    # Delete one, through its confirmation page.
    page.get_by_role("link", name="Delete Recognised customer (recognised_customer)").click()
    expect(page.get_by_role("heading", name=re.compile("Delete checkpoint"))).to_contain_text(
        "Recognised customer (recognised_customer)"
    )
    page.get_by_role("button", name="Delete").click()
    expect(status(page)).to_contain_text("deleted")
    expect(row(page, "recognised_customer")).to_have_count(0)

    # Bulk delete: tick two rows, confirm; then "Select all on this page" for the rest.
    page.get_by_role("checkbox", name="Select Opt-in collected (French) (optin_fr)").check()
    page.get_by_role("checkbox", name="Select Opt-in collected (English) (optin_en)").check()
    page.get_by_role("button", name="Delete selected").click()
    expect(page.get_by_role("heading", name="Delete 2 checkpoints?")).to_be_visible()
    listed = page.get_by_role("listitem")
    expect(listed.filter(has_text="optin_fr")).to_have_count(1)
    expect(listed.filter(has_text="optin_en")).to_have_count(1)
    expect(listed.filter(has_text="optin_de")).to_have_count(0)
    page.get_by_role("button", name="Delete").click()
    expect(status(page)).to_contain_text("2 checkpoints deleted")
    expect(row(page, "optin_fr")).to_have_count(0)
    expect(row(page, "optin_en")).to_have_count(0)

    page.get_by_role("checkbox", name="Select all on this page").check()
    expect(
        page.get_by_role("checkbox", name="Select Callback offered (callback_offered)")
    ).to_be_checked()
    page.get_by_role("button", name="Delete selected").click()
    expect(page.get_by_role("heading", name="Delete 2 checkpoints?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(status(page)).to_contain_text("2 checkpoints deleted")
    expect(page.get_by_text("No checkpoints yet.")).to_be_visible()
    assert not Checkpoint.objects.exists()


def test_read_only_user_sees_no_write_actions_and_names_stay_text(page: Page, log_in):
    Checkpoint.objects.create(name="<script>alert(1)</script>", reference="xss_probe", alias="<b>")
    Checkpoint.objects.create(name="VIP customer", reference="vip", alias="VIP")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in("reader", ["checkpoints.view_checkpoint"])
    page.get_by_role("navigation", name="Maker").get_by_role("link", name="Checkpoints").click()

    expect(row(page, "vip")).to_be_visible()
    expect(page.get_by_role("link", name="<script>alert(1)</script>")).to_be_visible()
    expect(row(page, "xss_probe")).to_contain_text("<b>")
    expect(page.get_by_role("link", name="New checkpoint")).to_have_count(0)
    for action in ("Edit", "Duplicate", "Delete"):
        expect(page.get_by_role("link", name=re.compile(f"^{action} "))).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete selected")).to_have_count(0)

    # The details page shows the name as text too, with no write buttons.
    page.get_by_role("link", name="<script>alert(1)</script>").click()
    expect(page.get_by_role("heading", name="<script>alert(1)</script>")).to_be_visible()
    for action in ("Edit", "Duplicate", "Delete"):
        expect(page.get_by_role("link", name=action, exact=True)).to_have_count(0)
    assert dialogs == []
