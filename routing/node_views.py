"""Smart Routing node pages: add a node under an outcome, edit it (with the Preview of
``routing.editor``), delete it with its subtree. Every one needs ``change`` on the node's
routing (django-guardian, role-wide or on that routing)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from checkpoint_maker import views as generic
from checkpoint_maker.permissions import user_can
from checkpoints.models import Checkpoint
from checkpoints.selectors import checkpoints_visible_to
from routing import services
from routing.editor import node_bound_warning, node_preview
from routing.forms import NodeForm
from routing.models import Node, SmartRouting
from routing.rules import KIND_FIELDS, branch_error, outcome_label
from routing.tree_display import routing_url


class NodeViewMixin(LoginRequiredMixin):
    """A node page of one routing: every one needs ``change`` on the routing."""

    template_name = "routing/node_form.html"

    def get_routing(self) -> SmartRouting:
        routing = get_object_or_404(SmartRouting, pk=self.kwargs["pk"])
        if not user_can(self.request.user, "change", routing):
            raise PermissionDenied("You do not have the right to change this smart routing.")
        return routing

    def get_node(self, routing: SmartRouting, key: str = "node") -> Node:
        return get_object_or_404(
            Node.objects.select_related("checkpoint", "parent"),
            pk=self.kwargs[key],
            routing=routing,
        )

    def choosable_checkpoints(self, node: Node | None = None):
        """Checkpoints the user may read, plus the one the node already names."""
        queryset = checkpoints_visible_to(self.request.user)
        if node is not None and node.checkpoint_id is not None:
            queryset = queryset | Checkpoint.objects.filter(pk=node.checkpoint_id)
        return queryset.distinct()

    def checkpoint_search(self) -> str:
        return self.request.GET.get("checkpoint_search", "")

    @staticmethod
    def shown_fields(form) -> dict[str, bool]:
        """Which field groups the page shows: all of them when adding (maker.js then shows
        those of the chosen kind), those of the node's kind when editing."""
        if form.fixed_kind is None:
            return dict.fromkeys(("variable", "value", "checkpoint", "preview"), True)
        kept = KIND_FIELDS.get(form.fixed_kind, ())
        return {
            "variable": "variable" in kept,
            "value": "value" in kept,
            "checkpoint": "checkpoint" in kept,
            "preview": form.fixed_kind in (Node.Kind.ADD_CHECKPOINT, Node.Kind.SET_VARIABLE),
        }

    def render_form(self, form, routing, **context):
        return render(
            self.request,
            self.template_name,
            {
                "routing": routing,
                "form": form,
                "routing_url": routing_url(routing),
                "show": self.shown_fields(form),
                "bound_warning": node_bound_warning(form, routing),
                **context,
            },
        )


class NodeAddView(NodeViewMixin, View):
    """Add a node under one outcome of ``parent``: ``?outcome=`` names the branch (under a
    switch, the value may be typed on the form)."""

    def get_parent(self):
        routing = self.get_routing()
        return routing, self.get_node(routing, "parent")

    def get_form(self, parent, data=None, initial=None):
        return NodeForm(
            data=data,
            initial=initial,
            checkpoints=self.choosable_checkpoints(),
            under_switch=parent.kind == Node.Kind.SWITCH,
            checkpoint_search=self.checkpoint_search(),
        )

    def render_add(self, form, routing, parent, **context):
        outcome = form["outcome"].value() or ""
        return self.render_form(
            form,
            routing,
            parent=parent,
            outcome=outcome,
            outcome_label=outcome_label(outcome) if outcome else "",
            title=f"Add a node under “{parent.display_label}”",
            action_url=self.request.get_full_path(),
            **context,
        )

    def get(self, request, pk, parent):
        routing, parent = self.get_parent()
        outcome = request.GET.get("outcome", "")
        checked = parent.kind != Node.Kind.SWITCH or outcome.strip()
        if checked and (problem := branch_error(parent, outcome)):
            messages.error(request, f"Cannot add a node there: {problem}.")
            return redirect(routing_url(routing, parent))
        kind = request.GET.get("kind")
        initial = {
            "outcome": outcome,
            "kind": kind if kind in KIND_FIELDS else Node.Kind.ADD_CHECKPOINT,
        }
        return self.render_add(self.get_form(parent, initial=initial), routing, parent)

    def post(self, request, pk, parent):
        routing, parent = self.get_parent()
        form = self.get_form(parent, data=request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                return self.render_add(
                    form, routing, parent, preview=node_preview(form, request.user)
                )
            try:
                node = services.add_node(
                    parent,
                    outcome=form.cleaned_data["outcome"],
                    kind=form.cleaned_data["kind"],
                    **form.node_fields(),
                )
            except ValidationError as error:
                generic.apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    f"“{node.display_label}” added under “{parent.display_label}” on "
                    f"{outcome_label(node.outcome)}.",
                )
                if warning := node_bound_warning(form, routing):
                    messages.warning(request, warning)
                return redirect(routing_url(routing, node))
        messages.error(request, "Please correct the errors below.")
        return self.render_add(form, routing, parent)


