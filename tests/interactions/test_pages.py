"""The interaction details page (brief §5: the Checkpoints section, the Information tab's alias
chips, the Data tab's detailed rows) and its live fragments."""

import re

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints import services as checkpoint_services
from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import Interaction
from interactions.views import JOURNEY_PARTS
from tests.conftest import make_user
from tests.interactions.journeys import (
    VIEW,
    VIEW_CHECKPOINT,
    attach,
    chips,
    data_panel,
    detail_url,
    journey_url,
    make_interaction,
)
from tests.pages import page

pytestmark = pytest.mark.django_db


# Rights ---------------------------------------------------------------------------------------


def test_the_poller_gets_401_not_the_login_page_once_logged_out(client, journey):
    response = client.get(journey_url(journey), headers={"X-Requested-With": "fetch"})
    assert response.status_code == 401


def test_without_the_right_every_page_answers_403(client, journey):
    client.force_login(make_user("nobody", [VIEW_CHECKPOINT]))
    for url in (detail_url(journey), journey_url(journey)):
        assert client.get(url).status_code == 403, url


def test_unknown_interaction_is_404(reader_client):
    assert reader_client.get("/interactions/999999/").status_code == 404
    assert reader_client.get("/interactions/999999/journey/").status_code == 404


# The three places of brief §5 -----------------------------------------------------------------


def test_checkpoints_section_is_chronological_with_absolute_time_and_action(reader_client, journey):
    region = page(reader_client.get(detail_url(journey))).get_by_role("region", name="Checkpoints")
    assert region.get_by_role("heading", level=2).text == "Checkpoints"
    timeline = region.get_by_role("list", name="Checkpoints in the order they were attached")
    assert [step.text for step in timeline.get_all_by_role("listitem")] == [
        "2025-03-04 09:15:30 UTC Recognised customer Set by Caller recognised · Main voice line",
        "2025-03-04 09:16:10 UTC Opt-in FR Set by Ask for opt-in · Main voice line",
        # No action recorded: said so, never left blank.
        "2025-03-04 09:17:35 UTC VIP customer Set by Set through the API",
    ]
    assert "ago" not in region.text


def test_information_tab_shows_the_facts_and_each_alias_as_a_chip(reader_client, journey):
    shown = page(reader_client.get(detail_url(journey)))
    tabs = shown.get_by_role("tablist", name="Interaction details")
    assert tabs.get_by_role("tab", name="Information").get("aria-selected") == "true"
    assert tabs.get_by_role("tab", name="Data").get("aria-selected") == "false"
    information = shown.get_by_role("tabpanel", name="Information")
    facts = information.descriptions()
    assert (facts["Channel"], facts["Status"]) == ("Voice", "Live")
    assert (facts["Customer"], facts["Subject"]) == ("+33100000000", "Lost card")
    assert "lang fr" in facts["Variables"] and "tries 2" in facts["Variables"]
    assert information.get_by_role("heading", name="Checkpoints", level=3)
    assert chips(shown) == ["opt-in FR", "recognised"]  # the tag list, in the order tags were added


def test_data_tab_lists_the_rows_with_links_to_each_checkpoint(reader_client, journey):
    table = data_panel(page(reader_client.get(detail_url(journey)))).get_by_role("table")
    assert table.get_all_by_role("columnheader")[0].name == "Date and time (UTC)"
    assert [row.text for row in table.get_all_by_role("row")[1:]] == [
        "2025-03-04 09:15:30 Recognised customer recognised_customer recognised "
        "Caller recognised Main voice line",
        "2025-03-04 09:16:10 Opt-in FR optin_fr opt-in FR Ask for opt-in Main voice line",
        "2025-03-04 09:17:35 VIP customer vip — Set through the API —",
    ]
    for reference in ("recognised_customer", "optin_fr", "vip"):
        checkpoint = Checkpoint.objects.get(reference=reference)
        link = table.row(reference).get_by_role("link", name=checkpoint.name)
        assert link.get("href") == checkpoint.get_absolute_url()


def test_the_data_tab_can_be_opened_without_javascript(reader_client, journey):
    shown = page(reader_client.get(detail_url(journey) + "?tab=data"))
    tabs = shown.get_by_role("tablist", name="Interaction details")
    assert tabs.get_by_role("tab", name="Data").get("aria-selected") == "true"
    assert shown.query_by_role("tabpanel", name="Information") is None
    assert "optin_fr" in shown.get_by_role("tabpanel", name="Data").get_by_role("table").column(
        "Reference"
    )
    # Both panels are in the page, whichever is shown.
    assert "recognised" in chips(shown)


