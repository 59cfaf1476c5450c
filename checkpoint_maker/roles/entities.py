"""The entities a role grants rights on: the rows of the Roles page's matrix.

One registry, in one place. An entity whose app has no model yet (Smart Routings and
Interactions arrive with later apps) is skipped, and appears by itself once the model exists.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models

from checkpoint_maker.permissions import ACTION_LABELS, ACTIONS

# (label shown on the Roles page, "app_label.ModelName")
ENTITY_REGISTRY: tuple[tuple[str, str], ...] = (
    ("Checkpoints", "checkpoints.Checkpoint"),
    ("Smart Routings", "routing.SmartRouting"),
    ("Interactions", "interactions.Interaction"),
    # Create here is the routing runtime's right to attach checkpoints to interactions.
    ("Attached checkpoints", "interactions.InteractionCheckpoint"),
    # Read only (role-wide): the Statistics pages and endpoints.
    ("Statistics", "interactions.Statistics"),
)


@dataclass(frozen=True)
class Entity:
    label: str
    model: type[models.Model]

    @property
    def key(self) -> str:
        """``checkpoints_checkpoint``: safe in form field names and HTML ids."""
        return self.model._meta.label_lower.replace(".", "_")


@dataclass(frozen=True)
class Right:
    """One cell of the matrix: an action on an entity, and the permission that grants it."""

    entity: Entity
    action: str
    permission: Permission

    @property
    def label(self) -> str:
        """The checkbox's accessible name, e.g. "Checkpoints: Read"."""
        return f"{self.entity.label}: {ACTION_LABELS[self.action]}"

    @property
    def field_name(self) -> str:
        return f"right_{self.entity.key}_{self.action}"


def role_entities() -> list[Entity]:
    """The registered entities whose model exists, in registry order."""
    entities = []
    for label, model_label in ENTITY_REGISTRY:
        app_label, model_name = model_label.split(".")
        try:
            model = apps.get_model(app_label, model_name, require_ready=False)
        except LookupError:
            continue
        entities.append(Entity(label, model))
    return entities


def matrix_rights() -> list[list[Right | None]]:
    """One row per entity, one cell per action (ACTIONS order); None where no permission
    exists yet (a model whose migrations have not run)."""
    entities = role_entities()
    if not entities:
        return []
    # A proxy (Statistics) holds its permissions on its own content type.
    content_types = ContentType.objects.get_for_models(
        *(entity.model for entity in entities), for_concrete_models=False
    )
    permissions = {
        (permission.content_type_id, permission.codename): permission
        for permission in Permission.objects.filter(
            content_type__in=content_types.values()
        ).select_related("content_type")
    }
    rows = []
    for entity in entities:
        content_type = content_types[entity.model]
        row = []
        for action in ACTIONS:
            permission = permissions.get(
                (content_type.pk, f"{action}_{entity.model._meta.model_name}")
            )
            row.append(Right(entity, action, permission) if permission else None)
        rows.append(row)
    return rows


def all_rights() -> list[Right]:
    return [right for row in matrix_rights() for right in row if right is not None]
