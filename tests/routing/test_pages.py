"""Smart Routing editor pages: rights, the routing list and forms, the tree with its nodes,
Preview, Test run and the Smart licence."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from interactions.models import InteractionCheckpoint
from interactions.services import create_interaction
from routing import services
from routing.models import Node, SmartRouting
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LIST = reverse("routing:smartrouting_list")
ADD = reverse("routing:smartrouting_add")
BULK = reverse("routing:smartrouting_bulk_delete")
RUN_RIGHT = "interactions.add_interactioncheckpoint"
READ_INTERACTIONS = "interactions.view_interaction"
READ_CHECKPOINTS = "checkpoints.view_checkpoint"
WIRED = "This outcome is already wired to another node."


def routing_perms(*actions: str) -> list[str]:
    return [f"routing.{action}_smartrouting" for action in actions]


ALL = routing_perms("view", "add", "change", "delete")


def url(name: str, **kwargs) -> str:
    return reverse(f"routing:{name}", kwargs=kwargs)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


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
def full_client(client):
    client.force_login(make_user("maker", [*ALL, RUN_RIGHT, READ_INTERACTIONS, READ_CHECKPOINTS]))
    return client


@pytest.fixture
def reader_client(client):
    client.force_login(make_user("reader", routing_perms("view")))
    return client


def node_data(kind: str, outcome: str = "", **fields) -> dict:
    data = {
        "outcome": outcome,
        "kind": kind,
        "label": "",
        "variable": "",
        "value": "",
        "checkpoint": "",
        "reference_code": "",
        "sample_variables": "",
    }
    data.update({name: "" if value is None else value for name, value in fields.items()})
    return data


def page_urls(routing, root, child) -> list[tuple[str, str]]:
    """(right on the routing, url) of every GET page."""
    return [
        ("view", LIST),
        ("view", url("smartrouting_detail", pk=routing.pk)),
        ("add", ADD),
        ("add", url("smartrouting_duplicate", pk=routing.pk)),
        ("change", url("smartrouting_edit", pk=routing.pk)),
        ("delete", url("smartrouting_delete", pk=routing.pk)),
        ("change", url("node_add", pk=routing.pk, parent=child.pk) + "?outcome=ok"),
        ("change", url("node_edit", pk=routing.pk, node=child.pk)),
        ("change", url("node_delete", pk=routing.pk, node=child.pk)),
    ]


@pytest.fixture
def child(root, optin):
    return services.add_node(
        root, outcome="next", kind="add_checkpoint", label="Opt-in", checkpoint=optin
    )


# ---- Rights ----


@pytest.mark.parametrize("right", ["view", "add", "change", "delete"])
def test_each_page_needs_its_right(client, routing, root, child, right):
    client.force_login(make_user("one-right", routing_perms(right)))
    for needed, page in page_urls(routing, root, child):
        # Duplicating needs the right to add and to read the source.
        expected = 200 if needed == right and "duplicate" not in page else 403
        assert client.get(page).status_code == expected, (right, page)


def test_a_reader_sees_the_tree_without_editor_buttons(reader_client, routing, child):
    response = reader_client.get(url("smartrouting_detail", pk=routing.pk))
    assert response.status_code == 200
    text = response.text
    assert "Opt-in" in text and "Opt-in French" in text
    for hidden in ("New smart routing", "Add a node", ">Edit<", "Duplicate", "Test run"):
        assert hidden not in text, hidden
    assert "not wired: a run stops here" in text
    listing = reader_client.get(LIST).text
    assert "Voice IVR" in listing
    assert "New smart routing" not in listing and "Delete selected" not in listing
    for action in ("edit", "duplicate", "delete"):
        assert url(f"smartrouting_{action}", pk=routing.pk) not in listing
    assert reader_client.post(url("node_delete", pk=routing.pk, node=child.pk)).status_code == 403
    assert Node.objects.filter(pk=child.pk).exists()


def test_a_full_user_sees_every_button(full_client, routing, child):
    create_interaction(channel="voice")
    text = full_client.get(url("smartrouting_detail", pk=routing.pk)).text
    for shown in ("Edit", "Duplicate", "Delete", "Add a node", "Test run", ">Run<"):
        assert shown in text, shown
    listing = full_client.get(LIST).text
    assert 'aria-label="New smart routing"' in listing
    assert "Delete selected" in listing


def test_rights_on_one_routing(client, routing, root):
    other = services.create_routing(name="Email flow", channel="email")
    user = make_user("one-routing")
    assign_perm("routing.view_smartrouting", user, routing)
    assign_perm("routing.change_smartrouting", user, routing)
    client.force_login(user)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "Voice IVR" in listing.text and "Email flow" not in listing.text
    assert client.get(url("smartrouting_detail", pk=routing.pk)).status_code == 200
    assert client.get(url("smartrouting_detail", pk=other.pk)).status_code == 403
    assert client.get(url("smartrouting_edit", pk=routing.pk)).status_code == 200
    assert client.get(url("smartrouting_edit", pk=other.pk)).status_code == 403
    assert client.get(ADD).status_code == 403
    response = client.post(
        url("node_add", pk=routing.pk, parent=root.pk), node_data("end", "next", label="Hang up")
    )
    assert response.status_code == 302
    other_root = other.nodes.get(parent=None)
    response = client.post(
        url("node_add", pk=other.pk, parent=other_root.pk), node_data("end", "next")
    )
    assert response.status_code == 403
    assert not other.nodes.filter(kind="end").exists()
    # A node of another routing is not found through this one.
    assert client.get(url("node_edit", pk=routing.pk, node=other_root.pk)).status_code == 404


def test_test_run_needs_the_attach_right(client, routing, root):
    interaction = create_interaction(channel="voice")
    client.force_login(make_user("viewer", [*routing_perms("view"), READ_INTERACTIONS]))
    assert "Test run" not in client.get(url("smartrouting_detail", pk=routing.pk)).text
    response = client.post(url("smartrouting_run", pk=routing.pk), {"interaction": interaction.pk})
    assert response.status_code == 403


def test_the_licence_off_refuses_every_page(full_client, routing, root, child, settings):
    settings.SMART_LICENCE = False
    for _, page in page_urls(routing, root, child):
        response = full_client.get(page)
        assert response.status_code == 403, page
        assert "Checkpoints are part of the Smart licence" in response.text
    response = full_client.post(url("smartrouting_run", pk=routing.pk))
    assert response.status_code == 403
    assert "Smart Routing" not in full_client.get(reverse("interactions:interaction_list")).text


# ---- Routings: list, create, edit, duplicate, delete ----


def test_list_filters_by_channel_and_search(full_client, routing):
    services.create_routing(name="Email campaign", channel="email")
    services.create_routing(name="Voice overflow", channel="voice")
    names = ("Voice IVR", "Email campaign", "Voice overflow")

    def shown(**query):
        text = full_client.get(LIST, query).text
        return {name for name in names if name in text}

    assert shown() == set(names)
    assert shown(channel="email") == {"Email campaign"}
    assert shown(search="voice") == {"Voice IVR", "Voice overflow"}
    assert shown(search="overflow", channel="voice") == {"Voice overflow"}
    assert shown(search="ivr", channel="email") == set()
    text = full_client.get(LIST, {"search": "nothing"}).text
    assert "No smart routings match “nothing”" in text
    assert 'type="search"' in text and 'aria-label="Search"' in text
    assert '<label for="id_channel">Channel</label>' in text


def test_create_a_routing_starts_with_a_start_node(full_client):
    page = full_client.get(ADD)
    assert "New smart routing" in page.text
    for label in ("Name", "Channel", "Description"):
        assert f">{label}" in page.text
    response = full_client.post(
        ADD, {"name": "  Messaging  ", "channel": "messaging", "description": "Chat"}
    )
    routing = SmartRouting.objects.get()
    assert response.status_code == 302
    assert response.url == routing.get_absolute_url()
    assert "Smart routing “Messaging” created." in messages_of(response)
    assert routing.name == "Messaging"
    assert list(routing.nodes.values_list("kind", "parent")) == [("start", None)]
    text = full_client.get(response.url).text
    assert "Start" in text and "Add a node" in text


def test_create_refuses_invalid_fields(full_client):
    response = full_client.post(ADD, {"name": "", "channel": "fax"})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Select a valid choice." in response.text
    assert not SmartRouting.objects.exists()


def test_edit_a_routing(full_client, routing):
    page = url("smartrouting_edit", pk=routing.pk)
    response = full_client.post(
        page, {"name": "Voice IVR 2", "channel": "voice", "description": "New"}
    )
    assert response.status_code == 302
    assert "Smart routing “Voice IVR 2” saved." in messages_of(response)
    routing.refresh_from_db()
    assert (routing.name, routing.description) == ("Voice IVR 2", "New")
    # From the routing page, the form comes back to it.
    detail = routing.get_absolute_url()
    response = full_client.post(
        f"{page}?return_url={detail}", {"name": "Voice IVR", "channel": "voice"}
    )
    assert response.url == detail


def test_duplicate_copies_the_tree(full_client, routing, child):
    response = full_client.post(
        url("smartrouting_duplicate", pk=routing.pk),
        {"name": "Voice IVR (copy)", "channel": "voice", "description": ""},
    )
    copy = SmartRouting.objects.get(name="Voice IVR (copy)")
    assert response.status_code == 302
    assert sorted(copy.nodes.values_list("kind", "label", "outcome", "checkpoint")) == sorted(
        routing.nodes.values_list("kind", "label", "outcome", "checkpoint")
    )
    assert not set(copy.nodes.values_list("pk", flat=True)) & set(
        routing.nodes.values_list("pk", flat=True)
    )


def test_delete_a_routing_with_confirmation(full_client, routing, child):
    page = url("smartrouting_delete", pk=routing.pk)
    confirm = full_client.get(page)
    assert "Delete smart routing “Voice IVR”?" in confirm.text
    assert "Its tree (2 nodes) is deleted with it." in confirm.text
    response = full_client.post(page)
    assert response.url == LIST
    assert "Smart routing “Voice IVR” deleted." in messages_of(response)
    assert not SmartRouting.objects.exists() and not Node.objects.exists()


def test_bulk_delete(full_client, routing):
    other = services.create_routing(name="Email flow", channel="email")
    keep = services.create_routing(name="Keep me", channel="email")
    ids = {"pk": [routing.pk, other.pk]}
    confirm = full_client.post(BULK, ids)
    assert confirm.status_code == 200
    assert "Voice IVR" in confirm.text and "Email flow" in confirm.text
    assert "Keep me" not in confirm.text
    response = full_client.post(BULK, {**ids, "confirm": "1"})
    assert "2 smart routings deleted." in messages_of(response)
    assert list(SmartRouting.objects.all()) == [keep]


def test_bulk_delete_refuses_routings_without_the_right(client, routing):
    other = services.create_routing(name="Email flow", channel="email")
    user = make_user("deleter", routing_perms("view"))
    assign_perm("routing.delete_smartrouting", user, routing)
    client.force_login(user)
    assert client.post(BULK, {"pk": [routing.pk, other.pk]}).status_code == 403
    response = client.post(BULK, {"pk": [routing.pk, other.pk], "confirm": "1"})
    assert response.status_code == 403
    assert SmartRouting.objects.count() == 2
    client.post(BULK, {"pk": [routing.pk], "confirm": "1"})
    assert list(SmartRouting.objects.all()) == [other]


# ---- Nodes ----

KIND_FIELDS = {
    "set_variable": {"variable": "lang", "value": "{{ lang|lower }}"},
    "switch": {"variable": "segment"},
    "add_checkpoint": {"reference_code": "optin_{{ lang }}"},
    "end": {},
}


def make_parent(root, kind: str) -> Node:
    if kind == "start":
        return root
    return services.add_node(
        root,
        outcome="next",
        kind=kind,
        label=f"Parent {kind}",
        **{name: value for name, value in KIND_FIELDS[kind].items()},
    )


@pytest.mark.parametrize(
    ("parent_kind", "outcome"),
    [
        ("start", "next"),
        ("set_variable", "next"),
        ("add_checkpoint", "ok"),
        ("add_checkpoint", "reference_not_found"),
        ("switch", "gold"),
        ("switch", "default"),
    ],
)
@pytest.mark.parametrize("kind", ["set_variable", "switch", "add_checkpoint", "checkpoint", "end"])
def test_add_each_kind_under_each_outcome(
    full_client, routing, root, optin, parent_kind, outcome, kind
):
    parent = make_parent(root, parent_kind)
    if kind == "checkpoint":
        data = node_data("add_checkpoint", outcome, label="Step", checkpoint=optin.pk)
    else:
        data = node_data(kind, outcome, label="Step", **KIND_FIELDS[kind])
    page = url("node_add", pk=routing.pk, parent=parent.pk)
    form = full_client.get(page, {"outcome": outcome})
    assert form.status_code == 200
    assert f"Add a node under “{parent.display_label}”" in form.text
    response = full_client.post(f"{page}?outcome={outcome}", data)
    assert response.status_code == 302, response.text
    node = Node.objects.get(parent=parent, outcome=outcome)
    assert response.url == f"{routing.get_absolute_url()}#node-{node.pk}"
    assert node.kind == ("add_checkpoint" if kind == "checkpoint" else kind)
    assert node.routing_id == routing.pk
    if kind == "checkpoint":
        assert (node.checkpoint, node.reference_code) == (optin, "")
    else:
        for name, value in KIND_FIELDS[kind].items():
            assert getattr(node, name) == value
    assert any("“Step” added under" in message for message in messages_of(response))
    text = full_client.get(routing.get_absolute_url()).text
    assert f'id="node-{node.pk}"' in text


def test_the_tree_shows_outcomes_kinds_labels_and_fields(full_client, routing, root, optin):
    switch = services.add_node(
        root, outcome="next", kind="switch", label="Language?", variable="lang"
    )
    services.add_node(
        switch, outcome="fr", kind="add_checkpoint", label="Opt-in FR", checkpoint=optin
    )
    code = services.add_node(
        switch,
        outcome="default",
        kind="add_checkpoint",
        label="By code",
        reference_code="optin_{{ lang }}",
    )
    services.add_node(code, outcome="ok", kind="end", label="Transfer")
    text = full_client.get(routing.get_absolute_url()).text
    for shown in (
        "Switch on a variable",
        "Language?",
        "<code>lang</code>",
        "Add a checkpoint",
        "Opt-in FR",
        optin.get_absolute_url(),
        "<code>optin_fr</code>",
        "Reference code: <code>optin_{{ lang }}</code>",
        "End",
        "Transfer",
        ">Next<",
        ">fr<",
        ">Default<",
        ">OK<",
        ">Reference not found<",
        "Add a branch",
        "New value",
    ):
        assert shown in text, shown
    # Each unwired outcome has its "Add a node" link: OK and Reference not found of
    # "Opt-in FR", Reference not found of "By code".
    assert text.count('class="add-node"') == 3


def test_an_already_wired_outcome_is_refused(full_client, routing, root, child):
    page = url("node_add", pk=routing.pk, parent=root.pk)
    response = full_client.get(page, {"outcome": "next"})
    assert response.status_code == 302
    assert response.url == f"{routing.get_absolute_url()}#node-{root.pk}"
    assert any("already wired" in message for message in messages_of(response))
    response = full_client.post(f"{page}?outcome=next", node_data("end", "next"))
    assert response.status_code == 200
    assert WIRED in response.text
    assert routing.nodes.count() == 2


def test_a_switch_value_already_wired_is_a_field_error(full_client, routing, root):
    switch = services.add_node(root, outcome="next", kind="switch", variable="lang")
    services.add_node(switch, outcome="fr", kind="end")
    page = url("node_add", pk=routing.pk, parent=switch.pk)
    form = full_client.get(page, {"outcome": "it"})
    assert 'name="outcome" value="it"' in form.text
    assert "Switch value" in form.text
    response = full_client.post(page, node_data("end", "fr"))
    assert response.status_code == 200
    assert f'<ul class="errorlist" id="id_outcome_error"><li>{WIRED}</li></ul>' in response.text
    response = full_client.post(page, node_data("end", ""))
    assert "A switch value must have 1 to 100 characters." in response.text


def test_no_branch_under_an_end(full_client, routing, root):
    end = services.add_node(root, outcome="next", kind="end")
    page = url("node_add", pk=routing.pk, parent=end.pk)
    response = full_client.get(page, {"outcome": "next"})
    assert response.status_code == 302
    assert any("an end has no branches" in message for message in messages_of(response))
    response = full_client.post(page, node_data("end", "next"))
    assert "An end has no branches." in response.text
    assert routing.nodes.count() == 2


def test_node_rules_are_field_errors(full_client, routing, root, optin):
    page = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    response = full_client.post(page, node_data("set_variable", "next", variable="1lang"))
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_variable_error"><li>A variable name is required' in (
        response.text
    )
    response = full_client.post(
        page,
        node_data("add_checkpoint", "next", checkpoint=optin.pk, reference_code="optin_fr"),
    )
    assert "An add_checkpoint needs exactly one of a checkpoint or a reference code." in (
        response.text
    )
    response = full_client.post(
        page, node_data("add_checkpoint", "next", reference_code="{% bogus %}")
    )
    assert 'id="id_reference_code_error"' in response.text
    assert "Invalid template syntax" in response.text
    assert routing.nodes.count() == 1
    assert "Please correct the errors below." in response.text


def test_fields_of_another_kind_are_dropped(full_client, routing, root, optin):
    page = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    full_client.post(page, node_data("end", "next", label="Bye", variable="x", checkpoint=optin.pk))
    node = routing.nodes.get(kind="end")
    assert (node.variable, node.checkpoint, node.label) == ("", None, "Bye")


def test_edit_a_node(full_client, routing, root, child, optin):
    page = url("node_edit", pk=routing.pk, node=child.pk)
    form = full_client.get(page)
    assert "Edit “Opt-in”" in form.text
    assert f'<option value="{optin.pk}" selected>' in form.text
    assert 'name="kind"' not in form.text  # the kind stays
    response = full_client.post(
        page, node_data("", label="Opt-in by language", reference_code="optin_{{ lang }}")
    )
    assert response.status_code == 302
    assert "“Opt-in by language” saved." in messages_of(response)
    child.refresh_from_db()
    assert (child.label, child.checkpoint, child.reference_code) == (
        "Opt-in by language",
        None,
        "optin_{{ lang }}",
    )
    # The start's label can change; it has no other field.
    response = full_client.post(
        url("node_edit", pk=routing.pk, node=root.pk), node_data("", label="Incoming call")
    )
    root.refresh_from_db()
    assert root.label == "Incoming call"
    response = full_client.post(page, node_data("", label="x" * 201))
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.text


def test_delete_a_subtree_after_confirmation(full_client, routing, root, child):
    end_ok = services.add_node(child, outcome="ok", kind="end", label="Transfer")
    lost = services.add_node(child, outcome="reference_not_found", kind="switch", variable="v")
    services.add_node(lost, outcome="x", kind="end", label="Deep end")
    page = url("node_delete", pk=routing.pk, node=child.pk)
    confirm = full_client.get(page)
    assert confirm.status_code == 200
    assert "Delete node “Opt-in”?" in confirm.text
    assert "These 4 nodes will be deleted" in confirm.text
    for label in ("Opt-in", "Transfer", "Switch on a variable", "Deep end"):
        assert label in confirm.text
    assert routing.nodes.count() == 5
    response = full_client.post(page)
    assert response.status_code == 302
    assert "“Opt-in” deleted with the 3 nodes under it." in messages_of(response)
    assert list(routing.nodes.all()) == [root]
    assert not Node.objects.filter(pk=end_ok.pk).exists()
    # The branch is free again.
    text = full_client.get(routing.get_absolute_url()).text
    assert "Add a node" in text


def test_the_start_cannot_be_deleted(full_client, routing, root):
    page = url("node_delete", pk=routing.pk, node=root.pk)
    response = full_client.get(page)
    assert response.status_code == 302
    assert "The start of a routing cannot be deleted." in messages_of(response)
    response = full_client.post(page)
    assert "The start of a routing cannot be deleted." in messages_of(response)
    assert routing.nodes.filter(pk=root.pk).exists()


def test_preview_renders_the_code_and_says_whether_the_reference_exists(
    full_client, routing, root, optin
):
    page = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    data = node_data(
        "add_checkpoint",
        "next",
        reference_code="optin_{{ lang }}",
        sample_variables=json.dumps({"lang": "fr"}),
        preview="1",
    )
    response = full_client.post(page, data)
    assert response.status_code == 200
    assert 'Renders to <code class="rendered">optin_fr</code>' in response.text
    assert "This reference exists: “Opt-in French”. The action takes OK." in response.text
    data["sample_variables"] = '{"lang": "it"}'
    response = full_client.post(page, data)
    assert 'Renders to <code class="rendered">optin_it</code>' in response.text
    assert "No checkpoint has this reference: the action would take Reference not found." in (
        response.text
    )
    data["sample_variables"] = "[1, 2]"
    response = full_client.post(page, data)
    assert "Sample variables must be a JSON object" in response.text
    data["sample_variables"] = "{}"
    data["reference_code"] = "{{ missing }}"
    assert "Renders to nothing." in full_client.post(page, data).text
    data.update(reference_code="", checkpoint=optin.pk)
    assert "chosen from the list: the action takes OK" in full_client.post(page, data).text
    # Previewing a value to set.
    data = node_data(
        "set_variable",
        "next",
        variable="lang",
        value="{{ lang|upper }}",
        sample_variables='{"lang": "fr"}',
        preview="1",
    )
    text = full_client.post(page, data).text
    assert '<code>lang</code> is set to <code class="rendered">FR</code>' in text
    assert routing.nodes.count() == 1  # a preview saves nothing


def test_checkpoint_options_and_their_search_fallback(full_client, routing, root, optin):
    Checkpoint.objects.create(name="Callback offered", reference="callback_offered")
    page = url("node_add", pk=routing.pk, parent=root.pk)
    text = full_client.get(page, {"outcome": "next"}).text
    assert 'data-filter-options="id_checkpoint"' in text
    assert "Search checkpoints" in text
    assert "Opt-in French (optin_fr)" in text and "Callback offered (callback_offered)" in text
    text = full_client.get(page, {"outcome": "next", "checkpoint_search": "CALLBACK"}).text
    assert "Callback offered (callback_offered)" in text
    assert "Opt-in French (optin_fr)" not in text
    # The outcome survives the search.
    assert 'name="outcome" value="next"' in text


def test_only_checkpoints_the_user_may_read_are_offered(client, routing, root, optin):
    client.force_login(make_user("router", routing_perms("view", "change")))
    page = url("node_add", pk=routing.pk, parent=root.pk)
    assert "Opt-in French" not in client.get(page, {"outcome": "next"}).text
    response = client.post(
        f"{page}?outcome=next", node_data("add_checkpoint", "next", checkpoint=optin.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    # A reference code still works.
    response = client.post(
        f"{page}?outcome=next", node_data("add_checkpoint", "next", reference_code="optin_fr")
    )
    assert response.status_code == 302


# ---- Test run ----


@pytest.fixture
def run_tree(routing, root, optin):
    code = services.add_node(
        root,
        outcome="next",
        kind="add_checkpoint",
        label="Opt-in by language",
        reference_code="optin_{{ lang }}",
    )
    services.add_node(code, outcome="ok", kind="end", label="Transfer")
    return code


def test_test_run_shows_the_path_and_the_checkpoints(full_client, routing, run_tree):
    interaction = create_interaction(channel="voice", customer="+33 1 00", subject="Call")
    other_channel = create_interaction(channel="email", customer="mail@example.com")
    detail = full_client.get(routing.get_absolute_url()).text
    assert f'<option value="{interaction.pk}"' in detail
    assert f'<option value="{other_channel.pk}"' not in detail
    assert "+33 1 00 · Call" in detail
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": '{"lang": "fr"}'},
    )
    assert response.status_code == 200
    text = response.text
    assert f"Test run of “Voice IVR” on interaction #{interaction.pk}: 1 checkpoint attached." in (
        text
    )
    path = text[text.index('class="run-path"') : text.index("Checkpoints attached")]
    for shown in (
        "Start",
        "Next",
        "Opt-in by language",
        "Add a checkpoint",
        "OK",
        "Transfer",
        "end",
    ):
        assert shown in path, shown
    assert "Opt-in French" in text and "<code>optin_fr</code>" in text
    assert f'href="{interaction.get_absolute_url()}"' in text
    attached = InteractionCheckpoint.objects.get(interaction=interaction)
    assert (attached.reference, attached.routing_name, attached.action_label) == (
        "optin_fr",
        "Voice IVR",
        "Opt-in by language",
    )
    # An unknown reference takes Reference not found, and the run stops on the unwired branch.
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": '{"lang": "it"}'},
    )
    assert "0 checkpoints attached." in response.text
    assert "Reference not found" in response.text
    assert "no node on this branch: the run stops" in response.text
    assert "No checkpoint attached." in response.text


def test_test_run_refuses_bad_input(full_client, routing, run_tree):
    interaction = create_interaction(channel="voice")
    email = create_interaction(channel="email")
    page = url("smartrouting_run", pk=routing.pk)
    response = full_client.post(page, {"interaction": interaction.pk, "variables": "lang=fr"})
    assert response.status_code == 200
    assert "Variables must be a JSON object" in response.text
    response = full_client.post(page, {"interaction": email.pk, "variables": "{}"})
    assert (
        f"Interaction {email.pk} is on the Email channel: this routing runs on Voice "
        "interactions only."
    ) in response.text
    assert not InteractionCheckpoint.objects.exists()
    assert full_client.get(page).status_code == 302


def test_test_run_lists_only_interactions_the_user_may_read(client, routing, run_tree):
    mine = create_interaction(channel="voice", customer="mine")
    other = create_interaction(channel="voice", customer="other")
    user = make_user("runner", [*routing_perms("view"), RUN_RIGHT])
    assign_perm("interactions.view_interaction", user, mine)
    client.force_login(user)
    text = client.get(routing.get_absolute_url()).text
    assert f'<option value="{mine.pk}"' in text
    assert f'<option value="{other.pk}"' not in text
    response = client.post(
        url("smartrouting_run", pk=routing.pk), {"interaction": other.pk, "variables": "{}"}
    )
    # One it may not read is unknown to it, as in the API.
    assert f"No interaction with id {other.pk}." in response.text
    assert not InteractionCheckpoint.objects.exists()


# ---- Demo data ----


def test_the_demo_routings_tell_their_journeys(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    routings = {routing.name: routing for routing in SmartRouting.objects.all()}
    assert set(routings) == {"Main voice line", "Support mailbox", "WhatsApp and web chat"}
    voice = routings["Main voice line"]
    assert voice.nodes.filter(reference_code="optin_{{ lang }}").exists()
    runs = InteractionCheckpoint.objects.filter(routing_id=voice.pk)
    assert set(runs.values_list("reference", flat=True)) >= {
        "recognised_customer",
        "optin_fr",
        "identification_failed",
    }
    assert set(
        InteractionCheckpoint.objects.filter(routing_id=routings["Support mailbox"].pk).values_list(
            "reference", flat=True
        )
    ) >= {"campaign_a", "campaign_b"}
    assert set(
        InteractionCheckpoint.objects.filter(
            routing_id=routings["WhatsApp and web chat"].pk
        ).values_list("reference", flat=True)
    ) >= {"callback_offered", "upsell_offered"}
    # Idempotent: a second seed adds no routing, node nor run.
    counts = (SmartRouting.objects.count(), Node.objects.count(), runs.count())
    call_command("seed_demo", stdout=StringIO())
    assert (SmartRouting.objects.count(), Node.objects.count(), runs.count()) == counts
    # The roles' rights.
    from django.contrib.auth.models import User

    editor = User.objects.get(username="editor")
    assert editor.has_perm("routing.change_smartrouting")
    assert not editor.has_perm("routing.delete_smartrouting")
    reader = User.objects.get(username="reader")
    assert reader.has_perm("routing.view_smartrouting")
    assert not reader.has_perm("routing.add_smartrouting")
    client.force_login(reader)
    for routing in routings.values():
        text = client.get(routing.get_absolute_url()).text
        assert routing.name in text and "Add a node" not in text


# ---- Bounds: the editor's warning, the Preview and the Test run's stop ----

GROWS = "This value can grow past 10,000 characters: the run stops when it passes them."


def test_the_node_form_warns_when_a_value_can_pass_the_bound(full_client, routing, root):
    lang = services.add_node(
        root, outcome="next", kind="set_variable", variable="lang", value="{{ lang|lower }}"
    )
    edit = url("node_edit", pk=routing.pk, node=lang.pk)
    # Copying a variable never grows: no warning.
    assert 'id="bound-warning"' not in full_client.get(edit).text
    for value in ("{{ lang }}{{ lang }}", "{{ lang }}_suffix", "{{ other|ljust:'9000' }}"):
        response = full_client.post(edit, node_data("", variable="lang", value=value, preview="1"))
        assert f'<p class="warning" id="bound-warning">{GROWS}</p>' in response.text, value
    # Saved anyway, with the warning as a message.
    response = full_client.post(edit, node_data("", variable="lang", value="{{ lang }}-x"))
    assert response.status_code == 302
    assert GROWS in messages_of(response)
    assert 'id="bound-warning"' in full_client.get(edit).text
    # A reference code that can pass it takes Reference not found.
    page = url("node_add", pk=routing.pk, parent=lang.pk) + "?outcome=next"
    response = full_client.post(
        page, node_data("add_checkpoint", "next", reference_code="{{ lang|rjust:'20000' }}")
    )
    assert response.status_code == 302
    assert (
        "This code can render to more than 10,000 characters: the action then takes Reference "
        "not found."
    ) in messages_of(response)


def test_the_preview_says_when_a_value_passes_the_bound(full_client, routing, root):
    page = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    data = node_data(
        "set_variable", "next", variable="x", value="{{ 'x'|ljust:'50000000' }}", preview="1"
    )
    text = full_client.post(page, data).text
    too_large = "the value passes 10,000 characters, the most a value may have"
    assert f"Cannot be rendered: {too_large}." in text
    data.update(kind="add_checkpoint", reference_code="{{ code }}", value="")
    data["sample_variables"] = json.dumps({"code": "optin fr"})
    text = full_client.post(page, data).text
    assert "No checkpoint has this reference: the action would take Reference not found." in text


def test_templates_are_bounded_and_loops_refused_on_the_form(full_client, routing, root):
    page = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    response = full_client.post(
        page, node_data("set_variable", "next", variable="x", value="x" * 1001)
    )
    assert "Ensure this value has at most 1000 characters" in response.text
    response = full_client.post(
        page, node_data("set_variable", "next", variable="x", value="{% for c in x %}{% endfor %}")
    )
    assert "Invalid block tag on line 1: &#x27;for&#x27;" in response.text
    assert routing.nodes.count() == 1


def test_test_run_shows_why_a_run_stopped(full_client, routing, root):
    parent = root
    for _ in range(20):
        parent = services.add_node(
            parent,
            outcome="next",
            kind="set_variable",
            label="Double",
            variable="x",
            value="{{ x }}{{ x }}",
        )
    interaction = create_interaction(channel="voice")
    response = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": '{"x": "x"}'},
    )
    detail = "The value of “x” passed 10,000 characters, the most a value may have."
    assert f'<p class="warning" role="alert">The run stopped early: {detail}</p>' in response.text
    assert "stopped here" in response.text
    assert (
        f"Test run of “Voice IVR” on interaction #{interaction.pk}: 0 checkpoints attached. "
        f"{detail}"
    ) in messages_of(response)


@pytest.mark.parametrize("hostile", ['{"lang": "\\ud800"}', '{"lang": "fr\\u0000"}'])
def test_test_run_and_preview_refuse_variables_the_databases_cannot_hold(
    full_client, routing, root, run_tree, hostile
):
    interaction = create_interaction(channel="voice")
    run = full_client.post(
        url("smartrouting_run", pk=routing.pk),
        {"interaction": interaction.pk, "variables": hostile},
    )
    assert run.status_code == 200
    assert "Variables (lang): text may not contain" in run.text
    assert not InteractionCheckpoint.objects.exists()
    page = url("node_add", pk=routing.pk, parent=run_tree.pk) + "?outcome=reference_not_found"
    data = node_data(
        "add_checkpoint",
        "reference_not_found",
        reference_code="optin_{{ lang }}",
        sample_variables=hostile,
        preview="1",
    )
    preview = full_client.post(page, data)
    assert preview.status_code == 200
    assert "Variables (lang): text may not contain" in preview.text
