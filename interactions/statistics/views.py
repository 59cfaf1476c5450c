"""The Statistics pages: Overview, Funnel, A/B comparison and Journeys (namespace
``statistics``, part of the Smart licence: the licence middleware gates them).

Thin HTTP over the report forms (params) and selectors: each page is a GET form (period,
channel, Smart Routing and the report's own parameters), the report with its chart and
table, and the same report as CSV with ``export=csv`` (export). Rights: anonymous users go
to the login page; users without ``interactions.view_statistics`` (role-wide) get 403. Bad
parameters are shown next to their field, on a 200 page.
"""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from interactions.statistics import charts, display, export, params, selectors
from interactions.statistics.page_links import (
    drop_off_url,
    page_data,
    query_without,
    reference_inputs,
    report_url,
    url_with,
    use_routing_select,
    variant_groups,
)

PERMISSION = "interactions.view_statistics"
REPORTS = (
    ("overview", "Overview"),
    ("funnel", "Funnel"),
    ("ab", "A/B comparison"),
    ("journeys", "Journeys"),
)
SCOPE_FIELDS = ("period", "from", "to", "channel", "routing")
OVERVIEW_PAGE_SIZE = 50
EXPORT_ROWS = 10_000
DEFAULT_TREND_LINES = 3
DEFAULT_JOURNEYS = 20
SUGGESTED_REFERENCES = 200
HOURLY_AT_MOST_DAYS = 31


class OverviewPageForm(params.OverviewForm):
    """The overview's parameters, the table's page (``offset``) with them; ``references``
    names the checkpoints to draw (the table lists them all)."""

    offset = forms.IntegerField(required=False, min_value=0, max_value=10**9, label="From row")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["references"].help_text = "References of up to 8 checkpoints to draw."


