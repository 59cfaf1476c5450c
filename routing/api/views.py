"""Smart Routing endpoints (API.md, Smart Routings): thin HTTP over routing.services and the
runner.

Rights come from ModelRights (role-wide or per routing through django-guardian); a run also
needs ``interactions.add_interactioncheckpoint``. The Smart licence gate is the middleware's
(the ``routing`` namespace). Reading a routing is one statement (its nodes joined with it,
so it shows one state); a list page prefetches the nodes of all its routings in one query.
"""

from dataclasses import asdict

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from checkpoint_maker.api import (
    LICENCE_FORBIDDEN,
    ModelRights,
    PermittedQuerysetMixin,
    ServiceWritesMixin,
    id_parameter,
    list_error_responses,
    model_endpoints_schema,
    object_error_responses,
)
from checkpoint_maker.history_api import HistoryActionMixin
from checkpoint_maker.permissions import permission_name
from interactions.api.permissions import MayAttachCheckpoints
from interactions.api.serializers import AttachedCheckpointSerializer
from interactions.models import Interaction
from routing import portable, selectors, services
from routing.api.serializers import (
    ImportPreviewSerializer,
    RunRequestSerializer,
    RunResultSerializer,
    SmartRoutingSerializer,
    import_errors,
    import_preview,
)
from routing.filters import SmartRoutingFilterSet
from routing.models import Node, SmartRouting
from routing.runner import run_routing

errors = object_error_responses(
    "routing",
    e400='Invalid body or query: `{"field": ["message", ...]}`; an invalid tree '
    'is `{"tree": ["<path>: <rule>", ...]}`.',
    e403=LICENCE_FORBIDDEN,
)
ROUTING_ID = id_parameter("The routing's id.")
DRY_RUN = OpenApiParameter(
    "dry_run",
    bool,
    OpenApiParameter.QUERY,
    description="`true` (or `1`): only say what the import would do, storing nothing; "
    "`false` (or `0`, the default) imports.",
)
DRY_RUN_WORDS = {"": False, "0": False, "false": False, "1": True, "true": True}


def is_dry_run(request) -> bool:
    """``dry_run`` of the query: true, false (or left out); anything else is a 400 naming it,
    never an import by mistake."""
    value = request.query_params.get("dry_run", "").strip().lower()
    if value not in DRY_RUN_WORDS:
        raise exceptions.ValidationError({"dry_run": ["Must be true or false."]})
    return DRY_RUN_WORDS[value]


class MayImportRoutings(permissions.BasePermission):
    """Create and Modify on routings, role-wide: an import creates a routing or replaces one."""

    message = "Importing a routing needs the rights to create and to modify routings."

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.has_perm(permission_name(SmartRouting, "add"))
            and user.has_perm(permission_name(SmartRouting, "change"))
        )


