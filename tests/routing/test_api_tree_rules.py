"""Smart Routing API: the tree validation rules, each refused tree a 400 naming its path."""

import pytest

from routing.models import Node, SmartRouting
from routing.tree import read_tree
from tests.routing.api_helpers import (
    LIST,
    one,
    wrap,
)

pytestmark = pytest.mark.django_db


# --- Invalid trees ---------------------------------------------------------------------------

UNKNOWN_CHECKPOINT = 987654
EXISTING = "<id of an existing checkpoint>"


def with_existing(tree, checkpoint_id: int):
    """``tree`` with EXISTING replaced by ``checkpoint_id``."""
    if tree == EXISTING:
        return checkpoint_id
    if isinstance(tree, dict):
        return {key: with_existing(value, checkpoint_id) for key, value in tree.items()}
    return tree


INVALID_TREES = {
    "root not start": (
        {"kind": "end"},
        ["tree: the root must be a start"],
    ),
    "root set_variable": (
        {"kind": "set_variable", "variable": "x", "value": "1"},
        ["tree: the root must be a start"],
    ),
    "start below the root": (
        wrap({"kind": "start"}),
        ["tree.branches.next: a start may only be the root"],
    ),
    "unknown kind": (
        wrap({"kind": "goto"}),
        ["tree.branches.next: unknown kind 'goto'"],
    ),
    "missing kind": (
        wrap({"label": "No kind"}),
        ["tree.branches.next: unknown kind None"],
    ),
    "kind not a string": (
        wrap({"kind": ["end"]}),
        ["tree.branches.next: unknown kind ['end']"],
    ),
    "bad branch key of start": (
        {"kind": "start", "branches": {"ok": {"kind": "end"}}},
        ["tree.branches.ok: 'ok' is not an outcome of start"],
    ),
    "bad branch key of set_variable": (
        wrap({"kind": "set_variable", "variable": "x", "branches": {"default": {"kind": "end"}}}),
        ["tree.branches.next.branches.default: 'default' is not an outcome of set_variable"],
    ),
    "bad branch key of add_checkpoint": (
        wrap({"kind": "add_checkpoint", "reference_code": "a", "branches": {"next": {}}}),
        ["tree.branches.next.branches.next: 'next' is not an outcome of add_checkpoint"],
    ),
    "blank switch value": (
        wrap({"kind": "switch", "variable": "x", "branches": {" ": {"kind": "end"}}}),
        ["tree.branches.next.branches. : a switch value must have 1 to 100 characters"],
    ),
    "branch under end": (
        wrap({"kind": "end", "branches": {"next": {"kind": "end"}}}),
        ["tree.branches.next.branches.next: an end has no branches"],
    ),
    "branches not an object": (
        {"kind": "start", "branches": [{"kind": "end"}]},
        ["tree.branches: must be an object of outcome: node"],
    ),
    "add_checkpoint with both": (
        wrap({"kind": "add_checkpoint", "checkpoint": EXISTING, "reference_code": "optin_fr"}),
        ["tree.branches.next: an add_checkpoint needs exactly one of"],
    ),
    "add_checkpoint with neither": (
        wrap({"kind": "add_checkpoint", "reference_code": "   "}),
        ["tree.branches.next: an add_checkpoint needs exactly one of"],
    ),
    "unknown checkpoint id": (
        wrap({"kind": "add_checkpoint", "checkpoint": UNKNOWN_CHECKPOINT}),
        [f"tree.branches.next.checkpoint: no checkpoint with id {UNKNOWN_CHECKPOINT}"],
    ),
    "checkpoint id not a number": (
        wrap({"kind": "add_checkpoint", "checkpoint": "12"}),
        [
            "tree.branches.next.checkpoint: must be a checkpoint id",
            "tree.branches.next: an add_checkpoint needs exactly one of",
        ],
    ),
    "template syntax error in value": (
        wrap({"kind": "set_variable", "variable": "x", "value": "{% if %}"}),
        ["tree.branches.next.value: invalid template syntax"],
    ),
    "unclosed tag in value": (
        wrap({"kind": "set_variable", "variable": "x", "value": "{% for a in b %}"}),
        ["tree.branches.next.value: invalid template syntax"],
    ),
    "template syntax error in reference_code": (
        wrap({"kind": "add_checkpoint", "reference_code": "optin_{{ lang|nosuchfilter }}"}),
        ["tree.branches.next.reference_code: invalid template syntax"],
    ),
    "non-object node": (
        wrap("end"),
        ["tree.branches.next: a node must be an object"],
    ),
    "non-object root": (
        ["start"],
        ["tree: a node must be an object"],
    ),
    "bad variable name": (
        wrap({"kind": "switch", "variable": "1lang"}),
        ["tree.branches.next.variable: a variable name is required"],
    ),
    "label not a string": (
        wrap({"kind": "end", "label": 5}),
        ["tree.branches.next.label: must be a string"],
    ),
    "deep path": (
        wrap(
            {
                "kind": "add_checkpoint",
                "reference_code": "x",
                "branches": {"ok": {"kind": "end", "branches": {"again": {"kind": "end"}}}},
            }
        ),
        ["tree.branches.next.branches.ok.branches.again: an end has no branches"],
    ),
    "every error at once": (
        {
            "kind": "end",
            "branches": {"next": {"kind": "goto"}},
        },
        ["tree: the root must be a start", "tree.branches.next: an end has no branches"],
    ),
    "switch branches each checked": (
        wrap(
            {
                "kind": "switch",
                "variable": "lang",
                "branches": {
                    "fr": {"kind": "add_checkpoint"},
                    "default": {"kind": "set_variable", "variable": "x", "value": "{{ }}"},
                },
            }
        ),
        [
            "tree.branches.next.branches.fr: an add_checkpoint needs exactly one of",
            "tree.branches.next.branches.default.value: invalid template syntax",
        ],
    ),
}


