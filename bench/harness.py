"""What bench/scale and bench/statistics share: their own database per target (created,
migrated, dropped), a child process per target that fills it with bench/fill.py and a few
Smart Routings, the in-process timing of one URL with the Django test client, and the
figures' formatting. Not product code."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
URL_BUDGET_SECONDS = 60  # timed requests of one URL stop repeating past this
ROUTINGS_PER_CHANNEL = 2
ACTIONS_PER_ROUTING = 8
HARD_BOUND_GRACE = 300  # seconds past --max-minutes before the run stops regardless


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def fmt(value, width: int, digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return f"{'-':>{width}}"
    return f"{value:>{width}.{digits}f}"


# --- Child side: filling and timing, inside Django -------------------------------------------


def _connection():
    from django.db import connection

    return connection


def fill_checkpoints_then_routings(target, checkpoints: int, now, deadline) -> dict:
    """The first size's checkpoints, then the routings (their actions use hot checkpoints)."""
    from bench.fill import fill

    seconds = fill(
        _connection(),
        interactions=(1, 0),
        checkpoints=(1, checkpoints),
        history_from=(0, checkpoints),
        customers=1,
        now=now,
        log=log,
        deadline=deadline,
        analyze=False,
    )
    began = time.perf_counter()
    seconds["_routings"] = make_routings(checkpoints)
    seconds["routings"] = time.perf_counter() - began
    log(f"  routings: {seconds['routings']:.1f} s")
    return seconds


def make_routings(checkpoints: int) -> dict:
    """Two routings per channel (through the product's service), each a chain of
    ACTIONS_PER_ROUTING Add a checkpoint actions on hot checkpoints; returns their ids and the
    (channel, variant, slot, routing, action) records the attached rows take."""
    from routing.models import Node
    from routing.services import create_routing

    actions, ids = [], []
    for channel in ("voice", "email", "messaging"):
        for variant in range(ROUTINGS_PER_CHANNEL):
            tree = {"kind": "end", "label": "Transfer to an agent"}
            for step in reversed(range(ACTIONS_PER_ROUTING)):
                checkpoint = 1 + (step + variant * ACTIONS_PER_ROUTING) % max(1, checkpoints - 1)
                tree = {
                    "kind": "add_checkpoint",
                    "label": f"Mark step {step + 1}",
                    "checkpoint": checkpoint,
                    "branches": {
                        "ok": tree,
                        "reference_not_found": {"kind": "end", "label": f"Lost {step + 1}"},
                    },
                }
            tree = {"kind": "start", "label": "Incoming", "branches": {"next": tree}}
            routing = create_routing(
                name=f"{channel.title()} flow {variant + 1}", channel=channel, tree=tree
            )
            ids.append(routing.pk)
            nodes = list(
                Node.objects.filter(routing=routing, kind=Node.Kind.ADD_CHECKPOINT).order_by("id")
            )
            for slot in range(4):
                node = nodes[slot % len(nodes)]
                actions.append(
                    (channel, variant, slot, routing.pk, routing.name, node.pk, node.display_label)
                )
    return {"ids": ids, "actions": actions}


