"""Authentication and permission classes of the interaction endpoints.

The attach endpoint is the runtime's hot path. Django's ``user.has_perm`` (ModelBackend) reads
every right of the user and every right of the user's roles, in two ORM queries, to answer one
question. Here that one question is one small SQL ``EXISTS``: does the user hold the right
directly or through a role (a group)? ``TokenAuthenticationWithRight`` asks it inside DRF's
token query (the token, its user and the answer in one query); for other authentication (a
session) ``HoldsRoleWideRight`` asks Django's ``user.has_perm``. The rule is ModelBackend's:
an active user's own rights and the rights of the user's groups; a superuser holds every
right. It is read from the database on every request, never cached across requests.
django-guardian's per-object grants do not apply: attaching creates the row, there is no
object yet to hold a right on.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission

from checkpoint_maker.licence import LICENCE_MESSAGE, smart_licence_active

ATTACH_PERMISSION = "interactions.add_interactioncheckpoint"
# Where the token authentication leaves the answers it read: {permission name: bool}.
RIGHTS_READ_WITH_TOKEN = "_rights_read_with_token"


class SmartLicenceActive(BasePermission):
    """Checkpoint functionality: 403 with the licence message while the licence is off."""

    message = LICENCE_MESSAGE

    def has_permission(self, request, view):
        return smart_licence_active()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model, field_name: str) -> str:
    return _q(model._meta.get_field(field_name).column)


@cache
def role_wide_right_sql(user_id_sql: str) -> str:
    """``EXISTS (...)``: the user whose id is ``user_id_sql`` (a column or ``%s``) holds the
    right, directly or through a role. Parameters: (the user id when ``user_id_sql`` is
    ``%s``), app_label, codename, twice. Table and column names come from the models."""
    user_model = get_user_model()
    own = user_model.user_permissions.through
    own_user = user_model.user_permissions.field.m2m_field_name()
    own_perm = user_model.user_permissions.field.m2m_reverse_field_name()
    member = user_model.groups.through
    member_user = user_model.groups.field.m2m_field_name()
    member_group = user_model.groups.field.m2m_reverse_field_name()
    granted = Group.permissions.through
    granted_group = Group.permissions.field.m2m_field_name()
    granted_perm = Group.permissions.field.m2m_reverse_field_name()
    # The permission's id, found once per statement (a scalar subquery), then two index
    # probes: granted to the user, or to one of the user's roles.
    permission_id = (
        f"(SELECT rp.{_column(Permission, 'id')} FROM {_q(Permission._meta.db_table)} rp "
        f"INNER JOIN {_q(ContentType._meta.db_table)} rct "
        f"ON rct.{_column(ContentType, 'id')} = rp.{_column(Permission, 'content_type')} "
        f"WHERE rct.{_column(ContentType, 'app_label')} = %s "
        f"AND rp.{_column(Permission, 'codename')} = %s)"
    )
    return (
        f"(EXISTS (SELECT 1 FROM {_q(own._meta.db_table)} ro "
        f"WHERE ro.{_column(own, own_user)} = {user_id_sql} "
        f"AND ro.{_column(own, own_perm)} = {permission_id}) "
        f"OR EXISTS (SELECT 1 FROM {_q(member._meta.db_table)} rm "
        f"INNER JOIN {_q(granted._meta.db_table)} rg "
        f"ON rg.{_column(granted, granted_group)} = rm.{_column(member, member_group)} "
        f"WHERE rm.{_column(member, member_user)} = {user_id_sql} "
        f"AND rg.{_column(granted, granted_perm)} = {permission_id}))"
    )


def holds_role_wide_right(user, permission: str) -> bool:
    """``user.has_perm(permission)`` for a model permission held role-wide: no query when the
    token authentication already read it with the token, else Django's own check."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    read = getattr(user, RIGHTS_READ_WITH_TOKEN, {})
    if permission in read:
        return read[permission]
    return user.has_perm(permission)


class TokenAuthenticationWithRight(TokenAuthentication):
    """DRF's ``Authorization: Token <key>``; the same query also reads whether the user holds
    ``permission`` role-wide, for HoldsRoleWideRight."""

    permission = ATTACH_PERMISSION

    def authenticate_credentials(self, key):
        app_label, codename = self.permission.split(".")
        with connection.cursor() as cursor:
            cursor.execute(
                _token_user_sql(connection.vendor),
                [app_label, codename, app_label, codename, key],
            )
            found = cursor.fetchone()
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user_model = get_user_model()
        user = user_model.from_db(connection.alias, token_user_fields(), found[:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        setattr(user, RIGHTS_READ_WITH_TOKEN, {self.permission: bool(found[-1])})
        return (user, key)


# The user fields the token query reads; the others load on first use (deferred).
TOKEN_USER_FIELDS = {"id", "username", "is_active", "is_superuser", "is_staff"}


@cache
def token_user_fields() -> list[str]:
    """TOKEN_USER_FIELDS in the model's order, as ``Model.from_db`` reads its values."""
    return [
        field.attname
        for field in get_user_model()._meta.concrete_fields
        if field.attname in TOKEN_USER_FIELDS
    ]


@cache
def _token_user_sql(vendor: str) -> str:
    """The token's user, and whether that user holds a right role-wide (parameters:
    app_label, codename, twice, then the token key). Written once as SQL: the ORM would
    compile the same query again on every request of the hot path. ``vendor`` keys the
    cache by database."""
    user_model = get_user_model()
    user_table = _q(user_model._meta.db_table)
    columns = ", ".join(f"{user_table}.{_column(user_model, name)}" for name in token_user_fields())
    user_id = f"{user_table}.{_column(user_model, 'id')}"
    return (
        f"SELECT {columns}, {role_wide_right_sql(user_id)} "
        f"FROM {_q(Token._meta.db_table)} t INNER JOIN {user_table} "
        f"ON {user_id} = t.{_column(Token, 'user')} WHERE t.{_column(Token, 'key')} = %s"
    )


class HoldsRoleWideRight(BasePermission):
    """The role-wide right ``permission`` (set on a subclass), in one query at most."""

    permission = ""
    message = "You do not have the right to do this."

    def has_permission(self, request, view):
        return holds_role_wide_right(request.user, self.permission)


class MayAttachCheckpoints(HoldsRoleWideRight):
    permission = ATTACH_PERMISSION
    message = "You may not attach checkpoints to interactions."
