"""The Statistics pages (namespace ``statistics``: part of the Smart licence)."""

from django.urls import path  # noqa: F401

app_name = "statistics"

urlpatterns: list = []
