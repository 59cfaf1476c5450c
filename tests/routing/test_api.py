"""Smart Routing API against API.md (Smart Routings): the nested tree and its validation, PUT
keeping node ids, the run endpoint on every channel, rights per routing, the licence and fixed
query counts."""

import copy
import re

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing.models import Node, SmartRouting
from routing.services import create_routing
from routing.tree import read_tree
from tests.conftest import make_user, new_attach_queries

pytestmark = pytest.mark.django_db

LIST = "/api/v1/routings/"
LICENCE_BODY = {"detail": "Checkpoints are part of the Smart licence"}
ROUTING_FIELDS = {"id", "name", "channel", "description", "tree"}
ATTACHED_FIELDS = {
    "id",
    "checkpoint_id",
    "name",
    "reference",
    "alias",
    "attached_at",
    "routing_id",
    "action_id",
    "action_label",
}
TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
ATTACH = "interactions.add_interactioncheckpoint"
READ_INTERACTIONS = "interactions.view_interaction"
ROUTING_RIGHTS = [
    f"routing.{action}_smartrouting" for action in ("view", "add", "change", "delete")
]
CHANNELS = ["voice", "email", "messaging"]


def one(pk) -> str:
    return f"{LIST}{pk}/"


def run_url(pk) -> str:
    return f"{LIST}{pk}/run/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def node(kind: str, label: str = "", branches: dict | None = None, **fields) -> dict:
    """A NODE in the full shape the API answers with (every field of its kind), without id."""
    data: dict = {"kind": kind, "label": label}
    if kind in ("set_variable", "switch"):
        data["variable"] = fields.pop("variable", "")
    if kind == "set_variable":
        data["value"] = fields.pop("value", "")
    if kind == "add_checkpoint":
        data["checkpoint"] = fields.pop("checkpoint", None)
        data["reference_code"] = fields.pop("reference_code", "")
    assert not fields, fields
    data["branches"] = branches or {}
    return data


def without_ids(tree: dict) -> dict:
    tree = {key: value for key, value in tree.items() if key != "id"}
    tree["branches"] = {key: without_ids(child) for key, child in tree["branches"].items()}
    return tree


def ids_of(tree: dict) -> list[int]:
    return [tree["id"], *(i for child in tree["branches"].values() for i in ids_of(child))]


def at(tree: dict, *outcomes: str) -> dict:
    for outcome in outcomes:
        tree = tree["branches"][outcome]
    return tree


def full_tree(checkpoint_id: int) -> dict:
    """Every kind, every field, a switch with values and default, both add_checkpoint forms."""
    return node(
        "start",
        "Incoming",
        {
            "next": node(
                "set_variable",
                "Language",
                {
                    "next": node(
                        "switch",
                        "By language",
                        {
                            "fr": node(
                                "add_checkpoint",
                                "Opt-in FR",
                                {
                                    "ok": node("end", "Transfer FR"),
                                    "reference_not_found": node("end", "Lost"),
                                },
                                checkpoint=checkpoint_id,
                            ),
                            "en": node(
                                "add_checkpoint",
                                "Opt-in by code",
                                {"ok": node("end", "Transfer EN")},
                                reference_code="optin_{{ lang }}",
                            ),
                            "default": node("end", "Close"),
                        },
                        variable="lang",
                    )
                },
                variable="lang",
                value="{{ lang|default:'fr'|lower }}",
            )
        },
    )


@pytest.fixture
def manager(db):
    """Every routing right, role-wide, the runtime's attach right and reading interactions."""
    return make_user("manager", [*ROUTING_RIGHTS, ATTACH, READ_INTERACTIONS])


@pytest.fixture
def api(manager) -> APIClient:
    return client_for(manager)


@pytest.fixture
def routing(optin_checkpoints) -> SmartRouting:
    return create_routing(
        name="Voice FR", channel="voice", tree=full_tree(optin_checkpoints["fr"].pk)
    )


@pytest.fixture
def other_routing(db) -> SmartRouting:
    return create_routing(name="Email", channel="email")


# --- List and filters ------------------------------------------------------------------------


def test_list_is_paginated_with_the_nested_trees(api, routing, other_routing):
    response = api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [item["name"] for item in body["results"]] == ["Email", "Voice FR"]
    assert all(set(item) == ROUTING_FIELDS for item in body["results"])
    assert body["results"][0]["tree"] == {"id": ids_of(body["results"][0]["tree"])[0]} | node(
        "start", "Start"
    )
    assert body["results"][1]["tree"] == api.get(one(routing.pk)).json()["tree"]


