"""Shared REST pieces: pagination, rights, and errors in API.md's shapes.

Errors: a service's Django ValidationError becomes 400 ``{"field": ["message"]}``; a Django
PermissionDenied becomes 403; DRF's own errors keep DRF's shapes (400 ``{"field": [...]}``,
404 ``{"detail": ...}``). A bad ``page`` or ``page_size`` query value is a 400 naming it.

Rights (API.md, Authentication and rights): Django model permissions, role-wide through groups
or per object through django-guardian. A right held role-wide counts on every object.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from checkpoint_maker.permissions import (
    has_any_permission,
    permission_name,
    restrict_to_permitted,
    user_can,
)

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


ERROR_DESCRIPTIONS = {
    400: 'Invalid body or query: `{"field": ["message", ...]}`.',
    401: "No credentials.",
    403: "Without the right.",
    404: 'No such object, or not one the user may read: `{"detail": ...}`.',
}


def error_responses(*codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """The OpenAPI responses of the API's errors (API.md, Errors); ``e404="..."`` words one
    of them for an endpoint."""
    return {
        code: OpenApiResponse(description=descriptions.get(f"e{code}", ERROR_DESCRIPTIONS[code]))
        for code in codes
    }


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page=N`` and ``?page_size=N`` (≤ 200).

    A ``page`` or ``page_size`` that is not a whole number from 1 is a 400 naming it; a page
    after the last one is DRF's 404 ``{"detail": "Invalid page."}``.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        page = request.query_params.get(self.page_query_param)
        if page not in (None, "", *self.last_page_strings) and not _is_positive_int(page):
            errors[self.page_query_param] = ["A page number is a whole number from 1."]
        page_size = request.query_params.get(self.page_size_query_param)
        if page_size not in (None, "") and not _is_positive_int(page_size):
            errors[self.page_size_query_param] = ["A page size is a whole number from 1."]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)


def _is_positive_int(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) >= 1


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): errors
                for field, errors in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def is_object_route(view) -> bool:
    return (view.lookup_url_kwarg or view.lookup_field) in view.kwargs


def view_model(view) -> type[models.Model]:
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else view.get_queryset().model


class ModelRights(permissions.BasePermission):
    """Django model permissions, role-wide or per object (django-guardian).

    - A list needs the view right role-wide or on at least one object (the list then shows
      only those, see PermittedQuerysetMixin); creating needs add role-wide.
    - An object route needs the right somewhere, then on that object: without it the answer
      is 403 if the user may read the object, else 404 (its existence is not revealed).
    Views may set ``required_action`` to name the right a custom action needs.
    """

    def action_for(self, request, view) -> str:
        return getattr(view, "required_action", None) or METHOD_ACTIONS.get(request.method, "")

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = view_model(view)
        action = self.action_for(request, view)
        if action == "add" and not is_object_route(view):
            return user.has_perm(permission_name(model, "add"))
        return has_any_permission(user, model, action)

    def has_object_permission(self, request, view, obj):
        user = request.user
        action = self.action_for(request, view)
        if user_can(user, action, obj):
            return True
        if action != "view" and user_can(user, "view", obj):
            return False
        raise exceptions.NotFound()


class PermittedQuerysetMixin:
    """Lists show only the objects the user may read (role-wide or per object).

    Object routes look the object up among all rows: ModelRights then answers 404 for an
    object the user may neither read nor act on, so a right granted on one object alone
    (e.g. Modify) is enough to use it.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or is_object_route(self):
            return queryset
        return restrict_to_permitted(self.request.user, "view", queryset)
