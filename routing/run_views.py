"""The Test run of a routing page: runs the routing for real on an interaction the user may
use (``routing.selectors.run_interaction``, the run API's rule) and shows the path taken, the
checkpoints attached and, when the run reached a bound, why it stopped."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from interactions.models import Interaction
from routing.forms import RunForm
from routing.models import Node
from routing.rules import outcome_label
from routing.runner import RunResult, run_routing
from routing.views import SmartRoutingDetailView, can_run


def describe_run(result: RunResult, interaction: Interaction) -> dict:
    """What the page shows of a run: its steps, checkpoints and why it stopped early."""
    steps = []
    for index, step in enumerate(result.path):
        last = index == len(result.path) - 1
        steps.append(
            {
                "node_id": step.node_id,
                "label": step.label,
                "kind": Node.Kind(step.kind).label if step.kind in Node.Kind.values else step.kind,
                "outcome": outcome_label(step.outcome) if step.outcome is not None else "",
                "stopped": last and step.outcome is not None and result.stopped is None,
                "bound": last and result.stopped is not None,
            }
        )
    return {
        "interaction": interaction,
        "steps": steps,
        "checkpoints": result.checkpoints,
        "stopped": result.stopped,
    }


class SmartRoutingRunView(SmartRoutingDetailView):
    """POST a Test run, then show the routing page with its result."""

    def get(self, request, pk):
        return redirect("routing:smartrouting_detail", pk=pk)

    def post(self, request, pk):
        routing = self.get_object("view")
        if not can_run(request.user):
            raise PermissionDenied("You do not have the right to attach checkpoints.")
        form = RunForm(request.POST, user=request.user, routing=routing)
        if form.is_valid():
            interaction = form.cleaned_data["interaction"]
            result = run_routing(routing, interaction, form.cleaned_data["variables"])
            self.run = describe_run(result, interaction)
            count = len(result.checkpoints)
            summary = (
                f"Test run of “{routing}” on interaction #{interaction.pk}: "
                f"{count} checkpoint{'s' if count != 1 else ''} attached."
            )
            if result.stopped is None:
                messages.success(request, summary)
            else:
                messages.warning(request, f"{summary} {result.stopped.detail}")
            form = RunForm(
                initial={
                    "interaction": interaction.pk,
                    "variables": form.cleaned_data["variables"],
                },
                user=request.user,
                routing=routing,
            )
        else:
            messages.error(request, "Please correct the errors below.")
        self.run_form = form
        return super().get(request, pk)
