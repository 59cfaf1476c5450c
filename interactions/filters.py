"""Interaction filters, shared by the history page and the API (API.md: channel, status,
checkpoint reference, tag), plus the page's date range and customer search.

Every filter is served by an index: the date range is a half-open range of ``started_at``, the
customer search a trigram index on PostgreSQL (interactions/migrations)."""

import datetime

import django_filters
from django import forms
from django.utils import timezone

from interactions.models import Interaction, InteractionCheckpoint, InteractionTag


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the site's time zone: days are half-open ranges of
    ``started_at`` (from this midnight, before the next), which its index serves."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


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
