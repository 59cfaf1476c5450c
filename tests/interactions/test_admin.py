"""The Django admin for interactions: columns, filters, search, the read-only journey inline, the
tags inline, creating through the service, and the "Close selected interactions" action."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import FoldedDay, Interaction, InteractionCheckpoint, InteractionTag
from interactions.statistics import rollup, selectors
from interactions.statistics.scope import Scope
from tests.interactions.journeys import attach, make_interaction

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:interactions_interaction_changelist")
ADD = reverse("admin:interactions_interaction_add")
T0 = datetime.datetime(2025, 1, 2, 8, 30, 0, tzinfo=datetime.UTC)
INLINE = "attached_checkpoints"
# The journey fixture's own fields, as its change form posts them back.
JOURNEY_FORM = {
    "channel": "voice",
    "started_at_0": "2025-01-02",
    "started_at_1": "08:00:00",
    "customer": "Alice Martin",
    "subject": "Lost card",
    "variables": "{}",
}


def change_url(interaction) -> str:
    return reverse("admin:interactions_interaction_change", args=[interaction.pk])


@pytest.fixture
def journey(db):
    interaction = make_interaction("voice", "Alice Martin", "Lost card")
    recognised = Checkpoint.objects.create(
        name="Recognised customer", reference="recognised", alias="known"
    )
    optin = Checkpoint.objects.create(name="Opt-in FR", reference="optin_fr", alias="opt-in FR")
    attach(interaction, recognised, at=T0, label="Caller recognised", routing="Main voice line")
    attach(interaction, optin, at=T0 + datetime.timedelta(seconds=30), label="Ask for opt-in")
    return interaction


def staff(username: str, *perms: str, on=None) -> User:
    """A staff user with these rights, role-wide or (``on``) on one object."""
    user = User.objects.create_user(username, password="pass-for-tests-1", is_staff=True)
    for perm in perms:
        if on is None:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        else:
            assign_perm(perm, user, on)
    return User.objects.get(pk=user.pk)


# Changelist -----------------------------------------------------------------------------------


def test_changelist_columns_filters_and_search(admin_client, journey):
    email = make_interaction("email", "bob@example.com", "Invoice copy")
    services.close_interaction(email)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    for column in ("Started at", "Channel", "Status", "Customer", "Subject", "Checkpoints"):
        assert f">{column}</a>" in response.text
    assert {obj.pk: obj._checkpoint_count for obj in response.context["cl"].result_list} == {
        journey.pk: 2,
        email.pk: 0,
    }
    assert 'value="close_selected"' in response.text
    assert "Close selected interactions" in response.text

    def found(**query):
        return [obj.pk for obj in admin_client.get(CHANGELIST, query).context["cl"].result_list]

    assert found(channel__exact="email") == [email.pk]
    assert found(status__exact="ongoing") == [journey.pk]
    assert found(q="alice") == [journey.pk]
    assert found(q="invoice") == [email.pk]


# The journey inline: read-only history -------------------------------------------------------


def test_attached_checkpoints_inline_is_read_only(admin_client, journey):
    response = admin_client.get(change_url(journey))
    assert response.status_code == 200
    html = response.text
    assert "Recognised customer" in html and "Caller recognised" in html
    assert "Main voice line" in html and "Ask for opt-in" in html
    # No input for the copies, no "add another", no delete box.
    assert f'name="{INLINE}-0-name"' not in html
    assert f'name="{INLINE}-0-DELETE"' not in html
    assert "Add another attached checkpoint" not in html
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == INLINE
    )
    assert formset.max_num == 0
    assert not formset.can_delete
    assert formset.total_form_count() == 2
    inline = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == INLINE
    )
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert inline.has_view_permission


def test_posting_to_the_inline_changes_no_copy(admin_client, journey):
    rows = list(journey.attached_checkpoints.order_by("attached_at"))
    tags = list(journey.tags.order_by("id"))
    data = {
        **JOURNEY_FORM,
        f"{INLINE}-TOTAL_FORMS": "3",
        f"{INLINE}-INITIAL_FORMS": "2",
        f"{INLINE}-0-id": rows[0].pk,
        f"{INLINE}-0-name": "Forged",
        f"{INLINE}-0-DELETE": "on",
        f"{INLINE}-1-id": rows[1].pk,
        f"{INLINE}-2-name": "Injected",
        f"{INLINE}-2-reference": "injected",
        "tags-TOTAL_FORMS": str(len(tags)),
        "tags-INITIAL_FORMS": str(len(tags)),
        **{f"tags-{i}-id": tag.pk for i, tag in enumerate(tags)},
        **{f"tags-{i}-name": tag.name for i, tag in enumerate(tags)},
        **{f"tags-{i}-interaction": journey.pk for i in range(len(tags))},
    }
    response = admin_client.post(change_url(journey), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(journey.attached_checkpoints.order_by("attached_at")) == rows
    assert [row.name for row in rows] == ["Recognised customer", "Opt-in FR"]
    assert not InteractionCheckpoint.objects.filter(name__in=["Forged", "Injected"]).exists()


def test_the_inline_shows_to_a_reader_of_the_interaction_only(client, journey):
    other = make_interaction("email", "someone")
    user = staff("obj-reader", "interactions.view_interaction", on=journey)
    client.force_login(user)
    response = client.get(change_url(journey))
    assert response.status_code == 200
    assert "Recognised customer" in response.text
    assert client.get(change_url(other)).status_code == 403


# Tags inline ----------------------------------------------------------------------------------


def test_tags_can_be_corrected_by_who_may_change_the_interaction(admin_client, journey):
    tags = list(journey.tags.order_by("id"))
    assert [tag.name for tag in tags] == ["known", "opt-in FR"]
    data = {
        **JOURNEY_FORM,
        f"{INLINE}-TOTAL_FORMS": "2",
        f"{INLINE}-INITIAL_FORMS": "2",
        f"{INLINE}-0-id": journey.attached_checkpoints.order_by("attached_at")[0].pk,
        f"{INLINE}-1-id": journey.attached_checkpoints.order_by("attached_at")[1].pk,
        "tags-TOTAL_FORMS": "3",
        "tags-INITIAL_FORMS": "2",
        "tags-0-id": tags[0].pk,
        "tags-0-interaction": journey.pk,
        "tags-0-name": "known",
        "tags-0-DELETE": "on",
        "tags-1-id": tags[1].pk,
        "tags-1-interaction": journey.pk,
        "tags-1-name": "opt-in FR",
        "tags-2-interaction": journey.pk,
        "tags-2-name": "checked by support",
    }
    response = admin_client.post(change_url(journey), data)
    assert response.status_code == 302
    assert list(journey.tags.order_by("id").values_list("name", flat=True)) == [
        "opt-in FR",
        "checked by support",
    ]


def test_a_reader_sees_tags_without_inputs(client, journey):
    client.force_login(staff("reader", "interactions.view_interaction"))
    html = client.get(change_url(journey)).text
    assert "opt-in FR" in html
    assert 'name="tags-0-name"' not in html
    assert 'value="close_selected"' not in client.get(CHANGELIST).text


# Creating and closing -------------------------------------------------------------------------


def test_add_creates_through_the_service(admin_client):
    response = admin_client.post(
        ADD,
        {
            "channel": "messaging",
            "customer": "  +44 7700 900123  ",
            "subject": " Order ",
            "variables": '{"lang": "en"}',
            "started_at_0": "2025-01-02",
            "started_at_1": "08:00:00",
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.customer, interaction.subject) == ("+44 7700 900123", "Order")
    assert interaction.status == Interaction.Status.ONGOING
    assert interaction.variables == {"lang": "en"}


def test_close_selected_interactions(admin_client, journey):
    email = make_interaction("email", "bob@example.com")
    closed_before = make_interaction("voice", "Carol")
    services.close_interaction(closed_before, ended_at=T0)
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "close_selected",
            "_selected_action": [journey.pk, email.pk, closed_before.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "2 interactions closed." in response.text
    for interaction in (journey, email):
        interaction.refresh_from_db()
        assert interaction.status == Interaction.Status.CLOSED
        assert interaction.ended_at is not None
    closed_before.refresh_from_db()
    assert closed_before.ended_at == T0  # closing a closed one changes nothing


def test_close_action_only_closes_what_the_user_may_change(client, journey):
    other = make_interaction("email", "someone")
    user = staff("one-changer", "interactions.change_interaction", on=journey)
    assign_perm("interactions.view_interaction", user, other)
    client.force_login(user)
    response = client.post(
        CHANGELIST,
        {"action": "close_selected", "_selected_action": [journey.pk, other.pk]},
        follow=True,
    )
    assert "1 interaction closed." in response.text
    assert "1 interaction left as they were" in response.text
    journey.refresh_from_db()
    other.refresh_from_db()
    assert journey.status == Interaction.Status.CLOSED
    assert other.status == Interaction.Status.ONGOING


def test_tags_alone_never_create_attached_checkpoints(journey):
    # The tag inline edits InteractionTag only: the attached copies are the journey.
    assert InteractionTag.objects.filter(interaction=journey).count() == 2
    assert journey.attached_checkpoints.count() == 2


# Editing -------------------------------------------------------------------------------------


def test_an_edit_keeps_the_channel_and_a_moved_start_unfolds_both_days(admin_client):
    """The channel is what the attached rows recorded: read-only once created. Moving the
    start changes two closed days' counts of interactions started: both are read afresh."""
    interaction = services.create_interaction(
        channel="voice", customer="Alice Martin", subject="Lost card", started_at=T0
    )
    recognised = Checkpoint.objects.create(name="Recognised customer", reference="recognised")
    attach(interaction, recognised, at=T0)
    rollup.fold(back=800)  # January 2025
    left, joined = datetime.date(2025, 1, 2), datetime.date(2025, 1, 5)
    assert FoldedDay.objects.filter(day__in=[left, joined]).count() == 2
    assert selectors.overview(Scope(left, left)).interactions == 1
    assert 'name="channel"' not in admin_client.get(change_url(interaction)).text
    data = {
        **JOURNEY_FORM,
        "channel": "email",
        "started_at_0": "2025-01-05",
        f"{INLINE}-TOTAL_FORMS": "1",
        f"{INLINE}-INITIAL_FORMS": "1",
        f"{INLINE}-0-id": interaction.attached_checkpoints.get().pk,
        "tags-TOTAL_FORMS": "0",
        "tags-INITIAL_FORMS": "0",
    }
    response = admin_client.post(change_url(interaction), data)
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert interaction.channel == "voice"
    assert interaction.started_at.date() == joined
    assert interaction.attached_checkpoints.get().channel == "voice"
    assert not FoldedDay.objects.filter(day__in=[left, joined]).exists()
    assert FoldedDay.objects.filter(day=datetime.date(2025, 1, 3)).exists()
    assert selectors.overview(Scope(joined, joined)).interactions == 1
    assert selectors.overview(Scope(left, left)).interactions == 0
