"""The step-by-step SQL shared by funnels, A/B tests and the history's "reached" filter.

Step 1 is, per interaction, the first attachment of the first reference in the scope; step k
the first attachment of reference k strictly later than the interaction's step k-1 (API.md:
"each later than the previous by attachment time", so a tie does not pass), before the end of
the period. Each step is a CTE over the ``(reference, attached_at)`` index, joined to the
previous step on the interaction; the SQL runs on PostgreSQL and SQLite alike (CTEs and window
functions), with the vendor's function where they differ. Names come from the models.
"""

import datetime

from django.db import connection
from django.utils.dateparse import parse_datetime

from checkpoint_maker.days import start_of_day
from interactions.models import Interaction, InteractionCheckpoint

ONE_DAY = datetime.timedelta(days=1)


def _quoted(model, field: str | None = None) -> str:
    meta = model._meta
    name = meta.db_table if field is None else meta.get_field(field).column
    return connection.ops.quote_name(name)


def adapted(value):
    """A parameter as the database stores it (a datetime in UTC on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def as_datetime(value) -> datetime.datetime:
    """A time read by raw SQL as an aware datetime (SQLite answers the stored UTC text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def columns() -> dict[str, str]:
    """The quoted table and column names the statements use."""
    return {
        "attached": _quoted(InteractionCheckpoint),
        "interaction": _quoted(InteractionCheckpoint, "interaction"),
        "reference": _quoted(InteractionCheckpoint, "reference"),
        "at": _quoted(InteractionCheckpoint, "attached_at"),
        "id": _quoted(InteractionCheckpoint, "id"),
        "routing": _quoted(InteractionCheckpoint, "routing_id"),
        "channel": _quoted(InteractionCheckpoint, "channel"),
        "interactions": _quoted(Interaction),
        "interaction_id": _quoted(Interaction, "id"),
        "interaction_channel": _quoted(Interaction, "channel"),
    }


def bytewise(text: str) -> str:
    """A text expression compared byte by byte (PostgreSQL's "C" collation): the same groups
    as the column's collation, which is deterministic, at a fraction of the sorting cost."""
    return f'{text} COLLATE "C"' if connection.vendor == "postgresql" else text


def as_text(text: str) -> str:
    """A ``bytewise`` expression back in the database's collation (for ordering, joins)."""
    return f'{text} COLLATE "default"' if connection.vendor == "postgresql" else text


def seconds_between(later: str, earlier: str) -> str:
    """SQL for the seconds from ``earlier`` to ``later`` (two timestamp expressions)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((JULIANDAY({later}) - JULIANDAY({earlier})) * 86400.0)"


def within_times(column: str, spans: list[tuple]) -> tuple[str, list]:
    """SQL: the time ``column`` falls in one of the spans of days (first, last), each the
    half-open range from the first day's midnight to the one after the last."""
    condition = " OR ".join(f"({column} >= %s AND {column} < %s)" for _ in spans)
    params = []
    for first, last in spans:
        params += [adapted(start_of_day(first)), adapted(start_of_day(last + ONE_DAY))]
    return f"({condition})", params


def within_days(column: str, spans: list[tuple]) -> tuple[str, list]:
    """SQL: the date ``column`` (a rollup's day) is in one of the spans of days (first, last)."""
    condition = " OR ".join(f"({column} >= %s AND {column} <= %s)" for _ in spans)
    params = []
    for first, last in spans:
        params += [
            connection.ops.adapt_datefield_value(first),
            connection.ops.adapt_datefield_value(last),
        ]
    return f"({condition})", params


def scope_condition(scope, alias: str, days: list[tuple] | None = None) -> tuple[str, list]:
    """``alias``'s rows attached in the scope's period (or in the spans of days ``days``:
    (first, last) pairs within it), through its routing when it has one, on interactions of
    its channel when it has one (the channel each row recorded, its interaction's)."""
    c = columns()
    sql, params = within_times(f"{alias}.{c['at']}", days or [(scope.first_day, scope.last_day)])
    if scope.routing_id is not None:
        sql += f" AND {alias}.{c['routing']} = %s"
        params.append(scope.routing_id)
    if scope.channel:
        sql += f" AND {alias}.{c['channel']} = %s"
        params.append(scope.channel)
    return sql, params


def step_ctes(scope, references: list[str], prefix: str) -> tuple[list[str], list]:
    """CTEs ``<prefix>1``..``<prefix>k``, one per reference: (iid, t, gap) per interaction
    that reached steps 1..k in order; ``gap`` is the seconds from the previous step (NULL for
    the first)."""
    c = columns()
    ctes, params = [], []
    for number, reference in enumerate(references, start=1):
        name = f"{prefix}{number}"
        condition, condition_params = scope_condition(scope, "a")
        if number == 1:
            ctes.append(
                f"{name} AS (SELECT a.{c['interaction']} AS iid, MIN(a.{c['at']}) AS t, "
                f"NULL AS gap FROM {c['attached']} a "
                f"WHERE a.{c['reference']} = %s AND {condition} GROUP BY a.{c['interaction']})"
            )
        else:
            previous = f"{prefix}{number - 1}"
            gap = seconds_between(f"MIN(a.{c['at']})", "p.t")
            ctes.append(
                f"{name} AS (SELECT a.{c['interaction']} AS iid, MIN(a.{c['at']}) AS t, "
                f"{gap} AS gap FROM {c['attached']} a JOIN {previous} p "
                f"ON a.{c['interaction']} = p.iid AND a.{c['at']} > p.t "
                f"WHERE a.{c['reference']} = %s AND {condition} "
                f"GROUP BY a.{c['interaction']}, p.t)"
            )
        params += [reference, *condition_params]
    return ctes, params


def not_reached_after(scope, reference: str, step: str) -> tuple[str, list]:
    """A condition on ``step``'s rows (alias ``p``): ``reference`` was not attached after the
    step in the scope."""
    c = columns()
    condition, params = scope_condition(scope, "b")
    return (
        f"NOT EXISTS (SELECT 1 FROM {c['attached']} b WHERE b.{c['interaction']} = p.iid "
        f"AND b.{c['reference']} = %s AND b.{c['at']} > p.t AND {condition})",
        [reference, *params],
    )


def reached_ids(scope, reached: list[str], not_reached: str | None) -> tuple[str, list]:
    """SQL selecting the ids of the interactions that reached ``reached`` in that order in
    the scope and then not ``not_reached`` (either may be empty, not both)."""
    c = columns()
    if not reached:
        condition, params = scope_condition(scope, "a")
        return (
            f"SELECT {c['interaction_id']} FROM {c['interactions']} WHERE "
            f"{c['interaction_id']} NOT IN (SELECT a.{c['interaction']} FROM {c['attached']} a "
            f"WHERE a.{c['reference']} = %s AND {condition})",
            [not_reached, *params],
        )
    ctes, params = step_ctes(scope, reached, "s")
    sql = f"WITH {', '.join(ctes)} SELECT p.iid FROM s{len(reached)} p"
    if not_reached:
        condition, condition_params = not_reached_after(scope, not_reached, "p")
        sql += f" WHERE {condition}"
        params += condition_params
    return sql, params


def funnel_sql(scope, references: list[str], quantiles: tuple[float, ...]) -> tuple[str, list]:
    """One statement for a funnel: rows (step, n, rank, gap). A row with rank NULL gives the
    step's count ``n``; the others give the gaps at the 0-based ranks around each quantile's
    position among the ``n`` gaps of that step (figures.percentile interpolates)."""
    ctes, params = step_ctes(scope, references, "s")
    steps = range(1, len(references) + 1)
    counts = " UNION ALL ".join(f"SELECT {k} AS step, COUNT(*) AS n FROM s{k}" for k in steps)
    gaps = " UNION ALL ".join(f"SELECT {k} AS step, gap FROM s{k}" for k in steps if k > 1)
    ranked = (
        "SELECT step, gap, ROW_NUMBER() OVER (PARTITION BY step ORDER BY gap) - 1 AS rnk, "
        f"COUNT(*) OVER (PARTITION BY step) AS n FROM ({gaps}) g"
    )
    # (n - 1) * q as whole hundredths, divided in integers: the rank below the position.
    near = " OR ".join(
        f"rnk BETWEEN (n - 1) * {round(q * 100)} / 100 AND (n - 1) * {round(q * 100)} / 100 + 1"
        for q in quantiles
    )
    sql = (
        f"WITH {', '.join(ctes)}, ranked AS ({ranked}) "
        f"SELECT step, n, NULL AS rnk, NULL AS gap FROM ({counts}) c "
        f"UNION ALL SELECT step, n, rnk, gap FROM ranked WHERE {near}"
    )
    return sql, params


def conversions_sql(scope, variants: list[str], goal: str) -> tuple[str, list]:
    """One statement for an A/B test: rows (variant number, interactions, converted) where
    converted reached ``goal`` after the variant, in the scope."""
    ctes, params, selects = [], [], []
    for number, variant in enumerate(variants, start=1):
        variant_ctes, variant_params = step_ctes(scope, [variant, goal], f"v{number}_")
        ctes += variant_ctes
        params += variant_params
        selects.append(
            f"SELECT {number} AS variant, (SELECT COUNT(*) FROM v{number}_1) AS n, "
            f"(SELECT COUNT(*) FROM v{number}_2) AS converted"
        )
    return f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}", params
