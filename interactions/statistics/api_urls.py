"""The Statistics endpoints under /api/v1/statistics/ (namespace ``api:statistics``: part of
the Smart licence)."""

from django.urls import path

from interactions.statistics import api

app_name = "statistics"

urlpatterns = [
    path("checkpoints/", api.CheckpointsView.as_view(), name="checkpoints"),
    path("funnel/", api.FunnelView.as_view(), name="funnel"),
    path("ab/", api.ABTestView.as_view(), name="ab"),
    path("journeys/", api.JourneysView.as_view(), name="journeys"),
]