@model_endpoints_schema(
    SmartRoutingSerializer,
    ROUTING_ID,
    errors,
    list_error_responses(e403=LICENCE_FORBIDDEN),
    list={
        "summary": "Smart Routings the user may read, with their trees",
        "description": "`search` matches part of the name, any case; `channel` filters.",
    },
    create={"summary": "Create a routing with its whole tree (the root a start)"},
    retrieve={"summary": "One routing with its tree"},
    update={
        "summary": "Replace a routing and its whole tree",
        "description": "Nodes sent back with their `id` keep it; nodes left out are deleted.",
    },
    partial_update={
        "summary": "Edit some fields of a routing (a tree given replaces the whole tree)"
    },
    destroy={"summary": "Delete a routing and its nodes"},
)
class SmartRoutingViewSet(
    HistoryActionMixin, PermittedQuerysetMixin, ServiceWritesMixin, viewsets.ModelViewSet
):
    queryset = SmartRouting.objects.order_by("name", "id").prefetch_related(
        Prefetch("nodes", queryset=Node.objects.order_by("id"))
    )
    serializer_class = SmartRoutingSerializer
    filterset_class = SmartRoutingFilterSet
    create_object = staticmethod(services.create_routing)
    update_object = staticmethod(services.update_routing)
    delete_object = staticmethod(services.delete_routing)
    lookup_value_regex = r"[0-9]+"
    history_extra_fields = ("tree",)

    @property
    def required_action(self) -> str | None:
        """A run needs to read the routing (and to attach checkpoints, see get_permissions);
        its export and its history need to read it."""
        return {"run": "view", "export": "view", "history": "view"}.get(
            getattr(self, "action", None)
        )

    def get_permissions(self):
        action_name = getattr(self, "action", None)
        if action_name == "run":
            return [ModelRights(), MayAttachCheckpoints()]
        if action_name == "import_document":
            return [MayImportRoutings()]
        return super().get_permissions()

    def retrieve(self, request, *args, **kwargs):
        """The routing and its tree as one statement read them (routing.selectors)."""
        routing = selectors.routing_with_tree(int(self.kwargs["pk"]))
        if routing is None:
            raise exceptions.NotFound()
        self.check_object_permissions(request, routing)
        return Response(self.get_serializer(routing).data)

    @extend_schema(
        summary="Run a routing for an interaction",
        parameters=[ROUTING_ID],
        description=(
            "Walks the tree for the interaction, over its variables and the run's, attaching "
            "checkpoints as the routing's actions. `path` lists every node reached with the "
            "outcome taken (null for an end). The interaction is one of the routing's channel "
            "that the user may read: another is a 400 naming `interaction`. A run is bounded "
            "(the size of each value and of all the variables, steps, time): `stopped` is null, "
            "or says which bound ended it, where and why. Needs `routing.view_smartrouting` "
            "(role-wide or on the routing), `interactions.add_interactioncheckpoint` and the right "
            "to read the interaction (`interactions.view_interaction`, role-wide or on it)."
        ),
        request=RunRequestSerializer,
        responses={200: RunResultSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def run(self, request, pk=None):
        routing = self.get_object()
        body = RunRequestSerializer(
            data=request.data, context={"user": request.user, "routing": routing}
        )
        body.is_valid(raise_exception=True)
        interaction = body.validated_data["interaction"]
        try:
            result = run_routing(routing, interaction, body.validated_data["variables"])
        except Interaction.DoesNotExist as error:  # deleted during the run
            raise exceptions.ValidationError(
                {"interaction": [f"No interaction with id {interaction.pk}."]}
            ) from error
        return Response(
            {
                "path": [asdict(step) for step in result.path],
                "checkpoints": AttachedCheckpointSerializer(result.checkpoints, many=True).data,
                "end": result.end,
                "stopped": asdict(result.stopped) if result.stopped else None,
            }
        )

    @extend_schema(
        summary="Export a routing as a portable JSON document",
        parameters=[ROUTING_ID],
        description=(
            '`{"format": "checkpoint-maker/routing", "version": 1, "routing": {"name", '
            '"channel", "description", "tree"}}`: the tree\'s nodes carry no ids, and an '
            "add_checkpoint names its checkpoint by `checkpoint_reference` (null once the "
            "checkpoint was deleted). Keys are sorted, so exporting the same routing on another "
            "site after an import gives the same document. Needs Read on the routing."
        ),
        responses={200: OpenApiTypes.OBJECT, **errors(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["get"],
        queryset=SmartRouting.objects.all(),  # export_routing reads the nodes itself
        filterset_class=None,
        pagination_class=None,
    )
    def export(self, request, pk=None):
        return Response(portable.export_routing(self.get_object()))

    @extend_schema(
        summary="Import a routing document (from export), or preview it with dry_run",
        parameters=[DRY_RUN],
        description=(
            "The body is an exported document. A routing of the document's name is replaced "
            "(its whole tree), else one is created. Checkpoints are found by reference: while "
            "any reference names no checkpoint on this site, the import is refused (400 "
            '`{"missing_references": [...]}`); a dry run lists them. An invalid document is a '
            '400 naming each path, e.g. `{"routing": ["routing.tree.branches.next: ..."]}`; '
            "nothing is stored. Needs Create and Modify on routings, role-wide."
        ),
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="RoutingImportAnswer",
                    serializers=[ImportPreviewSerializer, SmartRoutingSerializer],
                    resource_type_field_name=None,
                ),
                description="With dry_run, the preview; else the replaced routing.",
            ),
            201: OpenApiResponse(SmartRoutingSerializer, description="Created."),
            **errors(400, 401, 403),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        filterset_class=None,
        pagination_class=None,
    )
    def import_document(self, request):
        dry_run = is_dry_run(request)
        plan = portable.plan_import(request.data)
        if plan.errors:
            raise exceptions.ValidationError(import_errors(plan))
        if dry_run:
            return Response(ImportPreviewSerializer(import_preview(plan)).data)
        if plan.missing_references:
            raise exceptions.ValidationError(
                {
                    "missing_references": plan.missing_references,
                    "non_field_errors": [portable.MISSING_REFERENCES],
                }
            )
        routing = portable.apply_import(plan, request.user)
        created = plan.action == "create"
        routing = selectors.routing_with_tree(routing.pk)
        return Response(
            self.get_serializer(routing).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
