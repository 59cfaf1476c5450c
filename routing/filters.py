"""Smart Routing filters, shared by the Maker list and the API (API.md: search, channel)."""

import django_filters

from interactions.models import Interaction
from routing.models import SmartRouting
from routing.selectors import search_routings


class SmartRoutingFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label="Search", method="filter_search", help_text="Part of the name, any case."
    )
    channel = django_filters.ChoiceFilter(
        choices=Interaction.Channel.choices, label="Channel", help_text="voice, email or messaging."
    )

    class Meta:
        model = SmartRouting
        fields = ["search", "channel"]

    def filter_search(self, queryset, name, value):
        return search_routings(queryset, value)
