"""Plain helpers shared by the checkpoint API test modules: URLs, bodies, stored rows."""

import datetime

from checkpoints.models import Checkpoint
from tests.conftest import TIMESTAMP

LIST = "/api/v1/checkpoints/"
BULK_DELETE = "/api/v1/checkpoints/bulk-delete/"
OBJECT_FIELDS = {"id", "name", "reference", "alias", "created_at", "updated_at", "url"}
UNCHANGED = ("Recognised customer", "recognised", "known")  # the checkpoint fixture


def one(pk) -> str:
    return f"{LIST}{pk}/"


def duplicate_url(pk) -> str:
    return f"{LIST}{pk}/duplicate/"


def stored(pk) -> tuple[str, str, str]:
    """A checkpoint's (name, reference, alias) as the database holds them."""
    return Checkpoint.objects.values_list("name", "reference", "alias").get(pk=pk)


def stored_rows() -> list[tuple[str, str, str]]:
    """Every checkpoint's (name, reference, alias), in id order."""
    return list(Checkpoint.objects.order_by("pk").values_list("name", "reference", "alias"))


def parse_timestamp(text: str) -> datetime.datetime:
    assert TIMESTAMP.match(text), text
    return datetime.datetime.fromisoformat(text)


def endpoints(pk):
    """(method, url, body) of every checkpoint endpoint, in ALLOWED's order."""
    body = {"name": "N", "reference": "ref"}
    return [
        ("get", LIST, None),
        ("post", LIST, body),
        ("get", one(pk), None),
        ("put", one(pk), body),
        ("patch", one(pk), body),
        ("delete", one(pk), None),
        ("post", duplicate_url(pk), body),
        ("post", BULK_DELETE, {"ids": [pk]}),
    ]
