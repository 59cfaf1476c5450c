"""The runner: each node kind and outcome, attach rules, bad data, limits and query counts."""

import pytest

from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint
from interactions.services import attach_checkpoint, create_interaction
from routing.runner import Stop, run_routing
from routing.services import create_routing
from tests.conftest import new_attach_queries

pytestmark = pytest.mark.django_db


def chain(*nodes: dict) -> dict:
    """A start followed by ``nodes``, each on its parent's first outcome."""
    outcome_of = {"start": "next", "set_variable": "next", "add_checkpoint": "ok"}
    tree = {"kind": "start", "label": "Start", "branches": {}}
    current = tree
    for node in nodes:
        node = {"branches": {}, **node}
        current["branches"][outcome_of[current["kind"]]] = node
        current = node
    return tree


def outcomes(result) -> list[tuple[str, str | None]]:
    return [(step.kind, step.outcome) for step in result.path]


def test_set_variable_then_code_attaches_and_records_the_action(
    optin_checkpoints, voice_interaction
):
    routing = create_routing(
        name="IVR",
        channel="voice",
        tree=chain(
            {"kind": "set_variable", "variable": "lang", "value": "{{ lang|lower }}"},
            {
                "kind": "add_checkpoint",
                "label": "Opt-in by language",
                "reference_code": "optin_{{ lang }}",
            },
            {"kind": "end", "label": "Transfer"},
        ),
    )
    result = run_routing(routing, voice_interaction, {"lang": "EN"})
    assert outcomes(result) == [
        ("start", "next"),
        ("set_variable", "next"),
        ("add_checkpoint", "ok"),
        ("end", None),
    ]
    attached = InteractionCheckpoint.objects.get()
    assert attached.reference == "optin_en"
    assert (attached.routing_id, attached.routing_name) == (routing.pk, "IVR")
    assert attached.action_label == "Opt-in by language"
    assert attached.action_id == result.path[2].node_id
    assert result.checkpoints == [attached]
    assert result.end == result.path[-1].node_id


def test_switch_takes_the_value_branch_or_default(optin_checkpoints, voice_interaction):
    tree = {
        "kind": "start",
        "branches": {
            "next": {
                "kind": "switch",
                "variable": "lang",
                "branches": {
                    "fr": {"kind": "add_checkpoint", "checkpoint": optin_checkpoints["fr"].pk},
                    "default": {"kind": "end", "label": "Other"},
                },
            }
        },
    }
    routing = create_routing(name="Split", channel="voice", tree=tree)
    assert outcomes(run_routing(routing, voice_interaction))[1] == ("switch", "fr")
    assert outcomes(run_routing(routing, voice_interaction, {"lang": "de"}))[1:] == [
        ("switch", "default"),
        ("end", None),
    ]


def test_already_attached_answers_ok(optin_checkpoints, voice_interaction):
    routing = create_routing(
        name="R",
        channel="voice",
        tree=chain({"kind": "add_checkpoint", "checkpoint": optin_checkpoints["fr"].pk}),
    )
    first = run_routing(routing, voice_interaction)
    second = run_routing(routing, voice_interaction)
    assert outcomes(second)[-1] == ("add_checkpoint", "ok")
    assert second.checkpoints == first.checkpoints
    assert InteractionCheckpoint.objects.count() == 1


def test_deleted_checkpoint_takes_reference_not_found(optin_checkpoints, voice_interaction):
    tree = chain({"kind": "add_checkpoint", "checkpoint": optin_checkpoints["fr"].pk})
    tree["branches"]["next"]["branches"]["reference_not_found"] = {"kind": "end", "label": "Lost"}
    routing = create_routing(name="R", channel="voice", tree=tree)
    optin_checkpoints["fr"].delete()
    result = run_routing(routing, voice_interaction)
    assert outcomes(result)[-2:] == [("add_checkpoint", "reference_not_found"), ("end", None)]
    assert result.checkpoints == []


@pytest.mark.parametrize(
    "code",
    [
        "optin_{{ missing }}",
        "{{ missing }}",
        "   ",
        "optin_{{ lang|date:'Y' }}",
        "optin_zz",
        "optin_{% if %}",
        "{% include 'base.html' %}",
    ],
)
def test_codes_that_render_to_nothing_or_unknown_take_reference_not_found(
    optin_checkpoints, voice_interaction, code
):
    routing = create_routing(name="R", channel="voice", tree=chain())
    node = routing.nodes.get()
    # Stored directly: a code that validation would refuse must still never crash a run.
    node_child = routing.nodes.create(
        parent=node, outcome="next", kind="add_checkpoint", reference_code=code
    )
    result = run_routing(routing, voice_interaction)
    assert (result.path[-1].node_id, result.path[-1].outcome) == (
        node_child.pk,
        "reference_not_found",
    )


def test_unwired_outcome_ends_the_run(optin_checkpoints, voice_interaction):
    routing = create_routing(
        name="R", channel="voice", tree=chain({"kind": "add_checkpoint", "reference_code": "nope"})
    )
    result = run_routing(routing, voice_interaction)
    assert outcomes(result) == [("start", "next"), ("add_checkpoint", "reference_not_found")]
    assert result.end == result.path[-1].node_id


def test_step_limit_stops_a_runaway_run(voice_interaction):
    routing = create_routing(
        name="Long",
        channel="voice",
        tree=chain(*({"kind": "set_variable", "variable": "x", "value": "1"} for _ in range(20))),
    )
    node_ids = sorted(routing.nodes.values_list("pk", flat=True))
    result = run_routing(routing, voice_interaction, max_steps=5)
    assert len(result.path) == 5
    assert result.stopped == Stop(
        "step_limit", "The run stopped after 5 steps, the most a run may take.", node_ids[5]
    )
    assert result.end == node_ids[4]


@pytest.mark.parametrize("size", [10, 120])
def test_query_count_is_one_load_plus_a_fixed_cost_per_attach(
    voice_interaction, django_assert_num_queries, size
):
    """The tree loads in one query whatever its size; each new attach has a fixed cost."""
    checkpoints = Checkpoint.objects.bulk_create(
        Checkpoint(name=f"C{index}", reference=f"c{index}", alias=f"a{index}") for index in range(3)
    )
    filler = [{"kind": "set_variable", "variable": "x", "value": "{{ x }}1"}] * (size - 5)
    routing = create_routing(
        name="Big",
        channel="voice",
        tree=chain(
            *filler,
            *(
                {"kind": "add_checkpoint", "checkpoint": checkpoint.pk}
                for checkpoint in checkpoints
            ),
            {"kind": "end"},
        ),
    )
    assert routing.nodes.count() == size
    with django_assert_num_queries(1 + 3 * new_attach_queries()):
        result = run_routing(routing, voice_interaction)
    assert len(result.checkpoints) == 3


def test_attach_by_api_then_by_routing_keeps_the_first(optin_checkpoints, voice_interaction):
    first = attach_checkpoint(voice_interaction.pk, reference="optin_fr").attachment
    routing = create_routing(
        name="R",
        channel="voice",
        tree=chain({"kind": "add_checkpoint", "reference_code": "optin_fr"}),
    )
    assert run_routing(routing, voice_interaction).checkpoints == [first]


def test_other_interaction_variables_do_not_leak(optin_checkpoints):
    email = create_interaction(channel="email", variables={"lang": "en"})
    routing = create_routing(
        name="R",
        channel="email",
        tree=chain({"kind": "add_checkpoint", "reference_code": "optin_{{ lang }}"}),
    )
    assert run_routing(routing, email).checkpoints[0].reference == "optin_en"
