"""Smart Routing endpoints (API.md, Smart Routings): thin HTTP over routing.services and the
runner.

Rights come from ModelRights (role-wide or per routing through django-guardian); a run also
needs ``interactions.add_interactioncheckpoint``. The Smart licence gate is the middleware's
(the ``routing`` namespace). Reading a routing is one statement (its nodes joined with it,
so it shows one state); a list page prefetches the nodes of all its routings in one query.
"""

from dataclasses import asdict

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
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
from interactions.api.permissions import MayAttachCheckpoints
from interactions.api.serializers import AttachedCheckpointSerializer
from interactions.models import Interaction
from routing import selectors, services
from routing.api.serializers import (
    RunRequestSerializer,
    RunResultSerializer,
    SmartRoutingSerializer,
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
        its history needs to read it."""
        return {"run": "view", "history": "view"}.get(getattr(self, "action", None))

    def get_permissions(self):
        if getattr(self, "action", None) == "run":
            return [ModelRights(), MayAttachCheckpoints()]
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
