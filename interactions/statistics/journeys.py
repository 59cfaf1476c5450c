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

from checkpoint_maker.days import start_of_day
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


def _earlier(day: datetime.date, routing: str | None) -> tuple[str, list]:
    """SQL: interaction ``iid`` has rows (of routing ``routing``) attached before ``day``."""
    c = sql.columns()
    condition = f"b.{c['interaction']} = iid AND b.{c['at']} < %s"
    if routing:
        condition += f" AND b.{c['routing']} = {routing}"
    return (
        f"EXISTS (SELECT 1 FROM {c['attached']} b WHERE {condition})",
        [sql.adapted(start_of_day(day))],
    )


def fold_statement(day: datetime.date) -> tuple[str, list]:
    """One INSERT ... SELECT of a closed day's JourneyDay rows: any routing, then per routing."""
    c = sql.columns()
    columns = ", ".join(
        connection.ops.quote_name(JourneyDay._meta.get_field(name).column)
        for name in ("day", "interaction_id", "channel", "routing_key", "sequence", "continued")
    )
    condition, period = sql.scope_condition(Scope(day, day), "a")
    routed = f"{condition} AND a.{c['routing']} IS NOT NULL"
    any_earlier, any_params = _earlier(day, None)
    routed_earlier, routed_params = _earlier(day, "routing")
    statement = (
        f"INSERT INTO {_table()} ({columns}) "
        f"SELECT %s, iid, channel, routing, sequence, {any_earlier} "
        f"FROM ({sequences_sql(condition)}) s "
        f"UNION ALL SELECT %s, iid, channel, routing, sequence, {routed_earlier} "
        f"FROM ({sequences_sql(routed, by_routing=True)}) r"
    )
    return statement, [
        _date(day),
        *any_params,
        SEPARATOR,
        *period,
        _date(day),
        *routed_params,
        SEPARATOR,
        *period,
    ]


def _folded(scope, folded: list[tuple], continued: bool = False) -> tuple[str, list]:
    """SQL of the rollup's parts (iid, d, seq) of the folded spans (only those ``continued``)."""
    days, days_params = sql.within_days("day", folded)
    condition = f"routing_key = %s AND {days}"
    params = [scope.routing_id or 0, *days_params]
    if scope.channel:
        condition += " AND channel = %s"
        params.append(scope.channel)
    if continued:
        condition += " AND continued"
    return (
        f"SELECT interaction_id AS iid, day AS d, sequence AS seq FROM {_table()} "
        f"WHERE {condition}",
        params,
    )


def _live(scope, live: list[tuple]) -> tuple[str, list]:
    """SQL of the parts (iid, d, seq, continued) read from the attached rows: per interaction
    and span of days not folded (``d`` its first day)."""
    selects, params = [], []
    for first, last in live:
        condition, condition_params = sql.scope_condition(scope, "a", [(first, last)])
        earlier, earlier_params = _earlier(first, "routing" if scope.routing_id else None)
        selects.append(
            f"SELECT iid, %s AS d, sequence AS seq, {earlier} AS continued "
            f"FROM ({sequences_sql(condition, by_routing=bool(scope.routing_id))}) l"
        )
        params += [_date(first), *earlier_params, SEPARATOR, *condition_params]
    return " UNION ALL ".join(selects), params


def journeys_sql(scope, limit: int, folded: list[tuple], live: list[tuple]) -> tuple[str, list]:
    """One statement for the journeys: rows (sequence, interactions, total) of the ``limit``
    most frequent sequences, ``total`` being the interactions with at least one checkpoint in
    the scope; ``folded`` and ``live`` are the scope's spans of days (rollup.spans).

    An interaction has several parts in the period only if one of them is ``continued`` (it
    reached checkpoints before that part's day): those few are joined, the others counted as
    they are. ``total`` is the parts, less the joined interactions' parts, plus their
    journeys (no pass over the counted sequences)."""
    tail = "GROUP BY seq ORDER BY n DESC, seq LIMIT %s"
    ctes, parts, params = [], [], []
    if live:
        live_sql, live_params = _live(scope, live)
        ctes.append(f"live AS MATERIALIZED ({live_sql})")
        params += live_params
        if not folded and len(live) == 1:  # one part per interaction
            return (
                f"WITH {ctes[0]} SELECT seq, COUNT(*) AS n, (SELECT COUNT(*) FROM live) AS total "
                f"FROM live {tail}",
                [*params, limit],
            )
    multi, counted, folded_params = [], [], []
    if folded:
        continued_sql, continued_params = _folded(scope, folded, continued=True)
        multi.append(f"SELECT iid FROM ({continued_sql}) c")
        params += continued_params
        folded_sql, folded_params = _folded(scope, folded)
        parts.append(folded_sql)
        counted.append(f"(SELECT COUNT(*) FROM ({folded_sql}) f)")
    if live:
        multi.append("SELECT iid FROM live WHERE continued")
        parts.append("SELECT iid, d, seq FROM live")
        counted.append("(SELECT COUNT(*) FROM live)")
    aggregate = "STRING_AGG" if connection.vendor == "postgresql" else "GROUP_CONCAT"
    window = "PARTITION BY iid ORDER BY d"
    ctes += [
        f"multi AS MATERIALIZED ({' UNION '.join(multi)})",
        f"parts AS NOT MATERIALIZED ({' UNION ALL '.join(parts)})",
        "several AS MATERIALIZED (SELECT iid, d, seq FROM parts "
        "WHERE iid IN (SELECT iid FROM multi))",
        f"joined AS MATERIALIZED (SELECT seq FROM (SELECT {aggregate}(seq, %s) OVER ({window} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS seq, "
        f"ROW_NUMBER() OVER ({window}) AS position FROM several) m WHERE position = 1)",
    ]
    total = (
        f"{' + '.join(counted)} - (SELECT COUNT(*) FROM several) + (SELECT COUNT(*) FROM joined)"
    )
    statement = (
        f"WITH {', '.join(ctes)} SELECT seq, COUNT(*) AS n, {total} AS total FROM "
        "(SELECT seq FROM parts WHERE iid NOT IN (SELECT iid FROM multi) "
        f"UNION ALL SELECT seq FROM joined) journeys {tail}"
    )
    # In the text's order: live, multi, parts, joined, then the total's count of folded parts.
    return statement, [*params, *folded_params, SEPARATOR, *folded_params, limit]
