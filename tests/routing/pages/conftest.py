"""The editor pages' routing (Voice IVR) with its start and one child, the Opt-in French
checkpoint, and clients of a full user and of a reader."""

import pytest

from checkpoints.models import Checkpoint
from routing import services
from tests.conftest import make_user
from tests.routing.pages.editor import (
    ALL,
    READ_CHECKPOINTS,
    READ_INTERACTIONS,
    RUN_RIGHT,
    add_run_tree,
    routing_perms,
)


@pytest.fixture
def routing(db):
    return services.create_routing(name="Voice IVR", channel="voice", description="Main line")


@pytest.fixture
def root(routing):
    return routing.nodes.get(parent=None)


@pytest.fixture
def optin(db):
    return Checkpoint.objects.create(name="Opt-in French", reference="optin_fr", alias="opt-in")


@pytest.fixture
def child(root, optin):
    return services.add_node(
        root, outcome="next", kind="add_checkpoint", label="Opt-in", checkpoint=optin
    )


@pytest.fixture
def full_client(client):
    client.force_login(make_user("maker", [*ALL, RUN_RIGHT, READ_INTERACTIONS, READ_CHECKPOINTS]))
    return client


@pytest.fixture
def reader_client(client):
    client.force_login(make_user("reader", routing_perms("view")))
    return client


@pytest.fixture
def run_tree(root, optin):
    return add_run_tree(root)
