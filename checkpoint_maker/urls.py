"""Root URLs: the Maker pages, the Django admin, the REST API and its docs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from checkpoint_maker import errors
from checkpoint_maker.audit_views import AuditLogView
from checkpoint_maker.views import HomeView

# JSON under /api/, Django's pages elsewhere (checkpoint_maker.errors).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

api_patterns = [
    path("", include("checkpoints.api.urls")),
    path("", include("interactions.api.urls")),
    path("", include("routing.api.urls")),
    path("statistics/", include("interactions.statistics.api_urls")),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("toolbox/checkpoints/", include("checkpoints.urls")),
    path("smart-routing/", include("routing.urls")),
    path("interactions/", include("interactions.urls")),
    path("statistics/", include("interactions.statistics.urls")),
    path("roles/", include("checkpoint_maker.roles.urls")),
    path("audit/", AuditLogView.as_view(), name="audit_log"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api_docs",
    ),
    re_path(r"^api/", errors.UnknownAPIPath.as_view(), name="api_unknown"),
]
