"""routing.tree: nested JSON to validated NodeSpecs, nodes back to nested JSON, and replacing
a routing's nodes (keeping the ids sent back)."""

import pytest

from routing.models import Node, SmartRouting
from routing.tree import (
    MAX_DEPTH,
    MAX_NODES,
    TreeError,
    index_branches,
    parse_tree,
    read_tree,
    replace_tree,
)
from tests.routing.api_helpers import switch_tree

pytestmark = pytest.mark.django_db


def errors_of(data) -> list[str]:
    with pytest.raises(TreeError) as caught:
        parse_tree(data)
    return caught.value.errors


def chain_of(count: int, kind: dict) -> dict:
    """A start followed by ``count`` nodes like ``kind``, each on the previous one's next."""
    tree = {"kind": "start"}
    current = tree
    for _ in range(count):
        child = dict(kind)
        current["branches"] = {"next": child}
        current = child
    return tree


SAMPLE = {
    "kind": "start",
    "label": " Start ",
    "branches": {
        "next": {
            "kind": "switch",
            "variable": "lang",
            "branches": {
                "fr": {"kind": "add_checkpoint", "reference_code": " optin_fr "},
                "default": {
                    "kind": "set_variable",
                    "variable": "lang",
                    "value": " {{ x }} ",
                    "branches": {"next": {"kind": "end", "label": "Bye"}},
                },
            },
        }
    },
}


def test_parse_gives_specs_in_preorder_with_parents_and_outcomes():
    specs = parse_tree(SAMPLE)
    assert [(spec.kind, spec.parent_index, spec.outcome) for spec in specs] == [
        ("start", None, ""),
        ("switch", 0, "next"),
        ("add_checkpoint", 1, "fr"),
        ("set_variable", 1, "default"),
        ("end", 3, "next"),
    ]
    assert [spec.path for spec in specs] == [
        "tree",
        "tree.branches.next",
        "tree.branches.next.branches.fr",
        "tree.branches.next.branches.default",
        "tree.branches.next.branches.default.branches.next",
    ]
    assert specs[1].children == [2, 3]


def test_parse_trims_fields_but_keeps_a_values_spaces():
    specs = parse_tree(SAMPLE)
    assert specs[0].label == "Start"
    assert specs[2].reference_code == "optin_fr"
    assert specs[3].value == " {{ x }} "


def test_parse_uses_the_path_it_is_given():
    with pytest.raises(TreeError) as caught:
        parse_tree({"kind": "end"}, path="body.tree")
    assert caught.value.errors == ["body.tree: the root must be a start"]


def test_null_fields_are_empty_and_missing_branches_are_none():
    [spec] = parse_tree({"kind": "start", "label": None, "branches": None})
    assert spec.label == "" and spec.children == []


def test_fields_a_kind_does_not_use_are_not_kept(checkpoint):
    specs = parse_tree(
        {
            "kind": "start",
            "variable": "x",
            "value": "v",
            "reference_code": "code",
            "checkpoint": checkpoint.pk,
            "branches": {
                "next": {
                    "kind": "switch",
                    "variable": "lang",
                    "value": "kept?",
                    "branches": {"default": {"kind": "end", "reference_code": "c"}},
                }
            },
        }
    )
    start, switch, end = specs
    assert (start.variable, start.value, start.reference_code, start.checkpoint_id) == (
        "",
        "",
        "",
        None,
    )
    assert (switch.variable, switch.value) == ("lang", "")
    assert end.reference_code == ""


def test_every_error_is_reported_with_its_path():
    errors = errors_of(
        {
            "kind": "set_variable",
            "variable": "1x",
            "branches": {
                "next": {"kind": "add_checkpoint", "label": "x" * 201},
                "other": {"kind": "end"},
            },
        }
    )
    assert errors == [
        "tree: the root must be a start",
        "tree.variable: a variable name is required: letters, digits and _, not starting with "
        "a digit",
        "tree.branches.next.label: a label may have at most 200 characters",
        "tree.branches.next: an add_checkpoint needs exactly one of a checkpoint or a "
        "reference code",
        "tree.branches.other: 'other' is not an outcome of set_variable (expected next)",
    ]


@pytest.mark.parametrize(
    ("node", "error"),
    [
        ({"kind": "end", "id": "3"}, "tree.branches.next.id: must be a node id"),
        ({"kind": "end", "id": True}, "tree.branches.next.id: must be a node id"),
        (
            {"kind": "add_checkpoint", "checkpoint": True},
            "tree.branches.next.checkpoint: must be a checkpoint id",
        ),
        ({"kind": "switch", "variable": 3}, "tree.branches.next.variable: must be a string"),
        (
            {"kind": "add_checkpoint", "reference_code": "x" * 501},
            "tree.branches.next.reference_code: a reference code may have at most 500 characters",
        ),
        (
            {"kind": "switch", "variable": "x", "branches": {"x" * 101: {"kind": "end"}}},
            f"tree.branches.next.branches.{'x' * 101}: a switch value must have 1 to 100 "
            "characters",
        ),
    ],
)
def test_field_type_and_length_rules(node, error):
    assert error in errors_of({"kind": "start", "branches": {"next": node}})


def test_template_errors_name_the_field_and_the_syntax_problem():
    [error] = errors_of(
        {
            "kind": "start",
            "branches": {"next": {"kind": "add_checkpoint", "reference_code": "{% bogus %}"}},
        }
    )
    assert error.startswith("tree.branches.next.reference_code: invalid template syntax: ")
    assert "bogus" in error


