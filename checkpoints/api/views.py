"""Checkpoint endpoints (API.md, Checkpoints): thin HTTP over checkpoints.services.

Rights come from ModelRights (role-wide or per object); the rules of each write (trimming,
uniqueness, all-or-nothing bulk delete) live in the services.
"""

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from checkpoint_maker.api import (
    LICENCE_FORBIDDEN,
    PermittedQuerysetMixin,
    ServiceWritesMixin,
    ValidationErrorSerializer,
    id_parameter,
    list_error_responses,
    model_endpoints_schema,
    object_error_responses,
)
from checkpoint_maker.extensions import delete_warnings
from checkpoint_maker.history_api import HistoryActionMixin
from checkpoint_maker.parsers import StrictJSONParser
from checkpoint_maker.permissions import permission_name
from checkpoint_maker.serializers import id_field
from checkpoints import services
from checkpoints.api.imports import import_checkpoints
from checkpoints.api.serializers import (
    BulkDeleteResultSerializer,
    BulkDeleteSerializer,
    CheckpointDuplicateSerializer,
    CheckpointSerializer,
    DeleteWarningsSerializer,
    ImportFileBodySerializer,
    ImportJSONBodySerializer,
    ImportResultSerializer,
)
from checkpoints.filters import CheckpointFilterSet
from checkpoints.models import Checkpoint

errors = object_error_responses("checkpoint", e403=LICENCE_FORBIDDEN)
CHECKPOINT_ID = id_parameter("The checkpoint's id.")

# The bulk-delete body as BulkDeleteSerializer validates it, with the ids' range the
# databases have (1 to MAX_ID).
_bulk_delete = BulkDeleteSerializer().fields
BULK_DELETE_BODY = inline_serializer(
    "BulkDelete",
    fields={
        "ids": serializers.ListField(
            child=id_field(),
            min_length=1,
            max_length=_bulk_delete["ids"].max_length,
            help_text=_bulk_delete["ids"].help_text,
        ),
        "dry_run": serializers.BooleanField(
            default=False, help_text=_bulk_delete["dry_run"].help_text
        ),
    },
)


@model_endpoints_schema(
    CheckpointSerializer,
    CHECKPOINT_ID,
    errors,
    list_error_responses(e403=LICENCE_FORBIDDEN),
    list={
        "summary": "Checkpoints the user may read",
        "description": (
            "Search matches the name or the reference, case-insensitive, part of a word."
        ),
    },
    create={"summary": "Create a checkpoint"},
    retrieve={"summary": "One checkpoint"},
    update={"summary": "Edit a checkpoint (alias left out becomes empty)"},
    partial_update={"summary": "Edit some fields of a checkpoint"},
    destroy={"summary": "Delete a checkpoint"},
)
class CheckpointViewSet(
    HistoryActionMixin, PermittedQuerysetMixin, ServiceWritesMixin, viewsets.ModelViewSet
):
    queryset = Checkpoint.objects.order_by("name", "id")
    serializer_class = CheckpointSerializer
    filterset_class = CheckpointFilterSet
    create_object = staticmethod(services.create_checkpoint)
    update_object = staticmethod(services.update_checkpoint)
    delete_object = staticmethod(services.delete_checkpoint)

    @property
    def required_action(self) -> str | None:
        """Bulk delete needs the delete right (the service checks each checkpoint); duplicate
        needs to read the source (and add, role-wide, checked in the action); import needs add
        (and change, role-wide, checked in the action); history needs to read the checkpoint."""
        actions = {
            "bulk_delete": "delete",
            "duplicate": "view",
            "import_checkpoints": "add",
            "history": "view",
        }
        return actions.get(getattr(self, "action", None))

    @extend_schema(
        summary="Duplicate a checkpoint",
        parameters=[CHECKPOINT_ID],
        description="The copy needs a reference of its own; a left-out alias is copied.",
        request=CheckpointDuplicateSerializer,
        responses={201: CheckpointSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None):
        if not request.user.has_perm(permission_name(Checkpoint, "add")):
            self.permission_denied(request, message="You may not create checkpoints.")
        source = self.get_object()
        body = CheckpointDuplicateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        copy = services.duplicate_checkpoint(source, **body.validated_data)
        return Response(self.get_serializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="What deleting a checkpoint would affect",
        parameters=[CHECKPOINT_ID],
        description=(
            "The warnings the Maker shows before a deletion: the Smart Routing actions that "
            "use the checkpoint fall on Reference not found once it is deleted."
        ),
        responses={200: DeleteWarningsSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], url_path="delete-warnings")
    def delete_warnings(self, request, pk=None):
        checkpoint = self.get_object()
        return Response({"warnings": delete_warnings(Checkpoint, [checkpoint])})

    @extend_schema(
        summary="Delete several checkpoints, all or none",
        description=(
            "An empty list or an unknown id is a 400 naming `ids`; a checkpoint the user may "
            "not delete is a 403. Either way nothing is deleted. `warnings` says what the "
            "deletion affects; with `dry_run` nothing is deleted and the warnings come first."
        ),
        request=BULK_DELETE_BODY,
        responses={200: BulkDeleteResultSerializer, **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="bulk-delete")
    def bulk_delete(self, request):
        body = BulkDeleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids, dry_run = body.validated_data["ids"], body.validated_data["dry_run"]
        warnings = delete_warnings(Checkpoint, Checkpoint.objects.filter(pk__in=ids))
        deleted = services.bulk_delete_checkpoints(user=request.user, ids=ids, dry_run=dry_run)
        return Response({"deleted": 0 if dry_run else deleted, "warnings": warnings})

    @extend_schema(
        summary="Import checkpoints from CSV or JSON, all or nothing",
        description=(
            'A CSV or JSON `file` (multipart), or a JSON body `{"checkpoints": [...]}`. Each '
            "row creates a checkpoint or updates the one with its reference; every row is "
            "validated with the checkpoint form's rules. `dry_run` answers the preview and "
            "writes nothing. Any row in error: 400 with the same body, nothing written. A file "
            "over the size limit is a 413, over the row limit a 400 naming `file` or "
            "`checkpoints`. Needs Create and Modify on checkpoints, role-wide."
        ),
        request={
            "application/json": ImportJSONBodySerializer,
            "multipart/form-data": ImportFileBodySerializer,
        },
        responses={
            200: ImportResultSerializer,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ImportErrors",
                    serializers=[ImportResultSerializer, ValidationErrorSerializer],
                    resource_type_field_name=None,
                ),
                description=(
                    "Rows in error (this body, nothing written), or a bad file or body "
                    '(`{"field": ["message"]}`).'
                ),
            ),
            **errors(401, 403),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[StrictJSONParser, MultiPartParser],
    )
    def import_checkpoints(self, request):
        if not request.user.has_perm(permission_name(Checkpoint, "change")):
            self.permission_denied(request, message="Importing needs the right to modify.")
        return import_checkpoints(request)
