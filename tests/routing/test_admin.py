"""The Django admin for Smart Routings and nodes: the node rules, writes through the services,
rights role-wide or on one routing, and the Smart licence."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from routing import services
from routing.models import Node, SmartRouting

pytestmark = pytest.mark.django_db

ROUTINGS = reverse("admin:routing_smartrouting_changelist")
ADD_ROUTING = reverse("admin:routing_smartrouting_add")
NODES = reverse("admin:routing_node_changelist")
ADD_NODE = reverse("admin:routing_node_add")


def routing_change(routing) -> str:
    return reverse("admin:routing_smartrouting_change", args=[routing.pk])


def node_change(node) -> str:
    return reverse("admin:routing_node_change", args=[node.pk])


def node_delete(node) -> str:
    return reverse("admin:routing_node_delete", args=[node.pk])


def form_data(response) -> dict:
    """The POST body of an admin change form as rendered (main form and inlines)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for each in formset.forms:
            for name in each.fields:
                value = each[name].value()
                if value is None or value is False:
                    continue
                data[each.add_prefix(name)] = value
    return data


@pytest.fixture
def optin(db):
    return Checkpoint.objects.create(name="Opt-in French", reference="optin_fr")


@pytest.fixture
def ivr(optin):
    routing = services.create_routing(name="Voice IVR", channel="voice")
    root = routing.nodes.get(parent=None)
    action = services.add_node(
        root, outcome="next", kind="add_checkpoint", label="Opt-in", checkpoint=optin
    )
    services.add_node(action, outcome="ok", kind="end", label="Transfer")
    return routing


@pytest.fixture
def email(db):
    return services.create_routing(name="Email campaign", channel="email")


def names(response) -> list[str]:
    return sorted(str(obj) for obj in response.context["cl"].result_list)


def test_changelist_search_and_channel_filter(admin_client, ivr, email):
    response = admin_client.get(ROUTINGS)
    assert names(response) == ["Email campaign", "Voice IVR"]
    for column in ("Name", "Channel", "Nodes"):
        assert f">{column}</a>" in response.text
    assert names(admin_client.get(ROUTINGS, {"q": "ivr"})) == ["Voice IVR"]
    assert names(admin_client.get(ROUTINGS, {"channel__exact": "email"})) == ["Email campaign"]


def test_adding_a_routing_goes_through_the_service(admin_client):
    assert "nodes-TOTAL_FORMS" not in admin_client.get(ADD_ROUTING).text
    response = admin_client.post(
        ADD_ROUTING, {"name": "  Chat  ", "channel": "messaging", "description": ""}
    )
    assert response.status_code == 302
    routing = SmartRouting.objects.get()
    assert routing.name == "Chat"
    assert list(routing.nodes.values_list("kind", flat=True)) == ["start"]


