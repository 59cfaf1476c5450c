"""What bench/scale and bench/statistics share on the parent's side (bench/attach and bench/run
too, for the environment, the administration database and the log): the command line, their
own database per target (created, migrated, dropped), a child process per target (the
script again, with ``--child``; its side is bench/measure.py), the hard bound, and the
figures' number format (bench/report.py prints the tables with it). Not product code."""

import argparse
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
HARD_BOUND_GRACE = 300  # seconds past --max-minutes before the run stops regardless


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fmt(value, width: int, digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return f"{'-':>{width}}"
    return f"{value:>{width}.{digits}f}"


# --- Parent side: one database and one child per target --------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def environment(
    target: str, workdir: Path, static_root: Path | None, *, pg_database: str, sqlite_file: str
) -> dict:
    """The environment of manage.py and the benchmark's processes on ``target`` (bench settings,
    the developer's database settings left out; ``static_root`` None: no collected files)."""
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
    )
    if static_root is not None:
        env["BENCH_STATIC_ROOT"] = str(static_root)
    if target == "sqlite":
        env["SQLITE_PATH"] = str(workdir / sqlite_file)
    else:
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + pg_database
    return env


def run_python(env: dict, *args: str, failed: str, timeout: float | None = None) -> str:
    """Run this Python on ``args`` in the project's folder with ``env``; returns its output, or
    stops with ``failed`` and its errors."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if done.returncode:
        raise SystemExit(f"{failed}:\n{done.stderr}")
    return done.stdout


def manage(env: dict, *args: str, timeout: float) -> None:
    run_python(
        env,
        str(ROOT / "manage.py"),
        *args,
        failed=f"manage.py {args[0]} failed",
        timeout=max(10, timeout),
    )


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


# --- Command line: the options bench/scale and bench/statistics share ------------------------


def add_arguments(parser, *, repeat_help: str) -> None:
    """The options of a two-size benchmark (targets, sizes, repeats, keep, ANALYZE on SQLite,
    JSON, the hard bound) and the child's hidden ones."""
    parser.add_argument("--targets", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument(
        "--sizes",
        help="interactions, one or two sizes (e.g. 2000,8000); default: PostgreSQL "
        "250000,1000000, SQLite 50000,200000",
    )
    parser.add_argument("--repeat", type=int, default=5, help=repeat_help)
    parser.add_argument("--keep", action="store_true", help="do not drop the databases")
    parser.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="run ANALYZE on SQLite after each fill (off by default, as in production; "
        "PostgreSQL always gets VACUUM (ANALYZE), as autovacuum would)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--max-minutes", type=float, default=45, help="hard bound on the run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--deadline", type=float, help=argparse.SUPPRESS)


def parse_arguments(parser, max_size: int):
    """The options, checked: ``args.sizes`` a list of one or two increasing sizes or None,
    ``args.targets`` a list (in the parent), ``args.repeat`` from 1 to 100."""
    args = parser.parse_args()
    args.repeat = max(1, min(args.repeat, 100))
    sizes = None
    if args.sizes:
        try:
            sizes = [int(value) for value in args.sizes.split(",") if value.strip()]
        except ValueError:
            parser.error("--sizes: whole numbers, e.g. 2000,8000")
        if not 1 <= len(sizes) <= 2 or sizes != sorted(set(sizes)):
            parser.error("--sizes: one or two sizes, increasing")
        if not all(100 <= size <= max_size for size in sizes):
            parser.error(f"--sizes: from 100 to {max_size:,} interactions")
    args.sizes = sizes
    if not args.child:
        args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
        if not args.targets or not set(args.targets) <= {"sqlite", "postgresql"}:
            parser.error("targets: sqlite and/or postgresql")
    return args


def run_targets(
    script: str,
    name: str,
    args,
    *,
    default_sizes: dict,
    pg_database: str,
    sqlite_file: str,
    prefix: str,
) -> list[dict]:
    """The parent's whole run, bounded by --max-minutes: collectstatic, then each target's
    database and child (run_target); returns the results of the targets that finished."""
    deadline = time.time() + args.max_minutes * 60
    set_hard_bound(name, args.max_minutes)
    static_root = Path(tempfile.mkdtemp(prefix=f"{prefix}-static-"))
    results = []
    try:
        collect_static(static_root)
        for target in args.targets:
            child_args = [
                "--sizes",
                ",".join(map(str, args.sizes or default_sizes[target])),
                "--repeat",
                str(args.repeat),
                "--deadline",
                str(deadline),
            ] + (["--sqlite-analyze"] if args.sqlite_analyze else [])
            result = run_target(
                script,
                target,
                child_args,
                deadline=deadline,
                static_root=static_root,
                keep=args.keep,
                pg_database=pg_database,
                sqlite_file=sqlite_file,
                prefix=prefix,
            )
            if result:
                results.append(result)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    signal.alarm(0)
    return results
