"""Who may use each Smart Routing page and endpoint: the rights matrix (tests/rights.py)."""

import pytest
from django.urls import reverse

from checkpoints.models import Checkpoint
from interactions.models import Interaction, InteractionCheckpoint
from interactions.services import create_interaction
from routing import services
from routing.models import SmartRouting
from tests.rights import Route, StoredReads, check, matrix, object_endpoints, object_pages
from tests.routing.pages.editor import node_data

pytestmark = pytest.mark.django_db

API = "/api/v1/routings/"
# A run attaches checkpoints to an interaction the user may read.
RUN = ("interactions.add_interactioncheckpoint", "interactions.view_interaction")


def page(name: str, **kwargs) -> str:
    return reverse(f"routing:{name}", kwargs=kwargs)


def step(routing):
    return routing.nodes.get(kind="add_checkpoint")


def end(routing):
    return routing.nodes.get(kind="end")


STORED = StoredReads(SmartRouting)


def tree_of(routing):
    return list(routing.nodes.order_by("id").values_list("id", "kind", "label"))


def attached(_):
    return InteractionCheckpoint.objects.count()


ROUTING = {"name": "New", "channel": "voice", "description": ""}


def run_body(_):
    return {"interaction": Interaction.objects.get().pk, "variables": "{}"}


PAGES = [
    *object_pages(
        lambda action, **kwargs: page(f"smartrouting_{action}", **kwargs),
        new=ROUTING,
        changed={**ROUTING, "name": "Renamed"},
        model=SmartRouting,
    ),
    Route(
        "run POST",
        "POST",
        lambda r: page("smartrouting_run", pk=r.pk),
        ("view",),
        also=RUN,
        body=run_body,
        stored=attached,
    ),
    Route(
        "node add",
        "GET",
        lambda r: page("node_add", pk=r.pk, parent=step(r).pk) + "?outcome=reference_not_found",
        ("change",),
    ),
    Route(
        "node add POST",
        "POST",
        lambda r: page("node_add", pk=r.pk, parent=step(r).pk),
        ("change",),
        body=lambda _: node_data("end", "reference_not_found", label="Lost"),
        ok=302,
        stored=tree_of,
    ),
    Route("node edit", "GET", lambda r: page("node_edit", pk=r.pk, node=end(r).pk), ("change",)),
    Route(
        "node edit POST",
        "POST",
        lambda r: page("node_edit", pk=r.pk, node=end(r).pk),
        ("change",),
        body=lambda _: node_data("end", "ok", label="Bye"),
        ok=302,
        stored=tree_of,
    ),
    Route(
        "node delete", "GET", lambda r: page("node_delete", pk=r.pk, node=end(r).pk), ("change",)
    ),
    Route(
        "node delete POST",
        "POST",
        lambda r: page("node_delete", pk=r.pk, node=end(r).pk),
        ("change",),
        ok=302,
        stored=tree_of,
    ),
]

START = {"kind": "start", "branches": {}}

ENDPOINTS = [
    *object_endpoints(
        API,
        new={**ROUTING, "tree": START},
        changed={**ROUTING, "name": "Renamed", "tree": START},
        model=SmartRouting,
    ),
    Route(
        "run",
        "POST",
        lambda r: f"{API}{r.pk}/run/",
        ("view",),
        also=RUN,
        body=lambda _: {"interaction": Interaction.objects.get().pk},
        stored=attached,
    ),
]


@pytest.fixture
def routing(db):
    """Start → attach “Opt-in” → end, and a voice interaction to run it on."""
    routing = services.create_routing(name="Voice IVR", channel="voice")
    optin = Checkpoint.objects.create(name="Opt-in", reference="optin", alias="opt-in")
    attach = services.add_node(
        routing.nodes.get(parent=None), outcome="next", kind="add_checkpoint", checkpoint=optin
    )
    services.add_node(attach, outcome="ok", kind="end", label="Hang up")
    create_interaction(channel="voice")
    return routing


@pytest.fixture
def other(db):
    return services.create_routing(name="Email flow", channel="email")


@pytest.mark.parametrize(("route", "cell"), matrix(PAGES))
def test_pages(client, routing, other, route, cell):
    check(client, route, cell, routing, other, api=False)


@pytest.mark.parametrize(("route", "cell"), matrix(ENDPOINTS))
def test_endpoints(api_client, routing, other, route, cell):
    check(api_client, route, cell, routing, other, api=True)
