"""Smart Routing trees (voice, email, messaging) and their nodes.

A routing's nodes form a tree: the root is a ``start``; every other node hangs under one
outcome (branch) of its parent, and an outcome is wired at most once (a unique constraint).
An ``add_checkpoint`` node names a checkpoint chosen from the Toolbox (the link becomes empty
if the checkpoint is deleted) or a reference code, a Django template over the variables.
"""

from django.db import models
from django.urls import reverse

from checkpoint_maker.history import ServiceRecordedHistory, SetBasedDeleteHistory
from checkpoint_maker.validators import validate_clean_text
from checkpoints.models import Checkpoint
from interactions.models import Interaction
from routing.limits import (
    LABEL_MAX_LENGTH,
    OUTCOME_MAX_LENGTH,
    REFERENCE_CODE_MAX_LENGTH,
    ROUTING_NAME_MAX_LENGTH,
    VARIABLE_MAX_LENGTH,
)


class RoutingTreeVersion(models.Model):
    """What a routing's history record adds: its whole tree (routing.versions)."""

    tree = models.JSONField("Tree", null=True, blank=True)

    class Meta:
        abstract = True


class SmartRouting(models.Model):
    name = models.CharField(
        "Name", max_length=ROUTING_NAME_MAX_LENGTH, validators=[validate_clean_text]
    )
    channel = models.CharField("Channel", max_length=16, choices=Interaction.Channel.choices)
    description = models.TextField(
        "Description", blank=True, default="", validators=[validate_clean_text]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = ServiceRecordedHistory(bases=[RoutingTreeVersion])

    class Meta:
        verbose_name = "smart routing"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["channel", "name"], name="routing_channel_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("routing:smartrouting_detail", kwargs={"pk": self.pk})


class Node(models.Model):
    class Kind(models.TextChoices):
        START = "start", "Start"
        SET_VARIABLE = "set_variable", "Set a variable"
        SWITCH = "switch", "Switch on a variable"
        ADD_CHECKPOINT = "add_checkpoint", "Add a checkpoint"
        END = "end", "End"

    # ON DELETE held by the database (a model may not mix database and Python variants).
    routing = models.ForeignKey(SmartRouting, on_delete=models.DB_CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.DB_CASCADE, null=True, blank=True, related_name="children"
    )
    outcome = models.CharField(
        "Outcome",
        max_length=OUTCOME_MAX_LENGTH,
        blank=True,
        default="",
        validators=[validate_clean_text],
        help_text="The parent's branch.",
    )
    kind = models.CharField("Kind", max_length=20, choices=Kind.choices)
    label = models.CharField(
        "Label",
        max_length=LABEL_MAX_LENGTH,
        blank=True,
        default="",
        validators=[validate_clean_text],
        help_text="The action's name.",
    )
    variable = models.CharField("Variable", max_length=VARIABLE_MAX_LENGTH, blank=True, default="")
    value = models.TextField("Value", blank=True, default="", validators=[validate_clean_text])
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        related_name="routing_actions",
    )
    reference_code = models.CharField(
        "Reference code",
        max_length=REFERENCE_CODE_MAX_LENGTH,
        blank=True,
        default="",
        validators=[validate_clean_text],
    )
    history = SetBasedDeleteHistory()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "outcome"], name="node_outcome_wired_once"),
            models.UniqueConstraint(
                fields=["routing"],
                condition=models.Q(parent__isnull=True),
                name="node_one_root_per_routing",
            ),
        ]
        indexes = [models.Index(fields=["reference_code"], name="node_reference_code_idx")]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()

    @property
    def display_label(self) -> str:
        return self.label or self.get_kind_display()
