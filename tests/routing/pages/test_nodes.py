"""Smart Routing editor pages: the tree with its nodes, adding, editing and deleting a node,
its field rules, the checkpoint choice and the Preview."""

import json
import re

import pytest

from checkpoints.models import Checkpoint
from routing import services
from routing.models import Node
from tests.conftest import make_user, messages_of
from tests.pages import page
from tests.routing.pages.editor import (
    WIRED,
    alerts,
    node_data,
    routing_perms,
    tree_of,
    url,
)

pytestmark = pytest.mark.django_db

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


def preview_of(response) -> str:
    """The text of the node form's Preview result."""
    return page(response).get_by_role("region", name="Preview result").text


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
    address = url("node_add", pk=routing.pk, parent=parent.pk)
    form = full_client.get(address, {"outcome": outcome})
    assert form.status_code == 200
    heading = page(form).get_by_role("heading", level=1).text
    assert heading.startswith(f"Add a node under “{parent.display_label}”")
    response = full_client.post(f"{address}?outcome={outcome}", data)
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
    tree = tree_of(page(full_client.get(routing.get_absolute_url())))
    edit = tree.get_by_role("link", name="Edit node “Step”")
    assert edit.get("href").startswith(url("node_edit", pk=routing.pk, node=node.pk))


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
    tree = tree_of(page(full_client.get(routing.get_absolute_url())))
    for text in ("Switch on a variable", "Language?", "on lang", "Add a checkpoint", "Opt-in FR"):
        assert tree.get_all_by_text(text), text
    for text in ("Checkpoint: Opt-in French optin_fr", "Reference code: optin_{{ lang }}"):
        assert tree.get_all_by_text(text), text
    assert tree.get_by_text("Transfer").tag == "strong"
    assert tree.get_by_role("link", name="Opt-in French").get("href") == optin.get_absolute_url()
    outcomes = [item.text for item in tree.get_all_by_text(re.compile("^Outcome "))]
    assert sorted(set(outcomes)) == [
        "Outcome Default",
        "Outcome Next",
        "Outcome OK",
        "Outcome Reference not found",
        "Outcome fr",
    ]
    assert tree.get_by_label("New value of “Language?”").get("name") == "outcome"
    assert tree.get_by_role("button", name="Add a branch to “Language?”").get("type") == "submit"
    # Each unwired outcome has its "Add a node" link: OK and Reference not found of
    # "Opt-in FR", Reference not found of "By code".
    adds = tree.get_all_by_role("link", name=re.compile("^Add a node under"))
    assert [link.name for link in adds] == [
        "Add a node under “Opt-in FR” on OK",
        "Add a node under “Opt-in FR” on Reference not found",
        "Add a node under “By code” on Reference not found",
    ]


def test_an_already_wired_outcome_is_refused(full_client, routing, root, child):
    address = url("node_add", pk=routing.pk, parent=root.pk)
    response = full_client.get(address, {"outcome": "next"})
    assert response.status_code == 302
    assert response.url == f"{routing.get_absolute_url()}#node-{root.pk}"
    assert any("already wired" in message for message in messages_of(response))
    response = full_client.post(f"{address}?outcome=next", node_data("end", "next"))
    assert response.status_code == 200
    assert WIRED in alerts(page(response))
    assert list(routing.nodes.all()) == [root, child]


def test_a_switch_value_already_wired_is_a_field_error(full_client, routing, root):
    switch = services.add_node(root, outcome="next", kind="switch", variable="lang")
    services.add_node(switch, outcome="fr", kind="end")
    address = url("node_add", pk=routing.pk, parent=switch.pk)
    form = page(full_client.get(address, {"outcome": "it"}))
    assert form.get_by_label("Switch value").get("value") == "it"
    response = full_client.post(address, node_data("end", "fr"))
    assert response.status_code == 200
    assert page(response).get_by_label("Switch value").description.endswith(WIRED)
    response = full_client.post(address, node_data("end", ""))
    field = page(response).get_by_label("Switch value")
    assert field.description.endswith("A switch value must have 1 to 100 characters.")
    assert routing.nodes.count() == 3


