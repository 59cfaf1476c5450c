"""Smart Routing pages: the list, a routing's page (its tree and the Test run form), create,
edit, duplicate, delete and bulk delete; thin views over the generic Maker views and
``routing.services``. The node pages are ``routing.node_views``, the tree the page shows is
``routing.tree_display``, the Test run's POST is ``routing.run_views`` and what the routing app
adds to other pages is ``routing.hooks``.

Rights (django-guardian, role-wide or on one routing): reading a routing needs ``view``; a
Test run needs ``view`` on the routing and ``interactions.add_interactioncheckpoint`` (the
runtime's right, role-wide, as in the API), on an interaction of the routing's channel that the
user may read (``selectors.run_interaction``).
"""

from urllib.parse import urlencode

from django.urls import reverse

from checkpoint_maker import views as generic
from checkpoint_maker.permissions import (
    permission_name,
    permitted_ids,
    user_can,
)
from interactions.models import Interaction, InteractionCheckpoint
from routing import selectors, services
from routing.filters import SmartRoutingFilterSet
from routing.forms import RunForm, SmartRoutingForm
from routing.models import SmartRouting
from routing.tables import SmartRoutingTable
from routing.tree import read_tree
from routing.tree_display import tree_items

RUN_PERMISSION = permission_name(InteractionCheckpoint, "add")
RUN_INTERACTIONS_SHOWN = 50


def can_run(user) -> bool:
    """The right to attach checkpoints to interactions, role-wide (as the run API asks)."""
    return user.has_perm(RUN_PERMISSION)


class SmartRoutingListView(generic.ObjectListView):
    model = SmartRouting
    filterset_class = SmartRoutingFilterSet
    table_class = SmartRoutingTable
    template_name = "routing/smartrouting_list.html"
    search_placeholder = "Search by name"

    def base_context(self, **extra) -> dict:
        return super().base_context(
            channels=Interaction.Channel.choices,
            channel=self.request.GET.get("channel", ""),
            **extra,
        )


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
