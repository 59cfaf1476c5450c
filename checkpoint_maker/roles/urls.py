from django.urls import path

from checkpoint_maker.roles import views

app_name = "roles"

urlpatterns = [
    path("", views.RoleListView.as_view(), name="role_list"),
]
