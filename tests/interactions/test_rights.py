"""Who may use each interaction page and endpoint: the rights matrix (tests/rights.py).

Interactions are not part of the Smart licence; attaching a checkpoint is."""

import pytest
from django.urls import reverse

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import Interaction, InteractionCheckpoint
from tests.rights import Route, StoredReads, check, matrix

pytestmark = pytest.mark.django_db

API = "/api/v1/interactions/"
ATTACH = "interactions.add_interactioncheckpoint"


def page(name: str, **kwargs) -> str:
    return reverse(f"interactions:interaction_{name}", kwargs=kwargs)


def attached(interaction):
    return InteractionCheckpoint.objects.filter(interaction=interaction).count()


PAGES = [
    Route("list", "GET", lambda _: page("list"), ("view",), object_route=False, licensed=False),
    Route("detail", "GET", lambda i: page("detail", pk=i.pk), ("view",), licensed=False),
    Route("journey", "GET", lambda i: page("journey", pk=i.pk), ("view",), licensed=False),
]

ENDPOINTS = [
    Route("list", "GET", lambda _: API, ("view",), object_route=False, licensed=False),
    Route(
        "create",
        "POST",
        lambda _: API,
        ("add",),
        object_route=False,
        body=lambda _: {"channel": "voice"},
        ok=201,
        stored=StoredReads(Interaction).count,
        licensed=False,
    ),
    Route("retrieve", "GET", lambda i: f"{API}{i.pk}/", ("view",), licensed=False),
    Route("checkpoints", "GET", lambda i: f"{API}{i.pk}/checkpoints/", ("view",), licensed=False),
    # Attaching creates the row: the right is role-wide, there is no object to hold it on.
    Route(
        "attach",
        "POST",
        lambda i: f"{API}{i.pk}/checkpoints/",
        (ATTACH,),
        per_object=False,
        body=lambda _: {"reference": "optin"},
        ok=201,
        stored=attached,
    ),
]


@pytest.fixture
def interaction(db):
    Checkpoint.objects.create(name="Opt-in", reference="optin", alias="opt-in")
    return services.create_interaction(channel="voice", customer="C-1")


@pytest.fixture
def other(db):
    return services.create_interaction(channel="email", customer="C-2")


@pytest.mark.parametrize(("route", "cell"), matrix(PAGES))
def test_pages(client, interaction, other, route, cell):
    check(client, route, cell, interaction, other, api=False)


@pytest.mark.parametrize(("route", "cell"), matrix(ENDPOINTS))
def test_endpoints(api_client, interaction, other, route, cell):
    check(api_client, route, cell, interaction, other, api=True)
