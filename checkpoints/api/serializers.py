"""Checkpoint API bodies. Field rules come from the model's validators (one rule, one place)."""

from rest_framework import serializers

from checkpoints.models import Checkpoint


class CheckpointSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The checkpoint's page in the Maker.")

    class Meta:
        model = Checkpoint
        fields = ["id", "name", "reference", "alias", "created_at", "updated_at", "url"]
        read_only_fields = ["id", "created_at", "updated_at", "url"]

    def get_url(self, checkpoint: Checkpoint) -> str:
        request = self.context.get("request")
        path = checkpoint.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class CheckpointDuplicateSerializer(serializers.ModelSerializer):
    """The copy's own name and reference; a left-out alias is copied from the source."""

    class Meta:
        model = Checkpoint
        fields = ["name", "reference", "alias"]
        extra_kwargs = {"alias": {"required": False}}


class BulkDeleteSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=1000,
        error_messages={"empty": "Give at least one checkpoint id."},
    )


class BulkDeleteResultSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()
