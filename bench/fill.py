"""Fast fill of the Checkpoint Maker tables for the benchmarks (bench/scale, bench/attach --fill).

Not product code. Rows go straight into the tables the project's migrations made (the schema and
its indexes are what is measured), bypassing the services:

- PostgreSQL: set-based ``INSERT ... SELECT ... FROM generate_series`` per table (a few
  statements, one per chunk of interactions), values from ``hashint8extended`` (deterministic
  per row), then ``VACUUM (ANALYZE)`` as autovacuum would eventually do;
- SQLite: rows made in Python, ``executemany`` in batches inside one transaction per chunk
  (no ANALYZE unless asked, as on a production SQLite database).

The spread (the same rules on both databases):

- checkpoint ``k``: name ``"<word> k"`` (12 words, e.g. "Recognised customer"), reference
  ``ck_<k, 6 digits>``, alias ``<short word><k>`` (empty for one in ten: no tag);
- interaction ``n``: voice 50 %, email 30 %, messaging 20 %; started over the last 182 days
  (uniformly), ongoing when started less than 2 days ago (about 1 %), otherwise closed 5 to 35
  minutes after it started; customer ``cust-<m>`` over ``customers`` customers; a subject;
  variables ``{}``;
- four attached checkpoints per interaction, distinct by construction (slot ``s`` picks among
  the checkpoints with ``k % 4 == s + 1 % 4``), Zipf-like (log-uniform rank: the hottest of each
  slot is on ~7 % of interactions at 100k checkpoints, the coldest on a handful), among the first
  95 % of the checkpoints only (the last 5 % stay without history); copies of name, reference
  and alias; attached 20 s to 4 min after the start; routing and action from ``actions`` (90 %
  of the rows; the rest were attached through the API with no routing);
- a tag per attached checkpoint with an alias (the alias once per interaction).

    python -m bench.fill --interactions 250000   # inside the bench environment (bench/attach)
"""

import argparse
import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta

NAMES = (
    "Recognised customer",
    "Opt-in collected",
    "Callback offered",
    "A/B test target",
    "Payment taken",
    "Survey sent",
    "Identity verified",
    "Queue overflow",
    "Agent transfer",
    "Self-service done",
    "Voicemail left",
    "Language chosen",
)
SHORT = (
    "known",
    "optin",
    "callback",
    "abtest",
    "paid",
    "survey",
    "idok",
    "overflow",
    "transfer",
    "selfserve",
    "voicemail",
    "lang",
)
SUBJECTS = (
    "Delivery question",
    "Invoice",
    "Change of address",
    "Password reset",
    "Complaint",
    "New contract",
    "Cancellation",
    "",
)
DAYS = 182
ONGOING_SECONDS = 2 * 86400
MIN_AGE_SECONDS = 600
ATTACHED_PER_INTERACTION = 4
HISTORY_SHARE = 0.95  # the other 5 % of checkpoints are never attached
NO_ROUTING_SHARE = 0.10
CHUNK = 250_000  # interactions per statement (PostgreSQL) or per transaction (SQLite)
BATCH = 20_000  # rows per executemany (SQLite)


def checkpoint_fields(k: int) -> tuple[str, str, str]:
    """(name, reference, alias) of checkpoint ``k``."""
    word = k % len(NAMES)
    alias = "" if k % 10 == 0 else f"{SHORT[word]}{k}"
    return f"{NAMES[word]} {k}", f"ck_{k:06d}", alias


