"""The Audit log page (Administration > Audit log): for users who may change roles."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View

from checkpoint_maker import audit
from checkpoint_maker.audit_filters import AuditFilterSet
from checkpoint_maker.history_views import cursor_url

AUDIT_PERMISSION = "auth.change_group"


class AuditLogView(LoginRequiredMixin, View):
    """Who changed what and when, across the configuration; by cursor, newest first."""

    template_name = "maker/audit_log.html"
    paginate_by = 50

    def get(self, request):
        if not request.user.has_perm(AUDIT_PERMISSION):
            raise PermissionDenied("You do not have the right to read the audit log.")
        # Validated once; its filter_queryset then narrows each entity's records.
        filterset = AuditFilterSet(request.GET or None, queryset=Group.history.none())
        if filterset.is_bound and not filterset.is_valid():
            entries, older = [], None
        else:
            entries, older = audit.audit_page(
                narrow=filterset.filter_queryset if filterset.is_bound else lambda qs: qs,
                entity=filterset.selected_entity if filterset.is_bound else "",
                older=request.GET.get("older"),
                per_page=self.paginate_by,
            )
        first = request.GET.copy()
        first.pop("older", None)
        context = {
            "form": filterset.form,
            "entries": entries,
            "older_url": cursor_url(request.GET, "older", older),
            "first_url": f"?{first.urlencode()}" if "older" in request.GET else "",
        }
        return render(request, self.template_name, context)
