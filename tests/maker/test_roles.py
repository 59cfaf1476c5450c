"""Maker > Roles: roles are groups; the matrix sets their rights on each entity."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from checkpoint_maker.permissions import ACTION_LABELS
from checkpoint_maker.roles import entities
from checkpoints.models import Checkpoint
from tests.pages import page

pytestmark = pytest.mark.django_db

GROUP_RIGHTS = ["auth.view_group", "auth.add_group", "auth.change_group", "auth.delete_group"]
CHECKPOINT_FIELD = "right_checkpoints_checkpoint_{}"


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


def checked_rights(form) -> set[str]:
    """The checkpoint rights ticked in a role form's matrix."""
    return {
        action
        for action, label in ACTION_LABELS.items()
        if "checked" in form.get_by_role("checkbox", name=f"Checkpoints: {label}").attrs
    }


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
    shown = page(listing)
    assert "Agents" in shown.get_by_role("table", name="Roles").column("Name")
    assert shown.query_by_role("link", name="New role") is None
    assert shown.query_by_role("link", name="Delete Agents") is None

    response = client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk}))
    assert response.status_code == 200
    form = page(response)
    assert form.query_by_role("button", name="Save") is None
    assert "disabled" in form.get_by_label("Name").attrs
    assert "disabled" in form.get_by_role("checkbox", name="Checkpoints: Read").attrs

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
    edit_url = reverse("roles:role_edit", kwargs={"pk": agents.pk})
    assert page(listing).get_by_role("link", name="Edit Agents").get("href") == edit_url
    assert page(client.get(edit_url)).get_by_role("button", name="Save").get("type") == "submit"
    response = client.post(edit_url, role_post("A2"))
    assert response.status_code == 302
    agents.refresh_from_db()
    assert agents.name == "A2"


def test_menu_shows_roles_to_users_who_may_change_groups(manager_client):
    response = manager_client.get(reverse("roles:role_list"))
    menu = page(response).get_by_role("navigation", name="Maker")
    assert menu.get_by_role("link", name="Roles").get("href") == reverse("roles:role_list")


# --- List ---------------------------------------------------------------------------------


def test_list_shows_each_role_with_its_member_count_and_links(manager_client, agents, user_factory):
    agents.user_set.add(user_factory("second"))
    response = manager_client.get(reverse("roles:role_list"))
    assert response.status_code == 200
    shown = page(response)
    table = shown.get_by_role("table", name="Roles")
    edit_url = reverse("roles:role_edit", kwargs={"pk": agents.pk})
    assert table.row("Agents").get_by_role("link", name="Agents").get("href") == edit_url
    assert table.row("Agents").get_all_by_role("cell")[1].text == "2"
    assert shown.get_by_role("link", name="New role").get("href") == reverse("roles:role_add")
    delete_url = reverse("roles:role_delete", kwargs={"pk": agents.pk})
    assert table.get_by_role("link", name="Delete Agents").get("href") == delete_url


# --- Create -------------------------------------------------------------------------------


def test_create_page_labels_every_input(manager_client):
    form = page(manager_client.get(reverse("roles:role_add")))
    assert form.get_by_label("Name").get("id") == "id_name"
    assert "required" in form.get_by_label("Name").attrs
    assert form.get_by_label("Members").get("id") == "id_members"
    for action, label in ACTION_LABELS.items():
        box = form.get_by_role("checkbox", name=f"Checkpoints: {label}")
        assert box.get("id") == "id_" + CHECKPOINT_FIELD.format(action)
        assert "checked" not in box.attrs
    assert form.get_by_role("button", name="Save").get("type") == "submit"


