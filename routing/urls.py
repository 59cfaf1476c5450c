from django.urls import path

from routing import history_views, node_views, portable_views, run_views, views

app_name = "routing"

urlpatterns = [
    path("", views.SmartRoutingListView.as_view(), name="smartrouting_list"),
    path("add/", views.SmartRoutingEditView.as_view(), name="smartrouting_add"),
    path("import/", portable_views.SmartRoutingImportView.as_view(), name="smartrouting_import"),
    path("delete/", views.SmartRoutingBulkDeleteView.as_view(), name="smartrouting_bulk_delete"),
    path("<int:pk>/", views.SmartRoutingDetailView.as_view(), name="smartrouting_detail"),
    path("<int:pk>/edit/", views.SmartRoutingEditView.as_view(), name="smartrouting_edit"),
    path(
        "<int:pk>/duplicate/",
        views.SmartRoutingDuplicateView.as_view(),
        name="smartrouting_duplicate",
    ),
    path("<int:pk>/delete/", views.SmartRoutingDeleteView.as_view(), name="smartrouting_delete"),
    path(
        "<int:pk>/export/",
        portable_views.SmartRoutingExportView.as_view(),
        name="smartrouting_export",
    ),
    path(
        "<int:pk>/history/",
        history_views.SmartRoutingHistoryView.as_view(),
        name="smartrouting_history",
    ),
    path(
        "<int:pk>/history/<int:version>/restore/",
        history_views.SmartRoutingRestoreView.as_view(),
        name="smartrouting_restore",
    ),
    path("<int:pk>/run/", run_views.SmartRoutingRunView.as_view(), name="smartrouting_run"),
    path("<int:pk>/nodes/<int:parent>/add/", node_views.NodeAddView.as_view(), name="node_add"),
    path("<int:pk>/nodes/<int:node>/edit/", node_views.NodeEditView.as_view(), name="node_edit"),
    path(
        "<int:pk>/nodes/<int:node>/delete/", node_views.NodeDeleteView.as_view(), name="node_delete"
    ),
]