def test_the_change_page_edits_nodes_inline(admin_client, ivr, optin):
    page = routing_change(ivr)
    response = admin_client.get(page)
    assert "nodes-TOTAL_FORMS" in response.text
    data = form_data(response)
    transfer = ivr.nodes.get(label="Transfer")
    action = ivr.nodes.get(label="Opt-in")
    index = next(i for i in range(3) if data.get(f"nodes-{i}-id") == transfer.pk)
    data[f"nodes-{index}-label"] = "Transfer to advisors"
    # A new row: an end on the action's Reference not found.
    data["nodes-TOTAL_FORMS"] = 4
    data.update(
        {
            "nodes-3-routing": ivr.pk,
            "nodes-3-parent": action.pk,
            "nodes-3-outcome": "reference_not_found",
            "nodes-3-kind": "end",
            "nodes-3-label": "No opt-in",
        }
    )
    response = admin_client.post(page, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    transfer.refresh_from_db()
    assert transfer.label == "Transfer to advisors"
    assert ivr.nodes.get(label="No opt-in").parent == action


def test_inline_rows_follow_the_node_rules(admin_client, ivr):
    page = routing_change(ivr)
    data = form_data(admin_client.get(page))
    action = ivr.nodes.get(label="Opt-in")
    data["nodes-TOTAL_FORMS"] = 4
    data.update(
        {
            "nodes-3-routing": ivr.pk,
            "nodes-3-parent": action.pk,
            "nodes-3-outcome": "ok",  # already wired
            "nodes-3-kind": "set_variable",
            "nodes-3-variable": "1bad",
        }
    )
    response = admin_client.post(page, data)
    assert response.status_code == 200
    text = response.text
    assert "A variable name is required" in text
    data["nodes-3-variable"] = "lang"
    response = admin_client.post(page, data)
    assert response.status_code == 200
    assert "This outcome is already wired to another node." in response.text
    data["nodes-3-outcome"] = "maybe"
    response = admin_client.post(page, data)
    assert "&#x27;maybe&#x27; is not an outcome of add_checkpoint" in response.text
    assert ivr.nodes.count() == 3


def test_the_start_cannot_be_deleted_inline(admin_client, ivr):
    page = routing_change(ivr)
    data = form_data(admin_client.get(page))
    root = ivr.nodes.get(parent=None)
    index = next(i for i in range(3) if data.get(f"nodes-{i}-id") == root.pk)
    data[f"nodes-{index}-DELETE"] = "on"
    response = admin_client.post(page, data)
    assert response.status_code == 200
    assert "The start of a routing cannot be deleted." in response.text
    assert ivr.nodes.count() == 3


def test_deleting_a_node_inline_takes_its_subtree(admin_client, ivr):
    page = routing_change(ivr)
    data = form_data(admin_client.get(page))
    action = ivr.nodes.get(label="Opt-in")
    index = next(i for i in range(3) if data.get(f"nodes-{i}-id") == action.pk)
    data[f"nodes-{index}-DELETE"] = "on"
    response = admin_client.post(page, data)
    assert response.status_code == 302
    assert list(ivr.nodes.values_list("kind", flat=True)) == ["start"]


def test_node_admin_add_change_and_delete(admin_client, ivr):
    action = ivr.nodes.get(label="Opt-in")
    response = admin_client.get(NODES, {"q": "transfer"})
    assert names(response) == ["Transfer"]
    assert names(admin_client.get(NODES, {"kind__exact": "start"})) == ["Start"]
    response = admin_client.post(
        ADD_NODE,
        {
            "parent": action.pk,
            "outcome": "reference_not_found",
            "kind": "add_checkpoint",
            "label": "By code",
            "reference_code": "optin_{{ lang }}",
        },
    )
    assert response.status_code == 302
    node = Node.objects.get(label="By code")
    assert (node.routing, node.parent, node.outcome) == (ivr, action, "reference_not_found")
    # Both a checkpoint and a code: refused with the rule.
    response = admin_client.post(
        node_change(node),
        {
            "outcome": "reference_not_found",
            "kind": "add_checkpoint",
            "label": "By code",
            "reference_code": "optin_{{ lang }}",
            "checkpoint": action.checkpoint_id,
        },
    )
    assert response.status_code == 200
    assert "An add_checkpoint needs exactly one of a checkpoint or a reference code." in (
        response.text
    )
    node.refresh_from_db()
    assert (node.reference_code, node.checkpoint_id) == ("optin_{{ lang }}", None)
    # Deleting the action takes its subtree; the start may not be deleted.
    assert admin_client.post(node_delete(action), {"post": "yes"}).status_code == 302
    assert list(ivr.nodes.values_list("kind", flat=True)) == ["start"]
    root = ivr.nodes.get()
    assert admin_client.get(node_delete(root)).status_code == 403


def test_node_admin_refuses_a_new_root(admin_client, ivr):
    response = admin_client.post(ADD_NODE, {"outcome": "", "kind": "start", "label": "Again"})
    assert response.status_code == 200
    assert "A node needs a parent: the start is the only root." in response.text
    assert list(Node.objects.filter(parent=None)) == [ivr.nodes.get(parent=None)]


def test_rights_on_one_routing(client, ivr, email):
    staff = User.objects.create_user("staff", password="pass-for-tests-1", is_staff=True)
    assign_perm("routing.view_smartrouting", staff, ivr)
    assign_perm("routing.change_smartrouting", staff, ivr)
    client.force_login(staff)
    assert names(client.get(ROUTINGS)) == ["Voice IVR"]
    assert client.get(routing_change(ivr)).status_code == 200
    assert client.get(routing_change(email)).status_code == 403
    assert names(client.get(NODES)) == ["Opt-in", "Start", "Transfer"]
    assert client.get(node_change(email.nodes.get())).status_code == 403
    assert client.get(ADD_ROUTING).status_code == 403


def test_readers_cannot_change_nodes(client, ivr):
    staff = User.objects.create_user("reader", password="pass-for-tests-1", is_staff=True)
    assign_perm("routing.view_smartrouting", staff)
    client.force_login(staff)
    response = client.get(routing_change(ivr))
    assert response.status_code == 200
    assert 'name="nodes-0-label"' not in response.text
    node = ivr.nodes.get(label="Transfer")
    response = client.post(node_change(node), {"kind": "end", "label": "Changed"})
    assert response.status_code == 403
    node.refresh_from_db()
    assert node.label == "Transfer"


def test_the_licence_off_hides_and_refuses(admin_client, ivr, settings):
    settings.SMART_LICENCE = False
    assert "Smart Routing" not in admin_client.get(reverse("admin:index")).text
    for page in (ROUTINGS, routing_change(ivr), NODES):
        response = admin_client.get(page)
        assert response.status_code == 403
        assert "Checkpoints are part of the Smart licence" in response.text


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("x" * 1001, "A value may have at most 1000 characters."),
        ("{% for c in lang %}{{ c }}{% endfor %}", "Invalid block tag on line 1: &#x27;for&#x27;"),
    ],
)
def test_node_admin_applies_the_template_bounds(admin_client, ivr, value, error):
    action = ivr.nodes.get(label="Opt-in")
    response = admin_client.post(
        ADD_NODE,
        {
            "parent": action.pk,
            "outcome": "reference_not_found",
            "kind": "set_variable",
            "variable": "x",
            "value": value,
        },
    )
    assert response.status_code == 200
    assert error in response.text
    assert not ivr.nodes.filter(kind="set_variable").exists()
