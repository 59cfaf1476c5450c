"""Smart Routing API bodies (API.md, Smart Routings).

A routing carries its whole node tree as nested JSON. The tree's rules live in routing.tree
(``parse_tree``, the same rules as the editor and the admin); the serializer only names the
broken ones under ``tree`` so that one 400 reports every bad field. Writes go through
routing.services, runs through routing.runner.
"""

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from rest_framework import serializers

from checkpoint_maker.api import ID_SCHEMA
from checkpoint_maker.serializers import ModelSerializer, id_field
from checkpoint_maker.validators import validate_variables
from interactions.api.serializers import AttachedCheckpointSerializer
from interactions.models import Interaction
from routing.limits import (
    LABEL_MAX_LENGTH,
    MAX_STEPS,
    OUTCOME_MAX_LENGTH,
    REFERENCE_CODE_MAX_LENGTH,
    RENDERED_MAX_LENGTH,
    RUN_MAX_SECONDS,
    RUN_VARIABLES_MAX_BYTES,
    VALUE_MAX_LENGTH,
)
from routing.models import SmartRouting
from routing.rules import OUTCOMES, VARIABLE_PATTERN
from routing.runner import STOP_REASONS
from routing.selectors import run_interaction
from routing.tree import ParsedTree, TreeError, parse_tree, read_tree

NODE_COMPONENT = "RoutingNode"
NODE_REF = {"$ref": f"#/components/schemas/{NODE_COMPONENT}"}
NODE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "A node: `id` (given by the server; send it back to keep it), `kind`, `label`, the "
        "kind's fields and `branches`, an object of outcome: NODE. Outcomes: start and "
        "set_variable `next`; switch each expected value (1 to "
        f"{OUTCOME_MAX_LENGTH} characters) and `default`; add_checkpoint `ok` and "
        "`reference_not_found`; end none. An add_checkpoint has exactly one of `checkpoint` "
        "and `reference_code`. Fields of another kind are ignored."
    ),
    "properties": {
        "id": {**ID_SCHEMA, "nullable": True},
        "kind": {"type": "string", "enum": list(OUTCOMES)},
        "label": {"type": "string", "maxLength": LABEL_MAX_LENGTH},
        "variable": {
            "type": "string",
            "pattern": VARIABLE_PATTERN.pattern.replace("\\A", "^").replace("\\Z", "$"),
            "description": "set_variable and switch: a name of letters, digits and _.",
        },
        "value": {
            "type": "string",
            "maxLength": VALUE_MAX_LENGTH,
            "description": "set_variable: a Django template.",
        },
        "checkpoint": {
            **ID_SCHEMA,
            "nullable": True,
            "description": "add_checkpoint: a checkpoint id (or give reference_code).",
        },
        "reference_code": {
            "type": "string",
            "maxLength": REFERENCE_CODE_MAX_LENGTH,
            "description": "add_checkpoint: a Django template, e.g. optin_{{ lang }}.",
        },
        "branches": {
            "type": "object",
            "nullable": True,
            "description": "outcome: NODE (null: none).",
            "additionalProperties": NODE_REF,
        },
    },
    "required": ["kind"],
}


class RoutingNodeSerializer(serializers.Serializer):
    """Schema only: the RoutingNode component (NODE_SCHEMA). routing.tree validates trees."""


class RoutingNodeSchema(OpenApiSerializerExtension):
    target_class = RoutingNodeSerializer

    def map_serializer(self, auto_schema, direction):
        return NODE_SCHEMA


class TreeFieldSchema(OpenApiSerializerFieldExtension):
    """A tree: a RoutingNode whose kind is start."""

    target_class = "routing.api.serializers.TreeField"

    def map_serializer_field(self, auto_schema, direction):
        node = auto_schema.resolve_serializer(RoutingNodeSerializer, direction).ref
        root = {"type": "object", "properties": {"kind": {"type": "string", "enum": ["start"]}}}
        return {"allOf": [node, root]}


class TreeField(serializers.Field):
    """The routing's tree: read from its nodes (prefetched for lists), written as nested JSON.

    Its rules are routing.tree's: a broken one is ``"<path>: <rule>"``, the path leading
    from the root (``tree.branches.next``). Its value is a ParsedTree, parsed once per write.
    """

    def get_attribute(self, instance: SmartRouting) -> SmartRouting:
        return instance

    def to_representation(self, routing: SmartRouting) -> dict[str, Any] | None:
        """From the nodes read with the routing (``tree_nodes``, routing.selectors), else
        from its (prefetched) nodes."""
        return read_tree(routing, getattr(routing, "tree_nodes", None))

    def to_internal_value(self, data: Any) -> ParsedTree:
        """The tree with its specs, so that the write (routing.services) parses it once."""
        try:
            specs = parse_tree(data, path=self.field_name)
        except TreeError as error:
            raise serializers.ValidationError(error.errors) from error
        return ParsedTree(data, specs)


