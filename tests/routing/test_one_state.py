"""Issue 7, item 7: ``GET /api/v1/routings/{id}/`` reads one state. A delete or a tree
replacement committed between the statements of the read shows the routing as it was or as
it became, whole (or 404 once deleted), never ``"tree": null`` nor one state's name with the
other's tree."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from routing.models import SmartRouting
from routing.services import create_routing, delete_routing, update_routing
from tests.conftest import WriteBetweenReads, make_user

pytestmark = pytest.mark.django_db

TABLE = '"routing_'


def tree(label: str, checkpoint) -> dict:
    done = {"kind": "end", "label": f"{label}: done"}
    step = {"kind": "add_checkpoint", "label": label, "checkpoint": checkpoint.pk}
    step["branches"] = {"ok": done}
    return {"kind": "start", "label": "Start", "branches": {"next": step}}


def labels(node: dict | None) -> list[str]:
    if node is None:
        return []
    return [node["label"]] + [
        label for child in node["branches"].values() for label in labels(child)
    ]


@pytest.fixture
def reader(db) -> APIClient:
    client = APIClient()
    client.force_login(make_user("routing-reader", ["routing.view_smartrouting"]))
    return client


def answer(client, routing: SmartRouting) -> tuple[int, str | None, list[str]]:
    response = client.get(f"/api/v1/routings/{routing.pk}/")
    if response.status_code != 200:
        return response.status_code, None, []
    body = response.json()
    return 200, body["name"], labels(body["tree"])


def read_with(client, routing, write, after) -> tuple[WriteBetweenReads, tuple]:
    between = WriteBetweenReads(TABLE, write, after=after)
    with connection.execute_wrapper(between):
        shown = answer(client, routing)
    return between, shown


def test_a_delete_between_the_reads_shows_the_routing_whole_or_404(reader, optin_checkpoints):
    fr = optin_checkpoints["fr"]
    routing = create_routing(name="First", channel="voice", tree=tree("Opt-in", fr))
    before = (200, "First", ["Start", "Opt-in", "Opt-in: done"])
    counting, shown = read_with(reader, routing, lambda: None, after=None)
    assert shown == before
    for after_read in range(1, counting.selects):
        routing = create_routing(name="First", channel="voice", tree=tree("Opt-in", fr))
        between, shown = read_with(reader, routing, lambda r=routing: delete_routing(r), after_read)
        assert between.written
        assert shown in (before, (404, None, [])), f"after read {after_read}"
        assert answer(reader, routing) == (404, None, [])
    delete_routing(routing)
    assert answer(reader, routing) == (404, None, [])


def test_a_tree_replacement_between_the_reads_shows_one_version(reader, optin_checkpoints):
    fr, en = optin_checkpoints["fr"], optin_checkpoints["en"]
    before = (200, "First", ["Start", "Opt-in", "Opt-in: done"])
    after = (200, "Second", ["Start", "Opt-in EN", "Opt-in EN: done"])
    routing = create_routing(name="First", channel="voice", tree=tree("Opt-in", fr))
    counting, shown = read_with(reader, routing, lambda: None, after=None)
    assert shown == before
    for after_read in range(1, counting.selects):
        routing = create_routing(name="First", channel="voice", tree=tree("Opt-in", fr))

        def replace(routing=routing):
            update_routing(routing, name="Second", tree=tree("Opt-in EN", en))

        between, shown = read_with(reader, routing, replace, after_read)
        assert between.written
        assert shown in (before, after), f"after read {after_read}"
        assert answer(reader, routing) == after


def test_the_routing_and_its_tree_come_from_one_statement(reader, optin_checkpoints):
    fr = optin_checkpoints["fr"]
    routing = create_routing(name="First", channel="voice", tree=tree("Opt-in", fr))
    counting, _ = read_with(reader, routing, lambda: None, after=None)
    assert counting.selects == 1  # so nothing can commit between two of its reads


@pytest.mark.parametrize("pk", ["999999", str(2**63), "9" * 30])
def test_an_unknown_or_out_of_range_id_is_404(reader, pk):
    response = reader.get(f"/api/v1/routings/{pk}/")
    assert response.status_code == 404
    assert "detail" in response.json()
