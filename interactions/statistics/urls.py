"""The Statistics pages (namespace ``statistics``: part of the Smart licence)."""

from django.urls import path

from interactions.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("funnel/", views.FunnelView.as_view(), name="funnel"),
    path("ab/", views.ABTestView.as_view(), name="ab"),
    path("journeys/", views.JourneysView.as_view(), name="journeys"),
]
