"""The Smart licence: checkpoints and Smart Routing are part of it.

``SMART_LICENCE`` (settings, from the environment) switches it. Off, every page, admin entry
and API endpoint of a licensed app answers 403 with LICENCE_MESSAGE, and the menu hides them.
The gate is one middleware, so no view can forget it.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import ResolverMatch

LICENCE_MESSAGE = "Checkpoints are part of the Smart licence"
LICENSED_APP_LABELS = frozenset({"checkpoints", "routing"})


def smart_licence_active() -> bool:
    return bool(settings.SMART_LICENCE)


def is_licensed_view(match: ResolverMatch | None) -> bool:
    """Whether the resolved URL belongs to a licensed app (its pages, API or admin)."""
    if match is None:
        return False
    if LICENSED_APP_LABELS & set(match.namespaces):
        return True
    if "admin" in match.namespaces:
        app_label = match.kwargs.get("app_label") or (match.url_name or "").partition("_")[0]
        return app_label in LICENSED_APP_LABELS
    return False


class SmartLicenceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if smart_licence_active() or not is_licensed_view(request.resolver_match):
            return None
        if "api" in request.resolver_match.namespaces:
            return JsonResponse({"detail": LICENCE_MESSAGE}, status=403)
        return render(request, "403.html", {"message": LICENCE_MESSAGE}, status=403)


class SmartLicenceAdminMixin:
    """Hides a licensed model from the admin index while the licence is off."""

    def has_module_permission(self, request):
        return smart_licence_active() and super().has_module_permission(request)
