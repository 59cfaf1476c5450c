"""Hooks through which a higher app adds facts to a lower app's pages.

Apps depend one way only (routing → interactions → checkpoints → checkpoint_maker). When a
checkpoint page must show the interactions that reached it or the routings that use it, the
higher app registers a provider here in its AppConfig.ready(); the lower page asks the
registry and never imports the higher app.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass
class Panel:
    """A section of an object's page: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[Any, models.Model], Panel | None]
WarningProvider = Callable[[Iterable[models.Model]], list[str]]
EditWarningProvider = Callable[[models.Model, set[str] | None], list[str]]

_panels: dict[str, list[PanelProvider]] = defaultdict(list)
_delete_warnings: dict[str, list[WarningProvider]] = defaultdict(list)
_edit_warnings: dict[str, list[EditWarningProvider]] = defaultdict(list)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def register_detail_panel(model: type[models.Model], provider: PanelProvider) -> None:
    """``provider(request, obj)`` returns a Panel for the object's page, or None."""
    if provider not in _panels[_label(model)]:
        _panels[_label(model)].append(provider)


def register_delete_warning(model: type[models.Model], provider: WarningProvider) -> None:
    """``provider(objects)`` returns messages to show before those objects are deleted."""
    if provider not in _delete_warnings[_label(model)]:
        _delete_warnings[_label(model)].append(provider)


def register_edit_warning(model: type[models.Model], provider: EditWarningProvider) -> None:
    """``provider(obj, changed)`` returns messages about editing ``obj`` (as it was before):
    with ``changed`` None, what a change would affect (shown on the form); with the set of
    changed field names, what this saved change affects."""
    if provider not in _edit_warnings[_label(model)]:
        _edit_warnings[_label(model)].append(provider)


def edit_warnings(obj: models.Model, changed: set[str] | None = None) -> list[str]:
    return [
        message
        for provider in _edit_warnings[_label(type(obj))]
        for message in provider(obj, changed)
    ]


def detail_panels(request, obj: models.Model) -> list[Panel]:
    panels = [provider(request, obj) for provider in _panels[_label(type(obj))]]
    return sorted((panel for panel in panels if panel), key=lambda panel: panel.order)


def delete_warnings(model: type[models.Model], objects: Iterable[models.Model]) -> list[str]:
    objects = list(objects)
    return [
        message for provider in _delete_warnings[_label(model)] for message in provider(objects)
    ]
