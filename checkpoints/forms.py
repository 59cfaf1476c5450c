"""Maker forms for checkpoints. Field rules come from the model's validators."""

from django import forms

from checkpoints import imports
from checkpoints.models import Checkpoint


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = ["name", "reference", "alias"]


class CheckpointImportForm(forms.Form):
    """The file of an import; cleaning reads it into rows (``imports.read_file``)."""

    file = forms.FileField(
        label="File",
        help_text=(
            "CSV (UTF-8, a header row: name, reference, alias) or JSON (a list of checkpoints), "
            f"at most {imports.MAX_IMPORT_BYTES // (1024 * 1024)} MB and "
            f"{imports.MAX_IMPORT_ROWS:,} checkpoints."
        ),
    )

    def clean_file(self) -> list:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_IMPORT_BYTES:
            raise forms.ValidationError(imports.TOO_LARGE_MESSAGE, code="too_large")
        try:
            return imports.read_file(upload.read(), upload.name or "")
        except imports.ImportRejected as error:
            raise forms.ValidationError(error.message, code=error.code) from error
