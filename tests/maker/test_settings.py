"""Settings read from the environment: the Smart licence switch, production checks, SQLite WAL."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from checkpoint_maker import settings as project_settings
from checkpoint_maker.settings import env_bool

ROOT = Path(project_settings.BASE_DIR)
# Variables that change settings or checks: the subprocess gets only the ones a test gives.
SETTINGS_ENV = {
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SMART_LICENCE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SQLITE_PATH",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` in the project with the real settings and a production-like env."""
    environ = {key: value for key, value in os.environ.items() if key not in SETTINGS_ENV}
    environ["DJANGO_SETTINGS_MODULE"] = "checkpoint_maker.settings"
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("on", True),
        ("1", True),
        ("true", True),
        ("yes", True),
        ("off", False),
        ("OFF", False),
        (" false ", False),
        ("0", False),
        ("no", False),
    ],
)
def test_smart_licence_env_parsing(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("SMART_LICENCE", raising=False)
    else:
        monkeypatch.setenv("SMART_LICENCE", value)
    assert env_bool("SMART_LICENCE", True) is expected


@pytest.mark.parametrize(("value", "expected"), [(None, "True"), ("off", "False")])
def test_settings_read_smart_licence(value, expected):
    env = {} if value is None else {"SMART_LICENCE": value}
    code = "from checkpoint_maker import settings; print(settings.SMART_LICENCE)"
    result = run_python(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "checkpoints.example.com",
    }


def test_deploy_check_is_clean_with_production_settings():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_refuses_the_development_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_sqlite_default_uses_wal(tmp_path, django_db_blocker):
    """The default database (DATABASE_URL unset) is a file in WAL mode with a busy timeout."""
    if connection.vendor != "sqlite":
        pytest.skip(f"SQLite's journal mode; this run uses {connection.vendor} (DATABASE_URL)")
    handler = ConnectionHandler(
        {"default": {**project_settings.SQLITE_DEFAULT, "NAME": tmp_path / "wal.sqlite3"}}
    )
    sqlite = handler["default"]
    try:
        with django_db_blocker.unblock(), sqlite.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
    finally:
        sqlite.close()
    assert project_settings.SQLITE_DEFAULT["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_connections_persist_across_requests(tmp_path, django_db_blocker):
    """Like PostgreSQL's: a request reuses the connection (and its pragmas) of the one before;
    a broken one is replaced (health checks)."""
    settings = {**project_settings.SQLITE_DEFAULT, "NAME": tmp_path / "persist.sqlite3"}
    assert settings["CONN_MAX_AGE"] > 0 and settings["CONN_HEALTH_CHECKS"]
    handler = ConnectionHandler({"default": settings})
    sqlite = handler["default"]
    try:
        with django_db_blocker.unblock():
            sqlite.ensure_connection()
            first = sqlite.connection
            sqlite.close_if_unusable_or_obsolete()  # what the end of a request does
            sqlite.ensure_connection()
            assert sqlite.connection is first
    finally:
        sqlite.close()