def slot_count(history_checkpoints: int) -> int:
    return max(1, int(history_checkpoints * HISTORY_SHARE) // ATTACHED_PER_INTERACTION)


class Deadline(Exception):
    pass


def fill(
    connection,
    *,
    interactions: tuple[int, int],
    checkpoints: tuple[int, int] | None,
    history_from: tuple[int, int],
    customers: int,
    now: datetime,
    actions: list[tuple] = (),
    log=print,
    deadline: float | None = None,
    analyze: bool | None = None,
) -> dict[str, float]:
    """Insert checkpoints ``checkpoints`` (ids first..last, or None), interactions
    ``interactions`` (ids first..last) with their attached checkpoints (picked among the
    checkpoint ids ``history_from`` = (base, count): base+1..base+count) and tags.
    ``actions``: (channel, variant 0/1, slot 0..3, routing_id, routing_name, action_id,
    action_label). Returns seconds per table. ``deadline``: a time.time() past which it stops
    between chunks (raises Deadline). ``analyze``: refresh the planner's statistics afterwards;
    by default on PostgreSQL (autovacuum would) and not on SQLite (nothing runs ANALYZE on a
    production SQLite database)."""
    if analyze is None:
        analyze = connection.vendor == "postgresql"
    base, count = history_from
    plan = {
        "interactions": interactions,
        "checkpoints": checkpoints,
        "base": base,
        "slots": slot_count(count),
        "customers": max(1, customers),
        "now": now,
        "actions": list(actions),
    }
    if connection.vendor == "postgresql":
        return _fill_postgresql(connection, plan, log, deadline, analyze)
    return _fill_sqlite(connection, plan, log, deadline, analyze)


def _tables():
    from checkpoints.models import Checkpoint
    from interactions.models import Interaction, InteractionCheckpoint, InteractionTag

    return {
        "checkpoint": Checkpoint._meta.db_table,
        "interaction": Interaction._meta.db_table,
        "attached": InteractionCheckpoint._meta.db_table,
        "tag": InteractionTag._meta.db_table,
    }


def _chunks(first: int, last: int):
    for low in range(first, last + 1, CHUNK):
        yield low, min(last, low + CHUNK - 1)


def _check(deadline: float | None) -> None:
    if deadline is not None and time.time() > deadline:
        raise Deadline("fill stopped at the deadline")


def _sql_list(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _u(expression: str, seed: int) -> str:
    """A deterministic uniform value in [0, 1) from an integer expression (PostgreSQL)."""
    hashed = f"hashint8extended(({expression})::bigint, {seed})"
    return f"(({hashed} & 2147483647)::float8 / 2147483648.0)"


def _fill_postgresql(connection, plan, log, deadline, analyze) -> dict[str, float]:
    t = {name: connection.ops.quote_name(table) for name, table in _tables().items()}
    seconds = {"checkpoints": 0.0, "interactions": 0.0, "attached": 0.0, "tags": 0.0}
    now = plan["now"].isoformat()
    with connection.cursor() as cursor:
        if plan["checkpoints"]:
            first, last = plan["checkpoints"]
            began = time.perf_counter()
            cursor.execute(
                f"INSERT INTO {t['checkpoint']} (id, name, reference, alias, created_at, "
                "updated_at) "
                f"SELECT k, ({_sql_list(NAMES)})[1 + mod(k, {len(NAMES)})] || ' ' || k, "
                "'ck_' || CASE WHEN k < 1000000 THEN lpad(k::text, 6, '0') ELSE k::text END, "
                f"CASE WHEN mod(k, 10) = 0 THEN '' "
                f"ELSE ({_sql_list(SHORT)})[1 + mod(k, {len(SHORT)})] || k END, "
                f"'{now}'::timestamptz - interval '200 days', '{now}'::timestamptz "
                f"FROM generate_series({first}, {last}) k"
            )
            _reset_sequence(cursor, t["checkpoint"])
            seconds["checkpoints"] += time.perf_counter() - began
            log(f"  checkpoints {first}..{last}: {seconds['checkpoints']:.1f} s")
        slots, base = plan["slots"], plan["base"]
        actions = plan["actions"] or [("voice", 0, 0, None, "", None, "")]
        values = ", ".join(
            "({}, {}, {}, {}, {}, {}, {})".format(
                f"'{channel}'",
                variant,
                slot,
                "NULL::bigint" if routing_id is None else routing_id,
                "'" + routing_name.replace("'", "''") + "'",
                "NULL::bigint" if action_id is None else action_id,
                "'" + action_label.replace("'", "''") + "'",
            )
            for channel, variant, slot, routing_id, routing_name, action_id, action_label in actions
        )
        for low, high in _chunks(*plan["interactions"]):
            _check(deadline)
            began = time.perf_counter()
            cursor.execute(
                f"INSERT INTO {t['interaction']} (id, channel, status, started_at, ended_at, "
                "customer, subject, variables) "
                "SELECT n, CASE WHEN u2 < 0.5 THEN 'voice' WHEN u2 < 0.8 THEN 'email' "
                "ELSE 'messaging' END, "
                f"CASE WHEN age < {ONGOING_SECONDS} THEN 'ongoing' ELSE 'closed' END, "
                f"'{now}'::timestamptz - make_interval(secs => age), "
                f"CASE WHEN age < {ONGOING_SECONDS} THEN NULL "
                f"ELSE '{now}'::timestamptz - make_interval(secs => age) "
                "+ make_interval(secs => 300 + u4 * 1800) END, "
                f"'cust-' || (1 + floor(u3 * {plan['customers']}))::bigint, "
                f"({_sql_list(SUBJECTS)})[1 + mod(n, {len(SUBJECTS)})], '{{}}'::jsonb "
                f"FROM (SELECT n, {MIN_AGE_SECONDS} + {_u('n', 1)} * "
                f"{DAYS * 86400 - MIN_AGE_SECONDS} AS age, "
                f"{_u('n', 2)} AS u2, {_u('n', 3)} AS u3, {_u('n', 4)} AS u4 "
                f"FROM generate_series({low}, {high}) n) s"
            )
            seconds["interactions"] += time.perf_counter() - began
            _check(deadline)
            began = time.perf_counter()
            pick = f"{_u('i.id * 4 + s', 5)}"
            cursor.execute(
                "WITH a (channel, variant, slot, routing_id, routing_name, action_id, "
                f"action_label) AS (VALUES {values}) "
                f"INSERT INTO {t['attached']} (interaction_id, checkpoint_id, name, reference, "
                "alias, attached_at, routing_id, routing_name, action_id, action_label) "
                "SELECT x.id, c.id, c.name, c.reference, c.alias, "
                f"x.started_at + make_interval(secs => 20 + x.s * 60 + {_u('x.id * 4 + x.s', 6)}"
                " * 40), a.routing_id, COALESCE(a.routing_name, ''), a.action_id, "
                "COALESCE(a.action_label, '') "
                "FROM (SELECT i.id, i.channel, i.started_at, s, "
                f"{base} + 4 * (LEAST({slots}, floor(exp({pick} * ln({slots} + 1)))::bigint) - 1)"
                f" + s + 1 AS k, {_u('i.id * 4 + s', 7)} AS ur "
                f"FROM {t['interaction']} i CROSS JOIN generate_series(0, 3) s "
                f"WHERE i.id BETWEEN {low} AND {high}) x "
                f"JOIN {t['checkpoint']} c ON c.id = x.k "
                "LEFT JOIN a ON a.channel = x.channel AND a.variant = mod(x.id, 2) "
                f"AND a.slot = x.s AND x.ur >= {NO_ROUTING_SHARE} "
                "ORDER BY x.id, x.s"
            )
            seconds["attached"] += time.perf_counter() - began
            _check(deadline)
            began = time.perf_counter()
            cursor.execute(
                f"INSERT INTO {t['tag']} (interaction_id, name) "
                f"SELECT interaction_id, alias FROM {t['attached']} "
                f"WHERE interaction_id BETWEEN {low} AND {high} AND alias <> '' ORDER BY id "
                "ON CONFLICT (interaction_id, name) DO NOTHING"
            )
            seconds["tags"] += time.perf_counter() - began
            log(
                f"  interactions {low}..{high}: interactions {seconds['interactions']:.1f} s, "
                f"attached {seconds['attached']:.1f} s, tags {seconds['tags']:.1f} s (so far)"
            )
        _reset_sequence(cursor, t["interaction"])
        if analyze:
            began = time.perf_counter()
            for table in t.values():
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            seconds["vacuum_analyze"] = time.perf_counter() - began
            log(f"  VACUUM (ANALYZE): {seconds['vacuum_analyze']:.1f} s")
    return seconds


def _reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def _sqlite_time(value: datetime) -> str:
    """As Django stores an aware datetime on SQLite: naive UTC, ``str()``."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _fill_sqlite(connection, plan, log, deadline, analyze) -> dict[str, float]:
    from django.db import transaction

    t = {name: connection.ops.quote_name(table) for name, table in _tables().items()}
    seconds = {
        "checkpoints": 0.0,
        "interactions": 0.0,
        "attached": 0.0,
        "tags": 0.0,
        "generate": 0.0,
    }
    now = plan["now"]
    created = _sqlite_time(now - timedelta(days=200))
    updated = _sqlite_time(now)

    def insert(cursor, sql: str, rows: list) -> None:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])

    with connection.cursor() as cursor:
        if plan["checkpoints"]:
            first, last = plan["checkpoints"]
            began = time.perf_counter()
            rows = [(k, *checkpoint_fields(k), created, updated) for k in range(first, last + 1)]
            with transaction.atomic():
                insert(
                    cursor,
                    f"INSERT INTO {t['checkpoint']} (id, name, reference, alias, created_at, "
                    "updated_at) VALUES (%s, %s, %s, %s, %s, %s)",
                    rows,
                )
            seconds["checkpoints"] += time.perf_counter() - began
            log(f"  checkpoints {first}..{last}: {seconds['checkpoints']:.1f} s")
        slots, base = plan["slots"], plan["base"]
        log_slots = math.log(slots + 1)
        actions = {(a[0], a[1], a[2]): a[3:] for a in plan["actions"]}
        no_action = (None, "", None, "")
        channels = ("voice", "email", "messaging")
        for low, high in _chunks(*plan["interactions"]):
            _check(deadline)
            began = time.perf_counter()
            rng = random.Random(low)
            interactions, attached, tags = [], [], []
            for n in range(low, high + 1):
                age = MIN_AGE_SECONDS + rng.random() * (DAYS * 86400 - MIN_AGE_SECONDS)
                u2, u3, u4 = rng.random(), rng.random(), rng.random()
                channel = channels[0 if u2 < 0.5 else 1 if u2 < 0.8 else 2]
                started = now - timedelta(seconds=age)
                duration = 300 + u4 * 1800
                ongoing = age < ONGOING_SECONDS
                interactions.append(
                    (
                        n,
                        channel,
                        "ongoing" if ongoing else "closed",
                        _sqlite_time(started),
                        None if ongoing else _sqlite_time(started + timedelta(seconds=duration)),
                        f"cust-{1 + int(u3 * plan['customers'])}",
                        SUBJECTS[n % len(SUBJECTS)],
                        "{}",
                    )
                )
                for s in range(ATTACHED_PER_INTERACTION):
                    z = min(slots, int(math.exp(rng.random() * log_slots)))
                    k = base + 4 * (z - 1) + s + 1
                    name, reference, alias = checkpoint_fields(k)
                    routing_id, routing_name, action_id, action_label = (
                        actions.get((channel, n % 2, s), no_action)
                        if rng.random() >= NO_ROUTING_SHARE
                        else no_action
                    )
                    attached_at = started + timedelta(seconds=20 + s * 60 + rng.random() * 40)
                    attached.append(
                        (
                            n,
                            k,
                            name,
                            reference,
                            alias,
                            _sqlite_time(attached_at),
                            routing_id,
                            routing_name,
                            action_id,
                            action_label,
                        )
                    )
                    if alias:
                        tags.append((n, alias))
            seconds["generate"] += time.perf_counter() - began
            with transaction.atomic():
                began = time.perf_counter()
                insert(
                    cursor,
                    f"INSERT INTO {t['interaction']} (id, channel, status, started_at, ended_at,"
                    " customer, subject, variables) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    interactions,
                )
                seconds["interactions"] += time.perf_counter() - began
                began = time.perf_counter()
                insert(
                    cursor,
                    f"INSERT INTO {t['attached']} (interaction_id, checkpoint_id, name, "
                    "reference, alias, attached_at, routing_id, routing_name, action_id, "
                    "action_label) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    attached,
                )
                seconds["attached"] += time.perf_counter() - began
                began = time.perf_counter()
                insert(
                    cursor,
                    f"INSERT INTO {t['tag']} (interaction_id, name) VALUES (%s, %s) "
                    "ON CONFLICT (interaction_id, name) DO NOTHING",
                    tags,
                )
                seconds["tags"] += time.perf_counter() - began
            log(
                f"  interactions {low}..{high}: interactions {seconds['interactions']:.1f} s, "
                f"attached {seconds['attached']:.1f} s, tags {seconds['tags']:.1f} s, "
                f"generating {seconds['generate']:.1f} s (so far)"
            )
        if analyze:
            began = time.perf_counter()
            cursor.execute("ANALYZE")
            seconds["analyze"] = time.perf_counter() - began
            log(f"  ANALYZE: {seconds['analyze']:.1f} s")
    return seconds


def main() -> None:
    """``python -m bench.fill --interactions N``: add N interactions (4 N attached rows, N / 10
    checkpoints of their own) after what the database holds, in the bench environment."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--interactions", type=int, required=True)
    parser.add_argument(
        "--analyze",
        choices=["yes", "no", "default"],
        default="default",
        help="refresh the planner's statistics (default: PostgreSQL only)",
    )
    args = parser.parse_args()
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.db import connection
    from django.db.models import Max

    from checkpoints.models import Checkpoint
    from interactions.models import Interaction

    count = max(1, min(args.interactions, 50_000_000))
    checkpoints = max(10, count // 10)
    first_cp = (Checkpoint.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    first_i = (Interaction.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    seconds = fill(
        connection,
        interactions=(first_i, first_i + count - 1),
        checkpoints=(first_cp, first_cp + checkpoints - 1),
        history_from=(first_cp - 1, checkpoints),
        customers=count // 5,
        now=datetime.now(UTC),
        log=lambda message: print(message, file=sys.stderr, flush=True),
        analyze={"yes": True, "no": False}.get(args.analyze),
    )
    print(" ".join(f"{name}={value:.1f}s" for name, value in seconds.items()))


if __name__ == "__main__":
    main()
