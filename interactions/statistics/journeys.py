"""The journeys: per interaction, the references it reached in the scope in attachment order,
counted per sequence. Read from a daily rollup (``JourneyDay``) for the folded days and from
the attached rows for the others.

The fold writes, for each closed day, one row per interaction with that day's sequence (any
routing, ``routing_key`` 0) and one per routing recorded on its rows (that routing's rows
only). A period is whole days, so an interaction's sequence in it is its days' sequences
joined in day order: the report reads the period's parts (the rollup's rows of its folded
days, one sequence per interaction and span of other days from the attached rows), counts the
interactions with a single part as they are, joins the parts of the few with several (those
active on more than one day), and counts the sequences. One statement, exact whether or not
the days are folded; its cost is the period's interactions, not their attached rows.
"""

import datetime

from django.db import connection

from interactions.models import JourneyDay
from interactions.statistics import sql
from interactions.statistics.scope import Scope

SEPARATOR = "\x1f"  # between a journey's references (no reference holds it)


def _table() -> str:
    return connection.ops.quote_name(JourneyDay._meta.db_table)


def _date(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


def sequences_sql(condition: str, by_routing: bool = False) -> str:
    """Rows (iid, channel, routing, sequence): per interaction (and routing, ``by_routing``)
    of the attached rows ``a`` matching ``condition``, their references by attachment time,
    then the order rows were written. Its first parameter is the separator."""
    c = sql.columns()
    routing = f"a.{c['routing']}" if by_routing else "0"
    partition = f"a.{c['interaction']}" + (f", {routing}" if by_routing else "")
    order = f"a.{c['at']}, a.{c['id']}"
    if connection.vendor == "postgresql":
        return (
            f"SELECT a.{c['interaction']} AS iid, MIN(a.{c['channel']}) AS channel, "
            f"{routing} AS routing, STRING_AGG(a.{c['reference']}, %s ORDER BY {order}) "
            f"AS sequence FROM {c['attached']} a WHERE {condition} GROUP BY {partition}"
        )
    window = f"PARTITION BY {partition} ORDER BY {order}"
    return (
        "SELECT iid, channel, routing, sequence FROM ("
        f"SELECT a.{c['interaction']} AS iid, a.{c['channel']} AS channel, {routing} AS routing, "
        f"GROUP_CONCAT(a.{c['reference']}, %s) OVER ({window} ROWS BETWEEN UNBOUNDED "
        "PRECEDING AND UNBOUNDED FOLLOWING) AS sequence, "
        f"ROW_NUMBER() OVER ({window}) AS position FROM {c['attached']} a WHERE {condition}) r "
        "WHERE position = 1"
    )


def fold_statement(day: datetime.date) -> tuple[str, list]:
    """One INSERT ... SELECT of a closed day's JourneyDay rows: any routing, then per routing."""
    c = sql.columns()
    columns = ", ".join(
        connection.ops.quote_name(JourneyDay._meta.get_field(name).column)
        for name in ("day", "interaction_id", "channel", "routing_key", "sequence")
    )
    condition, period = sql.scope_condition(Scope(day, day), "a")
    routed = f"{condition} AND a.{c['routing']} IS NOT NULL"
    statement = (
        f"INSERT INTO {_table()} ({columns}) "
        f"SELECT %s, iid, channel, routing, sequence FROM ({sequences_sql(condition)}) s "
        f"UNION ALL SELECT %s, iid, channel, routing, sequence "
        f"FROM ({sequences_sql(routed, by_routing=True)}) r"
    )
    return statement, [_date(day), SEPARATOR, *period, _date(day), SEPARATOR, *period]


def _parts(scope, folded: list[tuple], live: list[tuple]) -> tuple[str, list]:
    """SQL of the scope's parts (iid, d, seq): a sequence per interaction and folded day, and
    per interaction and span of other days (``d`` its first day)."""
    selects, params = [], []
    if folded:
        days = " OR ".join("(day >= %s AND day <= %s)" for _ in folded)
        condition = f"routing_key = %s AND ({days})"
        params.append(scope.routing_id or 0)
        for first, last in folded:
            params += [_date(first), _date(last)]
        if scope.channel:
            condition += " AND channel = %s"
            params.append(scope.channel)
        selects.append(
            f"SELECT interaction_id AS iid, day AS d, sequence AS seq FROM {_table()} "
            f"WHERE {condition}"
        )
    for first, last in live:
        condition, condition_params = sql.scope_condition(scope, "a", [(first, last)])
        selects.append(f"SELECT iid, %s AS d, sequence AS seq FROM ({sequences_sql(condition)}) l")
        params += [_date(first), SEPARATOR, *condition_params]
    return " UNION ALL ".join(selects), params


def journeys_sql(scope, limit: int, folded: list[tuple], live: list[tuple]) -> tuple[str, list]:
    """One statement for the journeys: rows (sequence, interactions, total) of the ``limit``
    most frequent sequences, ``total`` being the interactions with at least one checkpoint in
    the scope; ``folded`` and ``live`` are the scope's spans of days (rollup.spans)."""
    parts, params = _parts(scope, folded, live)
    count = "SELECT seq, COUNT(*) AS n, SUM(COUNT(*)) OVER () AS total FROM journeys "
    tail = "GROUP BY seq ORDER BY n DESC, seq LIMIT %s"
    if not folded and len(live) == 1:  # one part per interaction
        return f"WITH journeys AS ({parts}) {count}{tail}", [*params, limit]
    aggregate = "STRING_AGG" if connection.vendor == "postgresql" else "GROUP_CONCAT"
    window = "PARTITION BY iid ORDER BY d"
    statement = (
        f"WITH parts AS ({parts}), "
        "multi AS (SELECT iid FROM parts GROUP BY iid HAVING COUNT(*) > 1), "
        "journeys AS (SELECT seq FROM parts WHERE iid NOT IN (SELECT iid FROM multi) "
        f"UNION ALL SELECT seq FROM (SELECT {aggregate}(seq, %s) OVER ({window} ROWS BETWEEN "
        f"UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS seq, ROW_NUMBER() OVER ({window}) "
        "AS position FROM parts WHERE iid IN (SELECT iid FROM multi)) m WHERE position = 1) "
        f"{count}{tail}"
    )
    return statement, [*params, SEPARATOR, limit]
