"""Smart Routing editor pages: the Test run, the demo routings, and the bounds (the node
form's warning, the Preview's and the Test run's stop)."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from guardian.shortcuts import assign_perm

from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing import services
from routing.models import Node, SmartRouting
from tests.conftest import make_user, messages_of
from tests.pages import page
from tests.routing.pages.editor import (
    RUN_RIGHT,
    alerts,
    node_data,
    routing_perms,
    tree_of,
    url,
)

pytestmark = pytest.mark.django_db

GROWS = "This value can grow past 10,000 characters: the run stops when it passes them."


def interactions_offered(response) -> dict[str, str]:
    """The Test run's interactions to choose from: {value: text}."""
    run = page(response).get_by_role("region", name="Test run")
    choice = run.get_by_role("combobox", name="Interaction")
    return {option.get("value"): option.text for option in choice.get_all_by_role("option")}


def path_taken(shown) -> list[str]:
    """The Test run's steps as a screen reader names them (outcome, not the arrow)."""
    steps = shown.get_by_role("list", name="Path taken").get_all_by_role("listitem")
    return [step.name for step in steps]


def test_test_run_shows_the_path_and_the_checkpoints(full_client, routing, run_tree):
    interaction = create_interaction(channel="voice", customer="+33 1 00", subject="Call")
    other_channel = create_interaction(channel="email", customer="mail@example.com")
    offered = interactions_offered(full_client.get(routing.get_absolute_url()))
    assert str(interaction.pk) in offered and str(other_channel.pk) not in offered
    assert "+33 1 00 · Call" in offered[str(interaction.pk)]
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": '{"lang": "fr"}'},
    )
    assert response.status_code == 200
    shown = page(response)
    summary = f"Test run of “Voice IVR” on interaction #{interaction.pk}: 1 checkpoint attached."
    assert shown.get_by_role("status", text=summary)
    assert path_taken(shown) == [
        "Start Start outcome Next",
        "Opt-in by language Add a checkpoint outcome OK",
        "Transfer End end",
    ]
    table = shown.get_by_role("table", name="Checkpoints attached by this run")
    assert table.column("Checkpoint") == ["Opt-in French"]
    assert table.column("Reference") == ["optin_fr"]
    link = shown.get_by_role("link", name=f"Open interaction #{interaction.pk}")
    assert link.get("href") == interaction.get_absolute_url()
    attached = InteractionCheckpoint.objects.get(interaction=interaction)
    assert (attached.reference, attached.routing_name, attached.action_label) == (
        "optin_fr",
        "Voice IVR",
        "Opt-in by language",
    )
    # An unknown reference takes Reference not found, and the run stops on the unwired branch.
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": '{"lang": "it"}'},
    )
    shown = page(response)
    assert shown.get_by_role("status").text.endswith("0 checkpoints attached.")
    assert path_taken(shown)[1] == (
        "Opt-in by language Add a checkpoint outcome Reference not found "
        "(no node on this branch: the run stops)"
    )
    result = shown.get_by_role("region", name=f"Result on interaction #{interaction.pk}")
    assert result.get_by_text("No checkpoint attached.").tag == "p"
    assert result.query_by_role("table") is None
    assert InteractionCheckpoint.objects.filter(interaction=interaction).count() == 1


def test_test_run_refuses_bad_input(full_client, routing, run_tree):
    interaction = create_interaction(channel="voice")
    email = create_interaction(channel="email")
    address = url("smartrouting_run", pk=routing.pk)
    response = full_client.post(address, {"interaction": interaction.pk, "variables": "lang=fr"})
    assert response.status_code == 200
    variables = page(response).get_by_label("Variables")
    assert "Variables must be a JSON object" in variables.description
    response = full_client.post(address, {"interaction": email.pk, "variables": "{}"})
    assert (
        page(response)
        .get_by_label("Interaction")
        .description.endswith(
            f"Interaction {email.pk} is on the Email channel: this routing runs on Voice "
            "interactions only."
        )
    )
    assert not InteractionCheckpoint.objects.exists()
    assert full_client.get(address).status_code == 302


