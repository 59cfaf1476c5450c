"""Rights: Django model permissions, role-wide through groups or per object (django-guardian).

Read/Create/Modify/Delete are the actions view/add/change/delete. Every check in pages, the
admin and the API goes through these helpers.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import QuerySet
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import get_objects_for_user

ACTIONS = ("view", "add", "change", "delete")
ACTION_LABELS = {"view": "Read", "add": "Create", "change": "Modify", "delete": "Delete"}


def permission_name(model: type[models.Model], action: str) -> str:
    """``checkpoints.view_checkpoint`` for (Checkpoint, "view")."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def user_can(user, action: str, target: models.Model | type[models.Model]) -> bool:
    """Whether the user has the right on ``target`` (an object, or a model for role-wide).

    Django's ModelBackend ignores role-wide rights when asked about an object, and guardian
    knows only per-object grants, so an object check asks both.
    """
    model = target if isinstance(target, type) else type(target)
    name = permission_name(model, action)
    if user.has_perm(name):
        return True
    return not isinstance(target, type) and user.has_perm(name, target)


def restrict_to_permitted(user, action: str, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` on which the user has the right, role-wide or per object."""
    if not user.is_authenticated:
        return queryset.none()
    if user.has_perm(permission_name(queryset.model, action)):
        return queryset
    return get_objects_for_user(
        user,
        permission_name(queryset.model, action),
        klass=queryset,
        accept_global_perms=False,
    )


def object_grant_names(user) -> set[str]:
    """Names of the permissions granted to the user on at least one object, directly or
    through a role; one query, remembered on the user object for the request."""
    if not hasattr(user, "_object_grant_names"):
        fields = ("permission__content_type__app_label", "permission__codename")
        direct = UserObjectPermission.objects.filter(user=user).values_list(*fields)
        by_role = GroupObjectPermission.objects.filter(group__user=user).values_list(*fields)
        user._object_grant_names = {
            f"{app_label}.{codename}" for app_label, codename in direct.union(by_role)
        }
    return user._object_grant_names


def has_any_permission(user, model: type[models.Model], action: str) -> bool:
    """True if the user has the right role-wide or on at least one object."""
    if not user.is_authenticated:
        return False
    name = permission_name(model, action)
    return user.has_perm(name) or name in object_grant_names(user)


def permitted_ids(user, action: str, objects: Iterable[models.Model]) -> set:
    """Ids among ``objects`` on which the user has the right, in at most one query."""
    objects = list(objects)
    if not objects:
        return set()
    model = type(objects[0])
    if user.has_perm(permission_name(model, action)):
        return {obj.pk for obj in objects}
    queryset = restrict_to_permitted(
        user, action, model._default_manager.filter(pk__in=[obj.pk for obj in objects])
    )
    return set(queryset.values_list("pk", flat=True))