@pytest.mark.parametrize("case", list(INVALID_TREES))
def test_an_invalid_tree_is_a_400_naming_the_path_and_rule(api, checkpoint, case):
    tree, expected = INVALID_TREES[case]
    tree = with_existing(tree, checkpoint.pk)
    response = api.post(LIST, {"name": "Bad", "channel": "voice", "tree": tree}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"tree"}
    assert len(body["tree"]) == len(expected), body
    for message, start in zip(body["tree"], expected, strict=True):
        assert message.startswith(start), (message, start)
    assert not SmartRouting.objects.exists()
    assert not Node.objects.exists()


@pytest.mark.parametrize("case", ["root not start", "unknown checkpoint id", "non-object node"])
def test_an_invalid_tree_on_put_changes_nothing(api, routing, case):
    before = api.get(one(routing.pk)).json()
    tree, expected = INVALID_TREES[case]
    response = api.put(
        one(routing.pk), {"name": "Renamed", "channel": "voice", "tree": tree}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["tree"][0].startswith(expected[0])
    assert api.get(one(routing.pk)).json() == before


def test_an_invalid_tree_on_patch_is_a_400(api, routing):
    stored_tree = read_tree(routing)
    response = api.patch(one(routing.pk), {"tree": wrap("end")}, format="json")
    assert response.status_code == 400
    assert response.json() == {"tree": ["tree.branches.next: a node must be an object"]}
    assert read_tree(routing) == stored_tree


def test_too_deep_a_tree_is_a_400_not_a_crash(api):
    tree = {"kind": "start"}
    current = tree
    for _ in range(210):
        child = {"kind": "set_variable", "variable": "x", "value": "1"}
        current["branches"] = {"next": child}
        current = child
    response = api.post(LIST, {"name": "Deep", "channel": "voice", "tree": tree}, format="json")
    assert response.status_code == 400
    assert "at most 200 nodes deep" in response.json()["tree"][0]
    assert not SmartRouting.objects.exists()
    assert not Node.objects.exists()


def test_a_body_nested_beyond_parsing_is_a_400(api):
    response = api.post(LIST, "[" * 50000, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not SmartRouting.objects.exists()


@pytest.mark.parametrize("payload", ["{not json", '{"name": "A",}'])
def test_malformed_json_is_a_400(api, payload):
    response = api.post(LIST, payload, content_type="application/json")
    assert response.status_code == 400
    assert not SmartRouting.objects.exists()


def test_a_stored_template_is_bounded_in_length(api):
    tree = wrap({"kind": "set_variable", "variable": "x", "value": "x" * 1001})
    response = api.post(LIST, {"name": "Long", "channel": "voice", "tree": tree}, "json")
    assert response.status_code == 400
    assert response.json() == {
        "tree": ["tree.branches.next.value: a value may have at most 1000 characters"]
    }
    assert not SmartRouting.objects.exists()
    assert not Node.objects.exists()
