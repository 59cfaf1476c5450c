from django.urls import path

from checkpoint_maker.roles import views

app_name = "roles"

urlpatterns = [
    path("", views.RoleListView.as_view(), name="role_list"),
    path("add/", views.RoleEditView.as_view(), name="role_add"),
    path("<int:pk>/", views.RoleEditView.as_view(), name="role_edit"),
    path("<int:pk>/delete/", views.RoleDeleteView.as_view(), name="role_delete"),
]
