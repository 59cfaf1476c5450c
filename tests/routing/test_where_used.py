"""Brief §4 on the checkpoint pages: where a checkpoint is used by Smart Routing actions, the
warnings before deleting it or changing its reference, and what a run does once it is gone."""

import pytest
from django.urls import reverse

from checkpoints.models import Checkpoint
from interactions import services as interaction_services
from interactions.services import create_interaction
from routing import services
from routing.runner import run_routing
from routing.services import resolve_action
from tests.conftest import checkpoint_perms, make_user, messages_of
from tests.pages import page

pytestmark = pytest.mark.django_db

READ_ROUTINGS = "routing.view_smartrouting"


@pytest.fixture
def optin_fr(db):
    return Checkpoint.objects.create(name="Opt-in French", reference="optin_fr", alias="opt-in")


@pytest.fixture
def unused(db):
    return Checkpoint.objects.create(name="VIP", reference="vip")


@pytest.fixture
def direct(optin_fr):
    """An IVR whose action chose optin_fr from the list."""
    routing = services.create_routing(name="Voice IVR", channel="voice")
    root = routing.nodes.get(parent=None)
    return services.add_node(
        root, outcome="next", kind="add_checkpoint", label="French opt-in", checkpoint=optin_fr
    )


@pytest.fixture
def by_code(optin_fr):
    """A messaging flow whose action builds the reference from a variable."""
    routing = services.create_routing(name="Messaging flow", channel="messaging")
    root = routing.nodes.get(parent=None)
    return services.add_node(
        root,
        outcome="next",
        kind="add_checkpoint",
        label="Opt-in by language",
        reference_code="optin_{{ lang }}",
    )


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("maker", [*checkpoint_perms("full"), READ_ROUTINGS]))
    return client


def where_used(response):
    """The checkpoint page's "Used in Smart Routings" panel."""
    return page(response).get_by_role("region", name="Used in Smart Routings")


def test_the_checkpoint_page_lists_direct_and_code_actions(admin_client, direct, by_code):
    panel = where_used(admin_client.get(direct.checkpoint.get_absolute_url()))
    table = panel.get_by_role("table", name="Smart Routing actions that use this checkpoint")
    rows = {row.get_all_by_role("cell")[1].text: row for row in table.get_all_by_role("row")[1:]}
    assert set(rows) == {"French opt-in", "Opt-in by language"}
    for node, name, how in (
        (direct, "Voice IVR", "Chosen from the list"),
        (by_code, "Messaging flow", "Reference code optin_{{ lang }}"),
    ):
        row = rows[node.display_label]
        link = row.get_by_role("link", name=name)
        assert link.get("href") == f"{node.routing.get_absolute_url()}#node-{node.pk}"
        assert row.get_all_by_role("cell")[2].text == how


def test_a_code_that_cannot_render_to_the_reference_is_not_listed(admin_client, by_code, unused):
    panel = where_used(admin_client.get(unused.get_absolute_url()))
    assert panel.get_by_text("No Smart Routing action uses this checkpoint.").tag == "p"
    assert panel.query_by_role("table") is None


def test_routings_the_user_may_not_read_are_named_without_a_link(client, direct):
    client.force_login(make_user("reader", checkpoint_perms("reader")))
    panel = where_used(client.get(direct.checkpoint.get_absolute_url()))
    assert panel.get_by_role("table").column("Smart routing") == ["Voice IVR · Voice"]
    assert panel.get_all_by_role("link") == []


def test_the_delete_page_warns_and_names_the_routings(admin_client, direct, by_code):
    address = reverse("checkpoints:checkpoint_delete", kwargs={"pk": direct.checkpoint_id})
    assert page(admin_client.get(address)).get_by_role("alert").text == (
        "“Opt-in French (optin_fr)” is used by 2 Smart Routing actions in “Messaging flow”, "
        "“Voice IVR”. Detach it from them first: once the checkpoint is deleted, they fall on "
        "Reference not found."
    )


def test_the_bulk_delete_page_warns_for_each_used_checkpoint(admin_client, direct, unused):
    response = admin_client.post(
        reverse("checkpoints:checkpoint_bulk_delete"), {"pk": [direct.checkpoint_id, unused.pk]}
    )
    assert response.status_code == 200
    assert [alert.text for alert in page(response).get_all_by_role("alert")] == [
        "“Opt-in French (optin_fr)” is used by 1 Smart Routing action in “Voice IVR”. Detach "
        "it from it first: once the checkpoint is deleted, it falls on Reference not found."
    ]
    assert Checkpoint.objects.filter(pk__in=[direct.checkpoint_id, unused.pk]).count() == 2


def test_after_deletion_the_actions_fall_on_reference_not_found(admin_client, direct, by_code):
    routing = direct.routing
    services.add_node(direct, outcome="ok", kind="end", label="Transfer")
    services.add_node(direct, outcome="reference_not_found", kind="end", label="No opt-in")
    address = reverse("checkpoints:checkpoint_delete", kwargs={"pk": direct.checkpoint_id})
    assert admin_client.post(address).status_code == 302
    assert not Checkpoint.objects.exists()
    direct.refresh_from_db()
    assert direct.checkpoint is None
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})
    result = run_routing(routing, interaction)
    assert [(step.label, step.outcome) for step in result.path] == [
        ("Start", "next"),
        ("French opt-in", "reference_not_found"),
        ("No opt-in", None),
    ]
    assert result.checkpoints == []
    coded = run_routing(by_code.routing, interaction)
    assert coded.path[-1].outcome == "reference_not_found"
    # The routing page says so on the action.
    tree = page(admin_client.get(routing.get_absolute_url())).get_by_role("list", name="Tree")
    deleted = "No checkpoint (it was deleted): this action falls on Reference not found."
    assert tree.get_by_text(deleted).tag == "span"


