"""API fields shared by every app: strings are strings, numbers are numbers, ids fit in
64 bits (DESIGN.md, Input rules).

DRF's own CharField takes 12 as "12" and its IntegerField takes "12" and true; a runtime that
sends the wrong type gets a 400 naming the field instead. ``ModelSerializer`` maps every model
text field to ``StrictCharField``, so each app's serializers get the rule by inheriting it.
"""

from django.db import models
from rest_framework import serializers

from checkpoint_maker.validators import MAX_ID


class StrictCharField(serializers.CharField):
    """A string, and only a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole JSON number, and only that."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


def id_field(**kwargs) -> StrictIntegerField:
    """An object id: a whole number from 1 to MAX_ID (64 bits)."""
    return StrictIntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with strict text fields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
