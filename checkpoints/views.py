"""Toolbox > Checkpoints pages: thin views over the generic Maker views and the services."""

from checkpoint_maker import views as generic
from checkpoint_maker.history_views import ObjectHistoryView
from checkpoints import services
from checkpoints.filters import CheckpointFilterSet
from checkpoints.forms import CheckpointForm
from checkpoints.models import Checkpoint
from checkpoints.tables import CheckpointTable


class CheckpointListView(generic.ObjectListView):
    model = Checkpoint
    filterset_class = CheckpointFilterSet
    table_class = CheckpointTable
    template_name = "checkpoints/checkpoint_list.html"
    search_placeholder = "Search by name or reference"


class CheckpointDetailView(generic.ObjectDetailView):
    model = Checkpoint
    template_name = "checkpoints/checkpoint_detail.html"


class CheckpointHistoryView(ObjectHistoryView):
    model = Checkpoint


class CheckpointEditView(generic.ObjectEditView):
    model = Checkpoint
    form_class = CheckpointForm

    def save_form(self, form, instance):
        if instance is None:
            return services.create_checkpoint(**form.cleaned_data)
        return services.update_checkpoint(instance, **form.cleaned_data)


class CheckpointDuplicateView(generic.ObjectDuplicateView):
    """A prefilled copy: the user gives it a name and a reference of its own."""

    model = Checkpoint
    form_class = CheckpointForm
    notice = (
        "This is a copy. Change its Name and its Reference: "
        "each checkpoint needs a reference of its own."
    )

    def initial_from(self, source) -> dict:
        return {"name": source.name, "reference": source.reference, "alias": source.alias}

    def duplicate(self, source, cleaned_data: dict):
        return services.duplicate_checkpoint(source, **cleaned_data)


class CheckpointDeleteView(generic.ObjectDeleteView):
    model = Checkpoint

    def delete_object(self, obj) -> None:
        services.delete_checkpoint(obj)


class CheckpointBulkDeleteView(generic.BulkDeleteView):
    model = Checkpoint

    def bulk_delete(self, ids: list[int]) -> int:
        return services.bulk_delete_checkpoints(user=self.request.user, ids=ids)