def test_an_action_known_only_by_its_id_is_named_by_it(reader_client):
    interaction = make_interaction()
    checkpoint = Checkpoint.objects.create(name="Callback", reference="callback")
    attach(interaction, checkpoint, action_id=42)
    shown = page(reader_client.get(detail_url(interaction)))
    assert data_panel(shown).get_by_role("table").column("Action") == ["Action #42"]
    timeline = shown.get_by_role("list", name="Checkpoints in the order they were attached")
    assert timeline.get_by_role("listitem").text.endswith("Callback Set by Action #42")


def test_a_deleted_checkpoint_keeps_its_recorded_name_and_is_marked_deleted(reader_client, journey):
    checkpoint_services.delete_checkpoint(Checkpoint.objects.get(reference="optin_fr"))
    shown = page(reader_client.get(detail_url(journey)))
    table = data_panel(shown).get_by_role("table")
    row = table.row("optin_fr")
    assert row.get_all_by_role("cell")[1].text == "Opt-in FR deleted"
    assert row.get_by_text("deleted").get("class") == "badge deleted"
    assert row.query_by_role("link") is None  # nothing to link to any more
    # The other two still link, the section and the chips still show it.
    assert len(table.get_all_by_role("link")) == 2
    timeline = shown.get_by_role("list", name="Checkpoints in the order they were attached")
    assert "Opt-in FR" in timeline.get_all_by_role("listitem")[1].text
    assert "opt-in FR" in chips(shown)


def test_renaming_a_checkpoint_keeps_the_recorded_name(reader_client, journey):
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    checkpoint_services.update_checkpoint(checkpoint, name="Known caller", alias="known")
    shown = page(reader_client.get(detail_url(journey)))
    assert "Known caller" not in shown.text
    link = data_panel(shown).get_by_role("link", name="Recognised customer")
    assert link.get("href") == checkpoint.get_absolute_url()
    assert "recognised" in chips(shown)


def test_no_link_without_the_right_to_read_the_checkpoint(client, journey):
    user = make_user("no-checkpoints", [VIEW])
    allowed = Checkpoint.objects.get(reference="vip")
    assign_perm(VIEW_CHECKPOINT, user, allowed)
    client.force_login(user)
    data = data_panel(page(client.get(detail_url(journey))))
    assert [link.get("href") for link in data.get_all_by_role("link")] == [
        allowed.get_absolute_url()
    ]
    assert data.get_by_role("table").column("Name")[0] == "Recognised customer"


def test_no_link_while_the_smart_licence_is_off(reader_client, journey, settings):
    settings.SMART_LICENCE = False
    response = reader_client.get(detail_url(journey))
    assert response.status_code == 200  # interactions stay
    data = data_panel(page(response))
    assert data.get_all_by_role("link") == []
    assert data.get_by_role("table").column("Name")[0] == "Recognised customer"


def test_names_are_escaped(reader_client):
    interaction = make_interaction(customer="<b>x</b>", subject="<script>alert(1)</script>")
    checkpoint = Checkpoint.objects.create(name="<i>n</i>", reference="esc", alias="<u>a</u>")
    attach(interaction, checkpoint, label="<em>label</em>")
    html = reader_client.get(detail_url(interaction)).text
    for raw in ("<b>x</b>", "<script>alert", "<i>n</i>", "<u>a</u>", "<em>label</em>"):
        assert raw not in html
    facts = page(html).get_by_role("tabpanel", name="Information").descriptions()
    assert (facts["Customer"], facts["Subject"]) == ("<b>x</b>", "<script>alert(1)</script>")
    assert data_panel(page(html)).get_by_role("table").column("Name") == ["<i>n</i>"]


def test_an_interaction_without_checkpoints(reader_client):
    shown = page(reader_client.get(detail_url(make_interaction())))
    empty = shown.get_all_by_text("No checkpoint attached yet.", hidden=True)
    assert len(empty) == 3
    assert shown.get_all_by_role("table", hidden=True) == []


def test_pages_are_csp_safe(reader_client, journey):
    for url in (detail_url(journey), reverse("interactions:interaction_list")):
        html = reader_client.get(url).text
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\son[a-z]+=", html), url


# Live: the page polls its fragments; once closed, they say stop ------------------------------


def test_live_page_polls_once_for_every_part_and_is_marked_live(reader_client, journey):
    html = reader_client.get(detail_url(journey)).text
    assert html.count("data-poll-url=") == 1
    assert f'data-poll-url="{journey_url(journey)}" data-poll-seconds="5"' in html
    for part in JOURNEY_PARTS:
        assert f'data-poll-part="{part}"' in html
    status = page(html).get_by_role("status")
    assert status.text == "Live"
    assert status.get_by_text("Live").get("class") == "badge live"


