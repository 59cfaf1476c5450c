"""Concurrent attaches over real HTTP (API.md: "exactly one 201, the rest 200, one row").

On PostgreSQL: pytest-django's ``live_server`` (a threaded server, one database connection per
request thread) and 16 client threads released together. On SQLite the test database is in
memory and shared by the live server's threads, which would prove nothing; the SQLite case is
covered by starting gunicorn (several worker processes) on a temporary SQLite file database.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import InteractionCheckpoint, InteractionTag
from tests.conftest import make_user

CLIENTS = 16
ROOT = Path(__file__).resolve().parents[2]
ATTACH_RIGHT = "interactions.add_interactioncheckpoint"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "concurrency over live_server needs PostgreSQL (set DATABASE_URL); the SQLite test "
        "database is in memory and shared by the server threads"
    ),
)


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

SEED_SCRIPT = """
from rest_framework.authtoken.models import Token
from checkpoints.models import Checkpoint
from interactions import services
from tests.conftest import make_user

user = make_user("runtime", ["interactions.add_interactioncheckpoint"])
token = Token.objects.create(user=user).key
interaction = services.create_interaction(channel="voice")
for i in range(8):
    Checkpoint.objects.create(name=f"Step {i}", reference=f"step_{i}", alias=f"tag{i}")
print(token, interaction.pk)
"""

COUNT_SCRIPT = """
import json
from interactions.models import InteractionCheckpoint, InteractionTag
print(json.dumps({
    "rows": InteractionCheckpoint.objects.count(),
    "tags": sorted(InteractionTag.objects.values_list("name", flat=True)),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sqlite_server():
    """gunicorn (4 workers) on a fresh, migrated SQLite file database; yields
    (base url, token, interaction id, run(script) -> stdout)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip(f"gunicorn is not installed beside {sys.executable}")
    workdir = Path(tempfile.mkdtemp(prefix="cm-sqlite-concurrency-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        SQLITE_PATH=str(workdir / "db.sqlite3"),
        DJANGO_SETTINGS_MODULE="tests.settings",
        SMART_LICENCE="on",
        PYTHONPATH=str(ROOT),
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("manage.py", "migrate", "--no-input", "-v", "0")
    token, interaction_id = run("manage.py", "shell", "-v", "0", "-c", SEED_SCRIPT).split()
    port = free_port()
    server = subprocess.Popen(
        [
            str(gunicorn),
            "checkpoint_maker.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=4",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()}")
                time.sleep(0.1)
        yield (
            f"http://127.0.0.1:{port}",
            token,
            int(interaction_id),
            lambda script: json.loads(run("manage.py", "shell", "-v", "0", "-c", script)),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def test_concurrent_attaches_on_a_sqlite_file_database(sqlite_server):
    base_url, token, interaction_id, query = sqlite_server

    check_identical(
        attach_concurrently(base_url, token, interaction_id, [{"reference": "step_0"}] * CLIENTS)
    )
    assert query(COUNT_SCRIPT) == {"rows": 1, "tags": ["tag0"]}

    bodies = [{"reference": f"step_{i}"} for i in range(1, 8)]
    check_different(attach_concurrently(base_url, token, interaction_id, bodies))
    assert query(COUNT_SCRIPT) == {"rows": 8, "tags": [f"tag{i}" for i in range(8)]}