def test_no_branch_under_an_end(full_client, routing, root):
    end = services.add_node(root, outcome="next", kind="end")
    address = url("node_add", pk=routing.pk, parent=end.pk)
    response = full_client.get(address, {"outcome": "next"})
    assert response.status_code == 302
    assert any("an end has no branches" in message for message in messages_of(response))
    response = full_client.post(address, node_data("end", "next"))
    assert "An end has no branches." in alerts(page(response))
    assert routing.nodes.count() == 2


def test_node_rules_are_field_errors(full_client, routing, root, optin):
    address = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    response = full_client.post(address, node_data("set_variable", "next", variable="1lang"))
    assert response.status_code == 200
    variable = page(response).get_by_label("Variable")
    assert "A variable name is required" in variable.description
    response = full_client.post(
        address,
        node_data("add_checkpoint", "next", checkpoint=optin.pk, reference_code="optin_fr"),
    )
    exactly_one = "An add_checkpoint needs exactly one of a checkpoint or a reference code."
    assert page(response).get_by_label("Checkpoint").description.endswith(exactly_one)
    response = full_client.post(
        address, node_data("add_checkpoint", "next", reference_code="{% bogus %}")
    )
    shown = page(response)
    assert "Invalid template syntax" in shown.get_by_label("Reference code").description
    assert routing.nodes.count() == 1
    assert "Please correct the errors below." in alerts(shown)


def test_fields_of_another_kind_are_dropped(full_client, routing, root, optin):
    address = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    full_client.post(
        address, node_data("end", "next", label="Bye", variable="x", checkpoint=optin.pk)
    )
    node = routing.nodes.get(kind="end")
    assert (node.variable, node.checkpoint, node.label) == ("", None, "Bye")