class SmartRoutingSerializer(ModelSerializer):
    """A routing with its tree. POST and PUT take the whole tree (its root a start) and a
    left-out description is ``""``; PATCH may leave out any field, the tree included."""

    tree = TreeField(help_text="The whole tree, its root a start.")

    class Meta:
        model = SmartRouting
        fields = ["id", "name", "channel", "description", "tree"]
        read_only_fields = ["id"]
        extra_kwargs = {"description": {"default": ""}}


class RunRequestSerializer(serializers.Serializer):
    """A run's body; ``context`` gives the ``user`` and the ``routing`` (the run's interaction
    follows routing.selectors.run_interaction, as on the Test run page)."""

    interaction = id_field(
        help_text="Id of the interaction to run the routing for: one of the routing's channel "
        "that the user may read.",
    )
    variables = serializers.DictField(
        required=False,
        default=dict,
        validators=[validate_variables],
        help_text="Variables for this run, over the interaction's own (a JSON object).",
    )

    def validate_interaction(self, value: int) -> Interaction:
        try:
            return run_interaction(self.context["user"], self.context["routing"], value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class RunStepSerializer(serializers.Serializer):
    node_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=list(OUTCOMES))
    label = serializers.CharField(help_text="The action's name (its kind when it has none).")
    outcome = serializers.CharField(
        allow_null=True, help_text="The outcome taken; null for an end."
    )


class RunStopSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=list(STOP_REASONS), help_text="The bound the run reached."
    )
    detail = serializers.CharField(help_text="What happened, as a sentence.")
    node_id = serializers.IntegerField(
        help_text="The set_variable that passed a size bound (the last step of `path`, its "
        "outcome null), or for the step and time limits the next node, not run."
    )


class RunResultSerializer(serializers.Serializer):
    """The path taken (every node reached, start and end included), the checkpoints that
    answered ok (the existing row where one was already attached), the last node, and why the
    run stopped early when it reached a bound."""

    path = RunStepSerializer(many=True)
    checkpoints = AttachedCheckpointSerializer(many=True)
    end = serializers.IntegerField(allow_null=True, help_text="Id of the last node reached.")
    stopped = RunStopSerializer(
        allow_null=True,
        help_text=f"null, or the bound that ended the run: a value past "
        f"{RENDERED_MAX_LENGTH:,} characters, the variables past {RUN_VARIABLES_MAX_BYTES // 1024}"
        f" KB, {MAX_STEPS:,} steps or {RUN_MAX_SECONDS:g} seconds.",
    )


class ImportedRoutingSerializer(serializers.Serializer):
    name = serializers.CharField()
    channel = serializers.ChoiceField(choices=Interaction.Channel.choices)
    description = serializers.CharField(allow_blank=True)


class ImportPreviewSerializer(serializers.Serializer):
    """What an import of a routing document does (``dry_run``), or would have done."""

    action = serializers.ChoiceField(
        choices=["create", "replace"],
        help_text="`replace`: a routing of the document's name exists here and is replaced.",
    )
    routing = ImportedRoutingSerializer()
    replaces = serializers.IntegerField(
        allow_null=True, help_text="Id of the routing replaced (null when one is created)."
    )
    node_count = serializers.IntegerField()
    node_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Nodes of each kind."
    )
    missing_references = serializers.ListField(
        child=serializers.CharField(),
        help_text="Checkpoint references of the document that no checkpoint has on this site: "
        "while any is missing the import is refused.",
    )
    unmatched_reference_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Reference codes of the document that are a plain reference no checkpoint has "
        "here: a warning (their actions take reference_not_found until one exists).",
    )
    can_import = serializers.BooleanField()


def import_preview(plan) -> dict[str, Any]:
    """ImportPreviewSerializer's data for a routing.portable.ImportPlan."""
    return {
        "action": plan.action,
        "routing": {"name": plan.name, "channel": plan.channel, "description": plan.description},
        "replaces": plan.existing.pk if plan.existing else None,
        "node_count": plan.node_count,
        "node_counts": plan.node_counts,
        "missing_references": plan.missing_references,
        "unmatched_reference_codes": plan.unmatched_codes,
        "can_import": plan.can_apply,
    }


def import_errors(plan) -> dict[str, list[str]]:
    """A refused plan's 400 body: each error under the document's top-level key its path
    starts with (``routing``: ``routing.tree.branches.next: ...``)."""
    body: dict[str, list[str]] = {}
    for error in plan.errors:
        key = error.partition(":")[0].partition(".")[0].partition("[")[0]
        if key == "document":
            key = "non_field_errors"
        body.setdefault(key, []).append(error)
    return body
