"""The Smart Routing editor as a user works it, in a real browser, by labels and names only:
build start → add a checkpoint → end, test-run it on an interaction, and find the checkpoint
on the interaction's page."""

import re

import pytest
from playwright.sync_api import Page, expect

from checkpoints.models import Checkpoint
from interactions.services import create_interaction
from routing import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RIGHTS = [
    *(f"routing.{action}_smartrouting" for action in ("view", "add", "change", "delete")),
    "checkpoints.view_checkpoint",
    "interactions.view_interaction",
    "interactions.add_interactioncheckpoint",
]


def status(page: Page):
    return page.get_by_role("status")


def test_build_a_tree_then_test_run_it(page: Page, log_in):
    Checkpoint.objects.create(name="Recognised customer", reference="recognised_customer")
    Checkpoint.objects.create(
        name="Callback offered", reference="callback_offered", alias="callback"
    )
    interaction = create_interaction(channel="voice", customer="+33 1 23 45", subject="Test call")
    create_interaction(channel="email", customer="mail@example.com")
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in("router", RIGHTS)

    # The list, then a new routing: it opens on its page with a Start node.
    page.get_by_role("navigation", name="Maker").get_by_role("link", name="Smart Routing").click()
    expect(page.get_by_role("heading", name="Smart Routing", level=1)).to_be_visible()
    expect(page.get_by_text("No smart routings yet.")).to_be_visible()
    page.get_by_role("link", name="New smart routing").click()
    expect(page.get_by_role("heading", name="New smart routing")).to_be_visible()
    page.get_by_label("Name").fill("Voice IVR")
    page.get_by_label("Channel").select_option(label="Voice")
    page.get_by_label("Description").fill("Offers a callback, then transfers.")
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text("Smart routing “Voice IVR” created.")
    expect(page.get_by_role("heading", name="Voice IVR", level=1)).to_be_visible()
    tree = page.get_by_role("list").filter(has_text="Start").first
    expect(tree).to_contain_text("Next")

    # Start → Add a checkpoint, picked from the Toolbox list after a live search.
    page.get_by_role("link", name="Add a node").click()
    expect(page.get_by_role("heading", name="Add a node under “Start”")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Add a checkpoint")
    page.get_by_label("Label").fill("Offer a callback")
    page.get_by_role("searchbox", name="Search checkpoints").fill("callb")
    expect(page.get_by_text("1 checkpoint match “callb”.")).to_be_visible()
    checkpoint = page.get_by_label("Checkpoint", exact=True)
    expect(checkpoint.locator("option", has_text="Recognised customer")).to_be_hidden()
    checkpoint.select_option(label="Callback offered (callback_offered)")
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text("“Offer a callback” added under “Start” on Next.")
    expect(page.get_by_role("link", name="Callback offered")).to_be_visible()

    # Its OK branch → End; the kind shows only its own fields.
    page.get_by_role("link", name="Add a node under “Offer a callback” on OK").click()
    page.get_by_label("Kind").select_option(label="End")
    expect(page.get_by_label("Reference code")).to_be_hidden()
    expect(page.get_by_label("Variable", exact=True)).to_be_hidden()
    page.get_by_label("Label").fill("Transfer to an advisor")
    page.get_by_role("button", name="Save").click()
    expect(status(page)).to_contain_text("“Transfer to an advisor” added under “Offer a callback”")
    expect(
        page.get_by_role("link", name="Add a node under “Offer a callback” on Reference not found")
    ).to_be_visible()

    # Test run on the voice interaction (the email one is not offered).
    interaction_select = page.get_by_label("Interaction")
    expect(interaction_select.locator("option")).to_have_count(1)
    expect(interaction_select).to_contain_text("+33 1 23 45 · Test call")
    page.get_by_label("Variables").fill('{"lang": "fr"}')
    page.get_by_role("button", name="Run").click()
    expect(status(page)).to_contain_text(
        f"Test run of “Voice IVR” on interaction #{interaction.pk}: 1 checkpoint attached."
    )
    path = page.get_by_role("list").filter(has_text="Transfer to an advisor").last
    expect(path).to_contain_text(
        re.compile(r"Offer a callback\s+Add a checkpoint\s+→\s*outcome OK")
    )
    expect(page.get_by_role("cell", name="Callback offered")).to_be_visible()

    # The interaction's page shows the checkpoint and the action that set it.
    page.get_by_role("link", name=f"Open interaction #{interaction.pk}").click()
    expect(
        page.get_by_role("heading", name=re.compile(f"Interaction #{interaction.pk}"))
    ).to_be_visible()
    journey = page.get_by_role("list", name="Checkpoints in the order they were attached")
    expect(journey).to_contain_text("Callback offered")
    expect(journey).to_contain_text("Offer a callback")
    expect(journey).to_contain_text("Voice IVR")
    assert csp_errors == []


def test_preview_a_reference_code(page: Page, log_in):
    Checkpoint.objects.create(name="Opt-in French", reference="optin_fr")
    routing = services.create_routing(name="Opt-in line", channel="voice")
    log_in("builder", RIGHTS)
    page.goto(routing.get_absolute_url())
    page.get_by_role("link", name="Add a node").click()
    page.get_by_label("Kind").select_option(label="Add a checkpoint")
    page.get_by_label("Reference code").fill("optin_{{ lang }}")
    page.get_by_label("Sample variables").fill('{"lang": "fr"}')
    page.get_by_role("button", name="Preview").click()
    result = page.get_by_role("region", name="Preview result")
    expect(result).to_contain_text("Renders to optin_fr.")
    expect(result).to_contain_text("This reference exists: “Opt-in French”.")
    page.get_by_label("Sample variables").fill('{"lang": "it"}')
    page.get_by_role("button", name="Preview").click()
    expect(result).to_contain_text("would take Reference not found")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Reference code: optin_{{ lang }}")).to_be_visible()
