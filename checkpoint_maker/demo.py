"""Demo data of the Maker itself: the three roles and one user in each.

``manage.py seed_demo`` calls ``seed`` first (INSTALLED_APPS order); the other apps' ``demo``
modules then add their rights to these roles with ``grant`` and their own demo objects.
Everything here is get-or-create: a second run changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models

from checkpoint_maker.permissions import permission_name

ADMINISTRATOR = "Administrator"
EDITOR = "Checkpoint editor"
READ_ONLY = "Read-only"
ROLES = (ADMINISTRATOR, EDITOR, READ_ONLY)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    superuser: bool = False


# Demo-only passwords, printed by seed_demo: never use this command on a real site.
DEMO_USERS = (
    DemoUser("admin", "admin-demo", ADMINISTRATOR, superuser=True),
    DemoUser("editor", "editor-demo", EDITOR),
    DemoUser("reader", "reader-demo", READ_ONLY),
)


def grant(role: str, model: type[models.Model], actions: list[str]) -> None:
    """Give the role (a group, created if missing) these rights on the model."""
    group, _ = Group.objects.get_or_create(name=role)
    codenames = [permission_name(model, action).partition(".")[2] for action in actions]
    # add() inserts only the missing links: nothing changes on a second run.
    group.permissions.add(
        *Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(model), codename__in=codenames
        )
    )


def _ensure_user(demo: DemoUser) -> None:
    user = User.objects.filter(username=demo.username).first()
    if user is None:
        user = User.objects.create_user(username=demo.username, password=demo.password)
    elif not user.check_password(demo.password):
        user.set_password(demo.password)
        user.save(update_fields=["password"])
    if (user.is_staff, user.is_superuser, user.is_active) != (demo.superuser, demo.superuser, True):
        user.is_staff = user.is_superuser = demo.superuser
        user.is_active = True
        user.save(update_fields=["is_staff", "is_superuser", "is_active"])
    user.groups.add(Group.objects.get(name=demo.role))


def seed(stdout) -> None:
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    # The Roles page and the admin's users and groups are the Administrator's.
    grant(ADMINISTRATOR, Group, ["view", "add", "change", "delete"])
    grant(ADMINISTRATOR, User, ["view", "add", "change", "delete"])
    for demo in DEMO_USERS:
        _ensure_user(demo)
    stdout.write(f"Roles: {', '.join(ROLES)}; users: {', '.join(u.username for u in DEMO_USERS)}.")