class NodeEditView(NodeViewMixin, View):
    """Change a node's label and the fields of its kind (not its kind nor its place)."""

    def get_form(self, node, data=None):
        initial = {
            "label": node.label,
            "variable": node.variable,
            "value": node.value,
            "checkpoint": node.checkpoint_id,
            "reference_code": node.reference_code,
        }
        return NodeForm(
            data=data,
            initial=initial,
            kind=node.kind,
            checkpoints=self.choosable_checkpoints(node),
            checkpoint_search=self.checkpoint_search(),
        )

    def render_edit(self, form, routing, node, **context):
        return self.render_form(
            form,
            routing,
            node=node,
            parent=node.parent,
            outcome=node.outcome,
            outcome_label=outcome_label(node.outcome) if node.parent_id else "",
            title=f"Edit “{node.display_label}”",
            action_url=self.request.get_full_path(),
            **context,
        )

    def get(self, request, pk, node):
        routing = self.get_routing()
        node = self.get_node(routing)
        return self.render_edit(self.get_form(node), routing, node)

    def post(self, request, pk, node):
        routing = self.get_routing()
        node = self.get_node(routing)
        form = self.get_form(node, data=request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                return self.render_edit(
                    form, routing, node, preview=node_preview(form, request.user)
                )
            try:
                services.update_node(node, **form.node_fields())
            except ValidationError as error:
                generic.apply_validation_error(form, error)
            else:
                messages.success(request, f"“{node.display_label}” saved.")
                if warning := node_bound_warning(form, routing):
                    messages.warning(request, warning)
                return redirect(routing_url(routing, node))
        messages.error(request, "Please correct the errors below.")
        return self.render_edit(form, routing, node)


class NodeDeleteView(NodeViewMixin, View):
    """A confirmation page listing every node that goes (the node and its subtree)."""

    template_name = "routing/node_delete.html"

    def get(self, request, pk, node):
        routing = self.get_routing()
        node = self.get_node(routing)
        if node.parent_id is None:
            messages.error(request, "The start of a routing cannot be deleted.")
            return redirect(routing_url(routing))
        going = services.subtree(node)
        children: dict[int, list[Node]] = {}
        for candidate in going[1:]:
            children.setdefault(candidate.parent_id, []).append(candidate)
        # Depth first, so each node is listed right under its parent.
        rows = []
        stack = [(node, 0)]
        while stack:
            current, depth = stack.pop()
            rows.append(
                {
                    "node": current,
                    "depth": depth,
                    "outcome_label": outcome_label(current.outcome),
                }
            )
            stack.extend(
                (child, depth + 1)
                for child in reversed(sorted(children.get(current.pk, []), key=lambda n: n.pk))
            )
        return render(
            request,
            self.template_name,
            {
                "routing": routing,
                "node": node,
                "rows": rows,
                "branch_label": outcome_label(node.outcome),
                "routing_url": routing_url(routing, node),
            },
        )

    def post(self, request, pk, node):
        routing = self.get_routing()
        node = self.get_node(routing)
        label = node.display_label
        try:
            count = services.delete_node(node)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(routing_url(routing))
        under = count - 1
        messages.success(
            request,
            f"“{label}” deleted"
            + (f" with the {under} node{'s' if under != 1 else ''} under it." if under else "."),
        )
        return redirect(routing_url(routing))
