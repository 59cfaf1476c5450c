"""Interaction filters, shared by the history page and the API (API.md: channel, status,
checkpoint reference, tag), plus the page's date range and customer search."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from interactions.models import Interaction, InteractionCheckpoint, InteractionTag


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
        field_name="started_at",
        lookup_expr="date__gte",
        label="Started from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    started_to = django_filters.DateFilter(
        field_name="started_at",
        lookup_expr="date__lte",
        label="Started to",
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
        attached = InteractionCheckpoint.objects.filter(
            interaction=OuterRef("pk"), reference=value.strip()
        )
        return queryset.filter(Exists(attached))

    def filter_tag(self, queryset, name, value):
        tagged = InteractionTag.objects.filter(interaction=OuterRef("pk"), name=value.strip())
        return queryset.filter(Exists(tagged))
