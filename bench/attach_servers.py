"""bench/attach's side of the server: the target database (its environment for manage.py and
gunicorn, created, migrated and dropped; on PostgreSQL a dedicated database), its seed (a
runtime user with a token and the attach right, CHECKPOINTS checkpoints, fresh interactions,
through ``manage.py shell``), its optional fill with history rows (``python -m bench.fill``) and
the app under gunicorn on a free loopback port. Not product code."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import ROOT, environment, log, pg_admin, run_python

HOST = "127.0.0.1"  # loopback only
PG_BENCH_DB = "checkpoint_maker_bench"
CHECKPOINTS = 100

SEED = """
import json
from django.contrib.auth.models import Group, Permission, User
from rest_framework.authtoken.models import Token
from checkpoints.models import Checkpoint
from interactions.models import Interaction

from django.conf import settings

interactions, checkpoints = INTERACTIONS, CHECKPOINTS
if not User.objects.filter(username="bench-runtime").exists():
    user = User.objects.create_user("bench-runtime")
    role = Group.objects.create(name="Routing runtime")
    role.permissions.add(Permission.objects.get(codename="add_interactioncheckpoint"))
    user.groups.add(role)
    Token.objects.create(user=user)
    Checkpoint.objects.bulk_create(
        Checkpoint(name=f"Bench {i}", reference=f"bench_{i}", alias=f"b{i}")
        for i in range(checkpoints)
    )
token = Token.objects.get(user__username="bench-runtime").key
cps = Checkpoint.objects.filter(reference__startswith="bench_").order_by("id")
ids = [
    i.pk for i in Interaction.objects.bulk_create(
        Interaction(channel="voice", customer=f"bench-{n}") for n in range(interactions)
    )
]
print(json.dumps({
    "token": token,
    "interactions": ids,
    "checkpoints": [c.pk for c in cps],
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "conn_health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Target:
    """One database: its environment for manage.py and gunicorn, its set-up and tear-down."""

    def __init__(self, name: str, workdir: Path, args):
        self.name = name
        self.env = environment(
            name, workdir, None, pg_database=PG_BENCH_DB, sqlite_file="bench.sqlite3"
        )
        self.env.update(
            BENCH_PREPARED="1" if args.prepared else "0",
            BENCH_NO_HEALTH_CHECKS="1" if args.no_health_checks else "0",
            # whitenoise warns once per worker that collectstatic was not run: not measured.
            PYTHONWARNINGS="ignore:No directory at:UserWarning",
        )

    def create(self) -> None:
        if self.name == "postgresql":
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
            pg_admin(f'CREATE DATABASE "{PG_BENCH_DB}"')

    def drop(self) -> None:
        if self.name == "postgresql":
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')

    def manage(self, *args: str) -> str:
        return run_python(
            self.env,
            str(ROOT / "manage.py"),
            *args,
            failed=f"manage.py {args[0]} failed on {self.name}",
        )


class Server:
    def __init__(self, target: Target, args):
        self.port = free_port()
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "checkpoint_maker.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={args.workers}",
            f"--worker-class={args.worker_class}",
            "--log-level=warning",
            "--backlog=256",
        ]
        if args.worker_class == "gthread":
            command.append(f"--threads={args.threads}")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=target.env, stdout=subprocess.DEVNULL, stderr=sys.stderr
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def fill(target: Target, attached: int) -> None:
    """Add ``attached`` history rows (bench/fill.py) to the target's database."""
    log(f"[{target.name}] filling {attached:,} attached rows")
    began = time.perf_counter()
    figures = run_python(
        target.env,
        "-m",
        "bench.fill",
        "--interactions",
        str(max(1, attached // 4)),
        failed=f"bench.fill failed on {target.name}",
    )
    log(f"[{target.name}] filled in {time.perf_counter() - began:.0f} s: {figures.strip()}")


def seed_target(target: Target, interactions: int) -> str:
    """Seed the runtime user and checkpoints (once) and ``interactions`` fresh interactions;
    returns the JSON the seed prints (token, ids, the database settings)."""
    script = f"INTERACTIONS, CHECKPOINTS = {interactions}, {CHECKPOINTS}\n{SEED}"
    return target.manage("shell", "-v", "0", "-c", script)