def test_test_run_lists_only_interactions_the_user_may_read(client, routing, run_tree):
    mine = create_interaction(channel="voice", customer="mine")
    other = create_interaction(channel="voice", customer="other")
    user = make_user("runner", [*routing_perms("view"), RUN_RIGHT])
    assign_perm("interactions.view_interaction", user, mine)
    client.force_login(user)
    offered = interactions_offered(client.get(routing.get_absolute_url()))
    assert str(mine.pk) in offered and str(other.pk) not in offered
    response = client.post(
        url("smartrouting_run", pk=routing.pk), {"interaction": other.pk, "variables": "{}"}
    )
    # One it may not read is unknown to it, as in the API.
    interaction = page(response).get_by_label("Interaction")
    assert interaction.description.endswith(f"No interaction with id {other.pk}.")
    assert not InteractionCheckpoint.objects.exists()


# ---- Demo data ----


def test_the_demo_routings_tell_their_journeys(client):
    call_command("seed_demo", stdout=StringIO())
    routings = {routing.name: routing for routing in SmartRouting.objects.all()}
    assert set(routings) == {"Main voice line", "Support mailbox", "WhatsApp and web chat"}
    voice = routings["Main voice line"]
    assert voice.nodes.filter(reference_code="optin_{{ lang }}").exists()

    def references(name: str) -> set[str]:
        runs = InteractionCheckpoint.objects.filter(routing_id=routings[name].pk)
        return set(runs.values_list("reference", flat=True))

    assert references("Main voice line") >= {
        "recognised_customer",
        "optin_fr",
        "identification_failed",
    }
    assert references("Support mailbox") >= {"campaign_a", "campaign_b"}
    assert references("WhatsApp and web chat") >= {"callback_offered", "upsell_offered"}
    # Idempotent: a second seed adds no routing, node nor run.
    runs = InteractionCheckpoint.objects.filter(routing_id=voice.pk)
    counts = (SmartRouting.objects.count(), Node.objects.count(), runs.count())
    call_command("seed_demo", stdout=StringIO())
    assert (SmartRouting.objects.count(), Node.objects.count(), runs.count()) == counts
    # The roles' rights.
    editor = User.objects.get(username="editor")
    assert editor.has_perm("routing.change_smartrouting")
    assert not editor.has_perm("routing.delete_smartrouting")
    reader = User.objects.get(username="reader")
    assert reader.has_perm("routing.view_smartrouting")
    assert not reader.has_perm("routing.add_smartrouting")
    client.force_login(reader)
    for routing in routings.values():
        shown = page(client.get(routing.get_absolute_url()))
        assert shown.get_by_role("heading", level=1).text == routing.name
        editing = re.compile("^(Add a node|Edit node|Delete node)")
        assert tree_of(shown).get_all_by_role("link", name=editing) == []


# ---- Bounds: the editor's warning, the Preview and the Test run's stop ----


def test_the_node_form_warns_when_a_value_can_pass_the_bound(full_client, routing, root):
    lang = services.add_node(
        root, outcome="next", kind="set_variable", variable="lang", value="{{ lang|lower }}"
    )
    edit = url("node_edit", pk=routing.pk, node=lang.pk)
    # Copying a variable never grows: no warning.
    assert page(full_client.get(edit)).get_all_by_text(GROWS) == []
    for value in ("{{ lang }}{{ lang }}", "{{ lang }}_suffix", "{{ other|ljust:'9000' }}"):
        response = full_client.post(edit, node_data("", variable="lang", value=value, preview="1"))
        assert page(response).get_by_text(GROWS).get("class") == "warning", value
    lang.refresh_from_db()
    assert lang.value == "{{ lang|lower }}"  # a preview saves nothing
    # Saved anyway, with the warning as a message.
    response = full_client.post(edit, node_data("", variable="lang", value="{{ lang }}-x"))
    assert response.status_code == 302
    assert GROWS in messages_of(response)
    lang.refresh_from_db()
    assert lang.value == "{{ lang }}-x"
    warning = page(full_client.get(edit)).get_by_role("paragraph", text=GROWS)
    assert warning.get("id") == "bound-warning"
    # A reference code that can pass it takes Reference not found.
    address = url("node_add", pk=routing.pk, parent=lang.pk) + "?outcome=next"
    response = full_client.post(
        address, node_data("add_checkpoint", "next", reference_code="{{ lang|rjust:'20000' }}")
    )
    assert response.status_code == 302
    assert (
        "This code can render to more than 10,000 characters: the action then takes Reference "
        "not found."
    ) in messages_of(response)
    assert lang.children.get().reference_code == "{{ lang|rjust:'20000' }}"


