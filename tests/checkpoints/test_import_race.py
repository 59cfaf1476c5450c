"""An import whose new reference another transaction is creating at the same moment, on
PostgreSQL, each in its own connection: the import waits on the unique index, then fails
cleanly naming the row (ImportFailed, nothing of it written), never an IntegrityError."""

import pytest
from django.db import connection

from checkpoints import imports
from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_UNIQUE_MESSAGE
from tests.conftest import run_while_held

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are PostgreSQL's; SQLite runs one writer at a time",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_an_import_racing_a_create_of_its_reference_fails_cleanly():
    rows = [{"name": "Mine", "reference": "free"}, {"name": "Mine too", "reference": "taken"}]
    outcome = run_while_held(
        ("create", lambda: Checkpoint.objects.create(name="Theirs", reference="taken")),
        ("import", lambda: imports.apply_import(rows, None)),
        must_wait=True,
    )

    failure = outcome["import"]
    assert isinstance(failure, imports.ImportFailed), outcome
    assert [row.errors for row in failure.plan.rows] == [
        {},
        {"reference": [REFERENCE_UNIQUE_MESSAGE]},
    ]
    assert list(Checkpoint.objects.values_list("name", "reference")) == [("Theirs", "taken")]
