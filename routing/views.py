"""Smart Routing editor pages: thin views over the generic Maker views, ``routing.services``,
``routing.editor`` (Preview, bound warning) and the where-used selectors; the Test run's POST
is ``routing.run_views``.

Rights (django-guardian, role-wide or on one routing): reading a routing needs ``view``; every
node edit needs ``change`` on its routing; a Test run needs ``view`` on the routing and
``interactions.add_interactioncheckpoint`` (the runtime's right, role-wide, as in the API), on
an interaction of the routing's channel that the user may read (``selectors.run_interaction``).

The module also holds what the routing app adds to the checkpoint pages (brief §4, registered
in ``RoutingConfig.ready``): the "Used in Smart Routings" panel, the delete warnings and the
edit warning about reference codes.
"""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from checkpoint_maker import views as generic
from checkpoint_maker.extensions import Panel
from checkpoint_maker.permissions import (
    permission_name,
    permitted_ids,
    user_can,
)
from checkpoints.models import Checkpoint
from checkpoints.selectors import checkpoints_visible_to
from interactions.models import Interaction, InteractionCheckpoint
from routing import selectors, services
from routing.editor import node_bound_warning, preview_render
from routing.filters import SmartRoutingFilterSet
from routing.forms import KIND_FIELDS, NodeForm, RunForm, SmartRoutingForm
from routing.models import Node, SmartRouting
from routing.rules import OUTCOMES, can_be_a_reference, outcome_error, outcome_label
from routing.tree import index_branches, read_tree

RUN_PERMISSION = permission_name(InteractionCheckpoint, "add")
RUN_INTERACTIONS_SHOWN = 50


def can_run(user) -> bool:
    """The right to attach checkpoints to interactions, role-wide (as the run API asks)."""
    return user.has_perm(RUN_PERMISSION)


def routing_url(routing: SmartRouting, node: Node | None = None) -> str:
    url = reverse("routing:smartrouting_detail", kwargs={"pk": routing.pk})
    return f"{url}#node-{node.pk}" if node is not None else url


def node_add_url(routing_id: int, parent: Node, outcome: str | None = None) -> str:
    url = reverse("routing:node_add", kwargs={"pk": routing_id, "parent": parent.pk})
    return f"{url}?{urlencode({'outcome': outcome})}" if outcome is not None else url


# ---- Routings: list, page, create, edit, duplicate, delete ----


class SmartRoutingListView(generic.ObjectListView):
    model = SmartRouting
    filterset_class = SmartRoutingFilterSet
    columns = (("name", "Name"), ("channel", "Channel"), ("updated_at", "Last changed"))
    template_name = "routing/smartrouting_list.html"
    search_placeholder = "Search by name"

    def base_context(self, **extra) -> dict:
        return super().base_context(
            channels=Interaction.Channel.choices,
            channel=self.request.GET.get("channel", ""),
            **extra,
        )


def tree_items(
    routing: SmartRouting,
    nodes: list[Node],
    *,
    can_change: bool,
    checkpoint_links: set[int],
) -> list[dict]:
    """The tree as a flat list of items for nested ``<ul>``s (no template recursion):
    ``open``/``close`` a list of branches, ``branch`` opens an item (with its node, or an
    unwired outcome), ``end`` closes it, ``switch_form`` adds a branch to a switch."""
    root, branches = index_branches(nodes)
    items: list[dict] = []
    if root is None:
        return items

    def outcomes_of(node: Node) -> list[tuple[str, Node | None]]:
        wired = branches.get(node.pk, {})
        fixed = OUTCOMES.get(node.kind)
        if fixed is None:  # a switch: each wired value, then the default
            names = [outcome for outcome in wired if outcome != "default"] + ["default"]
        else:
            names = list(fixed) + [outcome for outcome in wired if outcome not in fixed]
        return [(outcome, wired.get(outcome)) for outcome in names]

    def visit(node: Node, parent: Node | None, outcome: str | None) -> None:
        items.append(
            {
                "tag": "branch",
                "outcome": outcome,
                "outcome_label": outcome_label(outcome) if outcome is not None else "",
                "node": node,
                "parent": parent,
                "checkpoint_url": (
                    node.checkpoint.get_absolute_url()
                    if node.checkpoint_id in checkpoint_links
                    else ""
                ),
                "edit_url": reverse("routing:node_edit", kwargs={"pk": routing.pk, "node": node.pk})
                if can_change
                else "",
                "delete_url": reverse(
                    "routing:node_delete", kwargs={"pk": routing.pk, "node": node.pk}
                )
                if can_change and parent is not None
                else "",
            }
        )
        outcomes = outcomes_of(node)
        if outcomes:
            items.append({"tag": "open"})
            for branch, child in outcomes:
                if child is not None:
                    visit(child, node, branch)
                    continue
                items.append(
                    {
                        "tag": "branch",
                        "outcome": branch,
                        "outcome_label": outcome_label(branch),
                        "node": None,
                        "parent": node,
                        "add_url": node_add_url(routing.pk, node, branch) if can_change else "",
                    }
                )
                items.append({"tag": "end"})
            if node.kind == Node.Kind.SWITCH and can_change:
                items.append(
                    {
                        "tag": "switch_form",
                        "parent": node,
                        "add_url": node_add_url(routing.pk, node),
                    }
                )
            items.append({"tag": "close"})
        items.append({"tag": "end"})

    visit(root, None, None)
    return items


