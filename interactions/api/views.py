"""Interaction endpoints (API.md, Interactions and Runtime attachment): thin HTTP over
interactions.services and interactions.selectors.

Interactions are not part of the Smart licence; attaching a checkpoint is, so the attach
endpoint alone answers 403 with the licence message while the licence is off. The attach is
the runtime's hot path: one query reads the token, its user and the attach right
(interactions.api.permissions), then the service makes three queries at most, and the answer
goes through a lean serializer.
"""

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from checkpoint_maker.api import (
    LICENCE_FORBIDDEN,
    ModelRights,
    PermittedQuerysetMixin,
    component_rules,
    error_responses,
    id_parameter,
    list_error_responses,
    object_error_responses,
)
from interactions import selectors, services
from interactions.api.permissions import (
    MayAttachCheckpoints,
    SmartLicenceActive,
    TokenAuthenticationWithRight,
)
from interactions.api.serializers import (
    AttachedCheckpointSerializer,
    AttachRequestSerializer,
    AttachResultSerializer,
    InteractionSerializer,
    ReferenceNotFoundSerializer,
)
from interactions.filters import InteractionFilterSet
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

errors = object_error_responses("interaction")
INTERACTION_ID = id_parameter("The interaction's id.")
# The attach endpoint's token class is DRF's token scheme, read in one query with the right:
# the schema names the same two schemes as every other endpoint.
RUNTIME_AUTH = [{"tokenAuth": []}, {"cookieAuth": []}]

# The attach body: exactly one of reference and checkpoint, not both action and action_label;
# a 422 echoes the one sent.
EXACTLY_ONE_CHECKPOINT = [{"required": ["reference"]}, {"required": ["checkpoint"]}]
component_rules(
    "AttachRequest",
    oneOf=EXACTLY_ONE_CHECKPOINT,
    **{"not": {"required": ["action", "action_label"]}},
)
component_rules("ReferenceNotFound", oneOf=EXACTLY_ONE_CHECKPOINT)


@extend_schema_view(
    list=extend_schema(
        summary="Interactions the user may read",
        description=(
            "Filters: `channel`, `status`, `checkpoint` (reference of an attached checkpoint), "
            "`tag` (an alias in the tag list); newest first."
        ),
        responses={200: InteractionSerializer(many=True), **list_error_responses()},
    ),
    create=extend_schema(
        summary="Start an interaction",
        responses={201: InteractionSerializer, **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One interaction, with its tags and attached checkpoints (oldest first)",
        parameters=[INTERACTION_ID],
        responses={200: InteractionSerializer, **errors(401, 403, 404)},
    ),
)
class InteractionViewSet(
    PermittedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = selectors.interactions_with_journey()
    serializer_class = InteractionSerializer
    permission_classes = [ModelRights]
    filterset_class = InteractionFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_permissions(self):
        if getattr(self, "action", None) == "checkpoints" and self.request.method == "POST":
            return [SmartLicenceActive(), MayAttachCheckpoints()]
        return super().get_permissions()

    def perform_create(self, serializer):
        serializer.instance = services.create_interaction(**serializer.validated_data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        # A new interaction has no tags nor checkpoints yet: no need to read them back.
        interaction = serializer.instance
        prefetch_related_objects(
            [interaction],
            Prefetch("tags", queryset=InteractionTag.objects.none()),
            Prefetch("attached_checkpoints", queryset=InteractionCheckpoint.objects.none()),
        )
        return Response(self.get_serializer(interaction).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        auth=RUNTIME_AUTH,
        summary="The checkpoints attached to an interaction, oldest first",
        description="A plain list (no pagination). Needs the view right on the interaction.",
        parameters=[INTERACTION_ID],
        request=None,
        responses={200: AttachedCheckpointSerializer(many=True), **errors(401, 403, 404)},
    )
    @extend_schema(
        methods=["POST"],
        auth=RUNTIME_AUTH,
        summary="Attach a checkpoint to an interaction (the runtime's call)",
        description=(
            "Exactly one of `reference` and `checkpoint`; optionally `action` (a Smart Routing "
            "node id) or `action_label`. A checkpoint already attached is not attached again: "
            "200 with the first attachment. Needs `interactions.add_interactioncheckpoint`; "
            "403 while the Smart licence is off."
        ),
        parameters=[INTERACTION_ID],
        request=AttachRequestSerializer,
        responses={
            201: OpenApiResponse(AttachResultSerializer, description="Attached now."),
            200: OpenApiResponse(
                AttachResultSerializer, description="Already attached: the first attachment."
            ),
            422: OpenApiResponse(
                ReferenceNotFoundSerializer,
                description=(
                    'No such checkpoint: `{"outcome": "reference_not_found", ...}` with the '
                    "`reference` or the `checkpoint` sent."
                ),
            ),
            **error_responses(
                400,
                401,
                403,
                404,
                e403=LICENCE_FORBIDDEN,
                e404='No such interaction: `{"detail": ...}`.',
            ),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filterset_class=None,
        authentication_classes=[TokenAuthenticationWithRight, SessionAuthentication],
    )
    def checkpoints(self, request, pk=None):
        if request.method == "POST":
            return self._attach(request, int(pk))
        interaction = self.get_object()
        rows = interaction.attached_checkpoints.all()
        return Response(AttachedCheckpointSerializer(rows, many=True).data)

    def _attach(self, request, interaction_id: int) -> Response:
        body = AttachRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            result = services.attach_checkpoint(
                interaction_id,
                reference=data.get("reference"),
                checkpoint_id=data.get("checkpoint"),
                action=data["action_record"],
            )
        except Interaction.DoesNotExist as error:
            raise exceptions.NotFound(f"No interaction with id {interaction_id}.") from error
        if not result.ok:
            sent = (
                {"reference": request.data["reference"]}
                if "reference" in data
                else {"checkpoint": data["checkpoint"]}
            )
            return Response(
                {"outcome": result.outcome, **sent}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
            )
        return Response(
            {
                "outcome": result.outcome,
                "created": result.created,
                "checkpoint": AttachedCheckpointSerializer(result.attachment).data,
            },
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
