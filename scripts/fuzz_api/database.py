"""The database scripts/fuzz-api fuzzes on: SQLite, a temporary file; PostgreSQL, a database of
its own (the name DATABASE_URL gives, + ``_fuzz``) on a loopback server only, dropped first if a
killed run left it, and dropped afterwards."""

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class Database:
    """A fresh database: its settings for manage.py and gunicorn, created and dropped here."""

    def __init__(self, kind: str, workdir: Path, postgres_url: str):
        self.kind = kind
        self.created = False
        if kind == "sqlite":
            self.env = {"SQLITE_PATH": str(workdir / "fuzz.sqlite3")}
            self.label = "SQLite (a temporary file)"
            return
        parts = urlsplit(postgres_url)
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit(f"fuzz-api: only a loopback PostgreSQL, not {parts.hostname}")
        name = (parts.path.lstrip("/") or "checkpoint_maker") + "_fuzz"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise SystemExit(f"fuzz-api: unexpected database name {name!r}")
        self.name = name
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.env = {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
        self.label = f"PostgreSQL (database {name} at {parts.hostname}:{parts.port or 5432})"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.kind == "postgresql":
            # The name is ours (`_fuzz`): a left-over from a killed run goes first.
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self) -> None:
        if self.kind == "postgresql" and self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
