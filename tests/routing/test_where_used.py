"""Brief §4 on the checkpoint pages: where a checkpoint is used by Smart Routing actions, the
warnings before deleting it or changing its reference, and what a run does once it is gone."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from checkpoints.models import Checkpoint
from interactions import services as interaction_services
from interactions.services import create_interaction
from routing import services
from routing.runner import run_routing
from routing.services import resolve_action
from tests.conftest import checkpoint_perms, make_user

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


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_checkpoint_page_lists_direct_and_code_actions(admin_client, direct, by_code):
    text = admin_client.get(direct.checkpoint.get_absolute_url()).text
    assert "Used in Smart Routings" in text
    panel = text[text.index("Used in Smart Routings") :]
    assert f'href="{direct.routing.get_absolute_url()}#node-{direct.pk}">Voice IVR</a>' in panel
    assert "French opt-in" in panel and "Chosen from the list" in panel
    assert f'href="{by_code.routing.get_absolute_url()}#node-{by_code.pk}">Messaging flow' in panel
    assert "Opt-in by language" in panel
    assert "Reference code <code>optin_{{ lang }}</code>" in panel


def test_a_code_that_cannot_render_to_the_reference_is_not_listed(admin_client, by_code, unused):
    text = admin_client.get(unused.get_absolute_url()).text
    assert "No Smart Routing action uses this checkpoint." in text
    assert "Messaging flow" not in text


def test_routings_the_user_may_not_read_are_named_without_a_link(client, direct):
    client.force_login(make_user("reader", checkpoint_perms("reader")))
    text = client.get(direct.checkpoint.get_absolute_url()).text
    assert "Voice IVR" in text
    assert direct.routing.get_absolute_url() not in text


def test_the_delete_page_warns_and_names_the_routings(admin_client, direct, by_code):
    page = reverse("checkpoints:checkpoint_delete", kwargs={"pk": direct.checkpoint_id})
    text = admin_client.get(page).text
    assert (
        "“Opt-in French (optin_fr)” is used by 2 Smart Routing actions in “Messaging flow”, "
        "“Voice IVR”. Detach it from them first: once the checkpoint is deleted, they fall on "
        "Reference not found."
    ) in text


def test_the_bulk_delete_page_warns_for_each_used_checkpoint(admin_client, direct, unused):
    response = admin_client.post(
        reverse("checkpoints:checkpoint_bulk_delete"), {"pk": [direct.checkpoint_id, unused.pk]}
    )
    assert response.status_code == 200
    assert (
        "“Opt-in French (optin_fr)” is used by 1 Smart Routing action in “Voice IVR”. Detach "
        "it from it first: once the checkpoint is deleted, it falls on Reference not found."
    ) in response.text
    assert "“VIP (vip)” is used" not in response.text
    assert Checkpoint.objects.filter(pk__in=[direct.checkpoint_id, unused.pk]).count() == 2


def test_after_deletion_the_actions_fall_on_reference_not_found(admin_client, direct, by_code):
    routing = direct.routing
    services.add_node(direct, outcome="ok", kind="end", label="Transfer")
    services.add_node(direct, outcome="reference_not_found", kind="end", label="No opt-in")
    page = reverse("checkpoints:checkpoint_delete", kwargs={"pk": direct.checkpoint_id})
    assert admin_client.post(page).status_code == 302
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
    text = admin_client.get(routing.get_absolute_url()).text
    assert "No checkpoint (it was deleted): this action falls on Reference not found." in text


def test_the_edit_page_warns_about_codes_using_the_reference(admin_client, direct, by_code):
    page = reverse("checkpoints:checkpoint_edit", kwargs={"pk": direct.checkpoint_id})
    warning = (
        "Reference codes in these routing actions use “optin_fr”: “Opt-in by language” in "
        "“Messaging flow”; changing the Reference makes them fall on Reference not found."
    )
    assert warning in admin_client.get(page).text
    # Changing the name only: nothing to say after saving.
    response = admin_client.post(
        page, {"name": "Opt-in FR", "reference": "optin_fr", "alias": "opt-in"}
    )
    assert warning not in messages_of(response)
    assert Checkpoint.objects.get(pk=direct.checkpoint_id).name == "Opt-in FR"
    response = admin_client.post(
        page, {"name": "Opt-in FR", "reference": "optin_french", "alias": "opt-in"}
    )
    assert response.status_code == 302
    assert warning in messages_of(response)
    assert Checkpoint.objects.get(pk=direct.checkpoint_id).reference == "optin_french"
    interaction = create_interaction(channel="messaging", variables={"lang": "fr"})
    assert run_routing(by_code.routing, interaction).path[-1].outcome == "reference_not_found"


def test_no_edit_warning_without_codes(admin_client, direct, unused):
    page = reverse("checkpoints:checkpoint_edit", kwargs={"pk": direct.checkpoint_id})
    assert "Reference codes in these routing actions" not in admin_client.get(page).text


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