def grow(target: str, size: int, state: dict, now, deadline: float, analyze: bool) -> dict:
    """Fill the database to ``size`` interactions (checkpoints 10 %; the routings with the
    first size). ``state`` carries what earlier sizes filled ("done", "routings"). Returns
    the seconds per table."""
    from bench.fill import fill

    checkpoints = max(10, size // 10)
    log(f"[{target}] filling to {size} interactions, {checkpoints} checkpoints")
    done = state.get("done", (0, 0))  # interactions, checkpoints already filled
    if state.get("routings") is None:
        # Checkpoints first (the routings' actions use the hot ones), then the rest.
        seconds = fill_checkpoints_then_routings(target, checkpoints, now, deadline)
        state["routings"] = seconds.pop("_routings")
        done = (0, checkpoints)
    else:
        seconds = {}
    more = fill(
        _connection(),
        interactions=(done[0] + 1, size),
        checkpoints=(done[1] + 1, checkpoints) if checkpoints > done[1] else None,
        history_from=(0, checkpoints),
        customers=size // 5,
        now=now,
        actions=state["routings"]["actions"],
        log=log,
        deadline=deadline,
        analyze=True if analyze else None,
    )
    for name, value in more.items():
        seconds[name] = seconds.get(name, 0.0) + value
    state["done"] = (size, checkpoints)
    return seconds


def table_counts() -> dict:
    from checkpoints.models import Checkpoint
    from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
    from routing.models import Node, SmartRouting

    return {
        "checkpoints": Checkpoint.objects.count(),
        "interactions": Interaction.objects.count(),
        "attached": InteractionCheckpoint.objects.count(),
        "tags": InteractionTag.objects.count(),
        "routings": SmartRouting.objects.count(),
        "nodes": Node.objects.count(),
    }


def server_version() -> str:
    connection = _connection()
    return str(
        connection.pg_version
        if connection.vendor == "postgresql"
        else connection.Database.sqlite_version
    )


def logged_in_client(user):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def time_url(
    client,
    label: str,
    path: str,
    context: dict,
    repeat: int,
    deadline: float,
    *,
    untimed_statuses: tuple[int, ...] = (),
) -> dict:
    """GET ``path`` (formatted with ``context``) once as a warm-up that counts its queries,
    then ``repeat`` times timed (p50, p95); an answer in ``untimed_statuses`` is not timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.fill import Deadline

    row = {"label": label, "path": path}
    try:
        url = path.format(**context)
    except KeyError as missing:
        row.update(status=f"skipped: no {missing}")
        return row
    if time.time() > deadline:
        raise Deadline("stopped at the deadline")
    row["url"] = url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # warm-up and query count
    row.update(status=response.status_code, queries=len(captured), bytes=len(response.content))
    if response.status_code in untimed_statuses:
        log(f"  {label:<36} {row['status']} not timed")
        return row
    samples = []
    spent = time.perf_counter()
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        if time.perf_counter() - spent > URL_BUDGET_SECONDS or time.time() > deadline:
            break
    row.update(
        samples_ms=samples, p50_ms=percentile(samples, 0.5), p95_ms=percentile(samples, 0.95)
    )
    log(f"  {label:<36} {row['status']} {row['p50_ms']:8.1f} ms {row['queries']:>4} queries")
    return row


# --- Parent side: one database and one child per target --------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def environment(
    target: str, workdir: Path, static_root: Path, *, pg_database: str, sqlite_file: str
) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SQLITE_PATH"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=str(ROOT),
        SMART_LICENCE="on",
        DEBUG="off",
        LOG_LEVEL="ERROR",
        SECRET_KEY="bench-only-" + "k" * 50,
        BENCH_STATIC_ROOT=str(static_root),
    )
    if target == "sqlite":
        env["SQLITE_PATH"] = str(workdir / sqlite_file)
    else:
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + pg_database
    return env


def manage(env: dict, *args: str, timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=max(10, timeout),
    )
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr}")


def run_target(
    script: str,
    target: str,
    child_args: list[str],
    *,
    deadline: float,
    static_root: Path,
    keep: bool,
    pg_database: str,
    sqlite_file: str,
    prefix: str,
):
    """Make the target's database (PostgreSQL: ``pg_database``, dropped first; SQLite:
    ``sqlite_file`` in a temporary directory), migrate it, run ``script --child target
    *child_args`` on it and return the JSON its last line prints (None if it failed or was
    killed past the deadline); drop the database afterwards unless ``keep``."""
    import json

    workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-{target}-"))
    env = environment(
        target, workdir, static_root, pg_database=pg_database, sqlite_file=sqlite_file
    )
    began = time.monotonic()
    try:
        if target == "postgresql":
            pg_admin(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
            pg_admin(f'CREATE DATABASE "{pg_database}"')
        log(f"[{target}] manage.py migrate")
        manage(env, "migrate", "--no-input", "-v", "0", timeout=deadline - time.time())
        command = [sys.executable, script, "--child", target, *child_args]
        # The child stops itself at the deadline; past it and a grace period, it is killed.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=sys.stderr, text=True
        )
        try:
            out, _ = process.communicate(timeout=max(10, deadline - time.time() + 120))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            log(f"[{target}] killed past the deadline")
            return None
        if process.returncode:
            log(f"[{target}] failed (exit {process.returncode})")
            return None
        result = json.loads(out.strip().splitlines()[-1])
        result["seconds"] = time.monotonic() - began
        return result
    finally:
        if keep:
            where = pg_database if target == "postgresql" else env["SQLITE_PATH"]
            log(f"[{target}] kept: {where}")
        else:
            if target == "postgresql":
                pg_admin(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)


def set_hard_bound(name: str, max_minutes: float) -> None:
    """Past --max-minutes and a grace period, stop regardless (children are killed,
    databases dropped by the finally blocks; 60 s later, exit)."""

    def over_time(*_):
        signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
        signal.alarm(60)
        raise SystemExit(f"{name}: stopped at the hard bound")

    signal.signal(signal.SIGALRM, over_time)
    signal.alarm(int(max_minutes * 60 + HARD_BOUND_GRACE))


def collect_static(static_root: Path) -> None:
    """collectstatic into ``static_root`` (the production manifest storage the pages use)."""
    log("collectstatic (the production manifest storage, into a temporary directory)")
    manage(
        environment("sqlite", static_root, static_root, pg_database="", sqlite_file="static"),
        "collectstatic",
        "--no-input",
        "-v",
        "0",
        timeout=300,
    )
