"""Shared REST pieces: pagination, rights, errors in API.md's shapes, and viewsets' common part.

Errors: a service's Django ValidationError becomes 400 ``{"field": ["message"]}``; a Django
PermissionDenied becomes 403; DRF's own errors keep DRF's shapes (400 ``{"field": [...]}``,
404 ``{"detail": ...}``). A bad ``page`` or ``page_size`` query value is a 400 naming it.

The OpenAPI schema states the same: ``error_responses`` gives each error its body
(``ErrorDetail`` or ``ValidationError``), ``id_parameter`` the path ids' range (1 to MAX_ID),
and StandardPagination its query parameters' ranges and its 404 after the last page.

Rights (API.md, Authentication and rights): Django model permissions, role-wide through groups
or per object through django-guardian. A right held role-wide counts on every object.

A model's viewset (checkpoints, Smart Routings) takes its common part from here:
PermittedQuerysetMixin and ServiceWritesMixin, and ``model_endpoints_schema`` for the schema
of its six endpoints.
"""

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, serializers
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from checkpoint_maker.permissions import (
    has_any_permission,
    permission_name,
    restrict_to_permitted,
    user_can,
)
from checkpoint_maker.validators import MAX_ID

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


# A 64-bit id, as the databases store them (a path id, a body's id).
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}


def id_parameter(description: str, name: str = "id") -> OpenApiParameter:
    """A path id in the schema: a whole number from 1 to MAX_ID."""
    return OpenApiParameter(name, dict(ID_SCHEMA), OpenApiParameter.PATH, description=description)


class ErrorDetailSerializer(serializers.Serializer):
    """DRF's error body for 401, 403, 404 (and 405, 406, 415): ``{"detail": "message"}``."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """DRF's 400 body; its schema is ValidationErrorSchema's."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    """The 400 body: each bad field with its messages. A list or an object field may name its
    bad items by index or key (``{"ids": {"0": ["..."]}}``); a malformed body is
    ``{"detail": "..."}``."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": (
                'Each bad field with its messages, `{"field": ["message", ...]}` (a list or '
                "object field's bad items by index or key), `non_field_errors` for the body "
                'as a whole; a malformed body is `{"detail": "message"}`.'
            ),
            "properties": {"detail": {"type": "string"}, "non_field_errors": messages},
            "additionalProperties": {"anyOf": [messages, {"type": "object"}]},
        }


ERROR_BODIES = {400: ValidationErrorSerializer}

ERROR_DESCRIPTIONS = {
    400: 'Invalid body or query: `{"field": ["message", ...]}`.',
    401: 'No credentials, or invalid ones: `{"detail": ...}`.',
    403: 'Without the right: `{"detail": ...}`.',
    404: 'No such object, or not one the user may read: `{"detail": ...}`.',
}
INVALID_PAGE = 'A page after the last one: `{"detail": "Invalid page."}`.'


