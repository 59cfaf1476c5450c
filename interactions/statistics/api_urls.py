"""The Statistics endpoints under /api/v1/statistics/ (namespace ``api:statistics``: part of
the Smart licence)."""

from django.urls import path  # noqa: F401

app_name = "statistics"

urlpatterns: list = []
