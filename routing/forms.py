"""Maker forms of the Smart Routing editor.

They only read and type what the user sent; the node rules (a variable name, exactly one of a
checkpoint or a reference code, template syntax, outcomes wired once) live in ``routing.rules``
and are applied by ``routing.services``, whose ValidationErrors land on these forms' fields.
"""

import json

from django import forms

from checkpoint_maker.validators import MAX_ID, validate_variables
from checkpoints.selectors import search_checkpoints
from routing.limits import (
    LABEL_MAX_LENGTH,
    REFERENCE_CODE_MAX_LENGTH,
    VALUE_MAX_LENGTH,
    VARIABLE_MAX_LENGTH,
)
from routing.models import Node, SmartRouting
from routing.rules import KIND_FIELDS
from routing.selectors import run_interaction

ADDABLE_KINDS = [(kind, label) for kind, label in Node.Kind.choices if kind != Node.Kind.START]
CHECKPOINT_OPTIONS_LIMIT = 200


class JSONObjectField(forms.CharField):
    """A JSON object typed in a text area, e.g. ``{"lang": "fr"}``; empty means ``{}``. The
    variables rules apply (no NUL nor unpaired surrogate, bounded depth and size)."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})
    default_validators = [validate_variables]

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", "{}")
        super().__init__(**kwargs)

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                f'{self.label} must be a JSON object, e.g. {{"lang": "fr"}} ({error.msg}).'
            ) from error
        if not isinstance(data, dict):
            raise forms.ValidationError(
                f'{self.label} must be a JSON object, e.g. {{"lang": "fr"}}.'
            )
        return data

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value


class SmartRoutingForm(forms.ModelForm):
    class Meta:
        model = SmartRouting
        fields = ["name", "channel", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": "The routing's name, recorded on the interactions it marks.",
            "channel": "Voice, email or messaging: the interactions it routes.",
        }


class CheckpointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.reference})"


def optional_text(label: str, help_text: str, **options) -> forms.CharField:
    """A text field of a node that may be left empty (its kind may not use it)."""
    return forms.CharField(label=label, required=False, help_text=help_text, **options)


class NodeForm(forms.Form):
    """One node of a tree: its kind (when added), label and the fields of its kind.

    ``outcome`` is the parent's branch the node hangs under: a visible "Switch value" under a
    switch, hidden otherwise. ``sample_variables`` only feeds the Preview button.
    """

    outcome = optional_text(
        "Switch value",
        "The value of the switch's variable that leads here; “default” for any other.",
        strip=False,
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=ADDABLE_KINDS,
        widget=forms.Select(attrs={"data-kind-select": "1"}),
    )
    label = optional_text(
        "Label",
        "The action's name, shown on the interactions it marks.",
        max_length=LABEL_MAX_LENGTH,
    )
    variable = optional_text(
        "Variable",
        "Letters, digits and _, not starting with a digit.",
        max_length=VARIABLE_MAX_LENGTH,
    )
    value = optional_text(
        "Value",
        "A template over the variables, e.g. {{ lang|lower }}.",
        strip=False,
        max_length=VALUE_MAX_LENGTH,
        widget=forms.TextInput,
    )
    checkpoint = CheckpointChoiceField(
        label="Checkpoint",
        queryset=None,
        required=False,
        empty_label="— none: use a reference code —",
        help_text="A checkpoint from the Toolbox list.",
    )
    reference_code = optional_text(
        "Reference code",
        "Or the reference as code, a template over the variables, e.g. optin_{{ lang }}. "
        "Give a checkpoint or a reference code, not both.",
        max_length=REFERENCE_CODE_MAX_LENGTH,
    )
    sample_variables = JSONObjectField(
        label="Sample variables",
        help_text='Variables for the Preview, as a JSON object, e.g. {"lang": "fr"}.',
    )

    def __init__(
        self,
        *args,
        checkpoints,
        kind: str | None = None,
        under_switch: bool = False,
        checkpoint_search: str = "",
        **kwargs,
    ):
        """``checkpoints``: the checkpoints that may be chosen (a queryset); ``kind`` fixes the
        kind (editing); ``checkpoint_search`` narrows the options shown."""
        super().__init__(*args, **kwargs)
        self.fixed_kind = kind
        if kind is not None:
            del self.fields["kind"]
        if not under_switch:
            self.fields["outcome"].widget = forms.HiddenInput()
        field = self.fields["checkpoint"]
        field.queryset = checkpoints
        shown = checkpoints
        if checkpoint_search.strip():
            shown = search_checkpoints(shown, checkpoint_search)
        shown = list(shown.order_by("name", "pk")[:CHECKPOINT_OPTIONS_LIMIT])
        selected = self._selected_checkpoint(checkpoints)
        if selected is not None and selected not in shown:
            shown.insert(0, selected)
        self.checkpoints_truncated = len(shown) >= CHECKPOINT_OPTIONS_LIMIT
        field.widget.choices = [("", field.empty_label)] + [
            (checkpoint.pk, field.label_from_instance(checkpoint)) for checkpoint in shown
        ]
        field.widget.attrs["data-filterable"] = "1"

    def _selected_checkpoint(self, checkpoints):
        value = self.data.get("checkpoint") if self.is_bound else self.initial.get("checkpoint")
        if hasattr(value, "pk"):
            return value
        try:
            return checkpoints.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None

    @property
    def chosen_kind(self) -> str:
        if self.fixed_kind is not None:
            return self.fixed_kind
        return self.data.get("kind", "") if self.is_bound else self.initial.get("kind", "")

    def node_fields(self) -> dict:
        """The cleaned fields that a node of the chosen kind keeps, for the services."""
        kind = self.chosen_kind
        kept = KIND_FIELDS.get(kind, ())
        values = {"label": self.cleaned_data.get("label", "")}
        for name in ("variable", "value", "checkpoint", "reference_code"):
            if name in kept:
                values[name] = self.cleaned_data.get(name)
            else:
                values[name] = None if name == "checkpoint" else ""
        values["variable"] = (values["variable"] or "").strip()
        values["reference_code"] = (values["reference_code"] or "").strip()
        return values


class RunForm(forms.Form):
    """A test run: an interaction of the routing's channel that the user may read (the rule of
    ``routing.selectors.run_interaction``, as in the run API) and extra variables. The view
    gives the interactions offered as the choices of the ``interaction`` widget."""

    interaction = forms.IntegerField(
        label="Interaction",
        min_value=1,
        max_value=MAX_ID,
        widget=forms.Select,
        help_text="Recent interactions of this routing's channel. Checkpoints are really attached.",
    )
    variables = JSONObjectField(
        label="Variables",
        help_text='Added to the interaction\'s variables for this run, e.g. {"lang": "fr"}.',
    )

    def __init__(self, *args, user, routing, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.routing = routing

    def clean_interaction(self):
        return run_interaction(self.user, self.routing, self.cleaned_data["interaction"])

    @staticmethod
    def interaction_label(interaction) -> str:
        parts = [str(interaction)]
        if interaction.subject:
            parts.append(interaction.subject)
        parts.append(f"{interaction.started_at:%Y-%m-%d %H:%M} UTC")
        parts.append(interaction.get_status_display().lower())
        return " · ".join(parts)
