"""Fast fill of the Checkpoint Maker tables for the benchmarks (bench/scale, bench/attach --fill).

Not product code. Rows go straight into the tables the project's migrations made (the schema and
its indexes are what is measured), bypassing the services:

- PostgreSQL (bench/fill_postgresql.py): set-based ``INSERT ... SELECT ... FROM
  generate_series`` per table (a few statements, one per chunk of interactions), values from
  ``hashint8extended`` (deterministic per row), then ``VACUUM (ANALYZE)`` as autovacuum would
  eventually do;
- SQLite (bench/fill_sqlite.py): rows made in Python, ``executemany`` in batches inside one
  transaction per chunk (no ANALYZE unless asked, as on a production SQLite database).

The spread (the same rules on both databases; constants in bench/fill_rules.py):

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
import sys
from datetime import UTC, datetime

from bench.fill_rules import slot_count


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
        from bench.fill_postgresql import fill_postgresql

        return fill_postgresql(connection, plan, log, deadline, analyze)
    from bench.fill_sqlite import fill_sqlite

    return fill_sqlite(connection, plan, log, deadline, analyze)


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
