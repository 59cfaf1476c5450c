"""The runner: executes a Smart Routing tree for one interaction.

It loads the whole tree in one query, renders values and reference codes with the routing
template engine over the interaction's variables plus the run's, attaches checkpoints through
the interactions attach service (recording the routing and the action), follows outcomes and
stops at an end or an unwired outcome. Bad data never crashes a run: a code that cannot be
rendered, renders to nothing, to what cannot be a reference or past the bound of a value takes
``reference_not_found`` (without a query).

The work of a run is bounded (``routing.limits``): a set_variable whose value passes the bound
of a value or brings all the variables past theirs, the step limit and the time limit (checked
between steps) end the run with ``stopped``, a reason and a sentence.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from interactions.models import Interaction, InteractionCheckpoint
from interactions.services import OK, REFERENCE_NOT_FOUND, ActionRecord, attach_checkpoint
from routing import limits
from routing.limits import RENDERED_MAX_LENGTH
from routing.models import Node, SmartRouting
from routing.rules import can_be_a_reference
from routing.templating import ValueTooLarge, render_code
from routing.tree import index_branches

VALUE_TOO_LARGE = "value_too_large"
VARIABLES_TOO_LARGE = "variables_too_large"
STEP_LIMIT = "step_limit"
TIME_LIMIT = "time_limit"
STOP_REASONS = (VALUE_TOO_LARGE, VARIABLES_TOO_LARGE, STEP_LIMIT, TIME_LIMIT)


@dataclass(frozen=True)
class Step:
    node_id: int
    kind: str
    label: str
    outcome: str | None


@dataclass(frozen=True)
class Stop:
    """Why a run ended on a bound: ``node_id`` is the set_variable that hit it (the last step,
    its outcome null) or, for the step and time limits, the next node, not run."""

    reason: str
    detail: str
    node_id: int


@dataclass
class RunResult:
    path: list[Step] = field(default_factory=list)
    checkpoints: list[InteractionCheckpoint] = field(default_factory=list)
    end: int | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    stopped: Stop | None = None


def _json_size(value: Any) -> int:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode("utf-8", "surrogatepass"))


def _entry_size(name: str, value: Any) -> int:
    """Bytes of ``"name":value,`` in the variables as compact UTF-8 JSON."""
    return _json_size(name) + _json_size(value) + 2


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
    try:
        reference = render_code(node.reference_code, variables) if node.reference_code else None
    except ValueTooLarge:
        return None
    if not can_be_a_reference(reference):
        return None
    return attach_checkpoint(interaction.pk, reference=reference, action=action)


def _set_variable(node: Node, context: dict[str, Any], size: int) -> tuple[int, Stop | None]:
    """Set the node's variable in ``context``; the variables' new size, or why the run stops."""
    try:
        value = render_code(node.value, context) or ""
    except ValueTooLarge:
        return size, Stop(
            VALUE_TOO_LARGE,
            f"The value of “{node.variable}” passed {RENDERED_MAX_LENGTH:,} characters, "
            "the most a value may have.",
            node.pk,
        )
    new_size = size + _entry_size(node.variable, value)
    if node.variable in context:
        new_size -= _entry_size(node.variable, context[node.variable])
    if new_size > limits.RUN_VARIABLES_MAX_BYTES:
        return size, Stop(
            VARIABLES_TOO_LARGE,
            f"Setting “{node.variable}” would bring the run's variables past "
            f"{limits.RUN_VARIABLES_MAX_BYTES // 1024} KB, the most they may take.",
            node.pk,
        )
    context[node.variable] = value
    return new_size, None


def run_routing(
    routing: SmartRouting,
    interaction: Interaction,
    variables: dict[str, Any] | None = None,
    *,
    max_steps: int | None = None,
    max_seconds: float | None = None,
) -> RunResult:
    """Walk ``routing`` for ``interaction``; one query for the tree, then the attaches.

    ``max_steps`` and ``max_seconds`` default to the bounds of ``routing.limits``."""
    max_steps = limits.MAX_STEPS if max_steps is None else max_steps
    max_seconds = limits.RUN_MAX_SECONDS if max_seconds is None else max_seconds
    deadline = time.monotonic() + max_seconds
    root, branches = index_branches(list(routing.nodes.all()))
    context = {**(interaction.variables or {}), **(variables or {})}
    size = sum(_entry_size(name, value) for name, value in context.items())
    result = RunResult(variables=context)
    node = root
    while node is not None:
        if len(result.path) >= max_steps:
            result.stopped = Stop(
                STEP_LIMIT,
                f"The run stopped after {max_steps:,} steps, the most a run may take.",
                node.pk,
            )
            break
        if time.monotonic() >= deadline:
            result.stopped = Stop(
                TIME_LIMIT,
                f"The run stopped after {max_seconds:g} seconds, the longest a run may last.",
                node.pk,
            )
            break
        outcome: str | None
        if node.kind == Node.Kind.START:
            outcome = "next"
        elif node.kind == Node.Kind.SET_VARIABLE:
            size, result.stopped = _set_variable(node, context, size)
            outcome = "next" if result.stopped is None else None
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
