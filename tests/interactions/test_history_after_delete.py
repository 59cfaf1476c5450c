"""Deleting a checkpoint leaves its history rows as they were written (no rewrite, whatever
their number), and every read answers their link as empty: API.md's null ``checkpoint_id``,
the Data tab's "deleted", the admin's empty link."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import InteractionCheckpoint, InteractionTag
from tests.pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", password="pass-for-tests-1")


def test_a_deleted_checkpoint_reads_as_empty_everywhere(admin_user, client):
    checkpoint = Checkpoint.objects.create(name="Opt-in", reference="optin", alias="opt")
    interaction = services.create_interaction(channel="voice")
    attached = services.attach_checkpoint(interaction.pk, checkpoint_id=checkpoint.pk)
    api = APIClient()
    api.force_authenticate(admin_user)
    assert api.delete(f"/api/v1/checkpoints/{checkpoint.pk}/").status_code == 204

    stored = InteractionCheckpoint.objects.get(pk=attached.attachment.pk)
    assert stored.checkpoint_id == checkpoint.pk  # written once, never rewritten
    assert (stored.name, stored.reference, stored.alias) == ("Opt-in", "optin", "opt")

    detail = api.get(f"/api/v1/interactions/{interaction.pk}/").json()
    assert detail["tags"] == ["opt"]
    assert [row["checkpoint_id"] for row in detail["checkpoints"]] == [None]
    assert detail["checkpoints"][0]["reference"] == "optin"
    listed = api.get(f"/api/v1/interactions/{interaction.pk}/checkpoints/").json()
    assert [row["checkpoint_id"] for row in listed] == [None]
    by_list = api.get("/api/v1/interactions/?checkpoint=optin").json()["results"]
    assert [row["checkpoints"][0]["checkpoint_id"] for row in by_list] == [None]

    client.force_login(admin_user)
    shown = page(client.get(f"/interactions/{interaction.pk}/?tab=data"))
    row = shown.get_by_role("tabpanel", name="Data").get_by_role("table").row("optin")
    assert row.get_by_text("deleted").get("class") == "badge deleted"
    links = [link.get("href") for link in shown.get_all_by_role("link", hidden=True)]
    assert f"/toolbox/checkpoints/{checkpoint.pk}/" not in links
    admin_page = client.get(f"/admin/interactions/interaction/{interaction.pk}/change/")
    assert admin_page.status_code == 200
    assert f"/admin/checkpoints/checkpoint/{checkpoint.pk}/" not in admin_page.text


def test_a_new_checkpoint_with_the_freed_reference_attaches_anew(admin_user):
    old = Checkpoint.objects.create(name="Opt-in", reference="optin", alias="opt")
    interaction = services.create_interaction(channel="voice")
    services.attach_checkpoint(interaction.pk, reference="optin")
    old_id = old.pk
    old.delete()
    new = Checkpoint.objects.create(name="Opt-in again", reference="optin", alias="opt")
    assert new.pk != old_id  # ids are never given twice
    again = services.attach_checkpoint(interaction.pk, reference="optin")
    assert again.created and again.attachment.live_checkpoint_id == new.pk
    assert services.attach_checkpoint(interaction.pk, checkpoint_id=old_id).outcome == (
        "reference_not_found"
    )
    rows = InteractionCheckpoint.objects.filter(interaction=interaction).select_related(
        "checkpoint"
    )
    assert [(row.name, row.live_checkpoint_id) for row in rows] == [
        ("Opt-in", None),
        ("Opt-in again", new.pk),
    ]
    assert list(InteractionTag.objects.filter(interaction=interaction).values_list("name")) == [
        ("opt",)
    ]
