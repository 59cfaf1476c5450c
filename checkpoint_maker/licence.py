"""The Smart licence: checkpoints and Smart Routing are part of it.

``SMART_LICENCE`` (settings, from the environment) switches it. Off, every page, admin entry
and API endpoint of a licensed app answers 403 with LICENCE_MESSAGE, and the menu hides them.
The gate is one middleware, so no view can forget it. Authentication comes first (DESIGN.md):
an anonymous visitor of a page goes to the login page, and an API request without valid
credentials answers 401 as everywhere else in the API.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import ResolverMatch, reverse
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

LICENCE_MESSAGE = "Checkpoints are part of the Smart licence"
# App labels (their pages, API and admin) and URL namespaces: "statistics" is the namespace of
# the Statistics pages and endpoints, which live in the interactions app.
LICENSED_APP_LABELS = frozenset({"checkpoints", "routing", "statistics"})


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
        namespaces = request.resolver_match.namespaces
        if "api" in namespaces:
            return api_licence_refusal(request)
        if not request.user.is_authenticated:
            login_url = reverse("admin:login") if "admin" in namespaces else None
            return redirect_to_login(request.get_full_path(), login_url)
        return render(request, "403.html", {"message": LICENCE_MESSAGE}, status=403)


def api_licence_refusal(request) -> JsonResponse:
    """401 without valid credentials (read by the API's own authentication classes, as the
    view would), else 403 with the licence message."""
    authenticators = [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    api_request = Request(request, authenticators=authenticators)
    try:
        if api_request.user.is_authenticated:
            return JsonResponse({"detail": LICENCE_MESSAGE}, status=403)
        refusal = exceptions.NotAuthenticated()
    except exceptions.APIException as error:  # a bad token, or a session without CSRF
        refusal = error
    response = JsonResponse({"detail": refusal.detail}, status=refusal.status_code)
    if isinstance(refusal, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response.status_code = 401
        response["WWW-Authenticate"] = authenticators[0].authenticate_header(api_request)
    return response


class SmartLicenceAdminMixin:
    """Hides a licensed model from the admin index while the licence is off."""

    def has_module_permission(self, request):
        return smart_licence_active() and super().has_module_permission(request)
