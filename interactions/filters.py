"""Interaction filters, shared by the history page and the API (API.md: channel, status,
checkpoint reference, tag), plus the page's date range and customer search.

Every filter is served by an index: the date range is a half-open range of ``started_at``, the
customer search a trigram index on PostgreSQL (interactions/migrations)."""

import datetime

import django_filters
from django import forms
from django.db.models.expressions import RawSQL
from django.utils import timezone

from checkpoint_maker.days import start_of_day
from checkpoint_maker.validators import MAX_ID
from interactions.models import Interaction, InteractionCheckpoint, InteractionTag
from interactions.statistics import sql as statistics_sql
from interactions.statistics.scope import Scope

EARLIEST_DAY = datetime.date(1970, 1, 1)


class InteractionFilterSet(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Interaction.Channel.choices, label="Channel")
    status = django_filters.ChoiceFilter(choices=Interaction.Status.choices, label="Status")
    checkpoint = django_filters.CharFilter(
        method="filter_checkpoint",
        label="Checkpoint",
        help_text="Reference of a checkpoint attached to the interaction.",
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    started_from = django_filters.DateFilter(
        method="filter_started_from",
        label="Started from",
        help_text="First day (in the site's time zone), included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    started_to = django_filters.DateFilter(
        method="filter_started_to",
        label="Started to",
        help_text="Last day (in the site's time zone), included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    customer = django_filters.CharFilter(
        field_name="customer", lookup_expr="icontains", label="Customer"
    )
    # A funnel's drop-off (interactions/statistics), usable on its own: the interactions that
    # reached these checkpoints in this order and then not that one, attached in these days.
    reached = django_filters.CharFilter(
        method="filter_reached",
        label="Reached",
        help_text="References reached in this order (comma-separated).",
    )
    not_reached = django_filters.CharFilter(
        method="filter_reached",
        label="Then not reached",
        help_text="A reference not reached after them.",
    )
    reached_from = django_filters.DateFilter(
        method="filter_reached",
        label="Reached from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reached_to = django_filters.DateFilter(
        method="filter_reached", label="Reached to", widget=forms.DateInput(attrs={"type": "date"})
    )
    reached_routing = django_filters.NumberFilter(
        method="filter_reached", label="Reached through routing", min_value=1, max_value=MAX_ID
    )

    class Meta:
        model = Interaction
        fields = [
            "channel",
            "status",
            "checkpoint",
            "tag",
            "started_from",
            "started_to",
            "customer",
            "reached",
            "not_reached",
            "reached_from",
            "reached_to",
            "reached_routing",
        ]

    def filter_checkpoint(self, queryset, name, value):
        attached = InteractionCheckpoint.objects.filter(reference=value.strip())
        return queryset.filter(pk__in=attached.values("interaction_id"))

    def filter_started_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=start_of_day(value))

    def filter_started_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=start_of_day(value + datetime.timedelta(days=1)))

    def filter_tag(self, queryset, name, value):
        tagged = InteractionTag.objects.filter(name=value.strip())
        return queryset.filter(pk__in=tagged.values("interaction_id"))

    def filter_reached(self, queryset, name, value):
        """The reached filters work together: filter_queryset applies them once."""
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        reached = [ref.strip() for ref in (data.get("reached") or "").split(",") if ref.strip()]
        not_reached = (data.get("not_reached") or "").strip() or None
        if not (reached or not_reached):
            return queryset
        routing = data.get("reached_routing")
        scope = Scope(
            data.get("reached_from") or EARLIEST_DAY,
            data.get("reached_to") or timezone.localdate(),
            routing_id=int(routing) if routing is not None else None,
        )
        statement, params = statistics_sql.reached_ids(scope, reached, not_reached)
        return queryset.filter(pk__in=RawSQL(statement, params))
