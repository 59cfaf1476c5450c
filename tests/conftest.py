"""Shared fixtures: users with the Maker's typical roles, clients logged in as them."""

import re
import threading
import time

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.db import connection, connections, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint

# The 403 body of an endpoint the Smart licence gates, while it is off.
LICENCE_BODY = {"detail": "Checkpoints are part of the Smart licence"}
# A timestamp as the API answers it: ISO 8601, UTC, always with microseconds.
TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")

CHECKPOINT_RIGHTS = {
    "full": ["view", "add", "change", "delete"],
    "editor": ["view", "add", "change"],
    "reader": ["view"],
    "none": [],
}


def make_user(username: str, perms: list[str] | None = None) -> User:
    """A user in a role (group) holding the given ``app_label.codename`` permissions."""
    user = User.objects.create_user(username=username, password="pass-for-tests-1")
    if perms:
        group = Group.objects.create(name=f"role-{username}")
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        user.groups.add(group)
    return user


def checkpoint_perms(level: str) -> list[str]:
    return [f"checkpoints.{action}_checkpoint" for action in CHECKPOINT_RIGHTS[level]]


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def full_user(db):
    return make_user("full", checkpoint_perms("full"))


@pytest.fixture
def editor_user(db):
    return make_user("editor", checkpoint_perms("editor"))


@pytest.fixture
def reader_user(db):
    return make_user("reader", checkpoint_perms("reader"))


@pytest.fixture
def plain_user(db):
    return make_user("plain")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pass-for-tests-1")


@pytest.fixture
def admin_client(client, superuser):
    """Logged in as a superuser (in place of pytest-django's own admin_client)."""
    client.force_login(superuser)
    return client


def messages_of(response) -> list[str]:
    """The messages a response's request queued for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def full_client(client, full_user):
    return logged_in(client, full_user)


def client_for(user) -> APIClient:
    """An API client logged in (by session) as ``user``."""
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    """An API client authenticated by a new token of ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def checkpoint(db):
    return Checkpoint.objects.create(
        name="Recognised customer", reference="recognised", alias="known"
    )


@pytest.fixture
def make_checkpoints(db):
    def make(count: int, prefix: str = "cp") -> list[Checkpoint]:
        return Checkpoint.objects.bulk_create(
            Checkpoint(name=f"{prefix} {index:04d}", reference=f"{prefix}_{index:04d}")
            for index in range(count)
        )

    return make


def new_attach_queries() -> int:
    """Queries of an attach that creates a row of a checkpoint with an alias: one statement
    on PostgreSQL (row and tag together), the row then the tag elsewhere."""
    return 1 if connection.vendor == "postgresql" else 2


class WriteBetweenReads:
    """Runs ``write`` once between two reads of one answer: right before the SELECT naming
    ``table`` that follows the ``after``-th one (on this connection), when the earlier ones
    are read to the end, as if another request committed it then. Each statement sees every
    write made before it (READ COMMITTED on PostgreSQL, autocommit on SQLite), so this is the
    interleaving of a concurrent commit, made deterministic. ``selects`` counts the SELECTs
    naming ``table``; ``written`` says whether ``write`` ran (never with ``after=None``)."""

    def __init__(self, table: str, write, after: int | None):
        self.table, self.write, self.after = table, write, after
        self.selects, self.written = 0, False

    def __call__(self, execute, sql, params, many, context):
        if self.written or not sql.lstrip().startswith("SELECT") or self.table not in sql:
            return execute(sql, params, many, context)
        if self.selects == self.after:
            self.written = True
            self.write()
        self.selects += 1
        return execute(sql, params, many, context)


def in_thread(work, outcome: dict, key: str) -> threading.Thread:
    """Run ``work`` in a thread with its own database connection; its result or its error
    lands in ``outcome[key]``."""

    def run():
        try:
            outcome[key] = work()
        except Exception as error:  # reported by the test
            outcome[key] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def run_while_held(held: tuple[str, object], waiting: tuple[str, object], must_wait: bool):
    """Runs ``held = (key, work)`` in a thread, in a transaction kept open until ``waiting =
    (key, work)``, run in another thread, waits for a row lock (or finishes: with
    ``must_wait`` that fails the test); then lets both end. Returns {key: result or error}."""
    (held_key, held_work), (waiting_key, waiting_work) = held, waiting
    outcome, ready, release = {}, threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            result = held_work()
            ready.set()
            release.wait(timeout=60)
        return result

    holder = in_thread(hold, outcome, held_key)
    assert ready.wait(timeout=60), outcome
    waiter = in_thread(waiting_work, outcome, waiting_key)
    try:
        wait_until_blocked(outcome, waiting_key)
        if must_wait:
            assert waiting_key not in outcome, f"the {waiting_key} did not wait for the {held_key}"
    finally:
        release.set()
    holder.join(timeout=60)
    waiter.join(timeout=60)
    return outcome


def wait_until_blocked(outcome: dict, key: str) -> None:
    """Until another connection of this test database waits for a row lock (or ``key`` has
    an outcome: it did not wait)."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock'",
                [name],
            )
            if cursor.fetchone()[0] or key in outcome:
                return
            time.sleep(0.05)
    pytest.fail("the other connection neither waited nor finished")
