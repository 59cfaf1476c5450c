"""Checkpoint services: the only writers of checkpoints."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from checkpoints import services
from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_UNIQUE_MESSAGE
from interactions.models import InteractionCheckpoint
from interactions.services import attach_checkpoint, create_interaction
from routing.models import Node
from routing.services import create_routing
from tests.conftest import checkpoint_perms

pytestmark = pytest.mark.django_db


def test_create_then_update_changes_only_given_fields(checkpoint):
    services.update_checkpoint(checkpoint, name=" Known customer ")
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.reference, checkpoint.alias) == (
        "Known customer",
        "recognised",
        "known",
    )


def test_duplicate_copies_alias_unless_given(checkpoint):
    copy = services.duplicate_checkpoint(checkpoint, name="Copy", reference="recognised_2")
    assert copy.alias == "known" and copy.pk != checkpoint.pk
    other = services.duplicate_checkpoint(checkpoint, name="C", reference="r3", alias="")
    assert other.alias == ""


def test_duplicate_with_the_same_reference_is_refused(checkpoint):
    with pytest.raises(ValidationError) as error:
        services.duplicate_checkpoint(checkpoint, name="Copy", reference="recognised")
    assert error.value.message_dict == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert Checkpoint.objects.count() == 1


def test_uniqueness_race_is_reported_as_a_field_error(checkpoint):
    """Two saves that both pass validation: the database constraint decides, no 500."""
    with (
        mock.patch.object(Checkpoint, "validate_unique"),
        pytest.raises(ValidationError) as error,
    ):
        services.create_checkpoint(name="Racer", reference="recognised")
    assert error.value.message_dict == {"reference": [REFERENCE_UNIQUE_MESSAGE]}


def test_bulk_delete_deletes_all(full_user, make_checkpoints):
    ids = [checkpoint.pk for checkpoint in make_checkpoints(3)]
    assert services.bulk_delete_checkpoints(user=full_user, ids=ids) == 3
    assert Checkpoint.objects.count() == 0


def test_bulk_delete_refuses_empty_and_unknown_ids(full_user, checkpoint):
    with pytest.raises(ValidationError) as error:
        services.bulk_delete_checkpoints(user=full_user, ids=[])
    assert "ids" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.bulk_delete_checkpoints(user=full_user, ids=[checkpoint.pk, 999999])
    assert error.value.message_dict == {"ids": ["No checkpoint with id 999999."]}
    assert Checkpoint.objects.filter(pk=checkpoint.pk).exists()


def test_bulk_delete_needs_the_right_on_every_one(user_factory, make_checkpoints):
    first, second = make_checkpoints(2)
    user = user_factory("partial", checkpoint_perms("reader"))
    assign_perm("checkpoints.delete_checkpoint", user, first)
    with pytest.raises(PermissionDenied):
        services.bulk_delete_checkpoints(user=user, ids=[first.pk, second.pk])
    assert Checkpoint.objects.count() == 2
    assert services.bulk_delete_checkpoints(user=user, ids=[first.pk]) == 1


def test_bulk_delete_that_fails_midway_changes_nothing(full_user, make_checkpoints):
    ids = [checkpoint.pk for checkpoint in make_checkpoints(3)]
    real_delete = services.delete_checkpoints

    def failing_after_deleting(checkpoints, **options):
        real_delete(checkpoints, **options)
        assert not Checkpoint.objects.filter(pk__in=ids).exists()
        raise IntegrityError("disk full")

    with (
        mock.patch.object(services, "delete_checkpoints", side_effect=failing_after_deleting),
        pytest.raises(IntegrityError),
    ):
        services.bulk_delete_checkpoints(user=full_user, ids=ids)
    assert sorted(Checkpoint.objects.values_list("pk", flat=True)) == sorted(ids)
    assert not Checkpoint.history.filter(history_type="-").exists()


def _use(checkpoints, attached: int, chosen: int) -> None:
    """Attach each checkpoint to ``attached`` interactions and choose it in ``chosen``
    Smart Routing actions."""
    for checkpoint in checkpoints:
        for _ in range(attached):
            attach_checkpoint(create_interaction(channel="voice").pk, checkpoint_id=checkpoint.pk)
        for _ in range(chosen):
            step = {"kind": "add_checkpoint", "checkpoint": checkpoint.pk}
            tree = {"kind": "start", "branches": {"next": step}}
            create_routing(name="R", channel="voice", tree=tree)


def test_bulk_delete_costs_the_same_whatever_uses_the_checkpoints(full_user, make_checkpoints):
    """Nothing reads or rewrites the attached rows (their link is read as empty once the
    checkpoint is gone) and the database empties the actions' links (ON DELETE SET NULL):
    one DELETE for all the checkpoints, and the history keeps its copies."""
    assert full_user.has_perm("checkpoints.delete_checkpoint")  # rights read once per user
    queries = []
    for attached, chosen in ((1, 1), (150, 3)):
        batch = make_checkpoints(2, prefix=f"used{attached}")
        _use(batch, attached, chosen)
        ids = [checkpoint.pk for checkpoint in batch]
        with CaptureQueriesContext(connection) as captured:
            assert services.bulk_delete_checkpoints(user=full_user, ids=ids) == 2
        queries.append([query["sql"] for query in captured])
        rows = InteractionCheckpoint.objects.filter(reference__startswith=f"used{attached}_")
        assert rows.count() == 2 * attached
        assert all(row.checkpoint_deleted for row in rows.select_related("checkpoint"))
    assert len(queries[0]) == len(queries[1]), queries
    touching_uses = [sql for sql in queries[1] if "interactions_" in sql or "routing_" in sql]
    assert touching_uses == []
    assert len([sql for sql in queries[1] if sql.startswith("DELETE")]) == 1
    actions = Node.objects.filter(kind="add_checkpoint")
    assert actions.count() == 2 * (1 + 3)
    assert not actions.filter(checkpoint__isnull=False).exists()