def test_edit_a_node(full_client, routing, root, child, optin):
    address = url("node_edit", pk=routing.pk, node=child.pk)
    form = page(full_client.get(address))
    assert form.get_by_role("heading", level=1).text == "Edit “Opt-in”"
    choice = form.get_by_role("combobox", name="Checkpoint")
    selected = [option for option in choice.get_all_by_role("option") if "selected" in option.attrs]
    assert [option.get("value") for option in selected] == [str(optin.pk)]
    assert form.query_by_label("Kind") is None  # the kind stays
    response = full_client.post(
        address, node_data("", label="Opt-in by language", reference_code="optin_{{ lang }}")
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
    response = full_client.post(address, node_data("", label="x" * 201))
    assert response.status_code == 200
    label = page(response).get_by_label("Label")
    assert "Ensure this value has at most 200 characters" in label.description
    child.refresh_from_db()
    assert child.label == "Opt-in by language"


def test_delete_a_subtree_after_confirmation(full_client, routing, root, child):
    end_ok = services.add_node(child, outcome="ok", kind="end", label="Transfer")
    lost = services.add_node(child, outcome="reference_not_found", kind="switch", variable="v")
    services.add_node(lost, outcome="x", kind="end", label="Deep end")
    address = url("node_delete", pk=routing.pk, node=child.pk)
    response = full_client.get(address)
    assert response.status_code == 200
    confirm = page(response)
    assert confirm.get_by_role("heading", level=1).text == "Delete node “Opt-in”?"
    assert confirm.get_by_text(re.compile("^These 4 nodes will be deleted"))
    listed = confirm.get_by_role("list", name="To delete").get_all_by_role("listitem")
    assert [item.text for item in listed] == [
        "Opt-in Add a checkpoint",
        "OK → Transfer End",
        "Reference not found → Switch on a variable Switch on a variable",
        "x → Deep end End",
    ]
    assert routing.nodes.count() == 5
    response = full_client.post(address)
    assert response.status_code == 302
    assert "“Opt-in” deleted with the 3 nodes under it." in messages_of(response)
    assert list(routing.nodes.all()) == [root]
    assert not Node.objects.filter(pk=end_ok.pk).exists()
    # The branch is free again.
    tree = tree_of(page(full_client.get(routing.get_absolute_url())))
    assert tree.get_by_role("link", name="Add a node under “Start” on Next")


def test_the_start_cannot_be_deleted(full_client, routing, root):
    address = url("node_delete", pk=routing.pk, node=root.pk)
    response = full_client.get(address)
    assert response.status_code == 302
    assert "The start of a routing cannot be deleted." in messages_of(response)
    response = full_client.post(address)
    assert "The start of a routing cannot be deleted." in messages_of(response)
    assert routing.nodes.filter(pk=root.pk).exists()


def test_preview_renders_the_code_and_says_whether_the_reference_exists(
    full_client, routing, root, optin
):
    address = url("node_add", pk=routing.pk, parent=root.pk) + "?outcome=next"
    data = node_data(
        "add_checkpoint",
        "next",
        reference_code="optin_{{ lang }}",
        sample_variables=json.dumps({"lang": "fr"}),
        preview="1",
    )
    response = full_client.post(address, data)
    assert response.status_code == 200
    result = page(response).get_by_role("region", name="Preview result")
    assert result.get_by_text("Renders to optin_fr.").tag == "p"
    assert result.get_by_text("This reference exists: “Opt-in French”. The action takes OK.")
    data["sample_variables"] = '{"lang": "it"}'
    result = page(full_client.post(address, data)).get_by_role("region", name="Preview result")
    assert result.get_by_text("Renders to optin_it.")
    not_found = "No checkpoint has this reference: the action would take Reference not found."
    assert result.get_by_text(not_found).get("class") == "warning"
    data["sample_variables"] = "[1, 2]"
    sample = page(full_client.post(address, data)).get_by_label("Sample variables")
    assert "Sample variables must be a JSON object" in sample.description
    data["sample_variables"] = "{}"
    data["reference_code"] = "{{ missing }}"
    assert "Renders to nothing." in preview_of(full_client.post(address, data))
    data.update(reference_code="", checkpoint=optin.pk)
    assert "chosen from the list: the action takes OK" in preview_of(
        full_client.post(address, data)
    )
    # Previewing a value to set.
    data = node_data(
        "set_variable",
        "next",
        variable="lang",
        value="{{ lang|upper }}",
        sample_variables='{"lang": "fr"}',
        preview="1",
    )
    result = page(full_client.post(address, data)).get_by_role("region", name="Preview result")
    assert result.get_by_text("lang is set to FR.").tag == "p"
    assert routing.nodes.count() == 1  # a preview saves nothing


def test_checkpoint_options_and_their_search_fallback(full_client, routing, root, optin):
    Checkpoint.objects.create(name="Callback offered", reference="callback_offered")
    address = url("node_add", pk=routing.pk, parent=root.pk)

    def offered(form) -> list[str]:
        choice = form.get_by_role("combobox", name="Checkpoint")
        return [option.text for option in choice.get_all_by_role("option")][1:]

    form = page(full_client.get(address, {"outcome": "next"}))
    search = form.get_by_role("searchbox", name="Search checkpoints")
    assert search.get("data-filter-options") == "id_checkpoint"
    assert offered(form) == ["Callback offered (callback_offered)", "Opt-in French (optin_fr)"]
    response = full_client.get(address, {"outcome": "next", "checkpoint_search": "CALLBACK"})
    assert offered(page(response)) == ["Callback offered (callback_offered)"]
    # The outcome survives the search.
    assert 'name="outcome" value="next"' in response.text


def test_only_checkpoints_the_user_may_read_are_offered(client, routing, root, optin):
    client.force_login(make_user("router", routing_perms("view", "change")))
    address = url("node_add", pk=routing.pk, parent=root.pk)
    form = page(client.get(address, {"outcome": "next"}))
    choice = form.get_by_role("combobox", name="Checkpoint")
    assert [option.text for option in choice.get_all_by_role("option")][1:] == []
    response = client.post(
        f"{address}?outcome=next", node_data("add_checkpoint", "next", checkpoint=optin.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice." in page(response).get_by_label("Checkpoint").description
    assert routing.nodes.count() == 1
    # A reference code still works.
    response = client.post(
        f"{address}?outcome=next", node_data("add_checkpoint", "next", reference_code="optin_fr")
    )
    assert response.status_code == 302
    assert list(routing.nodes.filter(parent=root).values_list("reference_code", flat=True)) == [
        "optin_fr"
    ]
