"""Checkpoint filters, shared by the Maker list and the API."""

import django_filters

from checkpoints.models import Checkpoint
from checkpoints.selectors import search_checkpoints


class CheckpointFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Part of the name or reference."
    )

    class Meta:
        model = Checkpoint
        fields = ["search"]

    def filter_search(self, queryset, name, value):
        return search_checkpoints(queryset, value)
