"""Interaction API bodies (API.md, Interactions and Runtime attachment).

Writes go through interactions.services. The attach body is strict about types (a reference is
a string, ids are whole numbers), so a wrong type is a 400 naming the field, never a lookup.
ATTACHED rows are written by a lean ``to_representation`` (the attach endpoint is the hot path);
its declared fields document the shape for the OpenAPI schema.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from checkpoint_maker.serializers import ModelSerializer, StrictCharField, id_field
from checkpoint_maker.validators import (
    VARIABLES_MAX_BYTES,
    VARIABLES_MAX_DEPTH,
    validate_variables,
)
from checkpoints.validators import REFERENCE_MAX_LENGTH
from interactions import selectors, services
from interactions.models import Interaction, InteractionCheckpoint

ACTION_LABEL_MAX_LENGTH = InteractionCheckpoint._meta.get_field("action_label").max_length
ONE_OF_MESSAGE = "Give exactly one of reference or checkpoint."
ACTION_OR_LABEL_MESSAGE = "Give action or action_label, not both."

_attached_at_field = serializers.DateTimeField()


class AttachedCheckpointSerializer(serializers.Serializer):
    """A checkpoint as it was attached: its own copies survive edits and deletion."""

    id = serializers.IntegerField(read_only=True)
    checkpoint_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null once the checkpoint is deleted."
    )
    name = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    alias = serializers.CharField(read_only=True)
    attached_at = serializers.DateTimeField(
        read_only=True, help_text="ISO 8601, UTC, microseconds."
    )
    routing_id = serializers.IntegerField(read_only=True, allow_null=True)
    routing_name = serializers.CharField(read_only=True)
    action_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The Smart Routing action that set it."
    )
    action_label = serializers.CharField(read_only=True)

    def to_representation(self, row: InteractionCheckpoint) -> dict:
        return {
            "id": row.pk,
            "checkpoint_id": row.live_checkpoint_id,
            "name": row.name,
            "reference": row.reference,
            "alias": row.alias,
            "attached_at": _attached_at_field.to_representation(row.attached_at),
            "routing_id": row.routing_id,
            "routing_name": row.routing_name,
            "action_id": row.action_id,
            "action_label": row.action_label,
        }


class InteractionSerializer(ModelSerializer):
    """An interaction with its tags (in the order they were added) and its attached
    checkpoints (oldest first). Reads expect interactions_with_journey()'s prefetches."""

    variables = serializers.DictField(
        required=False,
        default=dict,
        validators=[validate_variables],
        help_text=(
            "A JSON object of the interaction's variables: at most "
            f"{VARIABLES_MAX_DEPTH} levels deep and {VARIABLES_MAX_BYTES // 1024} KB as JSON."
        ),
    )
    tags = serializers.SerializerMethodField(help_text="Aliases, in the order they were added.")
    checkpoints = AttachedCheckpointSerializer(
        source="attached_checkpoints", many=True, read_only=True
    )
    url = serializers.SerializerMethodField(help_text="The interaction's details page.")

    class Meta:
        model = Interaction
        fields = [
            "id",
            "channel",
            "status",
            "started_at",
            "ended_at",
            "customer",
            "subject",
            "variables",
            "tags",
            "checkpoints",
            "url",
        ]
        read_only_fields = ["id", "status", "started_at", "ended_at"]

    def get_tags(self, interaction: Interaction) -> list[str]:
        return selectors.journey_tags(interaction)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, interaction: Interaction) -> str:
        request = self.context.get("request")
        path = interaction.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class AttachRequestSerializer(serializers.Serializer):
    """Exactly one of ``reference`` and ``checkpoint``; optionally the Smart Routing
    ``action`` (a node id) or, for a caller outside our trees, an ``action_label``."""

    reference = StrictCharField(
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        help_text="The checkpoint's reference, e.g. optin_fr.",
    )
    checkpoint = id_field(required=False, help_text="The checkpoint's id.")
    action = id_field(
        required=False, help_text="Id of the Smart Routing action (node) that set it."
    )
    action_label = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=ACTION_LABEL_MAX_LENGTH,
        help_text="What set it, for a caller outside our Smart Routings.",
    )

    def validate(self, attrs):
        if ("reference" in attrs) == ("checkpoint" in attrs):
            raise serializers.ValidationError(
                {"reference": [ONE_OF_MESSAGE], "checkpoint": [ONE_OF_MESSAGE]}
            )
        if "action" in attrs and "action_label" in attrs:
            raise serializers.ValidationError(
                {"action": [ACTION_OR_LABEL_MESSAGE], "action_label": [ACTION_OR_LABEL_MESSAGE]}
            )
        if "action" in attrs:
            record = services.resolve_action(attrs["action"])
            if record is None:
                raise serializers.ValidationError(
                    {"action": [f"No Smart Routing action with id {attrs['action']}."]}
                )
            attrs["action_record"] = record
        elif attrs.get("action_label"):
            attrs["action_record"] = services.ActionRecord(action_label=attrs["action_label"])
        else:
            attrs["action_record"] = services.NO_ACTION
        return attrs


class AttachResultSerializer(serializers.Serializer):
    """Answer of an attach: attached now (201) or already attached (200, the first one)."""

    outcome = serializers.ChoiceField(choices=[services.OK])
    created = serializers.BooleanField()
    checkpoint = AttachedCheckpointSerializer()


class ReferenceNotFoundSerializer(serializers.Serializer):
    """Answer 422: no such checkpoint; echoes the reference or the checkpoint id sent."""

    outcome = serializers.ChoiceField(choices=[services.REFERENCE_NOT_FOUND])
    reference = serializers.CharField(required=False)
    checkpoint = serializers.IntegerField(required=False)
