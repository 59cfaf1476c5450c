"""The runner: executes a Smart Routing tree for one interaction.

It loads the whole tree in one query, renders values and reference codes with Django's
template engine over the interaction's variables plus the run's, attaches checkpoints through
the interactions attach service (recording the routing and the action), follows outcomes and
stops at an end, an unwired outcome or the step limit. Bad data never crashes a run: a code
that cannot be rendered, renders to nothing or to an unknown reference takes
``reference_not_found``.
"""

from dataclasses import dataclass, field
from typing import Any

from interactions.models import Interaction, InteractionCheckpoint
from interactions.services import OK, REFERENCE_NOT_FOUND, ActionRecord, attach_checkpoint
from routing.models import Node, SmartRouting
from routing.templating import render_code
from routing.tree import index_branches

MAX_STEPS = 1000


@dataclass(frozen=True)
class Step:
    node_id: int
    kind: str
    label: str
    outcome: str | None


@dataclass
class RunResult:
    path: list[Step] = field(default_factory=list)
    checkpoints: list[InteractionCheckpoint] = field(default_factory=list)
    end: int | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    stopped_by_step_limit: bool = False


def _add_checkpoint(
    node: Node, routing: SmartRouting, interaction: Interaction, variables: dict[str, Any]
):
    action = ActionRecord(
        routing_id=routing.pk,
        routing_name=routing.name,
        action_id=node.pk,
        action_label=node.display_label,
    )
    if node.checkpoint_id is not None:
        return attach_checkpoint(interaction.pk, checkpoint_id=node.checkpoint_id, action=action)
    reference = render_code(node.reference_code, variables) if node.reference_code else None
    if not reference:
        return None
    return attach_checkpoint(interaction.pk, reference=reference, action=action)


def run_routing(
    routing: SmartRouting,
    interaction: Interaction,
    variables: dict[str, Any] | None = None,
    *,
    max_steps: int = MAX_STEPS,
) -> RunResult:
    """Walk ``routing`` for ``interaction``; one query for the tree, then the attaches."""
    root, branches = index_branches(list(routing.nodes.all()))
    context = {**(interaction.variables or {}), **(variables or {})}
    result = RunResult(variables=context)
    node = root
    while node is not None:
        if len(result.path) >= max_steps:
            result.stopped_by_step_limit = True
            break
        outcome: str | None
        if node.kind == Node.Kind.START or node.kind == Node.Kind.SET_VARIABLE:
            if node.kind == Node.Kind.SET_VARIABLE:
                context[node.variable] = render_code(node.value, context) or ""
            outcome = "next"
        elif node.kind == Node.Kind.SWITCH:
            value = context.get(node.variable)
            value = "" if value is None else str(value)
            outcome = value if value in branches.get(node.pk, {}) else "default"
        elif node.kind == Node.Kind.ADD_CHECKPOINT:
            attached = _add_checkpoint(node, routing, interaction, context)
            if attached is not None and attached.outcome == OK:
                outcome = OK
                result.checkpoints.append(attached.attachment)
            else:
                outcome = REFERENCE_NOT_FOUND
        else:
            outcome = None
        result.path.append(Step(node.pk, node.kind, node.display_label, outcome))
        result.end = node.pk
        node = branches.get(node.pk, {}).get(outcome) if outcome is not None else None
    return result