def error_responses(*codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """The OpenAPI responses of the API's errors (API.md, Errors), with their bodies;
    ``e404="..."`` words one of them for an endpoint."""
    return {
        code: OpenApiResponse(
            response=ERROR_BODIES.get(code, ErrorDetailSerializer),
            description=descriptions.get(f"e{code}", ERROR_DESCRIPTIONS[code]),
        )
        for code in codes
    }


# Rules across a component's fields that no single field states, e.g. "exactly one of":
# {component name: JSON Schema keywords}, added by the add_component_rules hook.
COMPONENT_RULES: dict[str, dict] = {}


def component_rules(component: str, **rules) -> None:
    """States rules across the fields of a schema component (``oneOf``, ``not``...)."""
    COMPONENT_RULES.setdefault(component, {}).update(rules)


def add_component_rules(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): COMPONENT_RULES."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, rules in COMPONENT_RULES.items():
        if component in schemas:
            schemas[component].update(rules)
    return result


# What any operation taking a body may answer besides its own responses (parsers.py).
BODY_ERRORS = {
    "413": 'A body over the upload limit: `{"detail": ...}`.',
    "415": 'A body that is not JSON (`Content-Type`): `{"detail": ...}`.',
}


def add_body_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): BODY_ERRORS on every
    operation that takes a body, with the ErrorDetail body."""
    detail = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if "requestBody" in operation:
                for code, description in BODY_ERRORS.items():
                    operation["responses"].setdefault(
                        code, {"description": description, "content": detail}
                    )
    return result


# A 403 where the Smart licence gates the endpoint (checkpoints, Smart Routings).
LICENCE_FORBIDDEN = 'Without the right, or the Smart licence is off: `{"detail": ...}`.'


def object_error_responses(
    name: str, **descriptions: str
) -> Callable[..., dict[int, OpenApiResponse]]:
    """``errors(*codes)`` for one app's endpoints: ``error_responses`` with its 404 naming
    the object (``"checkpoint"``: "No such checkpoint (or not readable)") and the app's own
    wording of other codes (``e403=LICENCE_FORBIDDEN``)."""
    worded = {"e404": f'No such {name} (or not readable): `{{"detail": ...}}`.', **descriptions}

    def errors(*codes: int) -> dict[int, OpenApiResponse]:
        return error_responses(*codes, **worded)

    return errors


def list_error_responses(**descriptions: str) -> dict[int, OpenApiResponse]:
    """The errors of a paginated list: 400 (query), 401, 403, and 404 after the last page."""
    return error_responses(400, 401, 403, 404, **{"e404": INVALID_PAGE, **descriptions})


class CursorPages(CursorPagination):
    """API.md's page shape read by cursor on the list's own ordering (its index): ``count`` is
    null, ``next`` and ``previous`` carry the cursor. No count and no offset, so the same cost
    on any page of any size of history."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data):
        return Response(
            {
                "count": None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page=N`` and ``?page_size=N`` (≤ 200).

    A ``page`` or ``page_size`` that is not a whole number from 1 is a 400 naming it; a page
    after the last one is DRF's 404 ``{"detail": "Invalid page."}``. With ``?cursor=`` (empty
    for the first page) the list is read by cursor instead (``CursorPages``): the way to walk
    a large history, since a page number counts every matching row.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"
    cursor_pages: CursorPages | None = None

    def get_paginated_response(self, data):
        if self.cursor_pages is not None:
            return self.cursor_pages.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1}
        page["description"] = (
            "A page number from 1 (or `last`); a page after the last one is a 404."
        )
        page_size["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        page_size["description"] = (
            f"Results per page, from 1 (default {self.page_size}; more than "
            f"{self.max_page_size} gives {self.max_page_size})."
        )
        cursor = {
            "name": self.cursor_query_param,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": (
                "Read the list by cursor: empty for the first page, then the cursor of a "
                "`next` or `previous` link (`count` is then null). An unknown cursor is a 404."
            ),
        }
        return [page, page_size, cursor]

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["minimum"] = 0
        answer["properties"]["count"]["nullable"] = True  # read by cursor
        answer["required"] = ["count", "next", "previous", "results"]
        return answer

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
        if self.cursor_query_param in request.query_params:
            self.cursor_pages = CursorPages()
            self.cursor_pages.ordering = queryset.query.order_by or queryset.model._meta.ordering
            return self.cursor_pages.paginate_queryset(queryset, request, view)
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


class ServiceWritesMixin:
    """For a ModelViewSet over a model's services (after PermittedQuerysetMixin, whose words
    the schema shows): ModelRights decides, and each write goes through the service named by
    ``create_object`` (fields), ``update_object`` (instance, fields) or ``delete_object``
    (instance)."""

    permission_classes = [ModelRights]
    create_object: Callable[..., models.Model]
    update_object: Callable[..., models.Model]
    delete_object: Callable[[models.Model], object]

    def perform_create(self, serializer):
        serializer.instance = self.create_object(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_object(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        self.delete_object(instance)


def model_endpoints_schema(
    serializer, object_id: OpenApiParameter, errors, list_errors, **operations: dict
):
    """The schema of a ModelViewSet's six endpoints: ``serializer`` answers, ``errors`` words
    each endpoint's errors (``list_errors`` the list's), object routes take ``object_id``;
    ``operations`` gives each endpoint its ``summary`` (and ``description``)."""
    responses = {
        "list": {200: serializer(many=True), **list_errors},
        "create": {201: serializer, **errors(400, 401, 403)},
        "retrieve": {200: serializer, **errors(401, 403, 404)},
        "update": {200: serializer, **errors(400, 401, 403, 404)},
        "partial_update": {200: serializer, **errors(400, 401, 403, 404)},
        "destroy": {204: OpenApiResponse(description="Deleted."), **errors(401, 403, 404)},
    }
    return extend_schema_view(
        **{
            name: extend_schema(
                parameters=None if name in ("list", "create") else [object_id],
                responses=answers,
                **operations[name],
            )
            for name, answers in responses.items()
        }
    )
