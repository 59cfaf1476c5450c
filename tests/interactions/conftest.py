"""The attach tests' runtime client, interaction and action resolver, the pages tests'
reader and journey, and servers for the real-HTTP concurrency tests:
pytest-django's ``live_server`` on PostgreSQL, gunicorn on a SQLite file database (the SQLite
test database is in memory and shared by the live server's threads, which would prove
nothing)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from interactions import services
from interactions.models import Interaction
from tests.conftest import make_user, token_client
from tests.interactions.attach_helpers import ATTACH_RIGHT, VIEW_RIGHT
from tests.interactions.journeys import VIEW, VIEW_CHECKPOINT, make_journey

ROOT = Path(__file__).resolve().parents[2]

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "concurrency over live_server needs PostgreSQL (set DATABASE_URL); the SQLite test "
        "database is in memory and shared by the server threads"
    ),
)


@pytest.fixture
def reader_client(client, db):
    """Logged in as a user who may read interactions and checkpoints."""
    client.force_login(make_user("ireader", [VIEW, VIEW_CHECKPOINT]))
    return client


@pytest.fixture
def journey(db):
    """A live voice interaction with three checkpoints attached out of order in time."""
    return make_journey()


@pytest.fixture
def runtime(db) -> APIClient:
    """The routing runtime: a machine user holding the attach right and the view right."""
    return token_client(make_user("runtime", [ATTACH_RIGHT, VIEW_RIGHT]))


@pytest.fixture
def interaction(db) -> Interaction:
    return services.create_interaction(channel="voice", customer="+33100000000")


@pytest.fixture
def resolver(monkeypatch):
    """A Smart Routing action resolver for one test, in place of the routing app's."""
    actions = {
        7: services.ActionRecord(
            routing_id=3, routing_name="Voice FR", action_id=7, action_label="Opt-in check"
        )
    }
    monkeypatch.setattr(services, "_action_resolver", None)  # restored after the test
    services.register_action_resolver(actions.get)
    return actions


@pytest.fixture
def no_resolver(monkeypatch):
    monkeypatch.setattr(services, "_action_resolver", None)


SEED_SCRIPT = """
from rest_framework.authtoken.models import Token
from checkpoints.models import Checkpoint
from interactions import services
from interactions import services
from interactions.models import Interaction
from tests.conftest import make_user, token_client
from tests.interactions.attach_helpers import ATTACH_RIGHT, VIEW_RIGHT

user = make_user("runtime", ["interactions.add_interactioncheckpoint"])
token = Token.objects.create(user=user).key
interaction = services.create_interaction(channel="voice")
for i in range(8):
    Checkpoint.objects.create(name=f"Step {i}", reference=f"step_{i}", alias=f"tag{i}")
print(token, interaction.pk)
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
    # The server's log goes to a file: a pipe nobody reads would fill and block the workers.
    log = (workdir / "gunicorn.log").open("wb")
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
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {(workdir / 'gunicorn.log').read_text()}")
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
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
