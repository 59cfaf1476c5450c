"""The PostgreSQL fill path of bench/fill.py: set-based ``INSERT ... SELECT ... FROM
generate_series`` per table (a few statements, one per chunk of interactions), values from
``hashint8extended`` (deterministic per row), then ``VACUUM (ANALYZE)`` as autovacuum would
eventually do. Not product code."""

import time

from bench.fill_rules import (
    DAYS,
    MIN_AGE_SECONDS,
    NAMES,
    NO_ROUTING_SHARE,
    ONGOING_SECONDS,
    SHORT,
    SUBJECTS,
    check_deadline,
    chunks,
    tables,
)


def _sql_list(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _u(expression: str, seed: int) -> str:
    """A deterministic uniform value in [0, 1) from an integer expression (PostgreSQL)."""
    hashed = f"hashint8extended(({expression})::bigint, {seed})"
    return f"(({hashed} & 2147483647)::float8 / 2147483648.0)"


def fill_postgresql(connection, plan, log, deadline, analyze) -> dict[str, float]:
    t = {name: connection.ops.quote_name(table) for name, table in tables().items()}
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
        for low, high in chunks(*plan["interactions"]):
            check_deadline(deadline)
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
            check_deadline(deadline)
            began = time.perf_counter()
            pick = f"{_u('i.id * 4 + s', 5)}"
            cursor.execute(
                "WITH a (channel, variant, slot, routing_id, routing_name, action_id, "
                f"action_label) AS (VALUES {values}) "
                f"INSERT INTO {t['attached']} (interaction_id, checkpoint_id, name, reference, "
                "alias, attached_at, routing_id, routing_name, action_id, action_label, channel) "
                "SELECT x.id, c.id, c.name, c.reference, c.alias, "
                f"x.started_at + make_interval(secs => 20 + x.s * 60 + {_u('x.id * 4 + x.s', 6)}"
                " * 40), a.routing_id, COALESCE(a.routing_name, ''), a.action_id, "
                "COALESCE(a.action_label, ''), x.channel "
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
            check_deadline(deadline)
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
