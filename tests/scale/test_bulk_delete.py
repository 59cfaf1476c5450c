"""Bulk delete costs a fixed number of queries whatever the number of ids (rights, where-used
warnings and the delete), and leaves the interactions' history as it was (copies kept, the
link to the checkpoint emptied)."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import InteractionCheckpoint, InteractionTag
from routing.models import Node, SmartRouting
from tests.conftest import checkpoint_perms, make_user

pytestmark = pytest.mark.django_db

# The configuration history's cost: reading the deleted rows and one insert of their records.
HISTORY_QUERIES = 2


def checkpoints_with_history(count: int, prefix: str) -> list[Checkpoint]:
    checkpoints = Checkpoint.objects.bulk_create(
        Checkpoint(name=f"{prefix} {n}", reference=f"{prefix}_{n}", alias=f"{prefix}{n}")
        for n in range(count)
    )
    interaction = services.create_interaction(channel="voice")
    for checkpoint in checkpoints:
        services.attach_checkpoint(interaction.pk, checkpoint_id=checkpoint.pk)
    routing = SmartRouting.objects.create(name=f"Routing {prefix}", channel="voice")
    root = Node.objects.create(routing=routing, kind="start")
    Node.objects.create(
        routing=routing,
        parent=root,
        outcome="next",
        kind="add_checkpoint",
        checkpoint=checkpoints[0],
    )
    return checkpoints


def history() -> list[tuple]:
    return sorted(
        InteractionCheckpoint.objects.values_list("id", "name", "reference", "alias", "attached_at")
    )


@pytest.fixture(params=["superuser", "role"])
def api(request, db):
    if request.param == "superuser":
        user = User.objects.create_superuser("root", password="pass-for-tests-1")
    else:
        user = make_user("deleter", checkpoint_perms("full"))

    def client() -> APIClient:
        """A client as a new request sees the user: rights not yet read."""
        api = APIClient()
        api.force_authenticate(User.objects.get(pk=user.pk))
        return api

    return client


def delete_queries(api, checkpoints: list[Checkpoint]) -> int:
    api = api()
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            "/api/v1/checkpoints/bulk-delete/",
            {"ids": [checkpoint.pk for checkpoint in checkpoints]},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["deleted"] == len(checkpoints)
    return len(captured)


def test_bulk_delete_queries_are_fixed_for_3_and_300_ids(api):
    few = checkpoints_with_history(3, "few")
    many = checkpoints_with_history(300, "many")
    before = history()
    tags = InteractionTag.objects.count()
    assert delete_queries(api, few) == delete_queries(api, many) <= 10 + HISTORY_QUERIES
    assert not Checkpoint.objects.exists()
    assert history() == before  # every copy kept
    rows = InteractionCheckpoint.objects.select_related("checkpoint")
    assert all(row.checkpoint_deleted for row in rows)
    assert InteractionTag.objects.count() == tags
    assert not Node.objects.filter(checkpoint__isnull=False).exists()
    deleted = Checkpoint.history.filter(history_type="-")
    assert deleted.count() == 303
    assert set(deleted.values_list("history_user__username", flat=True)) == {
        User.objects.get().username
    }
