"""The interaction details page (brief §5: the Checkpoints section, the Information tab's alias
chips, the Data tab's detailed rows), its live fragments, and the checkpoint page's
"Interactions" panel."""

import datetime
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

pytestmark = pytest.mark.django_db

VIEW = "interactions.view_interaction"
VIEW_CHECKPOINT = "checkpoints.view_checkpoint"
T0 = datetime.datetime(2025, 3, 4, 9, 15, 30, 123456, tzinfo=datetime.UTC)


def make_interaction(channel="voice", customer="+33100000000", subject="", **extra) -> Interaction:
    return services.create_interaction(channel=channel, customer=customer, subject=subject, **extra)


def attach(interaction, checkpoint, *, at=None, label="", routing="", action_id=None):
    return services.attach_checkpoint(
        interaction.pk,
        checkpoint_id=checkpoint.pk,
        action=services.ActionRecord(routing_name=routing, action_label=label, action_id=action_id),
        attached_at=at,
    ).attachment


def detail_url(interaction) -> str:
    return reverse("interactions:interaction_detail", kwargs={"pk": interaction.pk})


def journey_url(interaction) -> str:
    return reverse("interactions:interaction_journey", kwargs={"pk": interaction.pk})


def section(html: str, start: str, end: str) -> str:
    """The text of ``html`` between two markers (the first ``end`` after ``start``)."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def reader(db):
    return make_user("ireader", [VIEW, VIEW_CHECKPOINT])


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def journey(db):
    """A live voice interaction with three checkpoints attached out of order in time."""
    interaction = make_interaction(subject="Lost card", variables={"lang": "fr", "tries": 2})
    recognised = Checkpoint.objects.create(
        name="Recognised customer", reference="recognised_customer", alias="recognised"
    )
    optin = Checkpoint.objects.create(name="Opt-in FR", reference="optin_fr", alias="opt-in FR")
    vip = Checkpoint.objects.create(name="VIP customer", reference="vip", alias="")
    attach(
        interaction,
        optin,
        at=T0 + datetime.timedelta(seconds=40),
        label="Ask for opt-in",
        routing="Main voice line",
    )
    attach(interaction, recognised, at=T0, label="Caller recognised", routing="Main voice line")
    attach(interaction, vip, at=T0 + datetime.timedelta(minutes=2, seconds=5))
    return interaction


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
    html = reader_client.get(detail_url(journey)).text
    assert re.search(r"<h2[^>]*>Checkpoints</h2>", html)
    timeline = text_of(section(html, 'id="checkpoints-heading"', "</section>"))
    assert timeline.index("Recognised customer") < timeline.index("Opt-in FR")
    assert timeline.index("Opt-in FR") < timeline.index("VIP customer")
    assert "2025-03-04 09:15:30 UTC Recognised customer Set by Caller recognised" in timeline
    assert "2025-03-04 09:16:10 UTC Opt-in FR Set by Ask for opt-in · Main voice line" in timeline
    # No action recorded: said so, never left blank.
    assert "2025-03-04 09:17:35 UTC VIP customer Set by Set through the API" in timeline
    assert "ago" not in timeline


def test_information_tab_shows_the_facts_and_each_alias_as_a_chip(reader_client, journey):
    html = reader_client.get(detail_url(journey)).text
    assert 'role="tablist"' in html
    assert re.search(r'<a role="tab"[^>]*aria-selected="true"[^>]*>Information</a>', html)
    assert re.search(r'<a role="tab"[^>]*aria-selected="false"[^>]*>Data</a>', html)
    information = section(html, 'role="tabpanel" id="information"', "</section>")
    assert 'role="tabpanel"' in information
    facts = text_of(information)
    for fact in ("Channel Voice", "Status Live", "Customer +33100000000", "Subject Lost card"):
        assert fact in facts
    assert "lang fr" in facts and "tries 2" in facts
    assert re.search(r"<h3[^>]*>Checkpoints</h3>", information)
    chips = re.findall(r'<li class="chip">([^<]*)</li>', information)
    assert chips == ["opt-in FR", "recognised"]  # the tag list, in the order tags were added


def test_data_tab_lists_the_rows_with_links_to_each_checkpoint(reader_client, journey):
    html = reader_client.get(detail_url(journey)).text
    data = section(html, 'role="tabpanel" id="data"', "</section>")
    assert 'role="tabpanel"' in data
    assert '<th scope="col">Date and time (UTC)</th>' in data
    rows = re.findall(r"<tr>(.*?)</tr>", data, re.S)[1:]
    assert [text_of(row) for row in rows] == [
        "2025-03-04 09:15:30 Recognised customer recognised_customer recognised "
        "Caller recognised Main voice line",
        "2025-03-04 09:16:10 Opt-in FR optin_fr opt-in FR Ask for opt-in Main voice line",
        "2025-03-04 09:17:35 VIP customer vip — Set through the API —",
    ]
    for reference in ("recognised_customer", "optin_fr", "vip"):
        url = Checkpoint.objects.get(reference=reference).get_absolute_url()
        assert f'<a href="{url}">' in data


def test_the_data_tab_can_be_opened_without_javascript(reader_client, journey):
    html = reader_client.get(detail_url(journey) + "?tab=data").text
    assert re.search(r'<a role="tab"[^>]*aria-selected="true"[^>]*>Data</a>', html)
    assert re.search(r'id="information"[^>]* hidden>', html)
    assert not re.search(r'id="data"[^>]* hidden>', html)
    # Both panels are in the page, whichever is shown.
    assert '<li class="chip">recognised</li>' in html and "optin_fr" in html


def test_an_action_known_only_by_its_id_is_named_by_it(reader_client):
    interaction = make_interaction()
    checkpoint = Checkpoint.objects.create(name="Callback", reference="callback")
    attach(interaction, checkpoint, action_id=42)
    html = reader_client.get(detail_url(interaction)).text
    assert "Action #42" in html


def test_a_deleted_checkpoint_keeps_its_recorded_name_and_is_marked_deleted(reader_client, journey):
    checkpoint_services.delete_checkpoint(Checkpoint.objects.get(reference="optin_fr"))
    html = reader_client.get(detail_url(journey)).text
    data = section(html, 'role="tabpanel" id="data"', "</section>")
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", data, re.S) if "optin_fr" in r)
    assert "Opt-in FR" in row and "optin_fr" in row
    assert '<span class="badge deleted">deleted</span>' in row
    assert "<a " not in row  # nothing to link to any more
    # The other two still link, the section and the chips still show it.
    assert data.count("<a href=") == 2
    assert "Opt-in FR" in section(html, 'id="checkpoints-heading"', "</section>")
    assert '<li class="chip">opt-in FR</li>' in html


def test_renaming_a_checkpoint_keeps_the_recorded_name(reader_client, journey):
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    checkpoint_services.update_checkpoint(checkpoint, name="Known caller", alias="known")
    html = reader_client.get(detail_url(journey)).text
    assert "Known caller" not in html
    assert f'<a href="{checkpoint.get_absolute_url()}">Recognised customer</a>' in html
    assert '<li class="chip">recognised</li>' in html


def test_no_link_without_the_right_to_read_the_checkpoint(client, journey):
    user = make_user("no-checkpoints", [VIEW])
    allowed = Checkpoint.objects.get(reference="vip")
    assign_perm(VIEW_CHECKPOINT, user, allowed)
    client.force_login(user)
    data = section(client.get(detail_url(journey)).text, 'role="tabpanel" id="data"', "</section>")
    assert re.findall(r'<a href="([^"]+)"', data) == [allowed.get_absolute_url()]
    assert "Recognised customer" in data


def test_no_link_while_the_smart_licence_is_off(reader_client, journey, settings):
    settings.SMART_LICENCE = False
    response = reader_client.get(detail_url(journey))
    assert response.status_code == 200  # interactions stay
    data = section(response.text, 'role="tabpanel" id="data"', "</section>")
    assert "<a href=" not in data
    assert "Recognised customer" in data


def test_names_are_escaped(reader_client):
    interaction = make_interaction(customer="<b>x</b>", subject="<script>alert(1)</script>")
    checkpoint = Checkpoint.objects.create(name="<i>n</i>", reference="esc", alias="<u>a</u>")
    attach(interaction, checkpoint, label="<em>label</em>")
    html = reader_client.get(detail_url(interaction)).text
    for raw in ("<b>x</b>", "<script>alert", "<i>n</i>", "<u>a</u>", "<em>label</em>"):
        assert raw not in html


def test_an_interaction_without_checkpoints(reader_client):
    html = reader_client.get(detail_url(make_interaction())).text
    assert html.count("No checkpoint attached yet.") == 3


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
    status = section(html, 'class="interaction-status"', "</div>")
    assert '<span class="badge live">Live</span>' in status


def test_closed_page_does_not_poll(reader_client, journey):
    services.close_interaction(journey)
    html = reader_client.get(detail_url(journey)).text
    assert "data-poll-url" not in html
    assert '<span class="badge closed">Closed</span>' in html
    assert ">Live<" not in html


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
    before = reader_client.get(journey_url(journey)).text
    assert "Callback offered" not in before
    callback = Checkpoint.objects.create(
        name="Callback offered", reference="callback_offered", alias="callback"
    )
    attach(journey, callback, label="Offer a callback")
    after = reader_client.get(journey_url(journey)).text
    assert "Callback offered" in after
    assert '<li class="chip">callback</li>' in after
    assert f'<a href="{callback.get_absolute_url()}">Callback offered</a>' in after


def test_once_closed_the_polled_answer_says_stop(reader_client, journey):
    services.close_interaction(journey)
    response = reader_client.get(journey_url(journey))
    assert response.status_code == 200
    assert response.headers["X-Poll-Stop"] == "1"
    assert "Closed" in response.text


# Query counts ---------------------------------------------------------------------------------


def interaction_with(rows: int, make_checkpoints, prefix: str) -> Interaction:
    interaction = make_interaction()
    for index, checkpoint in enumerate(make_checkpoints(rows, prefix)):
        checkpoint.alias = f"{prefix} {index}"
        checkpoint.save()
        attach(interaction, checkpoint, label=f"Step {index}", routing="Main")
    return interaction


def data_links(html: str) -> int:
    return section(html, 'role="tabpanel" id="data"', "</section>").count("<a href=")


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


# The checkpoint configuration page: how many interactions reached it --------------------------


def test_checkpoint_page_shows_how_many_interactions_reached_it(reader_client, journey):
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    other = make_interaction(channel="email", customer="c@example.com")
    attach(other, checkpoint, label="Sender found")
    make_interaction(customer="never reached it")
    html = reader_client.get(checkpoint.get_absolute_url()).text
    panel = section(html, 'class="card reach-panel"', "</section>")
    assert re.search(r"<h2[^>]*>Interactions</h2>", panel)
    assert "2 interactions reached this checkpoint." in text_of(panel)
    # Latest first, each a link to the interaction.
    links = re.findall(r'<a href="(/interactions/\d+/)">', panel)
    assert links == [detail_url(other), detail_url(journey)]
    assert "/interactions/?checkpoint=recognised_customer" in panel


def test_reach_panel_for_a_checkpoint_never_reached(reader_client):
    checkpoint = Checkpoint.objects.create(name="Unused", reference="unused")
    html = reader_client.get(checkpoint.get_absolute_url()).text
    assert "No interaction has reached this checkpoint yet." in html


def test_reach_panel_hidden_from_those_who_may_not_read_interactions(client, journey):
    client.force_login(make_user("checkpoints-only", [VIEW_CHECKPOINT]))
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    response = client.get(checkpoint.get_absolute_url())
    assert response.status_code == 200
    assert "reach-panel" not in response.text
    assert "/interactions/" not in response.text


def test_reach_panel_lists_only_the_interactions_the_user_may_open(client, journey):
    checkpoint = Checkpoint.objects.get(reference="recognised_customer")
    hidden = make_interaction(customer="not yours")
    attach(hidden, checkpoint)
    user = make_user("one-interaction", [VIEW_CHECKPOINT])
    assign_perm(VIEW, user, journey)
    client.force_login(user)
    panel = section(
        client.get(checkpoint.get_absolute_url()).text, 'class="card reach-panel"', "</section>"
    )
    assert detail_url(journey) in panel
    assert detail_url(hidden) not in panel
    assert "not yours" not in panel
