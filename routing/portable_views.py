"""Routing documents in the Maker (``routing.portable``): a routing page's Export JSON
download, and Toolbox > Smart Routing's Import: upload a file, read the preview, Confirm.

The preview carries the document to the Confirm form signed (``django.core.signing``, for
this user, for an hour), so that the servers keep no state; Confirm plans the import again,
since the site may have changed meanwhile. Rights: Read on the routing to export; Create and
Modify on routings, role-wide, to import.
"""

import json

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views import View

from checkpoint_maker import views as generic
from interactions.models import Interaction
from routing import portable
from routing.models import Node, SmartRouting

SIGNED_FOR_SECONDS = 3600
KIND_LABELS = dict(Node.Kind.choices)
CHANNEL_LABELS = dict(Interaction.Channel.choices)


class ImportForm(forms.Form):
    document = forms.FileField(
        label="Routing document",
        help_text="A JSON file exported by Export JSON on a routing's page, on this site or "
        "another.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


def export_filename(routing: SmartRouting) -> str:
    return f"routing-{slugify(routing.name) or routing.pk}.json"


class SmartRoutingExportView(generic.ModelViewMixin, View):
    """The routing's document, downloaded as ``routing-<name>.json``."""

    model = SmartRouting

    def get(self, request, pk):
        routing = self.get_object("view")
        text = portable.document_text(portable.export_routing(routing))
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=export_filename(routing)
        )
        return response


class SmartRoutingImportView(generic.ModelViewMixin, View):
    """GET the upload form; POST a file for its preview, or ``confirm`` a preview."""

    model = SmartRouting
    template_name = "routing/import.html"

    def salt(self) -> str:
        return f"routing.portable.import:{self.request.user.pk}"

    def require_rights(self) -> None:
        self.require("add")
        self.require("change")

    def page(self, form, plan=None, text="", changed=False):
        token = ""
        if plan is not None and plan.can_apply:
            token = signing.dumps(
                {"document": text, "action": plan.action}, salt=self.salt(), compress=True
            )
        counts = (
            [
                (KIND_LABELS.get(kind, kind), count)
                for kind, count in sorted(plan.node_counts.items())
            ]
            if plan is not None
            else []
        )
        context = self.base_context(
            form=form,
            plan=plan,
            token=token,
            node_counts=counts,
            channel=CHANNEL_LABELS.get(plan.channel, plan.channel) if plan else "",
            changed=changed,
        )
        return render(self.request, self.template_name, context)

    def get(self, request):
        self.require_rights()
        return self.page(ImportForm())

    def post(self, request):
        self.require_rights()
        if "confirm" in request.POST:
            return self.confirm(request.POST.get("token", ""))
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form)
        upload = form.cleaned_data["document"]
        document, problem = portable.read_document(upload.read(portable.DOCUMENT_MAX_BYTES + 1))
        if problem:
            form.add_error("document", problem)
            return self.page(form)
        plan = portable.plan_import(document)
        return self.page(form, plan, json.dumps(document, ensure_ascii=False))

    def confirm(self, token: str):
        try:
            signed = signing.loads(token, salt=self.salt(), max_age=SIGNED_FOR_SECONDS)
        except signing.BadSignature:
            messages.error(self.request, "This preview has expired: upload the document again.")
            return redirect("routing:smartrouting_import")
        document, _ = portable.read_document(signed["document"].encode())
        plan = portable.plan_import(document)
        if not plan.can_apply or plan.action != signed["action"]:
            return self.page(ImportForm(), plan, signed["document"], changed=True)
        routing = portable.apply_import(plan, self.request.user)
        done = "created" if plan.action == "create" else "replaced"
        messages.success(self.request, f"Smart routing “{routing}” {done} from the document.")
        return redirect(routing)