def test_list_pages(api):
    for index in range(3):
        create_routing(name=f"R{index}", channel="voice")
    body = api.get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(api.get(body["next"]).json()["results"]) == 1


def test_search_by_name_and_filter_by_channel(api):
    for name, channel in [
        ("Voice opt-in", "voice"),
        ("Email OPT-IN", "email"),
        ("Chat triage", "messaging"),
    ]:
        create_routing(name=name, channel=channel)

    def names(**query):
        return [item["name"] for item in api.get(LIST, query).json()["results"]]

    assert names(search="opt-in") == ["Email OPT-IN", "Voice opt-in"]
    assert names(search="  in ") == ["Email OPT-IN", "Voice opt-in"]
    assert names(channel="messaging") == ["Chat triage"]
    assert names(search="opt", channel="voice") == ["Voice opt-in"]
    assert names(search="nothing") == []


def test_an_unknown_channel_filter_is_a_400_naming_it(api, routing):
    response = api.get(LIST, {"channel": "fax"})
    assert response.status_code == 400
    assert set(response.json()) == {"channel"}


# --- Create and read -------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_valid_tree_round_trips(api, optin_checkpoints, channel):
    tree = full_tree(optin_checkpoints["fr"].pk)
    body = {"name": "Main", "channel": channel, "description": "Front door", "tree": tree}
    created = api.post(LIST, body, format="json")
    assert created.status_code == 201, created.json()
    routing_id = created.json()["id"]
    read = api.get(one(routing_id)).json()
    assert read == created.json()
    assert {key: value for key, value in read.items() if key != "id"} == {
        **body,
        "tree": read["tree"],
    }
    assert without_ids(read["tree"]) == tree
    ids = ids_of(read["tree"])
    assert len(set(ids)) == len(ids) == 9
    assert set(Node.objects.filter(routing_id=routing_id).values_list("id", flat=True)) == set(ids)


def test_a_tree_in_short_form_is_completed_and_trimmed(api):
    tree = {
        "kind": "start",
        "branches": {
            "next": {
                "kind": "set_variable",
                "label": "  Language ",
                "variable": " lang ",
                "value": " {{ x }} ",
                "branches": {"next": {"kind": "end"}},
            }
        },
    }
    response = api.post(
        LIST, {"name": "  Short  ", "channel": "voice", "tree": tree}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["description"]) == ("Short", "")
    assert without_ids(body["tree"]) == node(
        "start",
        branches={
            "next": node(
                "set_variable",
                "Language",
                {"next": node("end")},
                variable="lang",
                value=" {{ x }} ",
            )
        },
    )