class SmartRoutingDetailView(generic.ObjectDetailView):
    """The routing page: its tree (with the editor's links for users who may change it) and
    the Test run form for users who may run it."""

    model = SmartRouting
    template_name = "routing/smartrouting_detail.html"
    run_form: RunForm | None = None
    run: dict | None = None

    def get_extra_context(self, obj) -> dict:
        user = self.request.user
        nodes = list(obj.nodes.select_related("checkpoint"))
        can_change = user_can(user, "change", obj)
        checkpoint_links = permitted_ids(
            user, "view", [node.checkpoint for node in nodes if node.checkpoint_id is not None]
        )
        runnable = can_run(user)
        run_form = self.run_form
        if runnable and run_form is None:
            run_form = RunForm(user=user, routing=obj)
        if run_form is not None:
            recent = selectors.runnable_interactions(user, obj)[:RUN_INTERACTIONS_SHOWN]
            run_form.fields["interaction"].widget.choices = [
                (interaction.pk, RunForm.interaction_label(interaction)) for interaction in recent
            ]
        return {
            "tree": tree_items(
                obj, nodes, can_change=can_change, checkpoint_links=checkpoint_links
            ),
            "node_count": len(nodes),
            "can_run": runnable,
            "run_form": run_form,
            "run": self.run,
            "run_url": reverse("routing:smartrouting_run", kwargs={"pk": obj.pk}),
            "edit_url": f"{reverse('routing:smartrouting_edit', kwargs={'pk': obj.pk})}?"
            + urlencode({"return_url": obj.get_absolute_url()}),
        }


class SmartRoutingEditView(generic.ObjectEditView):
    """Create a routing (it starts with a Start node) or change its Name, Channel and
    Description. A new routing opens on its page, to build its tree."""

    model = SmartRouting
    form_class = SmartRoutingForm

    def save_form(self, form, instance):
        if instance is None:
            return services.create_routing(**form.cleaned_data)
        return services.update_routing(instance, **form.cleaned_data)

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()


class SmartRoutingDuplicateView(generic.ObjectDuplicateView):
    """A copy of a routing with its whole tree, under a name of its own."""

    model = SmartRouting
    form_class = SmartRoutingForm

    def initial_from(self, source) -> dict:
        return {
            "name": f"{source.name} (copy)",
            "channel": source.channel,
            "description": source.description,
        }

    def duplicate(self, source, cleaned_data: dict):
        return services.create_routing(**cleaned_data, tree=read_tree(source))

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()


class SmartRoutingDeleteView(generic.ObjectDeleteView):
    model = SmartRouting

    def delete_object(self, obj) -> None:
        services.delete_routing(obj)


class SmartRoutingBulkDeleteView(generic.BulkDeleteView):
    model = SmartRouting

    def bulk_delete(self, ids: list[int]) -> int:
        return services.bulk_delete_routings(user=self.request.user, ids=ids)


def routing_delete_warnings(routings: Iterable[SmartRouting]) -> list[str]:
    """Shown before routings are deleted: their trees go with them, history stays."""
    routings = list(routings)
    if not routings:
        return []
    count = Node.objects.filter(routing__in=routings).count()
    return [
        f"Their trees ({count} node{'s' if count != 1 else ''}) are deleted with them. "
        "Interactions keep the checkpoints they set."
        if len(routings) > 1
        else f"Its tree ({count} node{'s' if count != 1 else ''}) is deleted with it. "
        "Interactions keep the checkpoints it set."
    ]


