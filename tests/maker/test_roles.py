"""Maker > Roles: roles are groups; the matrix sets their rights on each entity."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from checkpoint_maker.permissions import ACTION_LABELS
from checkpoint_maker.roles import entities
from checkpoints.models import Checkpoint

pytestmark = pytest.mark.django_db

GROUP_RIGHTS = ["auth.view_group", "auth.add_group", "auth.change_group", "auth.delete_group"]
CHECKPOINT_FIELD = "right_checkpoints_checkpoint_{}"


class FormParser(HTMLParser):
    """Inputs, options, labels and buttons of a page, as a screen reader would name them."""

    def __init__(self):
        super().__init__()
        self.inputs: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self.selected_options: list[str] = []
        self.buttons: list[str] = []
        self._label_for = None
        self._in_button = False
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and "id" in attrs:
            self.inputs[attrs["id"]] = attrs
        elif tag == "label":
            self._label_for = attrs.get("for")
            self.labels[self._label_for] = ""
        elif tag == "button":
            self._in_button = True
            self.buttons.append("")
        elif tag == "option":
            self._option = "selected" in attrs
            if self._option:
                self.selected_options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        elif tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._label_for is not None:
            self.labels[self._label_for] += data
        if self._in_button:
            self.buttons[-1] += data.strip()

    def label_of(self, input_id: str) -> str:
        return " ".join(self.labels.get(input_id, "").split())


def parse(response) -> FormParser:
    parser = FormParser()
    parser.feed(response.content.decode())
    return parser


def checkpoint_rights(group: Group) -> set[str]:
    return set(
        group.permissions.filter(content_type__app_label="checkpoints").values_list(
            "codename", flat=True
        )
    )


def grant(group: Group, *codenames: str) -> None:
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename))


@pytest.fixture
def manager(user_factory):
    return user_factory("manager", GROUP_RIGHTS)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def agents(plain_user):
    group = Group.objects.create(name="Agents")
    group.user_set.add(plain_user)
    return group


def role_post(name: str, members=(), rights=()) -> dict:
    data = {"name": name, "members": [member.pk for member in members]}
    for action in rights:
        data[CHECKPOINT_FIELD.format(action)] = "on"
    return data


# --- Access -------------------------------------------------------------------------------


def role_urls(group: Group) -> list[str]:
    return [
        reverse("roles:role_list"),
        reverse("roles:role_add"),
        reverse("roles:role_edit", kwargs={"pk": group.pk}),
        reverse("roles:role_delete", kwargs={"pk": group.pk}),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, agents):
    for url in role_urls(agents):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_users_without_group_rights_get_403_and_change_nothing(client, full_user, agents):
    client.force_login(full_user)  # every checkpoint right, no right on roles
    for url in role_urls(agents):
        assert client.get(url).status_code == 403, url
    for url in role_urls(agents)[1:]:  # the list is read-only
        assert client.post(url, role_post("Hijacked")).status_code == 403, url
    assert list(Group.objects.filter(name="Hijacked")) == []
    assert Group.objects.filter(pk=agents.pk, name="Agents").exists()


def test_read_only_right_shows_roles_without_save_or_delete(client, user_factory, agents):
    reader = user_factory("role-reader", ["auth.view_group"])
    client.force_login(reader)

    listing = client.get(reverse("roles:role_list"))
    assert listing.status_code == 200
    assert "Agents" in listing.text
    assert 'aria-label="New role"' not in listing.text
    assert 'aria-label="Delete Agents"' not in listing.text

    page = client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk}))
    assert page.status_code == 200
    form = parse(page)
    assert "Save" not in form.buttons
    assert "disabled" in form.inputs["id_name"]
    assert "disabled" in form.inputs["id_" + CHECKPOINT_FIELD.format("view")]

    edit = client.post(reverse("roles:role_edit", kwargs={"pk": agents.pk}), role_post("Renamed"))
    assert edit.status_code == 403
    assert client.get(reverse("roles:role_add")).status_code == 403
    agents.refresh_from_db()
    assert agents.name == "Agents"


def test_modify_right_alone_lets_a_user_open_and_edit_roles(client, user_factory, agents):
    changer = user_factory("role-changer", ["auth.change_group"])
    client.force_login(changer)
    listing = client.get(reverse("roles:role_list"))
    assert listing.status_code == 200
    assert 'aria-label="Edit Agents"' in listing.text
    page = client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk}))
    assert "Save" in parse(page).buttons
    response = client.post(reverse("roles:role_edit", kwargs={"pk": agents.pk}), role_post("A2"))
    assert response.status_code == 302
    agents.refresh_from_db()
    assert agents.name == "A2"


def test_menu_shows_roles_to_users_who_may_change_groups(manager_client):
    response = manager_client.get(reverse("roles:role_list"))
    assert f'href="{reverse("roles:role_list")}"' in response.text
    assert ">Roles</a>" in response.text


# --- List ---------------------------------------------------------------------------------


def test_list_shows_each_role_with_its_member_count_and_links(manager_client, agents, user_factory):
    agents.user_set.add(user_factory("second"))
    response = manager_client.get(reverse("roles:role_list"))
    assert response.status_code == 200
    edit_url = reverse("roles:role_edit", kwargs={"pk": agents.pk})
    assert f'<td><a href="{edit_url}">Agents</a></td>' in response.text
    assert "<td>2</td>" in response.text
    assert 'aria-label="New role"' in response.text
    assert f'href="{reverse("roles:role_delete", kwargs={"pk": agents.pk})}"' in response.text


# --- Create -------------------------------------------------------------------------------


def test_create_page_labels_every_input(manager_client):
    form = parse(manager_client.get(reverse("roles:role_add")))
    assert form.label_of("id_name") == "Name *"
    assert form.label_of("id_members") == "Members"
    for action, label in (("view", "Read"), ("add", "Create"), ("change", "Modify")):
        field_id = "id_" + CHECKPOINT_FIELD.format(action)
        assert form.inputs[field_id]["type"] == "checkbox"
        assert "checked" not in form.inputs[field_id]
        assert form.label_of(field_id) == f"Checkpoints: {label}"
    assert form.label_of("id_" + CHECKPOINT_FIELD.format("delete")) == "Checkpoints: Delete"
    assert "Save" in form.buttons


def test_every_entity_whose_model_exists_gets_a_row(manager_client):
    form = parse(manager_client.get(reverse("roles:role_add")))
    found = entities.role_entities()
    assert found[0].label == "Checkpoints"
    for entity in found:  # Smart Routings and Interactions join as their apps add models
        for action, label in ACTION_LABELS.items():
            field_id = f"id_right_{entity.key}_{action}"
            assert form.label_of(field_id) == f"{entity.label}: {label}"


def test_create_role_grants_its_members_the_ticked_rights(manager_client, plain_user):
    member = Client()
    member.force_login(plain_user)
    add_url = reverse("checkpoints:checkpoint_add")
    assert member.get(add_url).status_code == 403

    response = manager_client.post(
        reverse("roles:role_add"),
        role_post("Checkpoint authors", [plain_user], ["view", "add"]),
    )
    assert response.status_code == 302
    assert response.url == reverse("roles:role_list")
    role = Group.objects.get(name="Checkpoint authors")
    assert checkpoint_rights(role) == {"view_checkpoint", "add_checkpoint"}
    assert list(role.user_set.all()) == [plain_user]
    assert "Role “Checkpoint authors” created." in manager_client.get(response.url).text

    assert member.get(add_url).status_code == 200
    assert member.get(reverse("checkpoints:checkpoint_list")).status_code == 200


def test_role_name_is_required_trimmed_and_unique(manager_client, agents):
    blank = manager_client.post(reverse("roles:role_add"), role_post("   "))
    assert blank.status_code == 200
    assert "This field is required." in blank.text
    assert "Please correct the errors below." in blank.text

    duplicate = manager_client.post(reverse("roles:role_add"), role_post(" agents "))
    assert duplicate.status_code == 200
    assert "A role with this name already exists." in duplicate.text
    assert Group.objects.filter(name__iexact="agents").count() == 1

    created = manager_client.post(reverse("roles:role_add"), role_post("  Supervisors  "))
    assert created.status_code == 302
    assert Group.objects.filter(name="Supervisors").exists()


# --- Edit ---------------------------------------------------------------------------------


def test_edit_page_shows_the_current_state(manager_client, agents, plain_user):
    grant(agents, "view_checkpoint", "change_checkpoint")
    form = parse(manager_client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk})))
    assert form.inputs["id_name"]["value"] == "Agents"
    assert form.selected_options == [str(plain_user.pk)]
    checked = {
        action
        for action in ("view", "add", "change", "delete")
        if "checked" in form.inputs["id_" + CHECKPOINT_FIELD.format(action)]
    }
    assert checked == {"view", "change"}
    assert "Save" in form.buttons


def test_unticking_removes_the_right_and_keeps_rights_outside_the_matrix(
    manager_client, agents, plain_user
):
    grant(agents, "view_checkpoint", "add_checkpoint", "view_group")
    url = reverse("roles:role_edit", kwargs={"pk": agents.pk})
    response = manager_client.post(url, role_post("Agents", [plain_user], ["view"]))
    assert response.status_code == 302
    assert checkpoint_rights(agents) == {"view_checkpoint"}
    assert agents.permissions.filter(codename="view_group").exists()
    assert "Role “Agents” saved." in manager_client.get(response.url).text

    member = Client()
    member.force_login(plain_user)
    assert member.get(reverse("checkpoints:checkpoint_add")).status_code == 403
    assert member.get(reverse("checkpoints:checkpoint_list")).status_code == 200


def test_rename_and_change_members(manager_client, agents, plain_user, user_factory):
    newcomer = user_factory("newcomer")
    url = reverse("roles:role_edit", kwargs={"pk": agents.pk})
    response = manager_client.post(url, role_post("Front office", [newcomer]), follow=True)
    agents.refresh_from_db()
    assert agents.name == "Front office"
    assert list(agents.user_set.all()) == [newcomer]
    assert not plain_user.groups.exists()
    assert "Role “Front office” saved." in response.text


def test_matrix_lists_only_entities_whose_model_exists(monkeypatch):
    monkeypatch.setattr(
        entities,
        "ENTITY_REGISTRY",
        (("Checkpoints", "checkpoints.Checkpoint"), ("Ghosts", "routing.NoSuchModel")),
    )
    found = entities.role_entities()
    assert [(entity.label, entity.model) for entity in found] == [("Checkpoints", Checkpoint)]
    [row] = entities.matrix_rights()
    assert [right.label for right in row] == [
        "Checkpoints: Read",
        "Checkpoints: Create",
        "Checkpoints: Modify",
        "Checkpoints: Delete",
    ]
    assert [right.permission.codename for right in row] == [
        "view_checkpoint",
        "add_checkpoint",
        "change_checkpoint",
        "delete_checkpoint",
    ]


# --- Delete -------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_then_deletes(manager_client, agents, plain_user):
    url = reverse("roles:role_delete", kwargs={"pk": agents.pk})
    confirm = manager_client.get(url)
    assert confirm.status_code == 200
    assert "Delete role “Agents”?" in confirm.text
    assert "1 user has this role and will lose the rights it gives." in confirm.text
    assert "Delete" in parse(confirm).buttons
    assert Group.objects.filter(pk=agents.pk).exists()

    response = manager_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("roles:role_list")
    assert "Role “Agents” deleted." in response.text
    assert not Group.objects.filter(pk=agents.pk).exists()
    plain_user.refresh_from_db()  # the member's account stays
    assert not plain_user.groups.exists()


def test_delete_needs_the_delete_right(client, user_factory, agents):
    editor = user_factory("role-editor", ["auth.view_group", "auth.change_group"])
    client.force_login(editor)
    url = reverse("roles:role_delete", kwargs={"pk": agents.pk})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Group.objects.filter(pk=agents.pk).exists()
    page = client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk}))
    assert f'href="{url}"' not in page.text
