"""The runner: each node kind and outcome, attach rules, bad data, limits and query counts."""

import pytest
from django.core.exceptions import ValidationError

from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint
from interactions.services import attach_checkpoint, create_interaction
from routing.runner import Stop, run_routing
from routing.services import create_routing
from tests.conftest import new_attach_queries
from tests.routing.api_helpers import switch_tree

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
    tree = switch_tree(
        "lang",
        {
            "fr": {"kind": "add_checkpoint", "checkpoint": optin_checkpoints["fr"].pk},
            "default": {"kind": "end", "label": "Other"},
        },
    )
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


# --- Bounds: a runaway tree stops with a reason, bad data takes reference_not_found ----------


def stored_chain(routing, *nodes: dict) -> list:
    """Nodes stored directly under the routing's start (as old or imported data may be),
    each on its parent's first outcome: what validation would refuse still runs safely."""
    outcome_of = {"start": "next", "set_variable": "next", "add_checkpoint": "ok"}
    parent = routing.nodes.get(parent=None)
    created = []
    for fields in nodes:
        parent = routing.nodes.create(parent=parent, outcome=outcome_of[parent.kind], **fields)
        created.append(parent)
    return created


def test_a_doubling_value_stops_the_run_at_the_value_bound(voice_interaction):
    double = {"kind": "set_variable", "variable": "x", "value": "{{ x }}{{ x }}"}
    routing = create_routing(name="Doubling", channel="voice", tree=chain(*[double] * 22))
    node_ids = sorted(routing.nodes.values_list("pk", flat=True))
    result = run_routing(routing, voice_interaction, {"x": "x"})
    # 2**13 = 8,192 characters fit; the 14th doubling (16,384) passes 10,000.
    assert result.stopped == Stop(
        "value_too_large",
        "The value of “x” passed 10,000 characters, the most a value may have.",
        node_ids[14],
    )
    steps = [("start", "next"), *([("set_variable", "next")] * 13), ("set_variable", None)]
    assert outcomes(result) == steps
    assert result.end == node_ids[14]
    assert len(result.variables["x"]) == 2**13


@pytest.mark.parametrize(
    "value",
    [
        "{{ 'x'|ljust:'50000000' }}",
        "{{ 'x'|rjust:'50000000' }}",
        "{{ 'x'|center:'50000000' }}",
        "{{ 1|stringformat:'50000000d' }}",
        "{{ 1|floatformat:'50000000' }}",
        "{{ big|floatformat:2 }}",
        "{{ letters|join:wide }}",
        "{% filter ljust:'50000000' %}x{% endfilter %}",
        "{{ long }}{{ long }}",
    ],
)
def test_a_value_past_the_bound_ends_the_run_with_a_clear_reason(voice_interaction, value):
    routing = create_routing(
        name="Wide",
        channel="voice",
        tree=chain({"kind": "set_variable", "variable": "y", "value": value}, {"kind": "end"}),
    )
    variables = {"big": "1e99999999", "letters": list("a" * 200), "wide": "-" * 100}
    result = run_routing(routing, voice_interaction, {**variables, "long": "l" * 6000})
    assert result.stopped.reason == "value_too_large"
    assert outcomes(result) == [("start", "next"), ("set_variable", None)]
    assert "y" not in result.variables


@pytest.mark.parametrize(("width", "stopped"), [(10_000, False), (10_001, True)])
def test_the_value_bound_is_exact(voice_interaction, width, stopped):
    value = f"{{{{ 'x'|ljust:'{width - 1}' }}}}y"
    routing = create_routing(
        name="Edge",
        channel="voice",
        tree=chain({"kind": "set_variable", "variable": "y", "value": value}),
    )
    result = run_routing(routing, voice_interaction)
    assert (result.stopped is not None) == stopped
    assert len(result.variables.get("y", "")) == (0 if stopped else width)


def test_the_variables_together_are_bounded(voice_interaction):
    copies = [
        {"kind": "set_variable", "variable": f"v{index}", "value": "{{ big }}"}
        for index in range(20)
    ]
    routing = create_routing(name="Copies", channel="voice", tree=chain(*copies))
    result = run_routing(routing, voice_interaction, {"big": "b" * 9000})
    # big and 13 copies of it fit in 128 KB (131,072 bytes), a 14th copy does not.
    assert result.stopped.reason == "variables_too_large"
    assert result.stopped.detail == (
        "Setting “v13” would bring the run's variables past 128 KB, the most they may take."
    )
    assert result.stopped.node_id == result.end == result.path[-1].node_id
    assert result.path[-1].outcome is None
    assert sorted(result.variables) == sorted(["lang", "big", *(f"v{i}" for i in range(13))])


