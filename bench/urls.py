"""The application's URLs plus the benchmark's BASELINE: a bare Django view that makes the same
insert as the attach endpoint (the attached row, its copies taken from the checkpoint, ignoring
a conflict) in one statement: no DRF, no authentication, no rights, no tag."""

import json

from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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


@csrf_exempt
@require_POST
def baseline_attach(request, interaction_id: int):
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
    path("", include("checkpoint_maker.urls")),
]
