"""Fixtures shared by the routing tests: opt-in checkpoints, an interaction, API users, routings."""

import pytest
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions.services import create_interaction
from routing.models import SmartRouting
from routing.services import create_routing
from tests.conftest import client_for, make_user
from tests.routing.api_helpers import (
    ATTACH,
    READ_INTERACTIONS,
    ROUTING_RIGHTS,
    full_tree,
)


@pytest.fixture
def optin_checkpoints(db):
    return {
        lang: Checkpoint.objects.create(
            name=f"Opt-in {lang}", reference=f"optin_{lang}", alias=f"optin-{lang}"
        )
        for lang in ("fr", "en")
    }


@pytest.fixture
def voice_interaction(db):
    return create_interaction(channel="voice", customer="+33100000000", variables={"lang": "fr"})


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


@pytest.fixture
def run_routing_of(optin_checkpoints):
    """A routing on ``channel`` using every node kind (see full_tree)."""

    def make(channel: str) -> SmartRouting:
        return create_routing(
            name=f"{channel} main", channel=channel, tree=full_tree(optin_checkpoints["fr"].pk)
        )

    return make