def test_closed_page_does_not_poll(reader_client, journey):
    services.close_interaction(journey)
    html = reader_client.get(detail_url(journey)).text
    assert "data-poll-url" not in html
    shown = page(html)
    assert shown.get_by_role("status").get_by_text("Closed").get("class") == "badge closed"
    assert shown.get_all_by_text("Live", hidden=True) == []


def test_the_polled_answer_holds_each_part_as_on_the_page(reader_client, journey):
    page = reader_client.get(detail_url(journey)).text
    polled = reader_client.get(journey_url(journey))
    assert polled.status_code == 200
    assert "X-Poll-Stop" not in polled.headers
    assert "no-cache" in polled.headers["Cache-Control"]
    assert "<html" not in polled.text
    for part in JOURNEY_PARTS:
        # The same markup, so the page changes only when the data does.
        fragment = re.search(
            rf'<div data-poll-part="{part}">(.*?)</div>\n(?=<div data-poll-part=|$)',
            polled.text,
            re.S,
        ).group(1)
        assert f'data-poll-part="{part}">{fragment}' in page, part


def test_the_polled_answer_shows_a_checkpoint_attached_since(reader_client, journey):
    before = page(reader_client.get(journey_url(journey)))
    assert "Callback offered" not in before.text
    callback = Checkpoint.objects.create(
        name="Callback offered", reference="callback_offered", alias="callback"
    )
    attach(journey, callback, label="Offer a callback")
    after = page(reader_client.get(journey_url(journey)))
    timeline = after.get_by_role("list", name="Checkpoints in the order they were attached")
    assert (
        "Callback offered Set by Offer a callback" in timeline.get_all_by_role("listitem")[-1].text
    )
    assert (
        after.get_by_role("list", name="Checkpoints").get_all_by_role("listitem")[-1].text
        == "callback"
    )
    link = after.get_by_role("link", name="Callback offered")
    assert link.get("href") == callback.get_absolute_url()


def test_once_closed_the_polled_answer_says_stop(reader_client, journey):
    services.close_interaction(journey)
    response = reader_client.get(journey_url(journey))
    assert response.status_code == 200
    assert response.headers["X-Poll-Stop"] == "1"
    badges = page(response).get_all_by_text("Closed")
    assert [badge.get("class") for badge in badges] == ["badge closed", "badge closed"]


# Query counts ---------------------------------------------------------------------------------


def interaction_with(rows: int, make_checkpoints, prefix: str) -> Interaction:
    interaction = make_interaction()
    for index, checkpoint in enumerate(make_checkpoints(rows, prefix)):
        checkpoint.alias = f"{prefix} {index}"
        checkpoint.save()
        attach(interaction, checkpoint, label=f"Step {index}", routing="Main")
    return interaction


def data_links(html: str) -> int:
    return len(data_panel(page(html)).get_all_by_role("link"))


def test_details_query_count_does_not_grow_with_rows(
    client, make_checkpoints, django_assert_num_queries
):
    one = interaction_with(1, make_checkpoints, "one")
    thirty = interaction_with(30, make_checkpoints, "thirty")
    client.force_login(make_user("counter", [VIEW, VIEW_CHECKPOINT]))
    client.get(detail_url(one))  # warms the content types cache
    for interaction, rows in ((one, 1), (thirty, 30)):
        # session, user, interaction with its tags, attached rows with their checkpoints and
        # the tags, the user's rights and their roles' rights, then the Modify/Delete checks
        # per object (2 each) and the menu's per-object grants.
        with django_assert_num_queries(11):
            response = client.get(detail_url(interaction))
        assert data_links(response.text) == rows
        # The fragment: no menu, no Modify/Delete checks.
        with django_assert_num_queries(6):
            assert client.get(journey_url(interaction)).status_code == 200


def test_details_query_count_with_per_object_rights(
    client, make_checkpoints, django_assert_num_queries
):
    one = interaction_with(1, make_checkpoints, "one")
    thirty = interaction_with(30, make_checkpoints, "thirty")
    user = make_user("per-object")
    for interaction in (one, thirty):
        assign_perm(VIEW, user, interaction)
    for reference in ("one_0000", "thirty_0000"):
        assign_perm(VIEW_CHECKPOINT, user, Checkpoint.objects.get(reference=reference))
    client.force_login(user)
    client.get(detail_url(one))
    counts = []
    for interaction in (one, thirty):
        with django_assert_num_queries(14) as captured:
            response = client.get(detail_url(interaction))
        counts.append(len(captured))
        assert data_links(response.text) == 1  # only the checkpoint the user may read
    assert counts[0] == counts[1]
