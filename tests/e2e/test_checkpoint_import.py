"""Toolbox > Checkpoints > Import in a real browser: upload a CSV, read the preview, confirm."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from checkpoints.models import Checkpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EDITOR = [f"checkpoints.{action}_checkpoint" for action in ("view", "add", "change")]
CSV = (
    "\ufeffname,reference,alias\r\n"
    "Opt-in collected (French),optin_fr,opt-in FR\r\n"
    "Recognised customer (renamed),recognised,known\r\n"
    "Callback offered,callback_offered,\r\n"
)


def choose_file(page: Page, content: str, name: str = "checkpoints.csv") -> None:
    page.get_by_label("File").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Preview").click()


def test_import_a_csv_with_a_preview(page: Page, log_in):
    Checkpoint.objects.create(name="Recognised customer", reference="recognised", alias="known")
    log_in("editor", EDITOR)
    page.get_by_role("navigation", name="Maker").get_by_role("link", name="Checkpoints").click()
    page.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import checkpoints")).to_be_visible()

    # A file with a bad row: the preview names the row, the field and the rule; no Confirm.
    choose_file(page, CSV + "Bad,bad reference!,\r\n")
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    bad = page.get_by_role("row").filter(has_text="bad reference!")
    expect(bad).to_contain_text("Reference: Reference may contain only letters")
    expect(page.get_by_role("button", name="Confirm import")).to_be_disabled()
    assert Checkpoint.objects.count() == 1

    page.get_by_role("link", name="Upload another file").click()
    choose_file(page, CSV)
    summary = page.get_by_label("Summary")
    expect(summary).to_contain_text(re.compile(r"Create\s*2"))
    expect(summary).to_contain_text(re.compile(r"Update\s*1"))
    expect(page.get_by_role("row").filter(has_text="optin_fr")).to_contain_text("Create")
    expect(page.get_by_role("row").filter(has_text="recognised")).to_contain_text("Update")
    assert Checkpoint.objects.count() == 1

    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Import done: 2 created, 1 updated, 0 unchanged."
    )
    expect(page.get_by_role("heading", name="Checkpoints", level=1)).to_be_visible()
    for reference in ("optin_fr", "recognised", "callback_offered"):
        expect(page.get_by_role("row").filter(has_text=reference)).to_be_visible()
    expect(
        page.get_by_role("cell", name="Recognised customer (renamed)", exact=True)
    ).to_be_visible()
    assert Checkpoint.objects.count() == 3

    # The list, filtered, exported as CSV from its Export menu.
    page.get_by_role("searchbox", name="Search").fill("optin")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.get_by_role("row").filter(has_text="recognised")).to_have_count(0)
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export checkpoints as CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert download.value.suggested_filename.startswith("checkpoints-")
    assert len(exported) == 2 and "optin_fr" in exported[1] and "Opt-in collected" in exported[1]

    # Who changed this reference, and when: the checkpoint's History.
    page.get_by_role("link", name="Opt-in collected (French)").first.click()
    page.get_by_role("link", name="History").click()
    history = page.get_by_role("table")
    expect(history).to_contain_text("editor")
    expect(history).to_contain_text("Created")
