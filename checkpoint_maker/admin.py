"""Admin pieces shared by every app: rights per object (django-guardian) in the Django admin.

``ObjectPermissionAdminMixin`` makes a ModelAdmin follow the same rules as the Maker: a right
can be held role-wide or on one object, and every check passes the object to
``user.has_perm``. ``GuardedObjectPermissionAdminMixin`` adds django-guardian's "Object
permissions" page on each object, for users allowed to manage object permissions. Admins that
write through the services use ``WritesThroughServicesMixin`` and, to create, ``adopt_saved``.

Put a licence mixin first and ``admin.ModelAdmin`` last, e.g.
``class CheckpointAdmin(SmartLicenceAdminMixin, GuardedObjectPermissionAdminMixin,
admin.ModelAdmin)``.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from guardian.admin import ReinforcedGuardedModelAdminMixin

from checkpoint_maker.permissions import (
    ACTIONS,
    has_any_permission,
    permission_name,
    restrict_to_permitted,
    user_can,
)

admin.site.site_header = "Checkpoint Maker administration"
admin.site.site_title = "Checkpoint Maker admin"

OBJECT_PERMISSION_MANAGER_PERMS = (
    "guardian.view_userobjectpermission",
    "guardian.view_groupobjectpermission",
    "guardian.change_userobjectpermission",
    "guardian.change_groupobjectpermission",
)


class ObjectPermissionAdminMixin:
    """Rights role-wide or per object, as everywhere else in the product.

    - The changelist shows the rows the user may read (view, or change which implies it).
    - Without an object, a right counts if it is held role-wide or on at least one object,
      so the module shows to a staff user with a single object grant.
    - With an object, the right must be held role-wide or on it (``user_can``, which asks
      ``user.has_perm(perm)`` and ``user.has_perm(perm, obj)``).
    - Opening an object the user may not use answers 403, not "does not exist".
    """

    def _perm(self, action: str) -> str:
        return permission_name(self.model, action)

    def _has(self, request, action: str, obj=None) -> bool:
        if obj is None:
            return has_any_permission(request.user, self.model, action)
        return user_can(request.user, action, obj)

    def get_unrestricted_queryset(self, request):
        return super().get_queryset(request)

    def get_queryset(self, request):
        queryset = self.get_unrestricted_queryset(request)
        user = request.user
        if user.has_perm(self._perm("view")) or user.has_perm(self._perm("change")):
            return queryset
        readable = restrict_to_permitted(user, "view", queryset).values("pk")
        changeable = restrict_to_permitted(user, "change", queryset).values("pk")
        return queryset.filter(pk__in=readable) | queryset.filter(pk__in=changeable)

    def get_object(self, request, object_id, from_field=None):
        # Among every row: the view then checks the right on the object and answers 403.
        queryset = self.get_unrestricted_queryset(request)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    def has_module_permission(self, request):
        return any(self._has(request, action) for action in ACTIONS)

    def has_view_permission(self, request, obj=None):
        return self._has(request, "view", obj) or self._has(request, "change", obj)

    def has_add_permission(self, request):
        return request.user.has_perm(self._perm("add"))

    def has_change_permission(self, request, obj=None):
        return self._has(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._has(request, "delete", obj)


class GuardedObjectPermissionAdminMixin(
    ObjectPermissionAdminMixin, ReinforcedGuardedModelAdminMixin
):
    """Adds django-guardian's "Object permissions" page to each object.

    Managing an object's permissions needs the right to change that object and guardian's
    own rights on object permissions (superusers have both); the link shows only then.
    """

    def can_manage_object_permissions(self, request, obj) -> bool:
        return self.has_change_permission(request, obj) and request.user.has_perms(
            OBJECT_PERMISSION_MANAGER_PERMS
        )

    def _managed_object(self, request, object_pk):
        obj = get_object_or_404(self.get_queryset(request), pk=unquote(object_pk))
        if not self.can_manage_object_permissions(request, obj):
            raise PermissionDenied
        return obj

    def obj_perms_manage_view(self, request, object_pk):
        self._managed_object(request, object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        self._managed_object(request, object_pk)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        self._managed_object(request, object_pk)
        return super().obj_perms_manage_group_view(request, object_pk, group_id)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if not add and not self.can_manage_object_permissions(request, obj):
            # The admin's own change form, without guardian's "Object permissions" link.
            opts = self.model._meta
            response.template_name = [
                f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
                f"admin/{opts.app_label}/change_form.html",
                "admin/change_form.html",
            ]
        return response


def adopt_saved[M: models.Model](obj: M, saved: M) -> M:
    """Make ``obj``, the instance the admin's add form filled in, the row a service saved.

    An admin that creates through a service gets a new instance back, but the admin goes on
    with its own: it logs the addition with it (``log_addition``: its pk and ``str``) and
    redirects to its change page or says "added" with it (``response_add``). So ``obj`` must
    become ``saved``: every concrete field's value (``attname``, so a foreign key is its id),
    and a saved row's state.

    Without a query: ``refresh_from_db(from_queryset=...)`` would copy the same values but
    reads the row again (one more query per add) and still leaves ``_state.adding`` True;
    ``Model.from_db`` builds a new instance, not this one. Django has no public setter for a
    row's state, so ``_state.adding`` and ``_state.db`` are set as Django's own "Customizing
    model loading" example (``from_db``) sets them. A field ``saved`` has not loaded (deferred)
    is not read (that would cost a query): it is deferred on ``obj`` too, loaded on first use.
    """
    deferred = saved.get_deferred_fields()
    for field in saved._meta.get_fields():
        if not field.concrete:
            continue
        if field.attname not in deferred:
            setattr(obj, field.attname, getattr(saved, field.attname))
        elif field.attname not in obj.get_deferred_fields():
            delattr(obj, field.attname)
    obj._state.adding = False
    obj._state.db = saved._state.db
    return obj


class WritesThroughServicesMixin:
    """For admins that save through the app's services: a ValidationError a service raises
    after the form accepted (a race, e.g. two saves of one reference) rolls the admin's
    transaction back and comes back as a message, never a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())
