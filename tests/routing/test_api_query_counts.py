"""Smart Routing API: fixed query counts for list, detail and run, whatever the size."""

import pytest
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from interactions.services import create_interaction
from routing.models import SmartRouting
from routing.services import create_routing
from tests.conftest import client_for, make_user, new_attach_queries
from tests.routing.api_helpers import LIST, ids_of, one, run_url

pytestmark = pytest.mark.django_db


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
    api.get(LIST, {"page_size": 200})  # once first: the per-process content-type cache
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
