"""``GET /api/v1/<objects>/{id}/history/`` (API.md, Configuration history): one object's
history, newest first, in the project's page shape. Read on the object is required."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from checkpoint_maker import history
from checkpoint_maker.api import id_parameter, list_error_responses


@extend_schema_field({"nullable": True, "description": "A field's value (any JSON)."})
class AnyValueField(serializers.JSONField):
    pass


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name.")
    old = AnyValueField(help_text="The value before (null for a creation).")
    new = AnyValueField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Who: a username, or null.")
    action = serializers.ChoiceField(choices=list(history.ACTION_TYPES))
    changes = ChangeSerializer(many=True)


class HistoryActionMixin:
    """Adds the ``history`` action to a model viewset (its ``required_action`` maps
    ``history`` to ``view``); ``history_extra_fields`` names the history model's own fields
    that the entries compare too."""

    history_extra_fields: tuple[str, ...] = ()

    @extend_schema(
        summary="Configuration history, newest first",
        parameters=[id_parameter("The object's id.")],
        description=(
            "Who changed the object, when, and each field's old and new value; "
            '"created" lists every field with `old` null, "deleted" lists none.'
        ),
        responses={
            200: HistoryEntrySerializer(many=True),
            **list_error_responses(
                e404="No such object readable by the caller, or a page after the last."
            ),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        obj = self.get_object()
        page = list(self.paginate_queryset(history.object_history(type(obj), obj.pk)))
        data = history.entries(page, history.previous_record(page), self.history_extra_fields)
        return self.get_paginated_response(HistoryEntrySerializer(data, many=True).data)
