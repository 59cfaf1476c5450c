"""The Audit log page (Administration > Audit log): for users who may change roles."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from checkpoint_maker import audit
from checkpoint_maker.history import ACTION_TYPES
from checkpoint_maker.history_views import cursor_url

AUDIT_PERMISSION = "auth.change_group"


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        empty_label="Anyone",
        label="User",
    )
    entity = forms.ChoiceField(required=False, label="Entity")
    action = forms.ChoiceField(
        required=False,
        label="Action",
        choices=[("", "Any"), *((name, name.capitalize()) for name in ACTION_TYPES)],
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [
            ("", "Any"),
            *((entity.key, entity.label) for entity in audit.entities()),
        ]


def start_of(day: datetime.date | None, days: int = 0) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(days=days)
    )


class AuditLogView(LoginRequiredMixin, View):
    """Who changed what and when, across the configuration; by cursor, newest first."""

    template_name = "maker/audit_log.html"
    paginate_by = 50

    def get(self, request):
        if not request.user.has_perm(AUDIT_PERMISSION):
            raise PermissionDenied("You do not have the right to read the audit log.")
        form = AuditFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        user = data.get("user")
        entries, older = audit.audit_page(
            user_id=user.pk if user else None,
            entity=data.get("entity", ""),
            action=data.get("action", ""),
            since=start_of(data.get("since")),
            until=start_of(data.get("until"), days=1),
            older=request.GET.get("older"),
            per_page=self.paginate_by,
        )
        first = request.GET.copy()
        first.pop("older", None)
        context = {
            "form": form,
            "entries": entries,
            "older_url": cursor_url(request.GET, "older", older),
            "first_url": f"?{first.urlencode()}" if "older" in request.GET else "",
        }
        return render(request, self.template_name, context)