def test_every_entity_whose_model_exists_gets_a_row(manager_client):
    form = page(manager_client.get(reverse("roles:role_add")))
    found = entities.role_entities()
    assert found[0].label == "Checkpoints"
    matrix = form.get_by_role("table", name="Rights of this role on each entity")
    assert [header.name for header in matrix.get_all_by_role("rowheader")] == [
        entity.label for entity in found
    ]
    rights = {(right.entity.label, right.action) for right in entities.all_rights()}
    for entity in found:  # Smart Routings and Interactions join as their apps add models
        for action, label in ACTION_LABELS.items():
            name = f"{entity.label}: {label}"
            if (entity.label, action) not in rights:  # Statistics has Read only
                assert matrix.query_by_role("checkbox", name=name) is None
                continue
            box = matrix.get_by_role("checkbox", name=name)
            assert box.get("id") == f"id_right_{entity.key}_{action}"
    assert {action for label, action in rights if label == "Statistics"} == {"view"}


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
    status = page(manager_client.get(response.url)).get_by_role("status")
    assert status.text == "Role “Checkpoint authors” created."

    assert member.get(add_url).status_code == 200
    assert member.get(reverse("checkpoints:checkpoint_list")).status_code == 200


def test_role_name_is_required_trimmed_and_unique(manager_client, agents):
    roles = set(Group.objects.values_list("name", flat=True))
    blank = manager_client.post(reverse("roles:role_add"), role_post("   "))
    assert blank.status_code == 200
    shown = page(blank)
    assert "This field is required." in shown.get_by_label("Name").description
    assert shown.get_by_role("alert").text == "Please correct the errors below."
    assert set(Group.objects.values_list("name", flat=True)) == roles

    duplicate = manager_client.post(reverse("roles:role_add"), role_post(" agents "))
    assert duplicate.status_code == 200
    name = page(duplicate).get_by_label("Name")
    assert "A role with this name already exists." in name.description
    assert Group.objects.filter(name__iexact="agents").count() == 1

    created = manager_client.post(reverse("roles:role_add"), role_post("  Supervisors  "))
    assert created.status_code == 302
    assert Group.objects.filter(name="Supervisors").exists()


# --- Edit ---------------------------------------------------------------------------------


def test_edit_page_shows_the_current_state(manager_client, agents, plain_user):
    grant(agents, "view_checkpoint", "change_checkpoint")
    form = page(manager_client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk})))
    assert form.get_by_label("Name").get("value") == "Agents"
    members = form.get_by_label("Members").get_all_by_role("option")
    assert [option.get("value") for option in members if "selected" in option.attrs] == [
        str(plain_user.pk)
    ]
    assert checked_rights(form) == {"view", "change"}
    assert form.get_by_role("button", name="Save").get("type") == "submit"


def test_unticking_removes_the_right_and_keeps_rights_outside_the_matrix(
    manager_client, agents, plain_user
):
    grant(agents, "view_checkpoint", "add_checkpoint", "view_group")
    url = reverse("roles:role_edit", kwargs={"pk": agents.pk})
    response = manager_client.post(url, role_post("Agents", [plain_user], ["view"]))
    assert response.status_code == 302
    assert checkpoint_rights(agents) == {"view_checkpoint"}
    assert agents.permissions.filter(codename="view_group").exists()
    shown = page(manager_client.get(response.url))
    assert shown.get_by_role("status").text == "Role “Agents” saved."

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
    assert page(response).get_by_role("status").text == "Role “Front office” saved."


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
    response = manager_client.get(url)
    assert response.status_code == 200
    confirm = page(response)
    assert confirm.get_by_role("heading", level=1).text == "Delete role “Agents”?"
    assert confirm.get_by_text("1 user has this role and will lose the rights it gives.")
    assert confirm.get_by_role("button", name="Delete").get("type") == "submit"
    assert Group.objects.filter(pk=agents.pk).exists()

    response = manager_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("roles:role_list")
    assert page(response).get_by_role("status").text == "Role “Agents” deleted."
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
    form = page(client.get(reverse("roles:role_edit", kwargs={"pk": agents.pk})))
    assert form.query_by_role("link", name="Delete") is None
    assert form.get_by_role("button", name="Save")