class StatisticsPage(LoginRequiredMixin, View):
    """A report page: its form, its report and its CSV."""

    report_name: str
    title: str
    form_class: type[params.StatisticsForm]
    # References the page may be opened without (the page then explains what to give).
    optional_until_given: tuple[str, ...] = ()

    @property
    def template_name(self) -> str:
        return f"statistics/{self.report_name}.html"

    def get(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied("You do not have the right to read statistics.")
        form = self.form_class(page_data(request.GET))
        given = any(
            value.strip() for name in self.optional_until_given for value in form.data.getlist(name)
        )
        if not given:
            for name in self.optional_until_given:
                form.fields[name].required = False
        use_routing_select(form)
        valid = form.is_valid()
        context = {"form": form, "given": given or not self.optional_until_given}
        if valid:
            context["scope"] = form.scope
            context["period"] = display.period_text(form.scope.first_day, form.scope.last_day)
        if valid and context["given"]:
            if request.GET.get("export") == "csv":
                return self.export(form)
            context.update(self.report_context(form))
            query = query_without(request.GET, "export")
            context["csv_url"] = url_with(request.path, {**query, "export": ["csv"]})
        return render(request, self.template_name, {**self.page_context(form), **context})

    def page_context(self, form) -> dict:
        shown = set(SCOPE_FIELDS) | set(self.shown_fields())
        scope_query = {key: form.data.getlist(key) for key in SCOPE_FIELDS if form.data.get(key)}
        return {
            "title": self.title,
            "report_name": self.report_name,
            "reports": [
                (name, label, url_with(reverse(f"statistics:{name}"), scope_query))
                for name, label in REPORTS
            ],
            "scope_fields": [form[name] for name in SCOPE_FIELDS],
            "other_errors": [
                (form.fields[name].label if name in form.fields else "", errors)
                for name, errors in form.errors.items()
                if name not in shown
            ],
        }

    def shown_fields(self) -> tuple[str, ...]:
        """The fields the page shows next to their inputs (their errors go there)."""
        return ()

    def report_context(self, form) -> dict:
        raise NotImplementedError

    def export(self, form):
        raise NotImplementedError


class OverviewView(StatisticsPage):
    """Per checkpoint: interactions, share, first and last; sortable, 50 a page, and the
    trend of up to 8 chosen checkpoints (default: the top 3 of the page)."""

    report_name = "overview"
    title = "Statistics"
    form_class = OverviewPageForm

    def shown_fields(self):
        return ("references",)

    def report_context(self, form) -> dict:
        data, scope = form.cleaned_data, form.scope
        sort, offset = data.get("sort") or "-interactions", data.get("offset") or 0
        overview = selectors.overview(scope, sort=sort, limit=OVERVIEW_PAGE_SIZE, offset=offset)
        on_page = {row.reference: row.name for row in overview.checkpoints}
        chosen = data.get("references") or list(on_page)[:DEFAULT_TREND_LINES]
        names = {**on_page, **form.names}
        interval = data.get("interval") or scope.default_interval
        if interval == "hour" and scope.days > HOURLY_AT_MOST_DAYS:
            interval = "day"  # a readable chart: at most a month of hours
        trends = selectors.series(scope, chosen, interval) if chosen else {}
        query = query_without(self.request.GET, "export", "offset")
        path = self.request.path

        def offset_url(value: int) -> str:
            return url_with(path, {**query, "offset": [str(value)]} if value else query)

        return {
            "overview": overview,
            "sort": sort,
            "headers": self.headers(sort, query),
            "chosen": chosen,
            "chosen_elsewhere": [ref for ref in chosen if ref not in on_page],
            "previous_url": offset_url(max(0, offset - OVERVIEW_PAGE_SIZE)) if offset else "",
            "next_url": offset_url(offset + OVERVIEW_PAGE_SIZE) if overview.more else "",
            "first_row": offset + 1,
            "last_row": offset + len(overview.checkpoints),
            "interval": interval,
            "trend_rows": [
                (bucket.start, [trends[ref][index].interactions for ref in chosen])
                for index, bucket in enumerate(trends[chosen[0]] if chosen else [])
            ],
            "trend_labels": [(ref, names.get(ref, "")) for ref in chosen],
            "chart": charts.trend_chart(
                "trend-chart",
                f"Interactions per {interval}",
                [(f"{names.get(ref) or ref} ({ref})", trends[ref]) for ref in chosen],
                interval,
            )
            if chosen
            else None,
        }

    def headers(self, sort: str, query: dict) -> list[dict]:
        query = {key: values for key, values in query.items() if key != "sort"}
        headers = []
        for field, label, first in (
            ("reference", "Reference", "reference"),
            ("interactions", "Interactions", "-interactions"),
            ("first_at", "First", "first_at"),
            ("last_at", "Last", "last_at"),
        ):
            sorted_here = sort.lstrip("-") == field
            flipped = sort[1:] if sort.startswith("-") else f"-{sort}"
            headers.append(
                {
                    "field": field,
                    "label": label,
                    "sorted": sorted_here,
                    "descending": sort.startswith("-"),
                    "url": url_with(
                        self.request.path,
                        {**query, "sort": [flipped if sorted_here else first]},
                    ),
                }
            )
        return headers

    def export(self, form):
        data = form.cleaned_data
        overview = selectors.overview(
            form.scope, sort=data.get("sort") or "-interactions", limit=EXPORT_ROWS
        )
        return export.csv_response(
            "overview", form.scope, export.OVERVIEW_HEADER, export.overview_rows(overview)
        )


class FunnelView(StatisticsPage):
    """Up to 8 steps in order: interactions, conversions, drop-off (linked to the history)
    and the time from the previous step."""

    report_name = "funnel"
    title = "Funnel"
    form_class = params.FunnelForm
    optional_until_given = ("steps",)

    def shown_fields(self):
        return ("steps",)

    def page_context(self, form) -> dict:
        return {
            **super().page_context(form),
            "step_inputs": reference_inputs(form.data.getlist("steps"), params.MAX_STEPS),
            "suggestions": selectors.known_references(SUGGESTED_REFERENCES),
        }

    def report_context(self, form) -> dict:
        steps, scope = form.cleaned_data["steps"], form.scope
        funnel = selectors.funnel(scope, steps, form.names)
        rows = [
            {
                "number": number,
                "step": step,
                "drop_off_url": drop_off_url(scope, steps, number) if number > 1 else "",
            }
            for number, step in enumerate(funnel.steps, start=1)
        ]
        bars = [
            (
                f"Step {number}: {step.name or step.reference}",
                step.interactions,
                f"{step.interactions} ({display.percent_text(step.conversion_from_first)})",
            )
            for number, step in enumerate(funnel.steps, start=1)
        ]
        desc = "; ".join(f"{label}: {value_label}" for label, _, value_label in bars) + "."
        return {
            "funnel": funnel,
            "rows": rows,
            "chart": charts.bar_chart(
                "funnel-chart", "Interactions reaching each step", bars, desc=desc
            ),
        }

    def export(self, form):
        funnel = selectors.funnel(form.scope, form.cleaned_data["steps"], form.names)
        return export.csv_response(
            "funnel", form.scope, export.FUNNEL_HEADER, export.funnel_rows(funnel)
        )


class ABTestView(StatisticsPage):
    """2 to 4 variant checkpoints against a goal: conversion, 95% interval, difference to the
    first variant, p-value, and the verdict."""

    report_name = "ab"
    title = "A/B comparison"
    form_class = params.ABTestForm
    optional_until_given = ("variants", "goal")

    def shown_fields(self):
        return ("variants", "goal")

    def page_context(self, form) -> dict:
        return {
            **super().page_context(form),
            "variant_inputs": reference_inputs(form.data.getlist("variants"), params.MAX_VARIANTS),
            "goal_input": (reference_inputs(form.data.getlist("goal"), 1) or [""])[0],
            "suggestions": (known := selectors.known_references(SUGGESTED_REFERENCES)),
            "variant_suggestions": [
                (
                    " / ".join(name or reference for reference, name in group),
                    url_with(
                        reverse("statistics:ab"),
                        {
                            **query_without(form.data, "variants", "goal", "export"),
                            "variants": [reference for reference, _ in group],
                        },
                    ),
                )
                for group in variant_groups(known)
            ],
        }

    def run(self, form):
        data = form.cleaned_data
        return selectors.ab_test(form.scope, data["variants"], data["goal"][0], form.names)

    def report_context(self, form) -> dict:
        ab_test = self.run(form)
        variants = ab_test.variants
        bars = [
            (
                f"{variant.name or variant.reference} ({variant.reference})",
                variant.conversion or 0,
                display.percent_text(variant.conversion),
            )
            for variant in variants
        ]
        desc = "; ".join(
            f"{label}: {value_label} converted"
            + (
                f", 95% interval {display.percent_text(v.ci95[0])} to "
                f"{display.percent_text(v.ci95[1])}"
                if v.ci95
                else ""
            )
            for (label, _, value_label), v in zip(bars, variants, strict=True)
        )
        highest = max((v.ci95[1] for v in variants if v.ci95), default=0)
        return {
            "ab_test": ab_test,
            "chart": charts.bar_chart(
                "ab-chart",
                f"Conversion to {ab_test.goal_name or ab_test.goal_reference} by variant",
                bars,
                maximum=min(1.0, highest) or 1.0,
                percent=True,
                intervals=[v.ci95 for v in variants],
                legend=[("series-0", "Conversion"), ("whisker", "95% confidence interval")],
                desc=f"{desc}. {ab_test.verdict}",
            ),
        }

    def export(self, form):
        return export.csv_response(
            "ab", form.scope, export.AB_HEADER, export.ab_rows(self.run(form))
        )


class JourneysView(StatisticsPage):
    """The most frequent sequences of checkpoints, most frequent first."""

    report_name = "journeys"
    title = "Journeys"
    form_class = params.JourneysForm

    def shown_fields(self):
        return ("limit",)

    def run(self, form):
        return selectors.journeys(form.scope, form.cleaned_data.get("limit") or DEFAULT_JOURNEYS)

    def report_context(self, form) -> dict:
        journeys = self.run(form)
        for journey in journeys.journeys:
            length = len(journey.references)
            journey.funnel_url = (
                report_url("funnel", form.scope, steps=journey.references)
                if 2 <= length <= params.MAX_STEPS
                else ""
            )
        bars = [
            (
                " → ".join(journey.names),
                journey.interactions,
                f"{journey.interactions} ({display.percent_text(journey.share)})",
            )
            for journey in journeys.journeys
        ]
        desc = "; ".join(f"{label}: {value_label}" for label, _, value_label in bars) + "."
        return {
            "journeys": journeys,
            "chart": charts.bar_chart("journeys-chart", "Most frequent journeys", bars, desc=desc)
            if bars
            else None,
        }

    def export(self, form):
        return export.csv_response(
            "journeys", form.scope, export.JOURNEYS_HEADER, export.journeys_rows(self.run(form))
        )
