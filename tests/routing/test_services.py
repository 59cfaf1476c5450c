"""routing.services: routings with their whole tree, node-by-node edits, and the action
resolver the interactions API uses to record which Smart Routing action set a checkpoint."""

import pytest
from django.core.exceptions import ValidationError

from interactions.services import ActionRecord
from routing import services
from routing.models import Node, SmartRouting
from routing.tree import read_tree

pytestmark = pytest.mark.django_db

TREE = {
    "kind": "start",
    "branches": {
        "next": {
            "kind": "add_checkpoint",
            "label": "Opt-in",
            "reference_code": "optin_{{ lang }}",
            "branches": {"ok": {"kind": "end"}},
        }
    },
}


def message_dict(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# --- Routings --------------------------------------------------------------------------------


def test_create_without_a_tree_gives_a_lone_start():
    routing = services.create_routing(name="  Voice  ", channel="voice", description=" Main ")
    assert (routing.name, routing.description) == ("Voice", "Main")
    [start] = routing.nodes.all()
    assert (start.kind, start.label, start.parent_id) == ("start", "Start", None)


def test_create_with_a_tree():
    routing = services.create_routing(name="R", channel="email", tree=TREE)
    assert [node.kind for node in routing.nodes.order_by("id")] == [
        "start",
        "add_checkpoint",
        "end",
    ]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": "", "channel": "voice"}, "name"),
        ({"name": "   ", "channel": "voice"}, "name"),
        ({"name": "x" * 101, "channel": "voice"}, "name"),
        ({"name": "R", "channel": "fax"}, "channel"),
    ],
)
def test_create_refuses_bad_fields(fields, bad):
    with pytest.raises(ValidationError) as caught:
        services.create_routing(**fields, tree=TREE)
    assert bad in message_dict(caught.value)
    assert not SmartRouting.objects.exists()


def test_create_refuses_an_invalid_tree_and_saves_nothing():
    with pytest.raises(ValidationError) as caught:
        services.create_routing(name="R", channel="voice", tree={"kind": "end"})
    assert message_dict(caught.value) == {"tree": ["tree: the root must be a start"]}
    assert not SmartRouting.objects.exists()
    assert not Node.objects.exists()


def test_update_changes_only_what_is_given():
    routing = services.create_routing(name="R", channel="voice", description="D", tree=TREE)
    before = read_tree(routing)
    services.update_routing(routing, name=" New ")
    routing.refresh_from_db()
    assert (routing.name, routing.channel, routing.description) == ("New", "voice", "D")
    assert read_tree(routing) == before


def test_update_with_a_tree_replaces_it_keeping_the_ids_sent_back():
    routing = services.create_routing(name="R", channel="voice", tree=TREE)
    tree = read_tree(routing)
    tree["branches"]["next"]["branches"] = {"reference_not_found": {"kind": "end", "label": "X"}}
    services.update_routing(routing, tree=tree)
    again = read_tree(routing)
    assert again["id"] == tree["id"]
    assert again["branches"]["next"]["id"] == tree["branches"]["next"]["id"]
    assert set(again["branches"]["next"]["branches"]) == {"reference_not_found"}
    assert routing.nodes.count() == 3


def test_update_with_an_invalid_tree_changes_nothing():
    routing = services.create_routing(name="R", channel="voice", tree=TREE)
    before = read_tree(routing)
    with pytest.raises(ValidationError) as caught:
        services.update_routing(routing, name="Renamed", tree={"kind": "start", "branches": 3})
    assert list(message_dict(caught.value)) == ["tree"]
    assert SmartRouting.objects.get().name == "R"
    assert read_tree(routing) == before


def test_delete_routing_deletes_its_nodes():
    routing = services.create_routing(name="R", channel="voice", tree=TREE)
    services.delete_routing(routing)
    assert not SmartRouting.objects.exists() and not Node.objects.exists()


# --- Node by node ----------------------------------------------------------------------------


@pytest.fixture
def start(db) -> Node:
    return services.create_routing(name="R", channel="voice").nodes.get()


def test_add_node_hangs_it_under_an_outcome(start, checkpoint):
    action = services.add_node(
        start, outcome=" next ", kind="add_checkpoint", checkpoint=checkpoint, label="Known"
    )
    assert (action.parent, action.outcome, action.routing_id) == (start, "next", start.routing_id)
    end = services.add_node(action, outcome="reference_not_found", kind="end")
    assert end.parent == action


@pytest.mark.parametrize(
    ("outcome", "kind", "fields", "bad"),
    [
        ("ok", "end", {}, "outcome"),
        ("next", "start", {}, "kind"),
        ("next", "switch", {"variable": ""}, "variable"),
        ("next", "set_variable", {"variable": "x", "value": "{% if %}"}, "value"),
        ("next", "add_checkpoint", {}, "checkpoint"),
        ("next", "add_checkpoint", {"reference_code": "{{ a|nope }}"}, "reference_code"),
        ("next", "goto", {}, "kind"),
    ],
)
def test_add_node_refuses_broken_rules(start, outcome, kind, fields, bad):
    with pytest.raises(ValidationError) as caught:
        services.add_node(start, outcome=outcome, kind=kind, **fields)
    assert bad in message_dict(caught.value)
    assert start.routing.nodes.count() == 1


def test_an_outcome_is_wired_once(start):
    services.add_node(start, outcome="next", kind="end")
    with pytest.raises(ValidationError) as caught:
        services.add_node(start, outcome="next", kind="end")
    assert message_dict(caught.value) == {
        "outcome": ["This outcome is already wired to another node."]
    }


def test_no_branch_under_an_end(start):
    end = services.add_node(start, outcome="next", kind="end")
    with pytest.raises(ValidationError) as caught:
        services.add_node(end, outcome="next", kind="end")
    assert message_dict(caught.value) == {"outcome": ["An end has no branches."]}


def test_update_node_clears_checkpoint_fields_of_other_kinds(start, checkpoint):
    node = services.add_node(start, outcome="next", kind="add_checkpoint", checkpoint=checkpoint)
    services.update_node(node, kind="end", label="Close")
    node.refresh_from_db()
    assert (node.kind, node.label, node.checkpoint_id, node.reference_code) == (
        "end",
        "Close",
        None,
        "",
    )


def test_delete_node_deletes_its_subtree_but_not_the_start(start):
    switch = services.add_node(start, outcome="next", kind="switch", variable="lang")
    for value in ("fr", "en", "default"):
        services.add_node(switch, outcome=value, kind="end")
    assert services.subtree(switch)[0] == switch
    assert services.delete_node(switch) == 4
    assert list(start.routing.nodes.all()) == [start]
    with pytest.raises(ValidationError):
        services.delete_node(start)


# --- Action resolver -------------------------------------------------------------------------


def test_resolve_action_names_the_routing_and_the_action(django_assert_num_queries):
    routing = services.create_routing(name="Voice FR", channel="voice", tree=TREE)
    action = routing.nodes.get(kind="add_checkpoint")
    unlabelled = routing.nodes.get(kind="end")
    with django_assert_num_queries(1):
        record = services.resolve_action(action.pk)
    assert record == ActionRecord(
        routing_id=routing.pk, routing_name="Voice FR", action_id=action.pk, action_label="Opt-in"
    )
    assert services.resolve_action(unlabelled.pk).action_label == "End"


def test_resolve_action_of_an_unknown_id_is_none():
    assert services.resolve_action(987654) is None