def test_unknown_checkpoints_are_checked_in_one_query(checkpoint, django_assert_num_queries):
    tree = switch_tree(
        "x",
        {
            str(index): {"kind": "add_checkpoint", "checkpoint": checkpoint.pk + index}
            for index in range(5)
        },
    )
    with django_assert_num_queries(1), pytest.raises(TreeError) as caught:
        parse_tree(tree)
    assert len(caught.value.errors) == 4
    assert all(": no checkpoint with id " in error for error in caught.value.errors)


def test_a_tree_without_checkpoints_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        parse_tree(SAMPLE)


def test_a_node_id_given_twice_is_refused():
    tree = {"kind": "start", "id": 4, "branches": {"next": {"kind": "end", "id": 4}}}
    assert errors_of(tree) == ["tree: a node id appears more than once"]


def test_depth_limit():
    deep = chain_of(MAX_DEPTH + 5, {"kind": "set_variable", "variable": "x", "value": "1"})
    errors = errors_of(deep)
    assert len(errors) == 1
    assert errors[0].endswith(f"a tree may be at most {MAX_DEPTH} nodes deep")
    assert errors[0].count(".branches.next") == MAX_DEPTH + 1


def test_depth_limit_allows_the_maximum():
    tree = chain_of(MAX_DEPTH, {"kind": "set_variable", "variable": "x", "value": "1"})
    assert len(parse_tree(tree)) == MAX_DEPTH + 1


def test_size_limit_is_reported_once():
    wide = {
        "kind": "start",
        "branches": {
            "next": {
                "kind": "switch",
                "variable": "x",
                "branches": {str(index): {"kind": "end"} for index in range(MAX_NODES + 10)},
            }
        },
    }
    assert errors_of(wide) == [f"tree: a tree may have at most {MAX_NODES} nodes"]


# --- Reading and replacing -------------------------------------------------------------------


@pytest.fixture
def routing(db) -> SmartRouting:
    return SmartRouting.objects.create(name="R", channel="voice")


def test_replace_then_read_round_trips(routing, checkpoint):
    tree = {
        "kind": "start",
        "label": "In",
        "branches": {
            "next": {
                "kind": "add_checkpoint",
                "label": "Known",
                "checkpoint": checkpoint.pk,
                "branches": {"ok": {"kind": "end", "label": "Out"}},
            }
        },
    }
    replace_tree(routing, parse_tree(tree))
    read = read_tree(routing)
    start = routing.nodes.get(parent=None)
    action = start.children.get()
    end = action.children.get()
    assert read == {
        "id": start.pk,
        "kind": "start",
        "label": "In",
        "branches": {
            "next": {
                "id": action.pk,
                "kind": "add_checkpoint",
                "label": "Known",
                "checkpoint": checkpoint.pk,
                "reference_code": "",
                "branches": {"ok": {"id": end.pk, "kind": "end", "label": "Out", "branches": {}}},
            }
        },
    }
    assert (action.outcome, end.outcome) == ("next", "ok")


def test_replace_keeps_own_ids_and_ignores_foreign_ones(routing):
    other = SmartRouting.objects.create(name="Other", channel="voice")
    replace_tree(other, parse_tree({"kind": "start"}))
    foreign = other.nodes.get().pk
    replace_tree(routing, parse_tree({"kind": "start", "branches": {"next": {"kind": "end"}}}))
    tree = read_tree(routing)
    start_id, end_id = tree["id"], tree["branches"]["next"]["id"]

    tree["branches"]["next"] = {
        "kind": "set_variable",
        "variable": "x",
        "id": foreign,
        "branches": {"next": {"kind": "end", "id": end_id}},
    }
    replace_tree(routing, parse_tree(tree))
    again = read_tree(routing)
    assert again["id"] == start_id
    middle = again["branches"]["next"]
    assert middle["id"] not in (foreign, start_id, end_id)
    assert middle["branches"]["next"]["id"] == end_id
    assert other.nodes.get().pk == foreign
    assert routing.nodes.count() == 3


def test_replace_is_all_or_nothing(routing, monkeypatch):
    replace_tree(routing, parse_tree({"kind": "start", "branches": {"next": {"kind": "end"}}}))
    before = read_tree(routing)
    specs = parse_tree({"kind": "start", "branches": {"next": {"kind": "end", "label": "new"}}})
    calls = []
    original = Node.objects.bulk_create

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(Node.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(RuntimeError):
        replace_tree(routing, specs)
    assert read_tree(routing) == before


def test_replace_costs_a_query_per_level_not_per_node(routing, django_assert_max_num_queries):
    wide = switch_tree("x", {str(index): {"kind": "end"} for index in range(300)})
    specs = parse_tree(wide)
    with django_assert_max_num_queries(12):
        replace_tree(routing, specs)
    assert routing.nodes.count() == 302


def test_read_tree_is_one_query_and_none_without_nodes(routing, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert read_tree(routing) is None
    replace_tree(routing, parse_tree(SAMPLE))
    with django_assert_num_queries(1):
        tree = read_tree(routing)
    assert tree["branches"]["next"]["branches"]["default"]["value"] == " {{ x }} "
    nodes = list(routing.nodes.all())
    with django_assert_num_queries(0):
        assert read_tree(routing, nodes) == tree


def test_index_branches_finds_the_root_and_each_outcome(routing):
    replace_tree(routing, parse_tree(SAMPLE))
    root, branches = index_branches(list(routing.nodes.all()))
    assert root.kind == "start"
    switch = branches[root.pk]["next"]
    assert set(branches[switch.pk]) == {"fr", "default"}
