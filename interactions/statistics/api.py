"""The Statistics endpoints (API.md Statistics): thin HTTP over the reports' parameter forms
(``params``) and the reports (``selectors``).

Authentication comes first (401), then the Smart licence (its middleware answers 403 while it
is off: the ``statistics`` namespace is licensed), then the role-wide right
``interactions.view_statistics`` (403). Each query parameter is read by the report's form, so
a page and an endpoint refuse the same values with the same message, naming the parameter:
a 400 in DRF's shape. The pages' ``period`` preset is not part of the API: it is ignored.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from checkpoint_maker.api import ID_SCHEMA, LICENCE_FORBIDDEN, error_responses
from interactions.api.permissions import HoldsRoleWideRight
from interactions.models import Interaction
from interactions.statistics import params, selectors
from interactions.statistics.api_serializers import (
    ABTestSerializer,
    FunnelSerializer,
    JourneysSerializer,
    OverviewSerializer,
)

STATISTICS_RIGHT = "interactions.view_statistics"
TAGS = ["Statistics"]
MAX_JOURNEYS = params.JourneysForm.base_fields["limit"].max_value
DEFAULT_JOURNEYS = 20
ERRORS = error_responses(400, 401, 403, e403=LICENCE_FORBIDDEN)


class MayViewStatistics(HoldsRoleWideRight):
    permission = STATISTICS_RIGHT
    message = "You may not view the statistics."


def query_parameter(name: str, schema: dict, description: str, required: bool = False):
    return OpenApiParameter(
        name, schema, OpenApiParameter.QUERY, required=required, description=description
    )


def references_parameter(name: str, description: str, required: bool = True):
    return query_parameter(
        name,
        {"type": "string"},
        f"{description} Comma-separated (`a,b`) or repeated (`{name}=a&{name}=b`); each a "
        "checkpoint's reference or one recorded on attached rows; each once.",
        required,
    )


DATE = {"type": "string", "format": "date"}
DAY_RANGE = f"A day from {params.FIRST_DAY} to {params.LAST_DAY}."
SCOPE_PARAMETERS = [
    query_parameter(
        "from",
        DATE,
        f"The period's first day, `YYYY-MM-DD` in the site's time zone, included (default: "
        f"{params.DEFAULT_DAYS - 1} days before `to`). {DAY_RANGE} The period is at most "
        f"{params.MAX_DAYS} days and may not start after `to`.",
    ),
    query_parameter(
        "to",
        DATE,
        f"The period's last day, `YYYY-MM-DD` in the site's time zone, included (default: "
        f"today). {DAY_RANGE}",
    ),
    query_parameter(
        "channel",
        {"type": "string", "enum": list(Interaction.Channel.values)},
        "Only the interactions of this channel (default: every channel).",
    ),
    query_parameter(
        "routing",
        dict(ID_SCHEMA),
        "Only the checkpoints attached through this Smart Routing (its id, as recorded on the "
        "attached rows).",
    ),
]


class StatisticsReportView(APIView):
    """One report: its form reads the query, its serializer writes the answer."""

    permission_classes = [MayViewStatistics]
    form_class: type[params.StatisticsForm]
    serializer_class: type

    def get(self, request):
        query = request.query_params.copy()
        query.pop("period", None)
        form = self.form_class(query)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        return Response(self.serializer_class(self.report(form)).data)

    def report(self, form):
        raise NotImplementedError


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Checkpoints reached in a period, with their trends",
        description=(
            "Per checkpoint attached in the period: the interactions that reached it, their "
            "share of the interactions started in the period (the top `interactions`), the "
            "first and last attachment. With `interval`, each has its `series`: every bucket "
            "of the period (each day or each hour in the site's time zone), zeros included. "
            "Beyond API.md: `sort`, `limit` and `offset` page through the checkpoints, and "
            "`more` says whether more follow."
        ),
        parameters=[
            *SCOPE_PARAMETERS,
            query_parameter(
                "interval",
                {"type": "string", "enum": ["day", "hour"]},
                "Add each checkpoint's `series`, per day or per hour (default: no series).",
            ),
            references_parameter(
                "references",
                f"Only these checkpoints (at most {params.MAX_TREND_REFERENCES}).",
                required=False,
            ),
            query_parameter(
                "sort",
                {"type": "string", "enum": list(params.OVERVIEW_SORTS)},
                "The checkpoints' order: by `interactions`, `reference`, `first_at` or "
                "`last_at`, `-` for descending (default `-interactions`; ties by reference).",
            ),
            query_parameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": params.MAX_OVERVIEW_LIMIT},
                f"How many checkpoints (default {params.OVERVIEW_LIMIT}). With `interval`, "
                f"at most {params.MAX_TREND_REFERENCES} (default {params.MAX_TREND_REFERENCES}): "
                "each carries every bucket of the period.",
            ),
            query_parameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": params.MAX_OVERVIEW_OFFSET},
                "How many checkpoints to skip, in `sort` order (default 0).",
            ),
        ],
        responses={200: OverviewSerializer, **ERRORS},
    )
)
class CheckpointsView(StatisticsReportView):
    form_class = params.OverviewSliceForm
    serializer_class = OverviewSerializer

    def report(self, form):
        data = form.cleaned_data
        return selectors.overview(
            form.scope,
            references=data["references"],
            sort=data["sort"] or params.OVERVIEW_SORTS[0],
            limit=data["limit"],
            offset=data["offset"],
            interval=data["interval"] or None,
        )


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="An ordered funnel of checkpoints",
        description=(
            "Step k counts the interactions that reached steps 1 to k in that order, each "
            "attached after the previous one, all in the period; with the conversions, the "
            "drop-off and the seconds between steps. For the first step the `*_previous` "
            "fields and `dropped` are null."
        ),
        parameters=[
            *SCOPE_PARAMETERS,
            references_parameter("steps", f"2 to {params.MAX_STEPS} checkpoints, in order."),
        ],
        responses={200: FunnelSerializer, **ERRORS},
    )
)
class FunnelView(StatisticsReportView):
    form_class = params.FunnelForm
    serializer_class = FunnelSerializer

    def report(self, form):
        return selectors.funnel(form.scope, form.cleaned_data["steps"], form.names)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Variant checkpoints compared against a goal",
        description=(
            "Per variant: the interactions that reached it in the period and those of them "
            "that reached the goal after it, the conversion with its Wilson score interval, "
            "and the difference to the first variant with the two-proportion test's p-value "
            "(null for the first variant); the verdict in one sentence."
        ),
        parameters=[
            *SCOPE_PARAMETERS,
            references_parameter(
                "variants",
                f"2 to {params.MAX_VARIANTS} variant checkpoints; the first is the baseline.",
            ),
            references_parameter("goal", "The goal checkpoint (one, not a variant)."),
        ],
        responses={200: ABTestSerializer, **ERRORS},
    )
)
class ABTestView(StatisticsReportView):
    form_class = params.ABTestForm
    serializer_class = ABTestSerializer

    def report(self, form):
        data = form.cleaned_data
        return selectors.ab_test(form.scope, data["variants"], data["goal"][0], form.names)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The most frequent journeys",
        description=(
            "The most frequent sequences of checkpoints (by attachment time, in the period) "
            "of the interactions, most frequent first, each with its share of the "
            "interactions that have at least one checkpoint in the period (the top "
            "`interactions`, beyond API.md, as are each journey's `names`)."
        ),
        parameters=[
            *SCOPE_PARAMETERS,
            query_parameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_JOURNEYS},
                f"How many journeys (default {DEFAULT_JOURNEYS}).",
            ),
        ],
        responses={200: JourneysSerializer, **ERRORS},
    )
)
class JourneysView(StatisticsReportView):
    form_class = params.JourneysForm
    serializer_class = JourneysSerializer

    def report(self, form):
        return selectors.journeys(form.scope, form.cleaned_data["limit"] or DEFAULT_JOURNEYS)
