"""The Audit log's filters (django-filter): user, entity, action and a range of days.

One FilterSet validates the query once; ``filter_queryset`` then narrows each entity's
history table (every record has ``history_user``, ``history_type`` and ``history_date``).
The entity filter picks the tables (``checkpoint_maker.audit``), not rows."""

import datetime

import django_filters
from django import forms
from django.contrib.auth import get_user_model

from checkpoint_maker import audit
from checkpoint_maker.days import start_of_day
from checkpoint_maker.history import ACTION_TYPES


class AuditFilterSet(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.order_by("username"),
        field_name="history_user",
        label="User",
        empty_label="Anyone",
    )
    entity = django_filters.ChoiceFilter(label="Entity", method="filter_entity", empty_label="Any")
    action = django_filters.ChoiceFilter(
        label="Action",
        choices=[(name, name.capitalize()) for name in ACTION_TYPES],
        method="filter_action",
        empty_label="Any",
    )
    since = django_filters.DateFilter(
        method="filter_since",
        label="From",
        help_text="First day, included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        method="filter_until",
        label="To",
        help_text="Last day, included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["entity"].extra["choices"] = [
            (entity.key, entity.label) for entity in audit.entities()
        ]

    def filter_entity(self, queryset, name, value):
        """The entity chooses the tables read (``selected_entity``), not rows."""
        return queryset

    def filter_action(self, queryset, name, value):
        return queryset.filter(history_type=ACTION_TYPES[value])

    def filter_since(self, queryset, name, value):
        return queryset.filter(history_date__gte=start_of_day(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(history_date__lt=start_of_day(value + datetime.timedelta(days=1)))

    @property
    def selected_entity(self) -> str:
        return self.form.cleaned_data.get("entity") or ""
