"""What the reports cost: a fixed number of queries whatever the data, and on PostgreSQL the
statistics' covering indexes serve each report's rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interactions.statistics import journeys, selectors, sql
from interactions.statistics.scope import Scope
from tests.scale.test_reads_do_not_grow import plan
from tests.statistics.conftest import DAY, at

REPORTS = {
    "overview": lambda scope: selectors.overview(scope),
    "overview with trend": lambda scope: selectors.overview(scope, interval="day"),
    "funnel": lambda scope: selectors.funnel(scope, ["a", "b", "c"]),
    "ab test": lambda scope: selectors.ab_test(scope, ["a", "b"], "c"),
    "journeys": lambda scope: selectors.journeys(scope),
}


def grow(journeys, size: int) -> None:
    for n in range(size):
        journeys.interaction(
            ("a", at(DAY, 9, n % 60)), ("b", at(DAY, 10, n % 60)), ("c", at(DAY, 11, n % 60))
        )
        journeys.interaction((f"cold_{n}", at(DAY, 12)), ("a", at(DAY, 13)))


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_makes_the_same_queries_at_two_sizes(journeys, report):
    scope = Scope(DAY, DAY)
    counts = []
    for size in (3, 30):
        grow(journeys, size)
        with CaptureQueriesContext(connection) as queries:
            REPORTS[report](scope)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 7


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("statement", "index"),
    [
        (
            lambda scope: selectors.attached_in(scope).values("reference").query.sql_with_params(),
            "attached_time_idx",
        ),
        (lambda scope: sql.funnel_sql(scope, ["a", "b"], (0.5,)), "attached_"),
        (
            lambda scope: journeys.journeys_sql(scope, 20, [], [(scope.first_day, scope.last_day)]),
            "attached_time_idx",
        ),
        (
            lambda scope: journeys.journeys_sql(scope, 20, [(scope.first_day, scope.last_day)], []),
            "journey_day_idx",
        ),
        (
            lambda scope: (
                selectors.attached_in(Scope(scope.first_day, scope.last_day, channel="voice"))
                .values("reference")
                .query.sql_with_params()
            ),
            "attached_time_idx",
        ),
        (
            lambda scope: (
                selectors.attached_in(scope)
                .filter(reference__in=["a", "b"])
                .values("reference")
                .query.sql_with_params()
            ),
            "attached_",
        ),
    ],
)
def test_reports_read_their_rows_through_the_covering_indexes(db, statement, index):
    """On the tests' empty tables the planner may pick either statistics index for a step
    (both bound the period); on real data a step reads ``attached_reference_time_idx``
    (bench/statistics)."""
    if connection.vendor != "postgresql":
        pytest.skip("index plans are PostgreSQL's; SQLite has no INCLUDE columns")
    scope = Scope(DAY, DAY + datetime.timedelta(days=29))
    found = plan(*statement(scope))
    assert index in found
    assert "Seq Scan on interactions_interactioncheckpoint" not in found
    assert "interactions_interaction " not in found  # the channel is the attached row's
