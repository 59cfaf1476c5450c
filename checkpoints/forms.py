"""Maker forms for checkpoints. Field rules come from the model's validators."""

from django import forms

from checkpoints.models import Checkpoint


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = ["name", "reference", "alias"]
