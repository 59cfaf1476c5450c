"""Every role write that has rules: create or change a role (name, members, rights), delete it.

A role is a Django group. The matrix of the Roles page sets only the permissions it shows
(Read/Create/Modify/Delete on each entity); any other permission of the group, e.g. one given
in the Django admin, is kept.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from checkpoint_maker.roles.entities import Right, all_rights

NAME_MAX_LENGTH = Group._meta.get_field("name").max_length
NAME_REQUIRED_MESSAGE = "Name is required."
NAME_LENGTH_MESSAGE = f"Name may have at most {NAME_MAX_LENGTH} characters."
NAME_UNIQUE_MESSAGE = "A role with this name already exists."


def _validate_name(name: str, group: Group | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [NAME_REQUIRED_MESSAGE]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [NAME_LENGTH_MESSAGE]})
    others = Group.objects.filter(name__iexact=name)
    if group is not None and group.pk:
        others = others.exclude(pk=group.pk)
    if others.exists():
        raise ValidationError({"name": [NAME_UNIQUE_MESSAGE]})
    return name


def save_role(
    group: Group | None,
    *,
    name: str,
    members: Iterable,
    rights: Iterable[Right],
) -> Group:
    """Create (``group`` None) or change a role: its name, its members and its matrix rights,
    all in one transaction. Raises ValidationError (field ``name``) for a bad name."""
    group = group or Group()
    name = _validate_name(name, group)
    wanted = {right.permission.pk for right in rights}
    shown = {right.permission.pk for right in all_rights()}
    try:
        with transaction.atomic():
            group.name = name
            group.save()
            group.user_set.set(list(members))
            kept = set(group.permissions.exclude(pk__in=shown).values_list("pk", flat=True))
            group.permissions.set(kept | (wanted & shown))
    except IntegrityError as error:
        if Group.objects.filter(name=name).exclude(pk=group.pk).exists():
            raise ValidationError({"name": [NAME_UNIQUE_MESSAGE]}) from error
        raise
    return group


def delete_role(group: Group) -> None:
    """Delete the role; its members lose the rights it gave them (not their account)."""
    group.delete()
