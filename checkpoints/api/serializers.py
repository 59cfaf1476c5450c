"""Checkpoint API bodies (API.md, Checkpoints).

Field rules come from the model (its ``max_length``s and validators, so the same messages as
the Maker forms and the admin); DRF trims the values. Writes go through checkpoints.services.
"""

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from checkpoint_maker.serializers import ModelSerializer, id_field
from checkpoints.imports import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from checkpoints.models import Checkpoint
from checkpoints.validators import ALIAS_MAX_LENGTH, NAME_MAX_LENGTH, REFERENCE_MAX_LENGTH


class CheckpointSerializer(ModelSerializer):
    """A checkpoint. ``alias`` left out is ``""`` (on create and PUT; PATCH keeps it)."""

    url = serializers.SerializerMethodField(help_text="The checkpoint's configuration page.")

    class Meta:
        model = Checkpoint
        fields = ["id", "name", "reference", "alias", "created_at", "updated_at", "url"]
        read_only_fields = ["id", "created_at", "updated_at", "url"]
        extra_kwargs = {
            "alias": {"default": ""},
            # UTC whatever the active time zone (DATETIME_FORMAT ends with "Z").
            "created_at": {"default_timezone": datetime.UTC},
            "updated_at": {"default_timezone": datetime.UTC},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, checkpoint: Checkpoint) -> str:
        request = self.context.get("request")
        path = checkpoint.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class CheckpointDuplicateSerializer(ModelSerializer):
    """The copy's own reference; a left-out name or alias is copied from the source."""

    class Meta:
        model = Checkpoint
        fields = ["name", "reference", "alias"]
        extra_kwargs = {"name": {"required": False}, "alias": {"required": False}}


class BulkDeleteSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=id_field(),
        allow_empty=False,
        max_length=1000,
        error_messages={"empty": "Give at least one checkpoint id."},
        help_text="Ids of the checkpoints to delete, all or none.",
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="Check the ids and the rights and answer the warnings; delete nothing.",
    )


class DeleteWarningsSerializer(serializers.Serializer):
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="What deleting would affect, e.g. the Smart Routing actions that use it.",
    )


class BulkDeleteResultSerializer(DeleteWarningsSerializer):
    deleted = serializers.IntegerField(
        help_text="How many checkpoints were deleted (0 for a dry run)."
    )


class ImportOptionsSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(
        default=False, help_text="Answer the preview only: validate every row, write nothing."
    )


class ImportRowSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    reference = serializers.CharField(max_length=REFERENCE_MAX_LENGTH)
    alias = serializers.CharField(
        max_length=ALIAS_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Left out: empty for a new checkpoint, kept for an update.",
    )


class ImportJSONBodySerializer(ImportOptionsSerializer):
    checkpoints = ImportRowSerializer(
        many=True, help_text=f"At most {MAX_IMPORT_ROWS:,} checkpoints, matched by reference."
    )


class ImportFileBodySerializer(ImportOptionsSerializer):
    file = serializers.FileField(
        help_text=(
            "CSV (UTF-8, with or without BOM; a header row naming name, reference and alias) "
            f"or JSON (a list of checkpoints), at most {MAX_IMPORT_BYTES:,} bytes."
        )
    )


class ImportResultRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        min_value=1, help_text="The row's number: 1 for the first checkpoint of the file."
    )
    reference = serializers.CharField(allow_blank=True)
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "error"])
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each bad field with its messages (the rules of the checkpoint form).",
    )


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(min_value=0)
    updated = serializers.IntegerField(min_value=0)
    unchanged = serializers.IntegerField(min_value=0)
    rows = ImportResultRowSerializer(many=True)
