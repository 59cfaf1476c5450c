from django.urls import path

from interactions import views

app_name = "interactions"

urlpatterns = [
    path("", views.InteractionListView.as_view(), name="interaction_list"),
    path("<int:pk>/", views.InteractionDetailView.as_view(), name="interaction_detail"),
    path("<int:pk>/journey/", views.InteractionJourneyView.as_view(), name="interaction_journey"),
]
