"""The application's URLs plus the benchmark's two bare Django views (bench/attach):

- BASELINE ``/bench/baseline/<id>/``: the same insert as the attach endpoint (the attached row,
  its copies taken from the checkpoint, ignoring a conflict) in one statement: no DRF, no
  authentication, no rights, no tag;
- FLOOR ``/bench/floor/<id>/``: the authenticated floor, the baseline plus one query that
  checks the ``Authorization: Token <key>`` header (the token joined with its active user),
  401 without a valid one."""

import json

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from checkpoints.models import Checkpoint
from interactions.api.serializers import AttachedCheckpointSerializer, AttachRequestSerializer
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

_attached = InteractionCheckpoint._meta
_q = connection.ops.quote_name
BASELINE_SQL = (
    f"INSERT INTO {_q(_attached.db_table)} "
    "(interaction_id, checkpoint_id, name, reference, alias, attached_at, routing_name, "
    "action_label, channel) "
    f"SELECT %s, c.id, c.name, c.reference, c.alias, %s, '', '', i.channel "
    f"FROM {_q(Checkpoint._meta.db_table)} c, {_q(Interaction._meta.db_table)} i "
    "WHERE c.id = %s AND i.id = %s "
    "ON CONFLICT (interaction_id, checkpoint_id) DO NOTHING RETURNING id"
)

_user = get_user_model()._meta
_token = Token._meta
FLOOR_TOKEN_SQL = (
    f"SELECT u.{_q(_user.pk.column)} FROM {_q(_token.db_table)} t "
    f"INNER JOIN {_q(_user.db_table)} u "
    f"ON u.{_q(_user.pk.column)} = t.{_q(_token.get_field('user').column)} "
    f"WHERE t.{_q(_token.get_field('key').column)} = %s "
    f"AND u.{_q(_user.get_field('is_active').column)}"
)


@csrf_exempt
@require_POST
def baseline_attach(request, interaction_id: int):
    return _attach(request, interaction_id)


@csrf_exempt
@require_POST
def floor_attach(request, interaction_id: int):
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Token" or not key.strip():
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TOKEN_SQL, [key.strip()])
        if cursor.fetchone() is None:
            return HttpResponse(status=401)
    return _attach(request, interaction_id)


def _attach(request, interaction_id: int):
    try:
        checkpoint_id = int(json.loads(request.body)["checkpoint"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    with connection.cursor() as cursor:
        cursor.execute(
            BASELINE_SQL, [interaction_id, timezone.now(), checkpoint_id, interaction_id]
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"created": False})
    return JsonResponse({"created": True, "id": row[0]}, status=201)


class HasAttachRight(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("interactions.add_interactioncheckpoint")


class StockAttachView(APIView):
    """The ORM row: the attach endpoint built the stock way, to print what the hand-written
    SQL of the real one earns. DRF's TokenAuthentication, ``user.has_perm`` (ModelBackend),
    the same request serializer, then ORM reads and writes: the checkpoint, the row (the
    attach-once constraint turning a second attach into the first row) and its tag."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [HasAttachRight]
    schema = None

    def post(self, request, interaction_id: int):
        body = AttachRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        checkpoint = Checkpoint.objects.filter(pk=body.validated_data.get("checkpoint")).first()
        interaction = Interaction.objects.filter(pk=interaction_id).only("channel").first()
        if checkpoint is None or interaction is None:
            return Response({"outcome": "reference_not_found"}, status=422)
        try:
            with transaction.atomic():
                row = InteractionCheckpoint.objects.create(
                    interaction_id=interaction_id,
                    checkpoint=checkpoint,
                    name=checkpoint.name,
                    reference=checkpoint.reference,
                    alias=checkpoint.alias,
                    channel=interaction.channel,
                )
                if checkpoint.alias:
                    InteractionTag.objects.get_or_create(
                        interaction_id=interaction_id, name=checkpoint.alias
                    )
            created = True
        except IntegrityError:
            row = InteractionCheckpoint.objects.get(
                interaction_id=interaction_id, checkpoint=checkpoint
            )
            created = False
        return Response(
            {
                "outcome": "ok",
                "created": created,
                "checkpoint": AttachedCheckpointSerializer(row).data,
            },
            status=201 if created else 200,
        )


urlpatterns = [
    path("bench/baseline/<int:interaction_id>/", baseline_attach, name="bench_baseline"),
    path("bench/orm/<int:interaction_id>/", StockAttachView.as_view(), name="bench_orm"),
    path("bench/floor/<int:interaction_id>/", floor_attach, name="bench_floor"),
    path("", include("checkpoint_maker.urls")),
]
