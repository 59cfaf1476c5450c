"""Every statistics report as CSV: the page's URL plus ``export=csv``.

The file is a header row then one row per line of the report, with the page's figures as the
API gives them: rates as fractions (``0.3333``), times between steps in seconds, moments in
ISO 8601 with their UTC offset in the site's time zone; an empty cell where the page shows a
dash. The overview's file holds all its checkpoints (up to 10,000) in the page's order, not
only the page's 50. The period is in the file name
(``statistics-funnel-2026-11-01-2026-11-30.csv``, both days included, in the site's time
zone), so the file itself is plain tabular data.

Text cells (names, references) that a spreadsheet would read as a formula, those starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, are prefixed with ``'``.
"""

import csv
import datetime

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JOURNEY_SEPARATOR = " > "


def safe_cell(value) -> str | int | float:
    """A cell as written: text escaped against formula injection, numbers as numbers, None
    empty, moments in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        value = str(value)
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    return value


def filename(report: str, scope) -> str:
    return f"statistics-{report}-{scope.first_day.isoformat()}-{scope.last_day.isoformat()}.csv"


def csv_response(report: str, scope, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(report, scope)}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def local(moment: datetime.datetime, scope) -> datetime.datetime:
    return moment.astimezone(scope.time_zone)


OVERVIEW_HEADER = ["reference", "name", "interactions", "share", "first_at", "last_at"]


def overview_rows(overview) -> list[list]:
    return [
        [
            row.reference,
            row.name,
            row.interactions,
            row.share,
            local(row.first_at, overview.scope),
            local(row.last_at, overview.scope),
        ]
        for row in overview.checkpoints
    ]


FUNNEL_HEADER = [
    "step",
    "reference",
    "name",
    "interactions",
    "conversion_from_previous",
    "conversion_from_first",
    "dropped",
    "median_seconds_from_previous",
    "p90_seconds_from_previous",
]


def funnel_rows(funnel) -> list[list]:
    return [
        [
            number,
            step.reference,
            step.name,
            step.interactions,
            step.conversion_from_previous,
            step.conversion_from_first,
            step.dropped,
            step.median_seconds_from_previous,
            step.p90_seconds_from_previous,
        ]
        for number, step in enumerate(funnel.steps, start=1)
    ]


AB_HEADER = [
    "variant",
    "reference",
    "name",
    "goal_reference",
    "interactions",
    "converted",
    "conversion",
    "ci95_low",
    "ci95_high",
    "difference",
    "p_value",
]


def ab_rows(ab_test) -> list[list]:
    return [
        [
            number,
            variant.reference,
            variant.name,
            ab_test.goal_reference,
            variant.interactions,
            variant.converted,
            variant.conversion,
            variant.ci95[0] if variant.ci95 else None,
            variant.ci95[1] if variant.ci95 else None,
            variant.difference,
            variant.p_value,
        ]
        for number, variant in enumerate(ab_test.variants, start=1)
    ]


JOURNEYS_HEADER = ["rank", "references", "names", "interactions", "share"]


def journeys_rows(journeys) -> list[list]:
    return [
        [
            number,
            JOURNEY_SEPARATOR.join(journey.references),
            JOURNEY_SEPARATOR.join(journey.names),
            journey.interactions,
            journey.share,
        ]
        for number, journey in enumerate(journeys.journeys, start=1)
    ]
