"""Issue 7, item 7: an interaction's answer reads one state. Its tags and its attached
checkpoints are shown as they were together, whichever statement of the read an attach
commits after: never a checkpoint whose alias is missing from the tags, never an attach's tag
without its checkpoint. Tags set in the admin stay."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from checkpoints.models import Checkpoint
from interactions import services
from interactions.models import InteractionTag
from tests.conftest import WriteBetweenReads, make_user, token_client
from tests.pages import page

pytestmark = pytest.mark.django_db

VIEW = "interactions.view_interaction"
TABLE = '"interactions_'


def api_state(client, interaction) -> tuple[list[str], list[str]]:
    body = client.get(f"/api/v1/interactions/{interaction.pk}/").json()
    return body["tags"], [row["alias"] for row in body["checkpoints"]]


def page_state(client, interaction) -> tuple[list[str], list[str]]:
    shown = page(client.get(f"/interactions/{interaction.pk}/journey/"))
    chips = shown.query_by_role("list", name="Checkpoints")
    table = shown.query_by_role("table")
    return (
        [chip.text for chip in chips.get_all_by_role("listitem")] if chips else [],
        table.column("Alias") if table else [],
    )


@pytest.fixture
def api_reader(db) -> APIClient:
    return token_client(make_user("agent", [VIEW]))


@pytest.fixture
def session_client(client, db):
    client.force_login(make_user("page-reader", [VIEW]))
    return client


def states(already_attached: int, admin_tag: bool):
    """An interaction with ``already_attached`` checkpoints (aliases al-0, …) and maybe a tag
    typed in the admin; the attach to commit during the read; the two states it may show."""
    interaction = services.create_interaction(channel="voice")
    reference = [f"c{interaction.pk}_{number}" for number in range(already_attached + 1)]
    for number, code in enumerate(reference):
        Checkpoint.objects.create(name=f"C{number}", reference=code, alias=f"al-{number}")
    for number in range(already_attached):
        services.attach_checkpoint(interaction.pk, reference=reference[number])
    if admin_tag:
        InteractionTag.objects.create(interaction=interaction, name="checked by support")
    before_rows = [f"al-{number}" for number in range(already_attached)]
    before_tags = [*before_rows, *(["checked by support"] if admin_tag else [])]
    before = (before_tags, before_rows)
    after = ([*before_tags, f"al-{already_attached}"], [*before_rows, f"al-{already_attached}"])

    def attach():
        services.attach_checkpoint(interaction.pk, reference=reference[already_attached])

    return interaction, attach, before, after


@pytest.mark.parametrize("reader", [api_state, page_state], ids=["api", "page"])
@pytest.mark.parametrize(("already_attached", "admin_tag"), [(0, False), (2, False), (2, True)])
def test_an_attach_between_the_reads_shows_before_or_after(
    request, reader, already_attached, admin_tag
):
    client = request.getfixturevalue("api_reader" if reader is api_state else "session_client")
    interaction, _, before, _ = states(already_attached, admin_tag)
    counting = WriteBetweenReads(TABLE, lambda: None, after=None)
    with connection.execute_wrapper(counting):
        assert reader(client, interaction) == before
    reads = counting.selects
    assert reads >= 2  # the interaction, then its rows: there is an "in between"
    for after_read in range(1, reads):
        interaction, attach, before, after = states(already_attached, admin_tag)
        between = WriteBetweenReads(TABLE, attach, after=after_read)
        with connection.execute_wrapper(between):
            shown = reader(client, interaction)
        assert between.written
        assert shown in (before, after), f"after read {after_read} of {reads}"
        assert reader(client, interaction) == after
