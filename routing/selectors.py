"""Smart Routing reads shared by pages and the API: lists, one routing whole, where-used, the
checkpoint a rendered reference names and the interactions a run may use."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from checkpoint_maker.permissions import restrict_to_permitted
from checkpoint_maker.validators import MAX_ID
from checkpoints.models import Checkpoint
from interactions.models import Interaction
from routing.models import Node, SmartRouting
from routing.rules import can_be_a_reference

TEMPLATE_PART = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def search_routings(queryset: QuerySet[SmartRouting], text: str) -> QuerySet[SmartRouting]:
    text = text.strip()
    return queryset.filter(Q(name__icontains=text)) if text else queryset


def routing_with_tree(pk: int) -> SmartRouting | None:
    """A routing and its whole tree from one statement (its nodes joined with it), so a
    concurrent delete or tree replacement shows entirely or not at all: the nodes are on
    ``tree_nodes`` (what the API's TreeField reads). None when there is no such routing: a
    routing always has its start node."""
    if not 0 < pk <= MAX_ID:
        return None
    nodes = list(Node.objects.select_related("routing").filter(routing_id=pk).order_by("id"))
    if not nodes:
        return None
    routing = nodes[0].routing
    routing.tree_nodes = nodes
    return routing


def code_may_render_to(code: str, reference: str) -> bool:
    """Whether a reference code contains ``reference`` or, with its template parts filled in,
    could render to it (``optin_{{ lang }}`` may render to ``optin_fr``)."""
    if reference in code:
        return True
    literal_parts = TEMPLATE_PART.split(code)
    if len(literal_parts) == 1:
        return False
    pattern = ".*".join(
        re.escape(part.strip() if index in (0, len(literal_parts) - 1) else part)
        for index, part in enumerate(literal_parts)
    )
    return re.fullmatch(pattern, reference) is not None


def actions_using(checkpoints: Iterable[Checkpoint]) -> dict[int, list[Node]]:
    """For each checkpoint id, the add_checkpoint actions that use it: chosen directly, or by
    a reference code that contains or may render to its reference. Two queries."""
    checkpoints = list(checkpoints)
    found: dict[int, list[Node]] = {checkpoint.pk: [] for checkpoint in checkpoints}
    if not checkpoints:
        return found
    actions = Node.objects.filter(kind=Node.Kind.ADD_CHECKPOINT).select_related("routing")
    for node in actions.filter(checkpoint__in=checkpoints):
        found[node.checkpoint_id].append(node)
    for node in actions.exclude(reference_code=""):
        for checkpoint in checkpoints:
            if code_may_render_to(node.reference_code, checkpoint.reference):
                found[checkpoint.pk].append(node)
    return found


def codes_using_reference(reference: str) -> list[Node]:
    """Actions whose reference code contains or may render to ``reference``."""
    actions = Node.objects.filter(kind=Node.Kind.ADD_CHECKPOINT).exclude(reference_code="")
    return [
        node
        for node in actions.select_related("routing")
        if code_may_render_to(node.reference_code, reference)
    ]


def checkpoint_with_reference(reference: str | None) -> Checkpoint | None:
    """The checkpoint whose reference is ``reference`` (a rendered reference code), or None:
    no query when the text cannot be a reference at all."""
    if not can_be_a_reference(reference):
        return None
    return Checkpoint.objects.filter(reference=reference).first()


def variables_set_by(routing: SmartRouting) -> set[str]:
    """Names of the variables the routing's set_variable nodes set. One query."""
    nodes = Node.objects.filter(routing=routing, kind=Node.Kind.SET_VARIABLE)
    return set(nodes.values_list("variable", flat=True))


# The run's interaction, one rule for the Test run page and the run API: an interaction of the
# routing's channel that the user may read (role-wide or on that interaction).


def runnable_interactions(user, routing: SmartRouting) -> QuerySet[Interaction]:
    """The interactions a run of ``routing`` by ``user`` may use, newest first."""
    readable = restrict_to_permitted(user, "view", Interaction.objects.all())
    return readable.filter(channel=routing.channel).order_by("-started_at", "-id")


def run_interaction(user, routing: SmartRouting, interaction_id: int) -> Interaction:
    """The interaction ``interaction_id`` if a run of ``routing`` by ``user`` may use it (one
    query), else a ValidationError: one the user may not read is told as unknown."""
    readable = restrict_to_permitted(user, "view", Interaction.objects.filter(pk=interaction_id))
    interaction = readable.first()
    if interaction is None:
        raise ValidationError(f"No interaction with id {interaction_id}.", code="does_not_exist")
    if interaction.channel != routing.channel:
        raise ValidationError(
            f"Interaction {interaction_id} is on the {interaction.get_channel_display()} "
            f"channel: this routing runs on {routing.get_channel_display()} interactions only.",
            code="other_channel",
        )
    return interaction


def routing_choices() -> list[tuple[int, str]]:
    """Every routing as ``(id, name)``, by name: the statistics pages' routing select (one
    query)."""
    return list(SmartRouting.objects.order_by("name", "pk").values_list("pk", "name"))
