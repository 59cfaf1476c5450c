"""``manage.py seed_demo``: roles, users and checkpoints for a demo, idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from checkpoints.models import Checkpoint

pytestmark = pytest.mark.django_db

CHECKPOINT_RIGHTS = {
    "admin": {"view", "add", "change", "delete"},
    "editor": {"view", "add", "change"},
    "reader": {"view"},
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the command writes, with timestamps and password hashes."""
    return {
        "users": sorted(
            User.objects.values_list("username", "password", "is_staff", "is_superuser")
        ),
        "memberships": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "groups": sorted(Group.objects.values_list("pk", "name")),
        "rights": sorted(
            Group.permissions.through.objects.values_list("group_id", "permission_id")
        ),
        "checkpoints": sorted(
            Checkpoint.objects.values_list("pk", "name", "reference", "alias", "updated_at")
        ),
    }


def test_prints_the_demo_logins():
    output = seed()
    for login in ("admin / admin-demo", "editor / editor-demo", "reader / reader-demo"):
        assert login in output


def test_running_twice_changes_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    assert User.objects.count() == 3
    assert Group.objects.count() == 3


def test_restores_demo_data_that_was_changed():
    seed()
    Checkpoint.objects.filter(reference="optin_fr").update(alias="changed")
    Checkpoint.objects.filter(reference="vip").delete()
    editor = User.objects.get(username="editor")
    editor.set_password("something-else-entirely")
    editor.save()
    seed()
    assert Checkpoint.objects.get(reference="optin_fr").alias == "opt-in FR"
    assert Checkpoint.objects.filter(reference="vip").exists()
    assert authenticate(username="editor", password="editor-demo") is not None


def test_roles_and_users():
    seed()
    assert set(Group.objects.values_list("name", flat=True)) == {
        "Administrator",
        "Checkpoint editor",
        "Read-only",
    }
    roles = {
        "admin": "Administrator",
        "editor": "Checkpoint editor",
        "reader": "Read-only",
    }
    for username, role in roles.items():
        user = authenticate(username=username, password=f"{username}-demo")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role]
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    for username in ("editor", "reader"):
        user = User.objects.get(username=username)
        assert not user.is_staff and not user.is_superuser


@pytest.mark.parametrize("username", ["admin", "editor", "reader"])
def test_checkpoint_rights_follow_the_role(username):
    seed()
    user = User.objects.get(username=username)
    for action in ("view", "add", "change", "delete"):
        expected = action in CHECKPOINT_RIGHTS[username]
        assert user.has_perm(f"checkpoints.{action}_checkpoint") is expected, action


def test_rights_are_on_the_roles_themselves():
    """Without the superuser flag, the Administrator role alone can run checkpoints and roles.

    Other apps' demo modules may add their own rights to these roles: only the checkpoint
    and group rights are checked here.
    """
    seed()
    rights = {
        role: set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__model__in=["checkpoint", "group"])
            .values_list("codename", flat=True)
        )
        for role in ("Administrator", "Checkpoint editor", "Read-only")
    }
    checkpoint = {f"{action}_checkpoint" for action in ("view", "add", "change", "delete")}
    group = {f"{action}_group" for action in ("view", "add", "change", "delete")}
    assert rights["Administrator"] == checkpoint | group
    assert rights["Checkpoint editor"] == {"view_checkpoint", "add_checkpoint", "change_checkpoint"}
    assert rights["Read-only"] == {"view_checkpoint"}


def test_demo_checkpoints_are_valid_and_cover_the_use_cases():
    seed()
    checkpoints = list(Checkpoint.objects.all())
    assert 18 <= len(checkpoints) <= 25
    for checkpoint in checkpoints:
        checkpoint.full_clean()
        assert checkpoint.alias, checkpoint.reference
    references = {checkpoint.reference for checkpoint in checkpoints}
    assert {"optin_fr", "optin_en", "optin_de", "campaign_a", "campaign_b"} <= references
    assert {"recognised_customer", "callback_offered", "upsell_offered", "vip"} <= references