# ---- Nodes: add, edit (with Preview), delete with the subtree ----


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

    def preview(self, form) -> dict:
        """What the node's value or reference code renders to for the sample variables, and
        whether that reference exists. Nothing is saved."""
        kind = form.chosen_kind
        variables = form.cleaned_data.get("sample_variables") or {}
        fields = form.node_fields()
        if kind == Node.Kind.ADD_CHECKPOINT:
            if fields["checkpoint"] is not None:
                return {"kind": kind, "checkpoint": fields["checkpoint"], "direct": True}
            code = fields["reference_code"]
            if not code:
                return {"kind": kind, "empty": True}
            problem, rendered = preview_render(code, variables)
            found = None
            if can_be_a_reference(rendered):
                found = Checkpoint.objects.filter(reference=rendered).first()
            return {
                "kind": kind,
                "code": code,
                "problem": problem,
                "rendered": rendered,
                "checkpoint": found,
                "checkpoint_visible": found is not None
                and user_can(self.request.user, "view", found),
            }
        if kind == Node.Kind.SET_VARIABLE:
            problem, rendered = preview_render(fields["value"], variables)
            return {
                "kind": kind,
                "variable": fields["variable"],
                "problem": problem,
                "rendered": rendered,
            }
        return {"kind": kind, "nothing": True}

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
        if parent.kind != Node.Kind.SWITCH or outcome.strip():
            problem = outcome_error(parent.kind, outcome)
            if problem is None and Node.objects.filter(parent=parent, outcome=outcome).exists():
                problem = "this outcome is already wired to another node"
            if problem:
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
                return self.render_add(form, routing, parent, preview=self.preview(form))
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
                return self.render_edit(form, routing, node, preview=self.preview(form))
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


# ---- Where used (brief §4): what the routing app adds to the checkpoint pages ----


def _action_name(node: Node) -> str:
    return f"“{node.display_label}” in “{node.routing.name}”"


def checkpoint_where_used_panel(request, checkpoint: Checkpoint) -> Panel:
    """The checkpoint page's "Used in Smart Routings" panel: every add-a-checkpoint action
    that uses it, chosen directly or by a reference code that contains or may render to its
    reference, linking to the routings the user may read."""
    actions = selectors.actions_using([checkpoint])[checkpoint.pk]
    unique = list({node.pk: node for node in actions}.values())
    routings = list({node.routing_id: node.routing for node in unique}.values())
    readable = permitted_ids(request.user, "view", routings)
    rows = [
        {
            "node": node,
            "routing": node.routing,
            "url": routing_url(node.routing, node) if node.routing_id in readable else "",
            "direct": node.checkpoint_id == checkpoint.pk,
        }
        for node in sorted(unique, key=lambda node: (node.routing.name, node.routing_id, node.pk))
    ]
    return Panel(
        template="routing/where_used_panel.html",
        context={"actions": rows, "checkpoint": checkpoint},
        order=150,
    )


def checkpoint_delete_warnings(checkpoints: Iterable[Checkpoint]) -> list[str]:
    """Before checkpoints are deleted: the routings whose actions use them (brief §4)."""
    checkpoints = list(checkpoints)
    found = selectors.actions_using(checkpoints)
    warnings = []
    for checkpoint in checkpoints:
        actions = found.get(checkpoint.pk) or []
        if not actions:
            continue
        names = sorted({node.routing.name for node in actions})
        count = len({node.pk for node in actions})
        warnings.append(
            f"“{checkpoint}” is used by {count} Smart Routing action{'s' if count != 1 else ''} "
            f"in {', '.join(f'“{name}”' for name in names)}. Detach it from "
            f"{'them' if count != 1 else 'it'} first: once the checkpoint is deleted, "
            f"{'they fall' if count != 1 else 'it falls'} on Reference not found."
        )
    return warnings


def checkpoint_edit_warnings(checkpoint: Checkpoint, changed: set[str] | None) -> list[str]:
    """Brief §4: changing the Reference impacts the actions that use it as a code."""
    if changed is not None and "reference" not in changed:
        return []
    actions = selectors.codes_using_reference(checkpoint.reference)
    if not actions:
        return []
    listed = ", ".join(
        _action_name(node) for node in sorted(actions, key=lambda n: (n.routing.name, n.pk))
    )
    return [
        f"Reference codes in these routing actions use “{checkpoint.reference}”: {listed}; "
        "changing the Reference makes them fall on Reference not found."
    ]
