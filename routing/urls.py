from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("", views.SmartRoutingListView.as_view(), name="smartrouting_list"),
    path("<int:pk>/", views.SmartRoutingDetailView.as_view(), name="smartrouting_detail"),
]
