"""Roles' history: one record per role per transaction, whatever door changed it (the Roles
page, the Django admin's group or user forms, the API): saves, rights and members changes
are gathered and recorded once at commit, with the role's rights and members then."""

import threading

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import signals

from checkpoint_maker.history import record

# Per thread: the latest ticket of each role changed in a transaction.
_state = threading.local()


def _tickets() -> dict[tuple[str, int], int]:
    if not hasattr(_state, "tickets"):
        _state.tickets = {}
    return _state.tickets


def snapshot(group: Group) -> dict:
    return {
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
        "members": sorted(group.user_set.values_list("username", flat=True)),
    }


def _flush(key: tuple[str, int], ticket: int, user) -> None:
    """At commit: record the role once, by its latest change's callback (an earlier one, or
    one left by a rolled-back transaction, does nothing)."""
    tickets = _tickets()
    if tickets.get(key) != ticket:
        return
    del tickets[key]
    using, pk = key
    group = Group.objects.using(using).filter(pk=pk).first()
    if group is not None:
        action = "changed" if Group.history.filter(id=pk).exists() else "created"
        record(Group, [group], action, user=user, **snapshot(group))


def role_changed(pk: int, using: str = "default") -> None:
    """Record the role at commit, once per transaction, by the user of the request that
    changed it: "created" if it has no record yet, else "changed"."""
    key = (using, pk)
    user = Group.history.model.get_default_history_user(None)
    tickets = _tickets()
    ticket = tickets[key] = tickets.get(key, 0) + 1
    transaction.on_commit(lambda: _flush(key, ticket, user), using=using)


def _saved(sender, instance, created, using, raw=False, **kwargs):
    if not raw:
        role_changed(instance.pk, using)


def _deleted(sender, instance, using, **kwargs):
    _tickets().pop((using, instance.pk), None)
    record(Group, [instance], "deleted", **snapshot(instance))


def _rights_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if isinstance(instance, Group):
        role_changed(instance.pk, using=using)
    else:
        for pk in pk_set or ():
            role_changed(pk, using=using)


def _members_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Group):
        role_changed(instance.pk, using=using)
    elif action == "post_clear":
        return
    else:
        for pk in pk_set or ():
            role_changed(pk, using=using)


def connect() -> None:
    signals.post_save.connect(_saved, sender=Group, dispatch_uid="role_history_saved")
    signals.pre_delete.connect(_deleted, sender=Group, dispatch_uid="role_history_deleted")
    signals.m2m_changed.connect(
        _rights_changed, sender=Group.permissions.through, dispatch_uid="role_history_rights"
    )
    signals.m2m_changed.connect(
        _members_changed, sender=User.groups.through, dispatch_uid="role_history_members"
    )