def test_get_an_unknown_routing_is_a_404(api):
    response = api.get(one(999999))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name", "channel", "tree"}),
        ({"name": "", "channel": "voice", "tree": node("start")}, {"name"}),
        ({"name": "x" * 101, "channel": "voice", "tree": node("start")}, {"name"}),
        ({"name": "A", "channel": "fax", "tree": node("start")}, {"channel"}),
        ({"name": "A", "channel": "voice", "tree": None}, {"tree"}),
        ({"name": "", "channel": "fax", "tree": node("end")}, {"name", "channel", "tree"}),
        ({"name": 5, "channel": ["voice"], "tree": node("start")}, {"name", "channel"}),
    ],
)
def test_invalid_bodies_name_each_bad_field(api, body, fields):
    response = api.post(LIST, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not SmartRouting.objects.exists()


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


def wrap(child, outcome: str = "next") -> dict:
    """A start whose ``outcome`` leads to ``child``."""
    return {"kind": "start", "branches": {outcome: child}}


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
    response = api.patch(one(routing.pk), {"tree": wrap("end")}, format="json")
    assert response.status_code == 400
    assert response.json() == {"tree": ["tree.branches.next: a node must be an object"]}


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


def test_a_body_nested_beyond_parsing_is_a_400(api):
    response = api.post(LIST, "[" * 50000, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("payload", ["{not json", '{"name": "A",}'])
def test_malformed_json_is_a_400(api, payload):
    response = api.post(LIST, payload, content_type="application/json")
    assert response.status_code == 400


# --- Update and delete -----------------------------------------------------------------------


def test_put_keeps_the_node_ids_sent_back(api, routing, optin_checkpoints):
    tree = api.get(one(routing.pk)).json()["tree"]
    kept = copy.deepcopy(tree)
    switch = at(kept, "next", "next")
    switch["label"] = "Split by language"
    del switch["branches"]["en"]  # drops two nodes
    switch["branches"]["de"] = node("end", "German queue")  # a new node
    at(kept, "next")["value"] = "{{ lang|upper }}"

    response = api.put(
        one(routing.pk),
        {"name": "Voice FR", "channel": "voice", "description": "", "tree": kept},
        format="json",
    )
    assert response.status_code == 200, response.json()
    answered = response.json()["tree"]
    assert answered == api.get(one(routing.pk)).json()["tree"]
    new_id = at(answered, "next", "next", "de")["id"]
    assert new_id not in ids_of(tree)
    del at(answered, "next", "next", "de")["id"]
    assert answered == kept
    dropped = {at(tree, "next", "next", "en")["id"], at(tree, "next", "next", "en", "ok")["id"]}
    assert not Node.objects.filter(pk__in=dropped).exists()
    assert Node.objects.filter(routing=routing).count() == 8


def test_put_does_not_take_over_another_routings_node_ids(api, routing, other_routing):
    foreign_id = other_routing.nodes.get().pk
    tree = api.get(one(routing.pk)).json()["tree"]
    at(tree, "next", "next", "default")["id"] = foreign_id
    response = api.put(
        one(routing.pk), {"name": "Voice FR", "channel": "voice", "tree": tree}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert at(response.json()["tree"], "next", "next", "default")["id"] != foreign_id
    assert Node.objects.get(pk=foreign_id).routing == other_routing


def test_put_with_a_node_id_twice_is_a_400(api, routing):
    tree = api.get(one(routing.pk)).json()["tree"]
    at(tree, "next", "next", "default")["id"] = tree["id"]
    response = api.put(
        one(routing.pk), {"name": "Voice FR", "channel": "voice", "tree": tree}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"tree": ["tree: a node id appears more than once"]}


def test_put_needs_the_whole_routing_and_a_left_out_description_becomes_empty(api, routing):
    routing.description = "Old"
    routing.save()
    response = api.put(one(routing.pk), {"name": "New", "channel": "email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"tree"}
    response = api.put(
        one(routing.pk), {"name": "New", "channel": "email", "tree": node("start")}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["description"] == ""
    assert without_ids(response.json()["tree"]) == node("start")


def test_patch_without_a_tree_keeps_the_tree_and_its_ids(api, routing):
    before = api.get(one(routing.pk)).json()
    response = api.patch(one(routing.pk), {"description": "  Main line  "}, format="json")
    assert response.status_code == 200
    assert response.json() == {**before, "description": "Main line"}


def test_patch_with_a_tree_replaces_it(api, routing):
    root_id = routing.nodes.get(parent=None).pk
    tree = {"id": root_id, "kind": "start", "branches": {"next": {"kind": "end"}}}
    response = api.patch(one(routing.pk), {"tree": tree}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Voice FR"
    assert response.json()["tree"]["id"] == root_id
    assert without_ids(response.json()["tree"]) == node("start", branches={"next": node("end")})
    assert routing.nodes.count() == 2


def test_delete_removes_the_routing_and_its_nodes(api, routing):
    response = api.delete(one(routing.pk))
    assert response.status_code == 204
    assert not SmartRouting.objects.exists()
    assert not Node.objects.exists()
    assert api.get(one(routing.pk)).status_code == 404


def test_a_deleted_checkpoint_reads_as_an_empty_choice(api, routing, optin_checkpoints):
    optin_checkpoints["fr"].delete()
    tree = api.get(one(routing.pk)).json()["tree"]
    assert at(tree, "next", "next", "fr")["checkpoint"] is None


# --- Run -------------------------------------------------------------------------------------


def path_of(body: dict) -> list[tuple[str, str, str | None]]:
    return [(step["kind"], step["label"], step["outcome"]) for step in body["path"]]


@pytest.fixture
def run_routing_of(optin_checkpoints):
    """A routing on ``channel`` using every node kind (see full_tree)."""

    def make(channel: str) -> SmartRouting:
        return create_routing(
            name=f"{channel} main", channel=channel, tree=full_tree(optin_checkpoints["fr"].pk)
        )

    return make


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_switch_value_and_add_checkpoint_by_id(api, run_routing_of, channel):
    routing = run_routing_of(channel)
    interaction = create_interaction(channel=channel, variables={"lang": "FR"})
    response = api.post(run_url(routing.pk), {"interaction": interaction.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"path", "checkpoints", "end", "stopped"}
    assert body["stopped"] is None
    assert path_of(body) == [
        ("start", "Incoming", "next"),
        ("set_variable", "Language", "next"),
        ("switch", "By language", "fr"),
        ("add_checkpoint", "Opt-in FR", "ok"),
        ("end", "Transfer FR", None),
    ]
    tree = read_tree(routing)
    assert [step["node_id"] for step in body["path"]] == [
        tree["id"],
        at(tree, "next")["id"],
        at(tree, "next", "next")["id"],
        at(tree, "next", "next", "fr")["id"],
        at(tree, "next", "next", "fr", "ok")["id"],
    ]
    assert body["end"] == body["path"][-1]["node_id"]
    [attached] = body["checkpoints"]
    assert set(attached) >= ATTACHED_FIELDS
    row = InteractionCheckpoint.objects.get(interaction=interaction)
    assert attached["id"] == row.pk
    assert attached["checkpoint_id"] == row.checkpoint_id
    assert (attached["name"], attached["reference"], attached["alias"]) == (
        "Opt-in fr",
        "optin_fr",
        "optin-fr",
    )
    assert TIMESTAMP.match(attached["attached_at"])
    assert (attached["routing_id"], attached["action_id"], attached["action_label"]) == (
        routing.pk,
        body["path"][3]["node_id"],
        "Opt-in FR",
    )
    assert list(interaction.tags.values_list("name", flat=True)) == ["optin-fr"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_reference_code_over_the_runs_variables(api, run_routing_of, channel):
    routing = run_routing_of(channel)
    interaction = create_interaction(channel=channel, variables={"lang": "fr"})
    response = api.post(
        run_url(routing.pk),
        {"interaction": interaction.pk, "variables": {"lang": "EN"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert path_of(body) == [
        ("start", "Incoming", "next"),
        ("set_variable", "Language", "next"),
        ("switch", "By language", "en"),
        ("add_checkpoint", "Opt-in by code", "ok"),
        ("end", "Transfer EN", None),
    ]
    assert [row["reference"] for row in body["checkpoints"]] == ["optin_en"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_switch_default_and_set_variable_default(api, run_routing_of, channel):
    routing = run_routing_of(channel)
    interaction = create_interaction(channel=channel)
    # No lang: the set_variable makes it "fr".
    body = api.post(run_url(routing.pk), {"interaction": interaction.pk}, format="json").json()
    assert path_of(body)[2] == ("switch", "By language", "fr")
    # An unexpected value takes default, then ends; nothing attached.
    other = create_interaction(channel=channel)
    body = api.post(
        run_url(routing.pk),
        {"interaction": other.pk, "variables": {"lang": "DE"}},
        format="json",
    ).json()
    assert path_of(body)[2:] == [("switch", "By language", "default"), ("end", "Close", None)]
    assert body["checkpoints"] == []
    assert body["end"] == body["path"][-1]["node_id"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_run_reference_not_found_branch_and_unwired_outcome(api, optin_checkpoints, channel):
    tree = wrap(
        {
            "kind": "add_checkpoint",
            "label": "By code",
            "reference_code": "optin_{{ lang }}",
            "branches": {"reference_not_found": {"kind": "end", "label": "Unknown"}},
        }
    )
    routing = create_routing(name="Codes", channel=channel, tree=tree)
    interaction = create_interaction(channel=channel)
    body = api.post(
        run_url(routing.pk), {"interaction": interaction.pk, "variables": {"lang": "zz"}}, "json"
    ).json()
    assert path_of(body) == [
        ("start", "Start", "next"),
        ("add_checkpoint", "By code", "reference_not_found"),
        ("end", "Unknown", None),
    ]
    assert body["checkpoints"] == []
    # ok is not wired: the run ends on the add_checkpoint.
    body = api.post(
        run_url(routing.pk), {"interaction": interaction.pk, "variables": {"lang": "fr"}}, "json"
    ).json()
    assert path_of(body)[-1] == ("add_checkpoint", "By code", "ok")
    assert body["end"] == body["path"][-1]["node_id"]
    assert [row["reference"] for row in body["checkpoints"]] == ["optin_fr"]


def test_a_lone_start_runs_to_itself(api, other_routing):
    interaction = create_interaction(channel="email")
    body = api.post(run_url(other_routing.pk), {"interaction": interaction.pk}, "json").json()
    start = other_routing.nodes.get()
    assert body == {
        "path": [{"node_id": start.pk, "kind": "start", "label": "Start", "outcome": "next"}],
        "checkpoints": [],
        "end": start.pk,
        "stopped": None,
    }


def test_run_returns_the_existing_row_when_already_attached(api, run_routing_of):
    routing = run_routing_of("voice")
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})
    first = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    second = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    assert second["checkpoints"] == first["checkpoints"]
    assert InteractionCheckpoint.objects.count() == 1


def test_run_with_an_unknown_interaction_is_a_400_naming_it(api, routing):
    response = api.post(run_url(routing.pk), {"interaction": 999999}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"interaction"}
    assert "999999" in response.json()["interaction"][0]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"interaction"}),
        ({"interaction": None}, {"interaction"}),
        ({"interaction": "1"}, {"interaction"}),
        ({"interaction": True}, {"interaction"}),
        ({"interaction": 0}, {"interaction"}),
        ({"interaction": 2**70}, {"interaction"}),
        ({"interaction": "KEEP", "variables": ["lang"]}, {"variables"}),
        ({"interaction": "KEEP", "variables": "lang=fr"}, {"variables"}),
        ({"interaction": "KEEP", "variables": None}, {"variables"}),
        ({"interaction": 999999, "variables": 3}, {"interaction", "variables"}),
    ],
)
def test_run_with_a_bad_body_is_a_400_naming_each_field(
    api, routing, voice_interaction, body, fields
):
    if body.get("interaction") == "KEEP":
        body = {**body, "interaction": voice_interaction.pk}
    response = api.post(run_url(routing.pk), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not InteractionCheckpoint.objects.exists()


def test_run_of_an_unknown_routing_is_a_404(api, voice_interaction):
    response = api.post(run_url(999999), {"interaction": voice_interaction.pk}, format="json")
    assert response.status_code == 404


def test_run_with_bad_variable_values_does_not_fail(api, run_routing_of):
    routing = run_routing_of("messaging")
    interaction = create_interaction(channel="messaging")
    response = api.post(
        run_url(routing.pk),
        {"interaction": interaction.pk, "variables": {"lang": {"nested": [1, None]}}},
        format="json",
    )
    assert response.status_code == 200
    assert path_of(response.json())[2][2] == "default"


def test_run_over_a_token(manager, run_routing_of):
    routing = run_routing_of("voice")
    interaction = create_interaction(channel="voice", variables={"lang": "en"})
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    response = client.post(run_url(routing.pk), {"interaction": interaction.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["checkpoints"][0]["reference"] == "optin_en"


# --- Rights ----------------------------------------------------------------------------------


def endpoints(routing: SmartRouting, interaction_id: int) -> list[tuple[str, str, dict | None]]:
    body = {"name": "Changed", "channel": routing.channel, "tree": node("start")}
    return [
        ("get", LIST, None),
        ("post", LIST, {"name": "New", "channel": "voice", "tree": node("start")}),
        ("get", one(routing.pk), None),
        ("put", one(routing.pk), body),
        ("patch", one(routing.pk), {"name": "Patched"}),
        ("delete", one(routing.pk), None),
        ("post", run_url(routing.pk), {"interaction": interaction_id}),
    ]


ROLE_ANSWERS = {
    # rights: (list, create, get, put, patch, delete, run)
    "everything": (
        [*ROUTING_RIGHTS, ATTACH, READ_INTERACTIONS],
        (200, 201, 200, 200, 200, 204, 200),
    ),
    "reader": (["routing.view_smartrouting"], (200, 403, 200, 403, 403, 403, 403)),
    "runtime": (
        ["routing.view_smartrouting", ATTACH, READ_INTERACTIONS],
        (200, 403, 200, 403, 403, 403, 200),
    ),
    # The run's interaction must be one the user may read: unknown to this user.
    "runtime not reading interactions": (
        ["routing.view_smartrouting", ATTACH],
        (200, 403, 200, 403, 403, 403, 400),
    ),
    "attach only": ([ATTACH], (403, 403, 403, 403, 403, 403, 403)),
    "editor": (ROUTING_RIGHTS[:3], (200, 201, 200, 200, 200, 403, 403)),
    "nothing": ([], (403, 403, 403, 403, 403, 403, 403)),
}


@pytest.mark.parametrize("role", list(ROLE_ANSWERS))
@pytest.mark.parametrize("index", range(7))
def test_role_rights_decide_each_endpoint(run_routing_of, voice_interaction, role, index):
    perms, answers = ROLE_ANSWERS[role]
    routing = run_routing_of("voice")
    method, url, body = endpoints(routing, voice_interaction.pk)[index]
    response = getattr(client_for(make_user(f"u-{role}", perms)), method)(url, body, "json")
    assert response.status_code == answers[index], response.content


@pytest.mark.parametrize("index", range(7))
def test_no_credentials_is_a_401(routing, voice_interaction, index):
    method, url, body = endpoints(routing, voice_interaction.pk)[index]
    assert getattr(APIClient(), method)(url, body, "json").status_code == 401


def test_view_on_one_routing_reads_and_runs_that_one_only(run_routing_of, optin_checkpoints):
    mine, theirs = run_routing_of("voice"), run_routing_of("email")
    user = make_user("one-routing", [ATTACH, READ_INTERACTIONS])
    assign_perm("routing.view_smartrouting", user, mine)
    api = client_for(user)
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})

    assert [item["id"] for item in api.get(LIST).json()["results"]] == [mine.pk]
    assert api.get(one(mine.pk)).status_code == 200
    assert api.get(one(theirs.pk)).status_code == 404
    assert api.post(run_url(mine.pk), {"interaction": interaction.pk}, "json").status_code == 200
    assert api.post(run_url(theirs.pk), {"interaction": interaction.pk}, "json").status_code == 404
    # Reading is not changing: 403 on the readable one.
    assert api.patch(one(mine.pk), {"name": "X"}, "json").status_code == 403
    assert api.delete(one(mine.pk)).status_code == 403
    # No change right anywhere: 403 before any lookup.
    assert api.patch(one(theirs.pk), {"name": "X"}, "json").status_code == 403
    created = api.post(LIST, {"name": "N", "channel": "voice", "tree": node("start")}, "json")
    assert created.status_code == 403
    assert SmartRouting.objects.count() == 2
    assert InteractionCheckpoint.objects.filter(routing_id=theirs.pk).count() == 0


def test_view_on_one_routing_without_the_attach_right_cannot_run(run_routing_of):
    mine = run_routing_of("voice")
    user = make_user("no-attach")
    assign_perm("routing.view_smartrouting", user, mine)
    api = client_for(user)
    interaction = create_interaction(channel="voice")
    assert api.get(one(mine.pk)).status_code == 200
    response = api.post(run_url(mine.pk), {"interaction": interaction.pk}, "json")
    assert response.status_code == 403
    assert not InteractionCheckpoint.objects.exists()


def test_change_on_one_routing(run_routing_of):
    mine, theirs = run_routing_of("voice"), run_routing_of("email")
    user = make_user("change-one")
    assign_perm("routing.view_smartrouting", user, mine)
    assign_perm("routing.view_smartrouting", user, theirs)
    assign_perm("routing.change_smartrouting", user, mine)
    api = client_for(user)
    assert api.patch(one(mine.pk), {"name": "Mine"}, "json").status_code == 200
    assert api.patch(one(theirs.pk), {"name": "Theirs"}, "json").status_code == 403
    assert SmartRouting.objects.get(pk=mine.pk).name == "Mine"


def test_rights_on_one_routing_through_a_role(run_routing_of):
    mine, theirs = run_routing_of("voice"), run_routing_of("email")
    user = make_user("group-member", [ATTACH, READ_INTERACTIONS])
    group = Group.objects.create(name="routing-team")
    user.groups.add(group)
    assign_perm("routing.view_smartrouting", group, mine)
    api = client_for(user)
    interaction = create_interaction(channel="voice")
    assert [item["id"] for item in api.get(LIST).json()["results"]] == [mine.pk]
    assert api.post(run_url(mine.pk), {"interaction": interaction.pk}, "json").status_code == 200
    assert api.post(run_url(theirs.pk), {"interaction": interaction.pk}, "json").status_code == 404


# --- Licence ---------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(7))
def test_licence_off_refuses_every_routing_endpoint(
    api, routing, voice_interaction, settings, index
):
    settings.SMART_LICENCE = False
    method, url, body = endpoints(routing, voice_interaction.pk)[index]
    response = getattr(api, method)(url, body, "json")
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY
    assert list(SmartRouting.objects.values_list("name", flat=True)) == ["Voice FR"]
    assert not InteractionCheckpoint.objects.exists()


def test_licence_off_refuses_token_clients_too(manager, routing, settings):
    settings.SMART_LICENCE = False
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    response = client.get(LIST)
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY


# --- Query counts ----------------------------------------------------------------------------


def make_routings(count: int, nodes_each: int, checkpoint: Checkpoint) -> list[SmartRouting]:
    """``count`` routings of ``nodes_each`` nodes: a start, set_variables, an add_checkpoint."""
    routings = []
    for index in range(count):
        tree = {"kind": "start"}
        current = tree
        for _ in range(nodes_each - 2):
            child = {"kind": "set_variable", "variable": "x", "value": "{{ x }}1"}
            current["branches"] = {"next": child}
            current = child
        current["branches"] = {"next": {"kind": "add_checkpoint", "checkpoint": checkpoint.pk}}
        routings.append(create_routing(name=f"R{index:03d}", channel="voice", tree=tree))
    return routings


@pytest.mark.parametrize(("routings", "nodes_each"), [(2, 3), (25, 40)])
def test_list_query_count_is_independent_of_routings_and_nodes(
    manager, optin_checkpoints, django_assert_num_queries, routings, nodes_each
):
    make_routings(routings, nodes_each, optin_checkpoints["fr"])
    api = client_for(manager)
    # session, user, user permissions, group permissions, count, page, all their nodes
    with django_assert_num_queries(7):
        response = api.get(LIST, {"search": "r", "channel": "voice", "page_size": 200})
    results = response.json()["results"]
    assert len(results) == routings
    assert all(len(ids_of(item["tree"])) == nodes_each for item in results)


@pytest.mark.parametrize(("routings", "nodes_each"), [(2, 3), (25, 40)])
def test_list_query_count_with_per_routing_rights_is_independent_of_size(
    optin_checkpoints, django_assert_num_queries, routings, nodes_each
):
    user = make_user("per-routing")
    for routing in make_routings(routings, nodes_each, optin_checkpoints["fr"]):
        assign_perm("routing.view_smartrouting", user, routing)
    api = client_for(user)
    with django_assert_num_queries(8):
        response = api.get(LIST, {"page_size": 200})
    assert len(response.json()["results"]) == routings


@pytest.mark.parametrize("nodes_each", [3, 200])
def test_detail_query_count_is_independent_of_the_tree_size(
    manager, optin_checkpoints, django_assert_num_queries, nodes_each
):
    [routing] = make_routings(1, nodes_each, optin_checkpoints["fr"])
    api = client_for(manager)
    # session, user, user permissions, group permissions, the routing with its nodes
    with django_assert_num_queries(5):
        response = api.get(one(routing.pk))
    assert len(ids_of(response.json()["tree"])) == nodes_each


@pytest.mark.parametrize("nodes_each", [3, 200])
def test_run_query_count_is_independent_of_the_tree_size(
    manager, optin_checkpoints, django_assert_num_queries, nodes_each
):
    [routing] = make_routings(1, nodes_each, optin_checkpoints["fr"])
    interaction = create_interaction(channel="voice")
    api = client_for(manager)
    # session, user, 2 permissions, routing, nodes, interaction, then the attach
    with django_assert_num_queries(7 + new_attach_queries()):
        response = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json")
    assert len(response.json()["path"]) == nodes_each


# --- Schema ----------------------------------------------------------------------------------


def test_the_schema_documents_the_routing_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert {
        "/api/v1/routings/",
        "/api/v1/routings/{id}/",
        "/api/v1/routings/{id}/run/",
    } <= set(schema["paths"])


# --- Bounded runs: the answer a caller sees ----------------------------------------------------


def test_a_runaway_value_ends_the_run_with_stopped(api, optin_checkpoints):
    double = {"kind": "set_variable", "variable": "x", "value": "{{ x }}{{ x }}"}
    first = {"kind": "add_checkpoint", "checkpoint": optin_checkpoints["fr"].pk}
    tree = wrap({**first, "branches": {"ok": {**double}}})
    current = tree["branches"]["next"]["branches"]["ok"]
    for _ in range(21):
        current["branches"] = {"next": {**double}}
        current = current["branches"]["next"]
    routing = create_routing(name="Runaway", channel="voice", tree=tree)
    interaction = create_interaction(channel="voice")
    response = api.post(
        run_url(routing.pk), {"interaction": interaction.pk, "variables": {"x": "x"}}, "json"
    )
    assert response.status_code == 200
    body = response.json()
    last = body["path"][-1]
    assert body["stopped"] == {
        "reason": "value_too_large",
        "detail": "The value of “x” passed 10,000 characters, the most a value may have.",
        "node_id": last["node_id"],
    }
    assert (last["kind"], last["outcome"]) == ("set_variable", None)
    assert body["end"] == last["node_id"]
    assert len(body["path"]) == 2 + 14
    # What the run did before the bound stays done.
    assert [row["reference"] for row in body["checkpoints"]] == ["optin_fr"]
    assert InteractionCheckpoint.objects.filter(interaction=interaction).count() == 1


def test_a_wide_filter_in_one_node_ends_the_run_with_stopped(api):
    tree = wrap({"kind": "set_variable", "variable": "x", "value": "{{ 'x'|ljust:'50000000' }}"})
    routing = create_routing(name="Wide", channel="email", tree=tree)
    interaction = create_interaction(channel="email")
    body = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    assert body["stopped"]["reason"] == "value_too_large"
    assert body["stopped"]["node_id"] == body["end"] == body["path"][-1]["node_id"]


@pytest.mark.parametrize(
    ("bound", "value", "reason", "detail"),
    [
        ("MAX_STEPS", 2, "step_limit", "The run stopped after 2 steps, the most a run may take."),
        (
            "RUN_MAX_SECONDS",
            0,
            "time_limit",
            "The run stopped after 0 seconds, the longest a run may last.",
        ),
    ],
)
def test_the_step_and_time_limits_end_the_run_with_stopped(
    api, routing, monkeypatch, bound, value, reason, detail
):
    monkeypatch.setattr(f"routing.limits.{bound}", value)
    interaction = create_interaction(channel="voice", variables={"lang": "fr"})
    body = api.post(run_url(routing.pk), {"interaction": interaction.pk}, "json").json()
    tree = read_tree(routing)
    expected_path = [tree["id"], at(tree, "next")["id"]][:value]
    assert [step["node_id"] for step in body["path"]] == expected_path
    assert body["stopped"] == {
        "reason": reason,
        "detail": detail,
        "node_id": [tree["id"], at(tree, "next")["id"], at(tree, "next", "next")["id"]][value],
    }
    assert body["checkpoints"] == []


@pytest.mark.parametrize("code", ["\\udc80", "host\\u0000cp"])
def test_surrogate_and_nul_reference_codes_never_fail(api, optin_checkpoints, code):
    """The issue's 500s (SQLite and PostgreSQL): now a rendered code that cannot be a
    reference takes reference_not_found without a query. The shared variables rule may refuse
    such variables first, with a 400 naming them; never a 500."""
    tree = wrap(
        {
            "kind": "add_checkpoint",
            "reference_code": "{{ code }}",
            "branches": {"reference_not_found": {"kind": "end", "label": "Unknown"}},
        }
    )
    routing = create_routing(name="Codes", channel="voice", tree=tree)
    interaction = create_interaction(channel="voice")
    response = api.post(
        run_url(routing.pk),
        f'{{"interaction": {interaction.pk}, "variables": {{"code": "{code}"}}}}',
        content_type="application/json",
    )
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert set(response.json()) == {"variables"}
    else:
        assert path_of(response.json())[-2:] == [
            ("add_checkpoint", "Add a checkpoint", "reference_not_found"),
            ("end", "Unknown", None),
        ]
    assert not InteractionCheckpoint.objects.exists()


def test_the_schema_documents_stopped(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    result = schema["components"]["schemas"]["RunResult"]
    assert {"path", "checkpoints", "end", "stopped"} <= set(result["properties"])
    stop = schema["components"]["schemas"]["RunStop"]
    assert set(stop["properties"]) == {"reason", "detail", "node_id"}


def test_a_stored_template_is_bounded_in_length(api):
    tree = wrap({"kind": "set_variable", "variable": "x", "value": "x" * 1001})
    response = api.post(LIST, {"name": "Long", "channel": "voice", "tree": tree}, "json")
    assert response.status_code == 400
    assert response.json() == {
        "tree": ["tree.branches.next.value: a value may have at most 1000 characters"]
    }


# --- The run's interaction: one rule (routing.selectors.run_interaction) ------------------------


def test_run_on_an_interaction_of_another_channel_is_a_400_naming_it(api, routing):
    email = create_interaction(channel="email", variables={"lang": "fr"})
    response = api.post(run_url(routing.pk), {"interaction": email.pk}, "json")
    assert response.status_code == 400
    assert response.json() == {
        "interaction": [
            f"Interaction {email.pk} is on the Email channel: this routing runs on Voice "
            "interactions only."
        ]
    }
    assert not InteractionCheckpoint.objects.exists()


def test_run_on_an_interaction_the_user_may_not_read_is_unknown_to_it(routing):
    user = make_user("reads-one", ["routing.view_smartrouting", ATTACH])
    readable = create_interaction(channel="voice", variables={"lang": "fr"})
    hidden = create_interaction(channel="voice", variables={"lang": "fr"})
    assign_perm("interactions.view_interaction", user, readable)
    api = client_for(user)
    response = api.post(run_url(routing.pk), {"interaction": hidden.pk}, "json")
    assert response.status_code == 400
    assert response.json() == {"interaction": [f"No interaction with id {hidden.pk}."]}
    assert api.post(run_url(routing.pk), {"interaction": readable.pk}, "json").status_code == 200
    assert list(InteractionCheckpoint.objects.values_list("interaction_id", flat=True)) == [
        readable.pk
    ]