def test_the_preview_says_when_a_value_passes_the_bound(full_client, routing, root):
    address = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    data = node_data(
        "set_variable", "next", variable="x", value="{{ 'x'|ljust:'50000000' }}", preview="1"
    )
    result = page(full_client.post(address, data)).get_by_role("region", name="Preview result")
    too_large = "the value passes 10,000 characters, the most a value may have"
    assert result.get_by_text(f"Cannot be rendered: {too_large}.").get("class") == "warning"
    data.update(kind="add_checkpoint", reference_code="{{ code }}", value="")
    data["sample_variables"] = json.dumps({"code": "optin fr"})
    result = page(full_client.post(address, data)).get_by_role("region", name="Preview result")
    assert result.get_by_text(
        "No checkpoint has this reference: the action would take Reference not found."
    )
    assert routing.nodes.count() == 1


def test_templates_are_bounded_and_loops_refused_on_the_form(full_client, routing, root):
    address = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    response = full_client.post(
        address, node_data("set_variable", "next", variable="x", value="x" * 1001)
    )
    value = page(response).get_by_label("Value")
    assert "Ensure this value has at most 1000 characters" in value.description
    response = full_client.post(
        address,
        node_data("set_variable", "next", variable="x", value="{% for c in x %}{% endfor %}"),
    )
    value = page(response).get_by_label("Value")
    assert "Invalid block tag on line 1: 'for'" in value.description
    assert routing.nodes.count() == 1


def test_test_run_shows_why_a_run_stopped(full_client, routing, root):
    parent = root
    for _ in range(20):
        parent = services.add_node(
            parent,
            outcome="next",
            kind="set_variable",
            label="Double",
            variable="x",
            value="{{ x }}{{ x }}",
        )
    interaction = create_interaction(channel="voice")
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": '{"x": "x"}'},
    )
    detail = "The value of “x” passed 10,000 characters, the most a value may have."
    shown = page(response)
    assert f"The run stopped early: {detail}" in alerts(shown)
    assert path_taken(shown)[-1].endswith("stopped here")
    assert (
        f"Test run of “Voice IVR” on interaction #{interaction.pk}: 0 checkpoints attached. "
        f"{detail}"
    ) in messages_of(response)


@pytest.mark.parametrize("hostile", ['{"lang": "\\ud800"}', '{"lang": "fr\\u0000"}'])
def test_test_run_and_preview_refuse_variables_the_databases_cannot_hold(
    full_client, routing, root, run_tree, hostile
):
    interaction = create_interaction(channel="voice")
    run = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": hostile},
    )
    assert run.status_code == 200
    assert (
        "Variables (lang): text may not contain" in page(run).get_by_label("Variables").description
    )
    assert not InteractionCheckpoint.objects.exists()
    address = url("node_add", pk=routing.pk, parent=run_tree.pk) + "?outcome=reference_not_found"
    data = node_data(
        "add_checkpoint",
        "reference_not_found",
        reference_code="optin_{{ lang }}",
        sample_variables=hostile,
        preview="1",
    )
    preview = full_client.post(address, data)
    assert preview.status_code == 200
    sample = page(preview).get_by_label("Sample variables")
    assert "Variables (lang): text may not contain" in sample.description
    assert not run_tree.children.filter(outcome="reference_not_found").exists()
