"""The SQLite fill path of bench/fill.py: rows made in Python (random.Random seeded per chunk,
so deterministic), ``executemany`` in batches inside one transaction per chunk (no ANALYZE
unless asked, as on a production SQLite database). Not product code."""

import math
import random
import time
from datetime import UTC, datetime, timedelta

from bench.fill_rules import (
    ATTACHED_PER_INTERACTION,
    BATCH,
    DAYS,
    MIN_AGE_SECONDS,
    NO_ROUTING_SHARE,
    ONGOING_SECONDS,
    SUBJECTS,
    check_deadline,
    checkpoint_fields,
    chunks,
    tables,
)


def _sqlite_time(value: datetime) -> str:
    """As Django stores an aware datetime on SQLite: naive UTC, ``str()``."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def fill_sqlite(connection, plan, log, deadline, analyze) -> dict[str, float]:
    from django.db import transaction

    t = {name: connection.ops.quote_name(table) for name, table in tables().items()}
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
        for low, high in chunks(*plan["interactions"]):
            check_deadline(deadline)
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
                            channel,
                        )
                    )
                    if alias:
                        tags.append((n, alias))
            seconds["generate"] += time.perf_counter() - began
            statements = (
                (
                    "interactions",
                    f"INSERT INTO {t['interaction']} (id, channel, status, started_at, ended_at,"
                    " customer, subject, variables) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    interactions,
                ),
                (
                    "attached",
                    f"INSERT INTO {t['attached']} (interaction_id, checkpoint_id, name, "
                    "reference, alias, attached_at, routing_id, routing_name, action_id, "
                    "action_label, channel) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    attached,
                ),
                (
                    "tags",
                    f"INSERT INTO {t['tag']} (interaction_id, name) VALUES (%s, %s) "
                    "ON CONFLICT (interaction_id, name) DO NOTHING",
                    tags,
                ),
            )
            with transaction.atomic():
                for table, sql, rows in statements:
                    began = time.perf_counter()
                    insert(cursor, sql, rows)
                    seconds[table] += time.perf_counter() - began
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