def test_the_time_limit_is_checked_between_steps(voice_interaction):
    routing = create_routing(name="Slow", channel="voice", tree=chain({"kind": "end"}))
    root = routing.nodes.get(parent=None)
    result = run_routing(routing, voice_interaction, max_seconds=0)
    assert result.stopped == Stop(
        "time_limit", "The run stopped after 0 seconds, the longest a run may last.", root.pk
    )
    assert result.path == [] and result.end is None


def test_a_code_past_the_bound_takes_reference_not_found(optin_checkpoints, voice_interaction):
    tree = chain({"kind": "add_checkpoint", "reference_code": "optin_{{ lang|ljust:'20000' }}"})
    tree["branches"]["next"]["branches"]["reference_not_found"] = {
        "kind": "add_checkpoint",
        "reference_code": "optin_{{ lang }}",
    }
    routing = create_routing(name="Wide code", channel="voice", tree=tree)
    result = run_routing(routing, voice_interaction)
    assert outcomes(result)[1:] == [
        ("add_checkpoint", "reference_not_found"),
        ("add_checkpoint", "ok"),
    ]
    assert result.stopped is None
    assert [row.reference for row in result.checkpoints] == ["optin_fr"]


@pytest.mark.parametrize(
    "code", ["\udc80", "host\u0000cp", "optin fr", "é", "a" * 65, "optin_fr\n<b>"]
)
def test_what_cannot_be_a_reference_is_never_looked_up(
    optin_checkpoints, voice_interaction, django_assert_num_queries, code
):
    routing = create_routing(
        name="Codes",
        channel="voice",
        tree=chain({"kind": "add_checkpoint", "reference_code": "{{ code }}"}),
    )
    with django_assert_num_queries(1):  # the tree, nothing else
        result = run_routing(routing, voice_interaction, {"code": code})
    assert outcomes(result)[-1] == ("add_checkpoint", "reference_not_found")
    assert not InteractionCheckpoint.objects.exists()


def test_values_are_not_html_escaped(optin_checkpoints, voice_interaction):
    routing = create_routing(
        name="Text",
        channel="voice",
        tree=chain({"kind": "set_variable", "variable": "who", "value": "{{ name }} & co"}),
    )
    result = run_routing(routing, voice_interaction, {"name": "O'Brien <b>"})
    assert result.variables["who"] == "O'Brien <b> & co"


@pytest.mark.parametrize(
    "code",
    [
        "{% for c in lang %}{{ c }}{% endfor %}",
        "{% cycle 'a' 'b' %}",
        "{% lorem 50000 w %}",
        "{% load static %}",
        "{% widthratio 1 1 50000000 %}",
        "{% debug %}",
        "{% partialdef p %}x{% endpartialdef %}",
    ],
)
def test_tags_outside_the_allowlist_are_refused_and_never_run(voice_interaction, code):
    with pytest.raises(ValidationError) as refused:
        create_routing(
            name="Loops",
            channel="voice",
            tree=chain({"kind": "set_variable", "variable": "x", "value": code}),
        )
    [error] = refused.value.message_dict["tree"]
    assert error.startswith("tree.branches.next.value: invalid template syntax: Invalid block tag")
    routing = create_routing(name="Stored", channel="voice", tree=chain())
    [stored, code_node] = stored_chain(
        routing,
        {"kind": "set_variable", "variable": "x", "value": code},
        {"kind": "add_checkpoint", "reference_code": code},
    )
    result = run_routing(routing, voice_interaction)
    assert [(step.node_id, step.outcome) for step in result.path[1:]] == [
        (stored.pk, "next"),
        (code_node.pk, "reference_not_found"),
    ]
    assert result.variables["x"] == ""


def test_the_allowed_tags_and_filters_still_work(optin_checkpoints, voice_interaction):
    value = (
        "{% with l=lang|lower %}{% if l == 'fr' %}optin_{{ l }}{% else %}other{% endif %}"
        "{% endwith %}{# note #}{% comment %}x{% endcomment %}"
    )
    routing = create_routing(
        name="Tags",
        channel="voice",
        tree=chain(
            {"kind": "set_variable", "variable": "ref", "value": value},
            {"kind": "add_checkpoint", "reference_code": "{% firstof missing ref %}"},
        ),
    )
    result = run_routing(routing, voice_interaction, {"lang": "FR"})
    assert [row.reference for row in result.checkpoints] == ["optin_fr"]
