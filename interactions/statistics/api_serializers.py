"""The Statistics endpoints' answers (API.md Statistics), from the selectors' reports: the
period (``from``, ``to``, ``time_zone``) then each report's figures. Dates are ``YYYY-MM-DD``;
times are the API's timestamps (ISO 8601, UTC, microseconds), whatever the site's time zone;
rates are fractions rounded to 4 decimals, null where there is nothing to divide by."""

import datetime

from rest_framework import serializers


def utc_time(**kwargs) -> serializers.DateTimeField:
    """A timestamp in the API's format (REST_FRAMEWORK's DATETIME_FORMAT), in UTC."""
    return serializers.DateTimeField(default_timezone=datetime.UTC, **kwargs)


def rate(help_text: str, *, minimum: float = 0.0, maximum: float | None = 1.0, **kwargs):
    """A fraction rounded to 4 decimals, or null."""
    return serializers.FloatField(
        allow_null=True, min_value=minimum, max_value=maximum, help_text=help_text, **kwargs
    )


def seconds(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, min_value=0, help_text=help_text)


def count(help_text: str = "", **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, help_text=help_text, **kwargs)


class ReportSerializer(serializers.Serializer):
    """A report's period: ``from`` and ``to`` (both included) and the site's time zone that
    bounds their days, then the report's own fields."""

    def get_fields(self):
        return {
            "from": serializers.DateField(
                source="scope.first_day", help_text="The period's first day (included)."
            ),
            "to": serializers.DateField(
                source="scope.last_day", help_text="The period's last day (included)."
            ),
            "time_zone": serializers.CharField(
                source="scope.time_zone.key",
                help_text="The site's time zone (TIME_ZONE), in which the days are read.",
            ),
            **super().get_fields(),
        }


class BucketSerializer(serializers.Serializer):
    start = utc_time(help_text="The bucket's start: a midnight or an hour in the time zone.")
    interactions = count("Interactions that reached the checkpoint in the bucket.")


class CheckpointReachSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    interactions = count("Interactions that reached it in the period.")
    share = rate(
        "Of the interactions started in the period (null when none started); an interaction "
        "started before the period may reach it in the period, so it may exceed 1.",
        maximum=None,
    )
    first_at = utc_time(help_text="Its first attachment in the period.")
    last_at = utc_time(help_text="Its last attachment in the period.")
    series = BucketSerializer(
        many=True,
        required=False,
        help_text="Only with `interval`: every bucket of the period, in order, zeros included.",
    )

    def to_representation(self, instance):
        answer = super().to_representation(instance)
        if instance.series is None:
            del answer["series"]
        return answer


class OverviewSerializer(ReportSerializer):
    """The checkpoints reached in the period (a slice of them in `sort` order), with their
    trends when an `interval` is asked."""

    interactions = count("Interactions started in the period (of the channel).")
    checkpoints = CheckpointReachSerializer(
        many=True, help_text="The checkpoints reached in the period, in `sort` order."
    )
    more = serializers.BooleanField(
        help_text="Whether more checkpoints follow (ask again with a larger `offset`)."
    )


class FunnelStepSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    interactions = count("Interactions that reached steps 1 to this one, in that order.")
    conversion_from_previous = rate("Of the previous step's (null for the first step).")
    conversion_from_first = rate("Of the first step's (null when the first has none).")
    dropped = count(
        "Reached the previous step but not this one (null for the first step).", allow_null=True
    )
    median_seconds_from_previous = seconds("Median seconds from the previous step.")
    p90_seconds_from_previous = seconds("90th percentile of the seconds from the previous step.")


class FunnelSerializer(ReportSerializer):
    """An ordered funnel: per step, the interactions that reached every step up to it in
    order."""

    steps = FunnelStepSerializer(many=True)


class GoalSerializer(serializers.Serializer):
    reference = serializers.CharField(source="goal_reference")
    name = serializers.CharField(source="goal_name", allow_blank=True)


class VariantSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    interactions = count("Interactions that reached the variant in the period.")
    converted = count("Of them, those that reached the goal after the variant.")
    conversion = rate("converted / interactions (null without interactions).")
    ci95 = serializers.ListField(
        child=serializers.FloatField(min_value=0, max_value=1),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text="The conversion's 95 % Wilson score interval [low, high] (null without "
        "interactions).",
    )
    difference = rate(
        "conversion minus the first variant's (null for the first, or without interactions).",
        minimum=-1.0,
    )
    p_value = rate("The two-proportion z-test against the first variant (null for the first).")


class ABTestSerializer(ReportSerializer):
    """Variant checkpoints compared on their conversion to a goal."""

    goal = GoalSerializer(source="*")
    variants = VariantSerializer(many=True, help_text="The first variant is the baseline.")
    verdict = serializers.CharField(help_text="The comparison in one sentence.")


class JourneySerializer(serializers.Serializer):
    references = serializers.ListField(
        child=serializers.CharField(), min_length=1, help_text="In order of attachment."
    )
    interactions = count("Interactions whose checkpoints in the period were this sequence.")
    share = rate("Of the interactions with at least one checkpoint in the period.")
    names = serializers.ListField(
        child=serializers.CharField(),
        help_text="The checkpoints' names, in the same order (a reference with no name known "
        "stands for it).",
    )


class JourneysSerializer(ReportSerializer):
    """The most frequent sequences of checkpoints in the period."""

    journeys = JourneySerializer(many=True, help_text="Most frequent first.")
    interactions = count("Interactions with at least one checkpoint in the period.")
