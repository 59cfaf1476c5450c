"""Routing documents in the Maker: Export JSON on a routing's page, and Import (upload,
preview, Confirm) on Toolbox > Smart Routing, with their rights and the licence."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from checkpoints.models import Checkpoint
from routing import portable, services
from routing.models import SmartRouting
from tests.conftest import make_user, messages_of
from tests.pages import page
from tests.routing.pages.editor import ALL, LIST, routing_perms, url

pytestmark = pytest.mark.django_db

IMPORT = url("smartrouting_import")


def upload(client, content: bytes | str, name: str = "routing.json"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(IMPORT, {"document": SimpleUploadedFile(name, content)})


def confirm(client, preview):
    """Press Confirm on the preview page (the form posts its signed token)."""
    assert page(preview).get_by_role("button", name="Confirm").get("value") == "1"
    signed = preview.content.decode().split('name="token" value="')[1].split('"')[0]
    return client.post(IMPORT, {"confirm": "1", "token": signed})


@pytest.fixture
def document_text(child, routing) -> str:
    return portable.document_text(portable.export_routing(routing))


def test_export_json_downloads_the_document(full_client, routing, child):
    shown = page(full_client.get(routing.get_absolute_url()))
    link = shown.get_by_role("link", name="Export JSON")
    response = full_client.get(link.get("href"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="routing-voice-ivr.json"'
    document = json.loads(response.content)
    assert document["routing"]["tree"]["branches"]["next"]["checkpoint_reference"] == "optin_fr"


def test_import_in_two_clicks_creates_the_routing(full_client, document_text, routing, optin):
    """Site B: the routing and the checkpoint's id are not those of site A."""
    routing.delete()
    optin.delete()
    Checkpoint.objects.create(name="Opt-in French", reference="optin_fr")
    listing = page(full_client.get(LIST))
    assert listing.get_by_role("link", name="Import").get("href") == IMPORT
    preview = upload(full_client, document_text)
    shown = page(preview)
    assert "Creates a new routing" in shown.text
    assert "Voice IVR" in shown.text
    response = confirm(full_client, preview)
    imported = SmartRouting.objects.get(name="Voice IVR")
    assert response.status_code == 302
    assert response["Location"] == imported.get_absolute_url()
    assert messages_of(response) == ["Smart routing “Voice IVR” created from the document."]
    assert portable.document_text(portable.export_routing(imported)) == document_text


def test_a_routing_of_the_same_name_is_replaced_and_the_preview_says_so(
    full_client, document_text, routing
):
    services.update_routing(routing, description="Changed here")
    preview = upload(full_client, document_text)
    assert "Replaces the routing Voice IVR and its whole tree" in page(preview).text
    confirm(full_client, preview)
    routing.refresh_from_db()
    assert routing.description == "Main line"
    assert SmartRouting.objects.count() == 1


def test_missing_references_are_listed_and_there_is_no_confirm(
    full_client, document_text, routing, optin
):
    routing.delete()
    optin.delete()
    shown = page(upload(full_client, document_text))
    missing = shown.get_by_role("heading", name="Missing checkpoints")
    assert missing
    assert "optin_fr" in shown.get_by_role("list", name="Missing checkpoints").text
    assert not shown.query_by_role("button", name="Confirm")
    assert not SmartRouting.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", "document: not JSON"),
        (b"\xff\xfe", "document: not UTF-8 text"),
        ("[" * 50_000 + "]" * 50_000, "document: JSON nested too deeply"),
        ('{"version": 1' + "0" * 5000 + "}", "document: not JSON"),
    ],
    ids=["not JSON", "not UTF-8", "deep", "huge number"],
)
def test_an_unreadable_file_is_a_form_error(full_client, content, expected):
    response = upload(full_client, content)
    assert response.status_code == 200
    assert expected in page(response).text
    assert not SmartRouting.objects.exists()


def test_errors_are_listed_with_their_path(full_client, document_text, routing):
    routing.delete()
    document = json.loads(document_text)
    document["routing"]["tree"]["branches"]["next"]["kind"] = "jump"
    document["routing"]["channel"] = "fax"
    shown = page(upload(full_client, json.dumps(document)))
    errors = shown.get_by_role("list", name="Errors in the document").text
    assert "routing.channel:" in errors
    assert "routing.tree.branches.next: unknown kind 'jump'" in errors
    assert not shown.query_by_role("button", name="Confirm")
    assert not SmartRouting.objects.exists()


def test_a_tampered_preview_stores_nothing(full_client, document_text, routing):
    routing.delete()
    response = full_client.post(IMPORT, {"confirm": "1", "token": "forged"})
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    assert messages_of(response) == ["This preview has expired: upload the document again."]
    assert not SmartRouting.objects.exists()


def test_a_site_changed_since_the_preview_shows_the_preview_again(
    full_client, document_text, routing
):
    routing.delete()
    preview = upload(full_client, document_text)
    services.create_routing(name="Voice IVR", channel="email")
    response = confirm(full_client, preview)
    shown = page(response)
    assert "This site changed since the preview" in shown.text
    assert "Replaces the routing" in shown.text
    assert SmartRouting.objects.get().channel == "email"


@pytest.mark.parametrize(
    ("actions", "allowed"),
    [(("view", "add", "change"), True), (("view", "add"), False), (("view", "change"), False)],
)
def test_import_needs_create_and_modify(client, document_text, actions, allowed):
    client.force_login(make_user("someone", routing_perms(*actions)))
    link = page(client.get(LIST)).query_by_role("link", name="Import")
    assert bool(link) == allowed
    assert client.get(IMPORT).status_code == (200 if allowed else 403)
    assert upload(client, document_text).status_code == (200 if allowed else 403)


def test_export_needs_read(client, routing):
    client.force_login(make_user("nobody", routing_perms("add", "change")))
    assert client.get(url("smartrouting_export", pk=routing.pk)).status_code == 403


def test_anonymous_goes_to_the_login_page(client, routing):
    for address in (IMPORT, url("smartrouting_export", pk=routing.pk)):
        response = client.get(address)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_licence_off_is_403(client, routing, settings):
    client.force_login(make_user("maker", ALL))
    settings.SMART_LICENCE = False
    assert client.get(IMPORT).status_code == 403
    assert client.get(url("smartrouting_export", pk=routing.pk)).status_code == 403


def test_a_plain_reference_code_naming_no_checkpoint_is_a_note_not_a_refusal(
    full_client, routing, root
):
    services.add_node(root, outcome="next", kind="add_checkpoint", reference_code="welcome_zz")
    text = portable.document_text(portable.export_routing(routing))
    routing.delete()
    shown = page(upload(full_client, text))
    codes = shown.get_by_role("list", name="Reference codes naming no checkpoint here")
    assert codes.text == "welcome_zz"
    assert shown.get_by_role("button", name="Confirm")
