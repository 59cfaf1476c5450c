"""Moving a routing to another site in a real browser: Export JSON on the routing's page, then
Import (the file), Preview and Confirm; the other site is played by the same one after the
routing and its checkpoint are gone and the checkpoint is created again under another id."""

import pytest
from playwright.sync_api import Page, expect

from checkpoints.models import Checkpoint
from routing import services
from routing.models import SmartRouting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIGHTS = [f"routing.{action}_smartrouting" for action in ("view", "add", "change", "delete")]


def test_export_then_import_and_confirm(page: Page, log_in, tmp_path):
    optin = Checkpoint.objects.create(name="Opt-in French", reference="optin_fr")
    routing = services.create_routing(name="Voice IVR", channel="voice")
    root = routing.nodes.get()
    services.add_node(root, outcome="next", kind="add_checkpoint", label="Opt-in", checkpoint=optin)
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in("mover", RIGHTS)

    page.goto(routing.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="Export JSON").click()
    assert download.value.suggested_filename == "routing-voice-ivr.json"
    exported = tmp_path / "routing-voice-ivr.json"
    download.value.save_as(exported)

    routing.delete()
    optin.delete()
    Checkpoint.objects.create(name="Opt-in French", reference="optin_fr")

    page.goto("/smart-routing/")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Routing document").set_input_files(exported)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_text("Creates a new routing")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Smart routing “Voice IVR” created from the document."
    )
    expect(page.get_by_role("heading", name="Voice IVR", level=1)).to_be_visible()
    assert SmartRouting.objects.get().nodes.filter(checkpoint__reference="optin_fr").exists()
    assert csp_errors == []
