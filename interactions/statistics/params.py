"""The reports' parameters and their rules (API.md Statistics), one form per report, shared
by the pages and the API: a period of whole days in the site's time zone (``from``, ``to``,
both included; by default the 30 days ending today; at most 400 days), ``channel``,
``routing``, and each report's references. A bad value is an error on the parameter that
holds it, with the rule."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from checkpoint_maker.validators import MAX_ID, validate_clean_text
from interactions.models import Interaction
from interactions.statistics import selectors
from interactions.statistics.scope import Scope

DEFAULT_DAYS = 30
MAX_DAYS = 400
# The days a period may name: the day after the last one and a day either side of a midnight
# (its UTC time) must exist, and so must the 30 days before a ``to`` given alone.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9999, 12, 30)
DAY_RANGE_MESSAGE = f"Give a day from {FIRST_DAY} to {LAST_DAY}."
PRESETS = {"today": 1, "7": 7, "30": 30}
PRESET_CHOICES = [
    ("today", "Today"),
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("custom", "From - to"),
]
MAX_STEPS = 8
MAX_VARIANTS = 4
MAX_TREND_REFERENCES = 8
OVERVIEW_LIMIT = 100
MAX_OVERVIEW_LIMIT = 1000
MAX_OVERVIEW_OFFSET = 1_000_000
OVERVIEW_SORTS = (
    "-interactions",
    "interactions",
    "reference",
    "-reference",
    "first_at",
    "-first_at",
    "last_at",
    "-last_at",
)


class ReferenceListWidget(forms.TextInput):
    """Reads a list of references given as repeated parameters (``steps=a&steps=b``: the
    page's one input per step) or comma-separated (``steps=a,b``: API.md), or both."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(value for value in values if value)


class ReferenceListField(forms.Field):
    """Checkpoint references, in order, each once, between ``minimum`` and ``maximum`` of
    them, each a checkpoint's reference or one recorded in the history (a deleted
    checkpoint's)."""

    widget = ReferenceListWidget

    def __init__(self, *, minimum: int, maximum: int, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        kwargs.setdefault("required", minimum > 0)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        validate_clean_text(value)
        return [part.strip() for part in str(value).split(",") if part.strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if value and len(value) < self.minimum:
            raise ValidationError(f"Give at least {self.minimum} references.", code="too_few")
        if len(value) > self.maximum:
            raise ValidationError(f"Give at most {self.maximum} references.", code="too_many")
        repeated = sorted({ref for ref in value if value.count(ref) > 1})
        if repeated:
            raise ValidationError(
                f"Each reference once: {', '.join(repeated)} is repeated.", code="repeated"
            )


class StatisticsForm(forms.Form):
    """The common parameters. ``period`` (pages only) picks a preset instead of from and to."""

    period = forms.ChoiceField(choices=PRESET_CHOICES, required=False, label="Period")
    channel = forms.ChoiceField(
        choices=[("", "Any"), *Interaction.Channel.choices], required=False, label="Channel"
    )
    routing = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        label="Smart Routing",
        help_text="A routing's id, as recorded on the attached rows.",
    )
    reference_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_input = forms.DateInput(attrs={"type": "date"})
        day_range = [
            MinValueValidator(FIRST_DAY, DAY_RANGE_MESSAGE),
            MaxValueValidator(LAST_DAY, DAY_RANGE_MESSAGE),
        ]
        self.fields["from"] = forms.DateField(
            required=False, label="From", widget=date_input, validators=day_range
        )
        self.fields["to"] = forms.DateField(
            required=False, label="To", widget=date_input, validators=day_range
        )
        self.names: dict[str, str] = {}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        preset = PRESETS.get(data.get("period") or "")
        if preset:
            last, first = today, today - datetime.timedelta(days=preset - 1)
        else:
            last = data.get("to") or today
            first = data.get("from") or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if "from" in self.errors or "to" in self.errors:
            return data
        if first > last:
            self.add_error("from", "from must not be after to.")
        elif (last - first).days + 1 > MAX_DAYS:
            self.add_error("from", f"The period may not be longer than {MAX_DAYS} days.")
        data["from"], data["to"] = first, last
        self._resolve_references(data)
        return data

    def _resolve_references(self, data) -> None:
        wanted = [ref for name in self.reference_fields for ref in data.get(name) or []]
        if not wanted:
            return
        self.names = selectors.reference_names(wanted)
        for name in self.reference_fields:
            unknown = [ref for ref in data.get(name) or [] if ref not in self.names]
            if unknown:
                self.add_error(name, f"Unknown reference: {', '.join(unknown)}.")

    @property
    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(data["from"], data["to"], data.get("channel") or None, data.get("routing"))


class OverviewForm(StatisticsForm):
    references = ReferenceListField(
        minimum=0,
        maximum=MAX_TREND_REFERENCES,
        required=False,
        label="Checkpoints",
        help_text="References of the checkpoints to list and draw (comma-separated).",
    )
    interval = forms.ChoiceField(
        choices=[("", "None"), ("day", "Day"), ("hour", "Hour")],
        required=False,
        label="Interval",
    )
    sort = forms.ChoiceField(
        choices=[(sort, sort) for sort in OVERVIEW_SORTS], required=False, label="Sort"
    )
    reference_fields = ("references",)


class OverviewSliceForm(OverviewForm):
    """The overview with a slice of its checkpoints in ``sort`` order (the API's ``limit``
    and ``offset``). With an ``interval`` each checkpoint carries a trend of every bucket of
    the period, so the slice is of trend lines: at most MAX_TREND_REFERENCES, by default as
    many."""

    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_OVERVIEW_LIMIT,
        label="Limit",
        help_text=(
            f"How many checkpoints (1 to {MAX_OVERVIEW_LIMIT}, default {OVERVIEW_LIMIT}; with "
            f"an interval 1 to {MAX_TREND_REFERENCES}, default {MAX_TREND_REFERENCES})."
        ),
    )
    offset = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_OVERVIEW_OFFSET,
        label="Offset",
        help_text="How many checkpoints to skip first (default 0).",
    )

    def clean(self):
        data = super().clean()
        limit = data.get("limit")
        if data.get("interval") and limit and limit > MAX_TREND_REFERENCES:
            self.add_error(
                "limit", f"With an interval, give a limit of at most {MAX_TREND_REFERENCES}."
            )
        default = MAX_TREND_REFERENCES if data.get("interval") else OVERVIEW_LIMIT
        data["limit"], data["offset"] = limit or default, data.get("offset") or 0
        return data


class FunnelForm(StatisticsForm):
    steps = ReferenceListField(
        minimum=2,
        maximum=MAX_STEPS,
        label="Steps",
        help_text="References of 2 to 8 checkpoints, in order.",
    )
    reference_fields = ("steps",)


class ABTestForm(StatisticsForm):
    variants = ReferenceListField(
        minimum=2,
        maximum=MAX_VARIANTS,
        label="Variants",
        help_text="References of 2 to 4 variant checkpoints; the first is the baseline.",
    )
    goal = ReferenceListField(minimum=1, maximum=1, label="Goal")
    reference_fields = ("variants", "goal")

    def clean(self):
        data = super().clean()
        if set(data.get("goal") or ()) & set(data.get("variants") or ()):
            self.add_error("goal", "The goal may not also be a variant.")
        return data


class JourneysForm(StatisticsForm):
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Journeys",
        help_text="How many of the most frequent journeys (1 to 100, default 20).",
    )
