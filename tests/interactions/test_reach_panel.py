"""The checkpoint page's "Interactions" panel: how many interactions reached it, the latest
ones the user may open."""

import re

import pytest
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from tests.conftest import make_user
from tests.interactions.journeys import (
    VIEW,
    VIEW_CHECKPOINT,
    attach,
    detail_url,
    make_interaction,
)
from tests.pages import page

pytestmark = pytest.mark.django_db


def test_checkpoint_page_shows_how_many_interactions_reached_it(reader_client, journey):
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    other = make_interaction(channel="email", customer="c@example.com")
    attach(other, checkpoint, label="Sender found")
    make_interaction(customer="never reached it")
    shown = page(reader_client.get(checkpoint.get_absolute_url()))
    panel = shown.get_by_role("region", name="Interactions")
    assert panel.get_by_role("heading", level=2).text == "Interactions"
    assert panel.get_by_role(
        "paragraph", text=re.compile("^2 interactions reached this checkpoint\\. ")
    )
    # Latest first, each a link to the interaction.
    links = panel.get_all_by_role("link", name=re.compile(r"^Interaction #\d+$"))
    assert [link.get("href") for link in links] == [detail_url(other), detail_url(journey)]
    history = panel.get_by_role("link", name="See them in the interactions history")
    assert history.get("href") == "/interactions/?checkpoint=recognised_customer"


def test_reach_panel_for_a_checkpoint_never_reached(reader_client):
    checkpoint = Checkpoint.objects.create(name="Unused", reference="unused")
    panel = page(reader_client.get(checkpoint.get_absolute_url())).get_by_role(
        "region", name="Interactions"
    )
    assert panel.get_by_text("No interaction has reached this checkpoint yet.").tag == "p"
    assert panel.get_all_by_role("link") == []


def test_reach_panel_hidden_from_those_who_may_not_read_interactions(client, journey):
    client.force_login(make_user("checkpoints-only", [VIEW_CHECKPOINT]))
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    response = client.get(checkpoint.get_absolute_url())
    assert response.status_code == 200
    shown = page(response)
    assert shown.query_by_role("region", name="Interactions") is None
    assert not [
        link for link in shown.get_all_by_role("link") if "/interactions/" in link.get("href")
    ]


def test_reach_panel_lists_only_the_interactions_the_user_may_open(client, journey):
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    hidden = make_interaction(customer="not yours")
    attach(hidden, checkpoint)
    user = make_user("one-interaction", [VIEW_CHECKPOINT])
    assign_perm(VIEW, user, journey)
    client.force_login(user)
    panel = page(client.get(checkpoint.get_absolute_url())).get_by_role(
        "region", name="Interactions"
    )
    links = panel.get_all_by_role("link", name=re.compile(r"^Interaction #"))
    assert [link.get("href") for link in links] == [detail_url(journey)]
    assert detail_url(hidden) not in [link.get("href") for link in panel.get_all_by_role("link")]
    assert "not yours" not in panel.text
