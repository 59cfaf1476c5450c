"""The Django admin for checkpoints: same rules as the Maker, rights per object, licence."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_perms
from rest_framework.authtoken.models import Token

from checkpoints import services
from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:checkpoints_checkpoint_changelist")
ADD = reverse("admin:checkpoints_checkpoint_add")


def change_url(checkpoint: Checkpoint) -> str:
    return reverse("admin:checkpoints_checkpoint_change", args=[checkpoint.pk])


def delete_url(checkpoint: Checkpoint) -> str:
    return reverse("admin:checkpoints_checkpoint_delete", args=[checkpoint.pk])


def permissions_url(checkpoint: Checkpoint) -> str:
    return reverse("admin:checkpoints_checkpoint_permissions", args=[checkpoint.pk])


def form_data(name="Opt-in collected", reference="optin", alias="optin") -> dict:
    return {"name": name, "reference": reference, "alias": alias}


@pytest.fixture
def two_checkpoints(db):
    mine = Checkpoint.objects.create(name="Callback offered", reference="callback", alias="cb")
    other = Checkpoint.objects.create(name="Upsell offered", reference="upsell")
    return mine, other


@pytest.fixture
def object_staff(db, two_checkpoints):
    """Staff with Read and Modify granted on one checkpoint only (django-guardian)."""
    user = User.objects.create_user("object-staff", password="pass-for-tests-1", is_staff=True)
    mine, _ = two_checkpoints
    assign_perm("checkpoints.view_checkpoint", user, mine)
    assign_perm("checkpoints.change_checkpoint", user, mine)
    return user


def changelist_names(response) -> list[str]:
    return sorted(str(obj.name) for obj in response.context["cl"].result_list)


# --- Changelist, search, filters ---------------------------------------------------------


def test_changelist_shows_the_columns_for_a_superuser(admin_client, two_checkpoints):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert changelist_names(response) == ["Callback offered", "Upsell offered"]
    for column in ("Name", "Reference", "Alias", "Updated at"):
        assert f">{column}</a>" in response.text
    assert 'value="delete_selected"' in response.text


def test_search_finds_by_name_or_reference(admin_client, two_checkpoints):
    by_name = admin_client.get(CHANGELIST, {"q": "upsell off"})
    assert changelist_names(by_name) == ["Upsell offered"]
    by_reference = admin_client.get(CHANGELIST, {"q": "callback"})
    assert changelist_names(by_reference) == ["Callback offered"]


def test_has_alias_filter_and_created_at_filters(admin_client, two_checkpoints):
    with_alias = admin_client.get(CHANGELIST, {"has_alias": "yes"})
    assert changelist_names(with_alias) == ["Callback offered"]
    without_alias = admin_client.get(CHANGELIST, {"has_alias": "no"})
    assert changelist_names(without_alias) == ["Upsell offered"]
    assert "By has alias" in with_alias.text
    year = two_checkpoints[0].created_at.year
    by_year = admin_client.get(CHANGELIST, {"created_at__year": year})
    assert changelist_names(by_year) == ["Callback offered", "Upsell offered"]
    assert changelist_names(admin_client.get(CHANGELIST, {"created_at__year": year - 1})) == []


# --- Add and change go through the services ----------------------------------------------


def test_add_saves_through_the_service_trimmed(admin_client, monkeypatch):
    calls = []
    real_create = services.create_checkpoint

    def spy(**values):
        calls.append(values)
        return real_create(**values)

    monkeypatch.setattr(services, "create_checkpoint", spy)
    response = admin_client.post(ADD, form_data(name="  Opt-in collected ", reference=" optin "))
    assert response.status_code == 302
    assert response.url == CHANGELIST
    created = Checkpoint.objects.get()
    assert (created.name, created.reference, created.alias) == (
        "Opt-in collected",
        "optin",
        "optin",
    )
    assert len(calls) == 1
    follow = admin_client.get(CHANGELIST)
    assert "was added successfully" in follow.text


def test_invalid_reference_shows_the_rule(admin_client):
    response = admin_client.post(ADD, form_data(reference="opt in!"))
    assert response.status_code == 200
    assert REFERENCE_CHARACTERS_MESSAGE in response.text
    assert not Checkpoint.objects.exists()


def test_duplicate_reference_shows_the_uniqueness_message(admin_client, checkpoint):
    response = admin_client.post(ADD, form_data(reference=checkpoint.reference))
    assert response.status_code == 200
    assert REFERENCE_UNIQUE_MESSAGE in response.text
    assert Checkpoint.objects.count() == 1


def test_uniqueness_race_after_validation_is_a_message_not_a_500(
    admin_client, checkpoint, monkeypatch
):
    # Another request saves the same reference between the form's check and the insert:
    # skipping the uniqueness check makes the database constraint the one that answers.
    monkeypatch.setattr(Checkpoint, "validate_unique", lambda self, exclude=None: None)
    response = admin_client.post(ADD, form_data(reference=checkpoint.reference), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(ADD, 302)]
    assert REFERENCE_UNIQUE_MESSAGE in response.text
    assert Checkpoint.objects.count() == 1


def test_change_saves_through_the_service(admin_client, checkpoint, monkeypatch):
    calls = []
    real_update = services.update_checkpoint

    def spy(obj, **values):
        calls.append(values)
        return real_update(obj, **values)

    monkeypatch.setattr(services, "update_checkpoint", spy)
    response = admin_client.post(
        change_url(checkpoint), form_data(name=" Known customer ", reference="known", alias="")
    )
    assert response.status_code == 302
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.reference, checkpoint.alias) == (
        "Known customer",
        "known",
        "",
    )
    assert calls == [{"name": "Known customer", "reference": "known", "alias": ""}]


# --- Deletion ----------------------------------------------------------------------------


def test_delete_selected_action_asks_then_deletes_through_the_service(
    admin_client, make_checkpoints, monkeypatch
):
    doomed = make_checkpoints(3)
    kept = Checkpoint.objects.create(name="Kept", reference="kept")
    calls = []
    real_bulk_delete = services.bulk_delete_checkpoints

    def spy(*, user, ids):
        calls.append(sorted(ids))
        return real_bulk_delete(user=user, ids=ids)

    monkeypatch.setattr(services, "bulk_delete_checkpoints", spy)
    data = {"action": "delete_selected", "_selected_action": [cp.pk for cp in doomed]}
    confirm = admin_client.post(CHANGELIST, data)
    assert confirm.status_code == 200
    assert "Are you sure you want to delete the selected" in confirm.text
    assert Checkpoint.objects.count() == 4

    response = admin_client.post(CHANGELIST, {**data, "post": "yes"}, follow=True)
    assert "Successfully deleted 3 checkpoints." in response.text
    assert list(Checkpoint.objects.all()) == [kept]
    assert calls == [sorted(cp.pk for cp in doomed)]


def test_delete_view_deletes_through_the_service(admin_client, checkpoint, monkeypatch):
    deleted = []
    monkeypatch.setattr(
        services, "delete_checkpoint", lambda obj: (deleted.append(obj.pk), obj.delete())
    )
    pk = checkpoint.pk
    assert admin_client.get(delete_url(checkpoint)).status_code == 200
    response = admin_client.post(delete_url(checkpoint), {"post": "yes"})
    assert response.status_code == 302
    assert deleted == [pk]
    assert not Checkpoint.objects.filter(pk=pk).exists()


# --- Rights per object -------------------------------------------------------------------


def test_object_grant_shows_only_that_checkpoint_and_allows_changing_it(
    client, object_staff, two_checkpoints
):
    mine, other = two_checkpoints
    client.force_login(object_staff)

    index = client.get(reverse("admin:index"))
    assert CHANGELIST in index.text

    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert changelist_names(listing) == ["Callback offered"]

    assert client.get(change_url(mine)).status_code == 200
    response = client.post(change_url(mine), form_data(name="Callback proposed", reference="cb2"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.reference) == ("Callback proposed", "cb2")

    assert client.get(change_url(other)).status_code == 403
    assert client.post(change_url(other), form_data(name="Hijacked")).status_code == 403
    other.refresh_from_db()
    assert other.name == "Upsell offered"


def test_object_grant_gives_no_add_and_no_delete(client, object_staff, two_checkpoints):
    mine, _ = two_checkpoints
    client.force_login(object_staff)
    assert client.get(ADD).status_code == 403
    assert client.post(delete_url(mine), {"post": "yes"}).status_code == 403
    assert 'value="delete_selected"' not in client.get(CHANGELIST).text
    action = {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"}
    client.post(CHANGELIST, action)
    assert Checkpoint.objects.filter(pk=mine.pk).exists()


def test_object_delete_grant_deletes_only_that_checkpoint(client, two_checkpoints):
    mine, other = two_checkpoints
    staff = User.objects.create_user("deleter", password="pass-for-tests-1", is_staff=True)
    for checkpoint in (mine, other):
        assign_perm("checkpoints.view_checkpoint", staff, checkpoint)
    assign_perm("checkpoints.delete_checkpoint", staff, mine)
    client.force_login(staff)

    both = {"action": "delete_selected", "_selected_action": [mine.pk, other.pk]}
    refused = client.post(CHANGELIST, {**both, "post": "yes"})
    assert refused.status_code == 403
    assert Checkpoint.objects.count() == 2

    assert client.post(delete_url(other), {"post": "yes"}).status_code == 403
    one = {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"}
    response = client.post(CHANGELIST, one, follow=True)
    assert "Successfully deleted 1 checkpoint." in response.text
    assert list(Checkpoint.objects.all()) == [other]


def test_staff_without_any_right_does_not_see_checkpoints(client, two_checkpoints):
    staff = User.objects.create_user("bare-staff", password="pass-for-tests-1", is_staff=True)
    client.force_login(staff)
    assert CHANGELIST not in client.get(reverse("admin:index")).text
    assert client.get(CHANGELIST).status_code == 403


def test_role_wide_rights_apply_in_the_admin(client, user_factory, two_checkpoints):
    reader = user_factory("staff-reader", ["checkpoints.view_checkpoint"])
    reader.is_staff = True
    reader.save()
    client.force_login(reader)
    assert changelist_names(client.get(CHANGELIST)) == ["Callback offered", "Upsell offered"]
    mine, _ = two_checkpoints
    page = client.get(change_url(mine))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # read-only
    assert client.post(change_url(mine), form_data(name="Hijacked")).status_code == 403
    mine.refresh_from_db()
    assert mine.name == "Callback offered"


# --- Object permissions page (django-guardian) -------------------------------------------


def test_superuser_grants_a_right_on_one_checkpoint(admin_client, two_checkpoints, plain_user):
    mine, other = two_checkpoints
    assert "Object permissions" in admin_client.get(change_url(mine)).text
    page = admin_client.get(permissions_url(mine))
    assert page.status_code == 200
    assert "Object permissions" in page.text

    manage = reverse(
        "admin:checkpoints_checkpoint_permissions_manage_user", args=[mine.pk, plain_user.pk]
    )
    response = admin_client.post(manage, {"permissions": ["view_checkpoint"]})
    assert response.status_code == 302
    assert get_perms(plain_user, mine) == ["view_checkpoint"]
    assert get_perms(plain_user, other) == []


def test_object_grant_does_not_let_a_user_manage_object_permissions(
    client, object_staff, two_checkpoints, plain_user
):
    mine, _ = two_checkpoints
    client.force_login(object_staff)
    assert "Object permissions" not in client.get(change_url(mine)).text
    assert client.get(permissions_url(mine)).status_code == 403
    manage = reverse(
        "admin:checkpoints_checkpoint_permissions_manage_user", args=[mine.pk, plain_user.pk]
    )
    assert client.post(manage, {"permissions": ["delete_checkpoint"]}).status_code == 403
    assert get_perms(plain_user, mine) == []


# --- Licence -----------------------------------------------------------------------------


def test_licence_off_closes_the_checkpoint_admin(admin_client, checkpoint, settings):
    settings.SMART_LICENCE = False
    for url in (CHANGELIST, ADD, change_url(checkpoint), permissions_url(checkpoint)):
        response = admin_client.get(url)
        assert response.status_code == 403, url
        assert "Checkpoints are part of the Smart licence" in response.text, url
    index = admin_client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert CHANGELIST not in index.text
    assert "Toolbox: checkpoints" not in index.text
    assert reverse("admin:auth_group_changelist") in index.text


def test_licence_on_lists_checkpoints_in_the_admin_index(admin_client):
    index = admin_client.get(reverse("admin:index"))
    assert CHANGELIST in index.text
    assert "Toolbox: checkpoints" in index.text


# --- Other admin modules -----------------------------------------------------------------


def test_group_and_token_admins_work(admin_client, plain_user):
    group = Group.objects.create(name="Agents")
    assert admin_client.get(reverse("admin:auth_group_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 200

    tokens = reverse("admin:authtoken_tokenproxy_changelist")
    assert admin_client.get(tokens).status_code == 200
    add = reverse("admin:authtoken_tokenproxy_add")
    assert admin_client.get(add).status_code == 200
    response = admin_client.post(add, {"user": plain_user.pk})
    assert response.status_code == 302
    assert Token.objects.filter(user=plain_user).exists()


def test_admin_needs_staff(client, full_user):
    other = Client()
    other.force_login(full_user)  # every checkpoint right, but not staff
    response = other.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