def test_the_edit_page_warns_about_codes_using_the_reference(admin_client, direct, by_code):
    address = reverse("checkpoints:checkpoint_edit", kwargs={"pk": direct.checkpoint_id})
    warning = (
        "Reference codes in these routing actions use “optin_fr”: “Opt-in by language” in "
        "“Messaging flow”; changing the Reference makes them fall on Reference not found."
    )
    assert page(admin_client.get(address)).get_by_role("note", text=warning)
    # Changing the name only: nothing to say after saving.
    response = admin_client.post(
        address, {"name": "Opt-in FR", "reference": "optin_fr", "alias": "opt-in"}
    )
    assert warning not in messages_of(response)
    assert Checkpoint.objects.get(pk=direct.checkpoint_id).name == "Opt-in FR"
    response = admin_client.post(
        address, {"name": "Opt-in FR", "reference": "optin_french", "alias": "opt-in"}
    )
    assert response.status_code == 302
    assert warning in messages_of(response)
    assert Checkpoint.objects.get(pk=direct.checkpoint_id).reference == "optin_french"
    interaction = create_interaction(channel="messaging", variables={"lang": "fr"})
    assert run_routing(by_code.routing, interaction).path[-1].outcome == "reference_not_found"


def test_no_edit_warning_without_codes(admin_client, direct, unused):
    address = reverse("checkpoints:checkpoint_edit", kwargs={"pk": direct.checkpoint_id})
    notes = page(admin_client.get(address)).get_all_by_role("note")
    assert not [note for note in notes if "Reference codes in these routing actions" in note.text]
    assert page(admin_client.get(address)).get_by_label("Reference").get("value") == "optin_fr"


def test_an_action_id_resolves_to_its_routing_and_label(direct):
    """The routing app tells the attach service what an action (node) id stands for."""
    record = resolve_action(direct.pk)
    assert (record.routing_id, record.routing_name, record.action_id, record.action_label) == (
        direct.routing_id,
        "Voice IVR",
        direct.pk,
        "French opt-in",
    )
    assert resolve_action(direct.pk + 1000) is None
    interaction_services.register_action_resolver(resolve_action)
    assert interaction_services.resolve_action(direct.pk).routing_name == "Voice IVR"


# The same warnings through the API ------------------------------------------------------------


@pytest.fixture
def maker_api(db):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user("api-maker", checkpoint_perms("full")))
    return api


def test_the_api_tells_what_deleting_a_checkpoint_affects(maker_api, direct, by_code, unused):
    url = f"/api/v1/checkpoints/{direct.checkpoint_id}/delete-warnings/"
    warnings = maker_api.get(url).json()["warnings"]
    assert len(warnings) == 1
    assert "2 Smart Routing actions" in warnings[0]
    assert "“Messaging flow”" in warnings[0] and "“Voice IVR”" in warnings[0]
    assert "Reference not found" in warnings[0]
    unused_url = f"/api/v1/checkpoints/{unused.pk}/delete-warnings/"
    assert maker_api.get(unused_url).json() == {"warnings": []}


def test_a_bulk_delete_dry_run_warns_and_deletes_nothing(maker_api, direct, unused):
    ids = [direct.checkpoint_id, unused.pk]
    dry = maker_api.post("/api/v1/checkpoints/bulk-delete/", {"ids": ids, "dry_run": True}, "json")
    assert dry.status_code == 200
    assert dry.json()["deleted"] == 0
    assert ["“Voice IVR”" in warning for warning in dry.json()["warnings"]] == [True]
    assert Checkpoint.objects.filter(pk__in=ids).count() == 2
    done = maker_api.post("/api/v1/checkpoints/bulk-delete/", {"ids": ids}, "json")
    assert done.json()["deleted"] == 2
    assert done.json()["warnings"] == dry.json()["warnings"]
    assert not Checkpoint.objects.filter(pk__in=ids).exists()


def test_a_dry_run_still_refuses_unknown_ids_and_missing_rights(direct, unused):
    from rest_framework.test import APIClient

    reader = APIClient()
    reader.force_authenticate(make_user("api-reader", checkpoint_perms("reader")))
    body = {"ids": [direct.checkpoint_id], "dry_run": True}
    assert reader.post("/api/v1/checkpoints/bulk-delete/", body, "json").status_code == 403
    full = APIClient()
    full.force_authenticate(make_user("api-full", checkpoint_perms("full")))
    unknown = {"ids": [unused.pk, 987654], "dry_run": True}
    response = full.post("/api/v1/checkpoints/bulk-delete/", unknown, "json")
    assert response.status_code == 400 and "ids" in response.json()
    assert Checkpoint.objects.filter(pk__in=[direct.checkpoint_id, unused.pk]).count() == 2
