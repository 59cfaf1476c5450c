from django.urls import path

from checkpoints import import_views, views

app_name = "checkpoints"

urlpatterns = [
    path("", views.CheckpointListView.as_view(), name="checkpoint_list"),
    path("add/", views.CheckpointEditView.as_view(), name="checkpoint_add"),
    path("import/", import_views.CheckpointImportView.as_view(), name="checkpoint_import"),
    path(
        "import/confirm/",
        import_views.CheckpointImportConfirmView.as_view(),
        name="checkpoint_import_confirm",
    ),
    path("delete/", views.CheckpointBulkDeleteView.as_view(), name="checkpoint_bulk_delete"),
    path("<int:pk>/", views.CheckpointDetailView.as_view(), name="checkpoint_detail"),
    path("<int:pk>/history/", views.CheckpointHistoryView.as_view(), name="checkpoint_history"),
    path("<int:pk>/edit/", views.CheckpointEditView.as_view(), name="checkpoint_edit"),
    path(
        "<int:pk>/duplicate/", views.CheckpointDuplicateView.as_view(), name="checkpoint_duplicate"
    ),
    path("<int:pk>/delete/", views.CheckpointDeleteView.as_view(), name="checkpoint_delete"),
]
