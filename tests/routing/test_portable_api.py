"""Routing documents over the API: GET /api/v1/routings/{id}/export/ and POST
/api/v1/routings/import/ (with ``dry_run``), their rights, the licence and bad bodies."""

import json

import pytest
from guardian.shortcuts import assign_perm

from checkpoints.models import Checkpoint
from routing.models import SmartRouting
from routing.services import create_routing
from tests.conftest import LICENCE_BODY, client_for, make_user
from tests.routing.api_helpers import LIST, ROUTING_FIELDS
from tests.routing.test_portable import sized_tree

pytestmark = pytest.mark.django_db

IMPORT = f"{LIST}import/"
DRY_RUN = f"{IMPORT}?dry_run=true"


def export_url(pk) -> str:
    return f"{LIST}{pk}/export/"


def post(api, url: str, body) -> object:
    return api.post(url, json.dumps(body), content_type="application/json")


def test_export_import_elsewhere_export_is_the_same_document(api, routing, optin_checkpoints):
    """The same references under other ids after the routing and its checkpoints are gone:
    the import recreates the routing, whose export is the first one."""
    document = api.get(export_url(routing.pk)).json()
    routing.delete()
    for checkpoint in optin_checkpoints.values():
        checkpoint.delete()
        Checkpoint.objects.create(name=checkpoint.name, reference=checkpoint.reference)
    response = post(api, IMPORT, document)
    assert response.status_code == 201, response.json()
    assert set(response.json()) == ROUTING_FIELDS
    again = api.get(export_url(response.json()["id"])).json()
    assert json.dumps(again, sort_keys=True) == json.dumps(document, sort_keys=True)


def test_dry_run_previews_and_stores_nothing(api, routing):
    document = api.get(export_url(routing.pk)).json()
    document["routing"]["name"] = "Copy"
    document["routing"]["tree"]["branches"]["next"]["branches"]["next"]["branches"]["fr"][
        "checkpoint_reference"
    ] = "missing_here"
    response = post(api, DRY_RUN, document)
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "create"
    assert body["replaces"] is None
    assert body["routing"] == {"name": "Copy", "channel": "voice", "description": ""}
    assert body["missing_references"] == ["missing_here"]
    assert body["unmatched_reference_codes"] == []
    assert body["can_import"] is False
    assert body["node_count"] == sum(body["node_counts"].values())
    assert not SmartRouting.objects.filter(name="Copy").exists()
    refused = post(api, IMPORT, document)
    assert refused.status_code == 400
    assert refused.json()["missing_references"] == ["missing_here"]
    assert not SmartRouting.objects.filter(name="Copy").exists()


def test_import_of_an_existing_name_replaces_it(api, routing):
    document = api.get(export_url(routing.pk)).json()
    document["routing"]["description"] = "Moved"
    preview = post(api, DRY_RUN, document).json()
    assert (preview["action"], preview["replaces"]) == ("replace", routing.pk)
    response = post(api, IMPORT, document)
    assert response.status_code == 200
    assert response.json()["id"] == routing.pk
    routing.refresh_from_db()
    assert routing.description == "Moved"


BAD_BODIES = {
    "a list": ([], "non_field_errors"),
    "no format": ({"version": 1}, "format"),
    "huge version": ({"format": "checkpoint-maker/routing", "version": 10**100}, "version"),
    "tree of a string": (
        {"format": "checkpoint-maker/routing", "version": 1, "routing": {"tree": "x"}},
        "routing",
    ),
}


@pytest.mark.parametrize("case", BAD_BODIES, ids=list(BAD_BODIES))
@pytest.mark.parametrize("url", [IMPORT, DRY_RUN])
def test_bad_documents_are_400_naming_the_path(api, case, url):
    body, key = BAD_BODIES[case]
    response = post(api, url, body)
    assert response.status_code == 400
    assert key in response.json()
    assert not SmartRouting.objects.exists()


def test_the_path_of_a_bad_node_is_named(api, routing):
    document = api.get(export_url(routing.pk)).json()
    document["routing"]["tree"]["branches"]["next"]["kind"] = "jump"
    response = post(api, IMPORT, document)
    assert response.status_code == 400
    assert response.json()["routing"][0].startswith("routing.tree.branches.next: unknown kind")


