"""A routing's History page and the restore of one of its versions (routing.versions)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from checkpoint_maker import views as generic
from checkpoint_maker.history_views import ObjectHistoryView
from checkpoint_maker.permissions import user_can
from routing import services
from routing.models import SmartRouting
from routing.versions import restore_plan, walk


def tree_summary(tree) -> str:
    count = sum(1 for _ in walk(tree))
    return f"{count} node{'' if count == 1 else 's'}"


class SmartRoutingHistoryView(ObjectHistoryView):
    """Each version: its fields' changes, its tree in short, and (with Modify) a link to
    restore it."""

    model = SmartRouting
    extra_fields = ("tree",)

    def history_context(self, obj, records, entries) -> dict:
        can_restore = user_can(self.request.user, "change", obj)
        for record, entry in zip(records, entries, strict=True):
            for change in entry["changes"]:
                if change["field"] == "tree":
                    change["old"] = None if change["old"] is None else tree_summary(change["old"])
                    change["new"] = tree_summary(change["new"])
            if can_restore and entry["action"] != "deleted" and record is not records[0]:
                entry["restore_url"] = reverse(
                    "routing:smartrouting_restore", args=[obj.pk, record.history_id]
                )
        return {"show_restore": can_restore}


class SmartRoutingRestoreView(generic.ModelViewMixin, View):
    """GET: what restoring the version changes; POST: restore it (Modify on the routing)."""

    model = SmartRouting
    template_name = "routing/smartrouting_restore.html"

    def version(self, routing):
        return get_object_or_404(
            SmartRouting.history.exclude(history_type="-"),
            id=routing.pk,
            history_id=self.kwargs["version"],
        )

    def get(self, request, pk, version):
        routing = self.get_object("change")
        record = self.version(routing)
        context = self.base_context(
            object=routing, version=record, plan=restore_plan(routing, record)
        )
        return render(request, self.template_name, context)

    def post(self, request, pk, version):
        routing = self.get_object("change")
        services.restore_version(routing, self.version(routing))
        messages.success(request, f"“{routing}” restored to its version of this date.")
        return redirect(routing.get_absolute_url())
