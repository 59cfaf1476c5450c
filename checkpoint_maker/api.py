"""Shared REST pieces: pagination, rights, and errors in API.md's shapes.

Errors: a service's Django ValidationError becomes 400 ``{"field": ["message"]}``; a Django
PermissionDenied becomes 403; DRF's own errors keep DRF's shapes.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from checkpoint_maker.permissions import has_any_permission, restrict_to_permitted, user_can

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class ModelRights(permissions.DjangoObjectPermissions):
    """Django model permissions, role-wide or per object (django-guardian).

    Reading a list needs the view right role-wide or on at least one object (the list then
    shows only those); creating needs add role-wide; an object needs the right on it.
    Views may set ``required_action`` to name the right a custom action needs.
    """

    perms_map = {
        method: [f"%(app_label)s.{action}_%(model_name)s"]
        for method, action in METHOD_ACTIONS.items()
    }

    def action_for(self, request, view) -> str:
        return getattr(view, "required_action", None) or METHOD_ACTIONS.get(request.method, "")

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = view.get_queryset().model
        action = self.action_for(request, view)
        if (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            # Object routes: the object check decides (403, or 404 when it cannot be read).
            return True
        if action == "add":
            return user_can(user, "add", model)
        return has_any_permission(user, model, action)

    def has_object_permission(self, request, view, obj):
        user = request.user
        action = self.action_for(request, view)
        if user_can(user, action, obj):
            return True
        if action != "view" and not user_can(user, "view", obj):
            raise exceptions.NotFound()
        return False


class PermittedQuerysetMixin:
    """Lists and lookups see only the objects the user may read."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return restrict_to_permitted(self.request.user, "view", queryset)
