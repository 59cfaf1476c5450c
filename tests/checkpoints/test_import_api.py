"""``POST /api/v1/checkpoints/import/``: preview (dry_run), import, errors, limits, rights."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkpoints import imports
from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE
from tests.checkpoints.api_helpers import stored_rows
from tests.conftest import LICENCE_BODY, client_for, make_user, token_client

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/checkpoints/import/"
CSV = b"name,reference,alias\r\nOpt-in,optin_fr,opt-in\r\nRecognised customer,recognised,known\r\n"


def send_file(client, content: bytes, name: str = "checkpoints.csv", **fields):
    return client.post(
        IMPORT, {"file": SimpleUploadedFile(name, content), **fields}, format="multipart"
    )


def test_dry_run_previews_then_import_writes(full_api, checkpoint):
    preview = send_file(full_api, CSV, dry_run="true")
    assert preview.status_code == 200
    assert preview.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "rows": [
            {"row": 1, "reference": "optin_fr", "action": "create", "errors": {}},
            {"row": 2, "reference": "recognised", "action": "unchanged", "errors": {}},
        ],
    }
    assert len(stored_rows()) == 1
    done = send_file(full_api, CSV)
    assert done.status_code == 200
    assert done.json()["created"] == 1
    assert stored_rows() == [
        ("Recognised customer", "recognised", "known"),
        ("Opt-in", "optin_fr", "opt-in"),
    ]


def test_json_body_updates_by_reference(full_api, checkpoint):
    body = {"checkpoints": [{"name": "Renamed", "reference": "recognised"}]}
    response = full_api.post(IMPORT, body, format="json")
    assert response.status_code == 200
    assert response.json()["updated"] == 1
    assert stored_rows() == [("Renamed", "recognised", "known")]


def test_one_bad_row_is_a_400_naming_row_field_rule_and_writes_nothing(full_api):
    rows = [{"name": "Good", "reference": "good"}, {"name": "Bad", "reference": "bad ref"}]
    response = full_api.post(IMPORT, {"checkpoints": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["rows"][1] == {
        "row": 2,
        "reference": "bad ref",
        "action": "error",
        "errors": {"reference": [REFERENCE_CHARACTERS_MESSAGE]},
    }
    assert stored_rows() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "file"),
        ({"checkpoints": "nope"}, "checkpoints"),
        ({"checkpoints": [], "dry_run": [1]}, "dry_run"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(full_api, body, field):
    response = full_api.post(IMPORT, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_list_body_is_a_400(full_api):
    assert full_api.post(IMPORT, [1, 2], format="json").status_code == 400


def test_limits(full_api, monkeypatch):
    too_big = send_file(full_api, b"x" * (imports.MAX_IMPORT_BYTES + 1))
    assert too_big.status_code == 413
    assert "at most 2 MB" in too_big.json()["detail"]
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 1)
    too_many = send_file(full_api, CSV)
    assert too_many.status_code == 400
    assert too_many.json() == {"file": [imports.TOO_MANY_ROWS_MESSAGE]}


@pytest.mark.parametrize(
    "content",
    [
        "name,reference\nCafé,cafe\n".encode("latin-1"),
        b"name,reference\nN\x00,r\x00\n",
        b'[{"name": "x", "reference": "\\ud800"}]',
        b'{"checkpoints": [{"name": "x", "reference": "a", "\\ud800": 1}]}',
        b"[" * 50_000,
        b'[{"name": ' + b"9" * 5000 + b', "reference": "big"}]',
        b"\xed\xa0\x80",
    ],
)
def test_bad_files_never_500(full_api, content):
    response = send_file(full_api, content, name="upload.txt", dry_run="true")
    assert response.status_code == 400, response.content
    response.json()
    assert stored_rows() == []


@pytest.mark.parametrize(
    "rights", [["add"], ["change"], ["view", "add", "delete"], ["view", "change"], []]
)
def test_import_needs_create_and_modify(rights):
    user = make_user("someone", [f"checkpoints.{right}_checkpoint" for right in rights])
    response = token_client(user).post(IMPORT, {"checkpoints": []}, format="json")
    assert response.status_code == 403


def test_editor_may_import(editor_user):
    response = client_for(editor_user).post(
        IMPORT, {"checkpoints": [{"name": "A", "reference": "a"}]}, format="json"
    )
    assert response.status_code == 200


def test_anonymous_401_and_licence_off_403(api_client, full_api, settings):
    assert api_client.post(IMPORT, {"checkpoints": []}, format="json").status_code == 401
    settings.SMART_LICENCE = False
    response = full_api.post(IMPORT, {"checkpoints": []}, format="json")
    assert response.status_code == 403
    assert response.json() == LICENCE_BODY


def test_queries_bounded(full_api, make_checkpoints):
    make_checkpoints(200, prefix="old")

    def queries(count: int) -> int:
        rows = [{"name": f"n{i}", "reference": f"n{count}_{i}"} for i in range(count // 2)] + [
            {"name": f"changed {count}", "reference": f"old_{i:04d}"} for i in range(count // 2)
        ]
        with CaptureQueriesContext(connection) as captured:
            assert full_api.post(IMPORT, {"checkpoints": rows}, format="json").status_code == 200
        return len(captured)

    assert queries(10) == queries(200)


def test_in_the_schema(full_api):
    schema = full_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/checkpoints/import/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "400", "401", "403", "413"} <= set(operation["responses"])


def test_an_import_leaves_one_history_entry_per_row_written_by_its_user(full_api, checkpoint):
    body = {
        "checkpoints": [
            {"name": "Renamed", "reference": "recognised", "alias": "known"},
            {"name": "New one", "reference": "new_one"},
        ]
    }
    before = checkpoint.history.count()
    assert full_api.post(IMPORT, body, format="json").status_code == 200
    renamed = checkpoint.history.order_by("-history_id").first()
    assert checkpoint.history.count() == before + 1
    assert (renamed.history_type, renamed.name) == ("~", "Renamed")
    assert renamed.history_user.username == "full"
    created = Checkpoint.history.filter(reference="new_one").get()
    assert (created.history_type, created.history_user.username) == ("+", "full")
