"""The Maker's left menu. Each app registers its entries in its AppConfig.ready().

An entry shows only to users who may read its entity (role-wide or on one object), or who
hold its own ``permission`` role-wide when it names one, and, for a licensed app or URL
namespace, only while the Smart licence is on.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from checkpoint_maker.licence import LICENSED_APP_LABELS, smart_licence_active
from checkpoint_maker.permissions import has_any_permission


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: str
    url_name: str
    model: str
    action: str = "view"
    order: int = 100
    permission: str = ""  # "app_label.codename", checked role-wide instead of the model's

    @property
    def licensed(self) -> bool:
        namespace = self.url_name.partition(":")[0]
        return bool({self.model.partition(".")[0], namespace} & LICENSED_APP_LABELS)

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def visible_to(self, user) -> bool:
        if self.licensed and not smart_licence_active():
            return False
        if self.permission:
            return user.has_perm(self.permission)
        return has_any_permission(user, apps.get_model(self.model), self.action)


_registry: list[MenuItem] = []


def register(item: MenuItem) -> None:
    if item not in _registry:
        _registry.append(item)


def items_for(user) -> list[MenuItem]:
    if not user.is_authenticated:
        return []
    return [
        item for item in sorted(_registry, key=lambda item: item.order) if item.visible_to(user)
    ]


def menu(request) -> dict:
    """Context processor: ``menu_items`` is computed only if a template reads it."""
    return {"menu_items": SimpleLazyObject(lambda: items_for(request.user))}
