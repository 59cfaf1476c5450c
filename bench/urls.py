"""The application's URLs plus the benchmark's two bare Django views (bench/attach):

- BASELINE ``/bench/baseline/<id>/``: the same insert as the attach endpoint (the attached row,
  its copies taken from the checkpoint, ignoring a conflict) in one statement: no DRF, no
  authentication, no rights, no tag;
- FLOOR ``/bench/floor/<id>/``: the authenticated floor, the baseline plus one query that
  checks the ``Authorization: Token <key>`` header (the token joined with its active user),
  401 without a valid one."""

import json

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint

_attached = InteractionCheckpoint._meta
_q = connection.ops.quote_name
BASELINE_SQL = (
    f"INSERT INTO {_q(_attached.db_table)} "
    "(interaction_id, checkpoint_id, name, reference, alias, attached_at, routing_name, "
    "action_label) "
    f"SELECT %s, id, name, reference, alias, %s, '', '' FROM {_q(Checkpoint._meta.db_table)} "
    "WHERE id = %s "
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
        cursor.execute(BASELINE_SQL, [interaction_id, timezone.now(), checkpoint_id])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"created": False})
    return JsonResponse({"created": True, "id": row[0]}, status=201)


urlpatterns = [
    path("bench/baseline/<int:interaction_id>/", baseline_attach, name="bench_baseline"),
    path("bench/floor/<int:interaction_id>/", floor_attach, name="bench_floor"),
    path("", include("checkpoint_maker.urls")),
]
