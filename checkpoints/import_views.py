"""Toolbox > Checkpoints > Import: upload a file, see the preview, confirm.

The preview's rows wait in the session (server-side) under a one-time token carried by the
Confirm form; the confirmation validates them again (``imports.apply_import``), so a change
made by someone else since the preview fails cleanly and writes nothing.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from checkpoint_maker.permissions import user_can
from checkpoint_maker.views import ModelViewMixin, list_url
from checkpoints import imports
from checkpoints.forms import CheckpointImportForm
from checkpoints.models import Checkpoint

SESSION_KEY = "checkpoint_import"
SHOWN_ROWS = 1_000
ACTION_LABELS = {
    imports.CREATE: "Create",
    imports.UPDATE: "Update",
    imports.UNCHANGED: "Unchanged",
    imports.ERROR: "Error",
}


def field_label(name: str) -> str:
    if name == "non_field_errors":
        return "Row"
    return str(Checkpoint._meta.get_field(name).verbose_name)


def shown_rows(plan: imports.ImportPlan) -> list[dict]:
    """The rows the preview lists, those in error first, at most SHOWN_ROWS."""
    ordered = sorted(plan.rows, key=lambda row: row.action != imports.ERROR)[:SHOWN_ROWS]
    return [
        {
            "number": row.number,
            "reference": row.reference,
            "name": imports.printable(row.values.get("name", "")),
            "alias": imports.printable(row.values.get("alias", "")),
            "action": ACTION_LABELS[row.action],
            "errors": [
                f"{field_label(name)}: {message}"
                for name, field_messages in row.errors.items()
                for message in field_messages
            ],
        }
        for row in ordered
    ]


def can_import(user) -> bool:
    """Create and Modify on checkpoints, role-wide."""
    return user_can(user, "add", Checkpoint) and user_can(user, "change", Checkpoint)


class ImportViewMixin(ModelViewMixin):
    model = Checkpoint

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_import(request.user):
            raise PermissionDenied("Importing checkpoints needs the rights to create and modify.")
        return super().dispatch(request, *args, **kwargs)

    def render_preview(self, plan: imports.ImportPlan, token: str = ""):
        rows = shown_rows(plan)
        return render(
            self.request,
            "checkpoints/checkpoint_import_preview.html",
            self.base_context(
                counts=[(ACTION_LABELS[action], n) for action, n in plan.counts.items()],
                rows=rows,
                total=len(plan.rows),
                capped=len(rows) < len(plan.rows),
                has_errors=plan.has_errors,
                token=token,
                confirm_url=reverse("checkpoints:checkpoint_import_confirm"),
                upload_url=reverse("checkpoints:checkpoint_import"),
            ),
        )


class CheckpointImportView(ImportViewMixin, View):
    """GET: the upload form; POST: the file's preview, with Confirm when no row has an error."""

    def render_form(self, form):
        return render(
            self.request,
            "checkpoints/checkpoint_import.html",
            self.base_context(form=form, cancel_url=list_url(Checkpoint)),
        )

    def get(self, request):
        return self.render_form(CheckpointImportForm())

    def post(self, request):
        form = CheckpointImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        plan = imports.plan_import(form.cleaned_data["file"])
        token = ""
        if not plan.has_errors and plan.rows:
            token = secrets.token_urlsafe(16)
            request.session[SESSION_KEY] = {
                "token": token,
                "rows": plan.source(),
                "actions": plan.actions(),
            }
        return self.render_preview(plan, token)


class CheckpointImportConfirmView(ImportViewMixin, View):
    """POST: write the previewed rows, all or nothing, then back to the list."""

    def post(self, request):
        pending = request.session.get(SESSION_KEY) or {}
        token = request.POST.get("token", "")
        if not token or not secrets.compare_digest(str(pending.get("token", "")), token):
            messages.error(request, "This preview has expired: upload the file again.")
            return redirect("checkpoints:checkpoint_import")
        try:
            plan = imports.apply_import(pending["rows"], request.user, previewed=pending["actions"])
        except imports.ImportFailed as failure:
            request.session.pop(SESSION_KEY, None)
            messages.error(
                request, "Nothing was imported: the checkpoints changed since the preview."
            )
            return self.render_preview(failure.plan)
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            f"Import done: {plan.count(imports.CREATE)} created, "
            f"{plan.count(imports.UPDATE)} updated, {plan.count(imports.UNCHANGED)} unchanged.",
        )
        return redirect(list_url(Checkpoint))
