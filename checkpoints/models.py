"""The Checkpoint: a milestone a Smart Routing marks on an interaction."""

from django.db import models
from django.urls import reverse

from checkpoint_maker.history import SetBasedDeleteHistory
from checkpoint_maker.validators import validate_clean_text
from checkpoints import validators


class Checkpoint(models.Model):
    name = models.CharField(
        "Name",
        max_length=validators.NAME_MAX_LENGTH,
        validators=[validate_clean_text],
        help_text="Display name of the checkpoint.",
    )
    reference = models.CharField(
        "Reference",
        max_length=validators.REFERENCE_MAX_LENGTH,
        unique=True,
        validators=[validators.validate_reference_characters],
        error_messages={"unique": validators.REFERENCE_UNIQUE_MESSAGE},
        help_text=(
            "Unique identifier used in Smart Routings and integrations. "
            "Letters, digits and _ + . @ - only."
        ),
    )
    alias = models.CharField(
        "Alias",
        max_length=validators.ALIAS_MAX_LENGTH,
        validators=[validate_clean_text],
        blank=True,
        default="",
        help_text="Short label added to the interaction's tag list when the checkpoint is set.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = SetBasedDeleteHistory()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="checkpoint_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def get_absolute_url(self) -> str:
        return reverse("checkpoints:checkpoint_detail", kwargs={"pk": self.pk})
