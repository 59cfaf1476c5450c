"""Who may use each checkpoint page and endpoint: the rights matrix (tests/rights.py)."""

import pytest
from django.urls import reverse

from checkpoints.models import Checkpoint
from tests.rights import Route, StoredReads, check, matrix, object_endpoints, object_pages

pytestmark = pytest.mark.django_db

API = "/api/v1/checkpoints/"


def page(name: str, **kwargs) -> str:
    return reverse(f"checkpoints:checkpoint_{name}", kwargs=kwargs)


STORED = StoredReads(Checkpoint)
NEW = {"name": "New", "reference": "new_ref"}
CHANGED = {"name": "Changed", "reference": "recognised", "alias": ""}

PAGES = object_pages(page, model=Checkpoint, new=NEW, changed=CHANGED)

ENDPOINTS = [
    *object_endpoints(API, model=Checkpoint, new=NEW, changed=CHANGED),
    Route(
        "duplicate",
        "POST",
        lambda cp: f"{API}{cp.pk}/duplicate/",
        ("view", "add"),
        body=lambda _: {"name": "Copy", "reference": "copy_ref"},
        ok=201,
        stored=STORED.count,
    ),
    Route("delete warnings", "GET", lambda cp: f"{API}{cp.pk}/delete-warnings/", ("view",)),
    Route(
        "bulk delete",
        "POST",
        lambda _: f"{API}bulk-delete/",
        ("delete",),
        object_route=False,
        body=lambda cp: {"ids": [cp.pk]},
        stored=STORED.exists,
    ),
    Route(
        "bulk delete dry run",
        "POST",
        lambda _: f"{API}bulk-delete/",
        ("delete",),
        object_route=False,
        body=lambda cp: {"ids": [cp.pk], "dry_run": True},
    ),
]


@pytest.fixture
def other(db):
    return Checkpoint.objects.create(name="Other", reference="other")


@pytest.mark.parametrize(("route", "cell"), matrix(PAGES))
def test_pages(client, checkpoint, other, route, cell):
    check(client, route, cell, checkpoint, other, api=False)


@pytest.mark.parametrize(("route", "cell"), matrix(ENDPOINTS))
def test_endpoints(api_client, checkpoint, other, route, cell):
    check(api_client, route, cell, checkpoint, other, api=True)
