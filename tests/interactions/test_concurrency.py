"""Concurrent attaches over real HTTP (API.md: "exactly one 201, the rest 200, one row").

On PostgreSQL: pytest-django's ``live_server`` (a threaded server, one database connection per
request thread) and 16 client threads released together. On SQLite the test database is in
memory and shared by the live server's threads, which would prove nothing; the SQLite case is
covered by starting gunicorn (several worker processes) on a temporary SQLite file database
(``sqlite_server`` in conftest.py). Deleting a checkpoint while it is attached:
test_delete_race.py.
"""

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import InteractionCheckpoint, InteractionTag
from tests.conftest import make_user
from tests.interactions.conftest import postgres_only

CLIENTS = 16
ATTACH_RIGHT = "interactions.add_interactioncheckpoint"


def attach_concurrently(base_url: str, token: str, interaction_id: int, bodies: list[dict]):
    """POST each body from its own thread and connection, all released at once."""
    url = urlsplit(base_url)
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def run(index: int, body: dict) -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(timeout=30)
            conn.request(
                "POST",
                f"/api/v1/interactions/{interaction_id}/checkpoints/",
                body=json.dumps(body),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            answers[index] = (response.status, json.loads(response.read()))
        except Exception as error:  # reported by the assertions below
            answers[index] = (None, repr(error))
        finally:
            conn.close()

    threads = [
        threading.Thread(target=run, args=(index, body)) for index, body in enumerate(bodies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


def check_identical(answers) -> None:
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * (CLIENTS - 1) + [201], answers
    created = next(body for status, body in answers if status == 201)
    assert all(body["checkpoint"] == created["checkpoint"] for _, body in answers)


def check_different(answers) -> None:
    assert [status for status, _ in answers] == [201] * len(answers), answers


@pytest.fixture
def seeded(transactional_db):
    user = make_user("runtime", [ATTACH_RIGHT])
    token = Token.objects.create(user=user).key
    interaction = services.create_interaction(channel="voice")
    checkpoints = [
        Checkpoint.objects.create(name=f"Step {i}", reference=f"step_{i}", alias=f"tag{i}")
        for i in range(8)
    ]
    return token, interaction, checkpoints


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_identical_concurrent_attaches_make_one_row(live_server, seeded):
    token, interaction, _ = seeded
    answers = attach_concurrently(
        live_server.url, token, interaction.pk, [{"reference": "step_0"}] * CLIENTS
    )
    check_identical(answers)
    assert InteractionCheckpoint.objects.filter(interaction=interaction).count() == 1
    assert list(
        InteractionTag.objects.filter(interaction=interaction).values_list("name", flat=True)
    ) == ["tag0"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_different_concurrent_attaches_all_land(live_server, seeded):
    token, interaction, checkpoints = seeded
    bodies = [{"checkpoint": checkpoint.pk} for checkpoint in checkpoints]
    check_different(attach_concurrently(live_server.url, token, interaction.pk, bodies))
    assert InteractionCheckpoint.objects.filter(interaction=interaction).count() == 8
    tags = set(
        InteractionTag.objects.filter(interaction=interaction).values_list("name", flat=True)
    )
    assert tags == {f"tag{i}" for i in range(8)}


# --- SQLite (a file database, WAL, several gunicorn worker processes) ------------------------

COUNT_SCRIPT = """
import json
from interactions.models import InteractionCheckpoint, InteractionTag
print(json.dumps({
    "rows": InteractionCheckpoint.objects.count(),
    "tags": sorted(InteractionTag.objects.values_list("name", flat=True)),
}))
"""


def test_concurrent_attaches_on_a_sqlite_file_database(sqlite_server):
    base_url, token, interaction_id, query = sqlite_server

    check_identical(
        attach_concurrently(base_url, token, interaction_id, [{"reference": "step_0"}] * CLIENTS)
    )
    assert query(COUNT_SCRIPT) == {"rows": 1, "tags": ["tag0"]}

    bodies = [{"reference": f"step_{i}"} for i in range(1, 8)]
    check_different(attach_concurrently(base_url, token, interaction_id, bodies))
    assert query(COUNT_SCRIPT) == {"rows": 8, "tags": [f"tag{i}" for i in range(8)]}
