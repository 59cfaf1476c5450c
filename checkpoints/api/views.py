"""Checkpoint endpoints (API.md, Checkpoints): thin HTTP over the services."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from checkpoint_maker.api import ModelRights, PermittedQuerysetMixin
from checkpoints import services
from checkpoints.api.serializers import (
    BulkDeleteResultSerializer,
    BulkDeleteSerializer,
    CheckpointDuplicateSerializer,
    CheckpointSerializer,
)
from checkpoints.filters import CheckpointFilterSet
from checkpoints.models import Checkpoint


class CheckpointViewSet(PermittedQuerysetMixin, viewsets.ModelViewSet):
    queryset = Checkpoint.objects.order_by("name", "id")
    serializer_class = CheckpointSerializer
    permission_classes = [ModelRights]
    filterset_class = CheckpointFilterSet

    @property
    def required_action(self) -> str | None:
        """Bulk delete is a POST that needs the delete right (checked per checkpoint)."""
        return "delete" if getattr(self, "action", None) == "bulk_delete" else None

    def perform_create(self, serializer):
        serializer.instance = services.create_checkpoint(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_checkpoint(
            serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_checkpoint(instance)

    @extend_schema(request=CheckpointDuplicateSerializer, responses={201: CheckpointSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None):
        source = self.get_object()
        if not request.user.has_perm("checkpoints.add_checkpoint"):
            self.permission_denied(request, message="You may not create checkpoints.")
        body = CheckpointDuplicateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        copy = services.duplicate_checkpoint(source, **body.validated_data)
        return Response(self.get_serializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BulkDeleteSerializer, responses={200: BulkDeleteResultSerializer})
    @action(detail=False, methods=["post"], url_path="bulk-delete")
    def bulk_delete(self, request):
        body = BulkDeleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deleted = services.bulk_delete_checkpoints(
            user=request.user, ids=body.validated_data["ids"]
        )
        return Response({"deleted": deleted})