@pytest.mark.parametrize(
    "raw",
    [
        '{"format": "checkpoint-maker/routing", "version": 1, "routing": {"name": "a\\u0000"}}',
        '{"format": "checkpoint-maker/routing", "version": 1, "routing": {"name": "\\ud800"}}',
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1' + "0" * 5000 + "}",
        "not json",
    ],
    ids=["NUL", "surrogate", "deep", "huge number", "not JSON"],
)
def test_unreadable_bodies_are_400_never_500(api, raw):
    response = api.post(IMPORT, raw, content_type="application/json")
    assert response.status_code == 400
    assert not SmartRouting.objects.exists()


# --- Rights and licence ----------------------------------------------------------------------

IMPORT_RIGHTS = {
    "create and modify": (["routing.add_smartrouting", "routing.change_smartrouting"], 200),
    "create only": (["routing.add_smartrouting"], 403),
    "modify only": (["routing.change_smartrouting"], 403),
    "read only": (["routing.view_smartrouting"], 403),
}


@pytest.mark.parametrize("role", IMPORT_RIGHTS, ids=list(IMPORT_RIGHTS))
def test_import_needs_create_and_modify_role_wide(api, routing, role):
    document = api.get(export_url(routing.pk)).json()
    perms, expected = IMPORT_RIGHTS[role]
    user_api = client_for(make_user("importer", perms))
    assert post(user_api, DRY_RUN, document).status_code == expected
    assert post(user_api, IMPORT, document).status_code == expected


def test_import_with_rights_on_one_routing_only_is_403(api, routing):
    document = api.get(export_url(routing.pk)).json()
    user = make_user("one-routing", ["routing.add_smartrouting"])
    assign_perm("routing.change_smartrouting", user, routing)
    assert post(client_for(user), IMPORT, document).status_code == 403


def test_export_needs_read_on_the_routing(routing, other_routing):
    user = make_user("one-reader")
    assign_perm("routing.view_smartrouting", user, routing)
    user_api = client_for(user)
    assert user_api.get(export_url(routing.pk)).status_code == 200
    assert user_api.get(export_url(other_routing.pk)).status_code == 404
    assert client_for(make_user("nobody")).get(export_url(routing.pk)).status_code == 403


def test_anonymous_is_401(api_client, routing):
    assert api_client.get(export_url(routing.pk)).status_code == 401
    assert api_client.post(IMPORT, {}, format="json").status_code == 401


def test_licence_off_is_403(api, routing, settings):
    settings.SMART_LICENCE = False
    for response in (api.get(export_url(routing.pk)), post(api, IMPORT, {})):
        assert response.status_code == 403
        assert response.json() == LICENCE_BODY


def test_the_schema_documents_both_endpoints(admin_client):
    schema = admin_client.get("/api/schema/", {"format": "json"}).json()
    assert "get" in schema["paths"]["/api/v1/routings/{id}/export/"]
    operation = schema["paths"]["/api/v1/routings/import/"]["post"]
    assert {"200", "201", "400", "403"} <= set(operation["responses"])
    assert any(parameter["name"] == "dry_run" for parameter in operation["parameters"])


@pytest.mark.parametrize("actions", [4, 49])  # 10 and 100 nodes
def test_export_and_import_query_counts_do_not_grow_with_the_tree(
    api, make_checkpoints, django_assert_num_queries, actions
):
    checkpoints = make_checkpoints(20)
    routing = create_routing(name="Sized", channel="voice", tree=sized_tree(actions, checkpoints))
    api.get(export_url(routing.pk))  # once first: the per-process content-type cache
    # session, user, the user's and the roles' rights, the routing, its nodes (checkpoints joined)
    with django_assert_num_queries(6):
        document = api.get(export_url(routing.pk)).json()
    document["routing"]["name"] = "Sized copy"
    # session, user, rights; the plan's 3; the write's 9 and 2 savepoints; the history entry
    # and tree version (routing/versions.py); the answer's read
    with django_assert_num_queries(4 + 3 + 9 + 4 + 2 + 1):
        response = post(api, IMPORT, document)
    assert response.status_code == 201


def test_a_dry_run_that_is_neither_true_nor_false_is_400_and_imports_nothing(api, routing):
    document = api.get(export_url(routing.pk)).json()
    document["routing"]["name"] = "Not imported"
    response = post(api, f"{IMPORT}?dry_run=treu", document)
    assert response.status_code == 400
    assert "dry_run" in response.json()
    assert not SmartRouting.objects.filter(name="Not imported").exists()
