"""Smart Routing API: list, search, detail, create, update and delete of routings and trees."""

import copy

import pytest

from routing.models import Node, SmartRouting
from routing.services import create_routing
from routing.tree import read_tree
from tests.routing.api_helpers import (
    CHANNELS,
    LIST,
    ROUTING_FIELDS,
    at,
    full_tree,
    ids_of,
    node,
    one,
    without_ids,
)

pytestmark = pytest.mark.django_db


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
    stored = SmartRouting.objects.get(pk=body["id"])
    assert (stored.name, stored.description) == ("Short", "")
    assert read_tree(stored) == body["tree"]


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
    stored_tree = read_tree(routing)
    at(tree, "next", "next", "default")["id"] = tree["id"]
    response = api.put(
        one(routing.pk), {"name": "Voice FR", "channel": "voice", "tree": tree}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"tree": ["tree: a node id appears more than once"]}
    assert read_tree(routing) == stored_tree
    assert SmartRouting.objects.get(pk=routing.pk).name == "Voice FR"


def test_put_needs_the_whole_routing_and_a_left_out_description_becomes_empty(api, routing):
    routing.description = "Old"
    routing.save()
    stored_tree = read_tree(routing)
    response = api.put(one(routing.pk), {"name": "New", "channel": "email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"tree"}
    routing.refresh_from_db()
    assert (routing.name, routing.channel, routing.description) == ("Voice FR", "voice", "Old")
    assert read_tree(routing) == stored_tree
    response = api.put(
        one(routing.pk), {"name": "New", "channel": "email", "tree": node("start")}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["description"] == ""
    assert without_ids(response.json()["tree"]) == node("start")
    routing.refresh_from_db()
    assert (routing.name, routing.channel, routing.description) == ("New", "email", "")
    assert read_tree(routing) == response.json()["tree"]
    assert Node.objects.filter(routing=routing).count() == 1


def test_patch_without_a_tree_keeps_the_tree_and_its_ids(api, routing):
    before = api.get(one(routing.pk)).json()
    response = api.patch(one(routing.pk), {"description": "  Main line  "}, format="json")
    assert response.status_code == 200
    assert response.json() == {**before, "description": "Main line"}
    routing.refresh_from_db()
    assert routing.description == "Main line"
    assert read_tree(routing) == before["tree"]


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


# --- Schema ----------------------------------------------------------------------------------


def test_the_schema_documents_the_routing_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert {
        "/api/v1/routings/",
        "/api/v1/routings/{id}/",
        "/api/v1/routings/{id}/run/",
    } <= set(schema["paths"])
