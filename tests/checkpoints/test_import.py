"""Checkpoint import: the service (read, plan, apply) and the Maker pages (upload, preview,
confirm)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkpoints import imports
from checkpoints.models import Checkpoint
from checkpoints.validators import REFERENCE_CHARACTERS_MESSAGE, REFERENCE_UNIQUE_MESSAGE
from tests.checkpoints.api_helpers import stored_rows
from tests.conftest import checkpoint_perms, messages_of
from tests.pages import page

pytestmark = pytest.mark.django_db

LIST = reverse("checkpoints:checkpoint_list")
IMPORT = reverse("checkpoints:checkpoint_import")
CONFIRM = reverse("checkpoints:checkpoint_import_confirm")


def csv_file(*lines: str, name: str = "checkpoints.csv", bom: bool = False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def upload(client, content: bytes, name: str = "checkpoints.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def confirm(client, preview):
    token = page(preview).get_by_role("button", name="Confirm import")
    assert "disabled" not in token.attrs
    hidden = [
        e for e in page(preview).descendants() if e.tag == "input" and e.get("name") == "token"
    ]
    return client.post(CONFIRM, {"token": hidden[0].get("value")})


# --- Service ---------------------------------------------------------------------------------


def test_plan_classifies_create_update_unchanged(checkpoint):
    rows = imports.read_file(
        csv_file(
            "name,reference,alias",
            "Opt-in,optin_fr,opt-in",
            "Recognised (new name),recognised,known",
            "Recognised customer,recognised_2,",
        )
    )
    Checkpoint.objects.create(name="Recognised customer", reference="recognised_2")
    plan = imports.plan_import(rows)
    assert [(row.number, row.action) for row in plan.rows] == [
        (1, "create"),
        (2, "update"),
        (3, "unchanged"),
    ]
    assert plan.counts == {"create": 1, "update": 1, "unchanged": 1, "error": 0}


def test_apply_writes_exactly_the_rows(checkpoint):
    rows = imports.read_file(
        csv_file("name,reference,alias", " Opt-in ,optin_fr, opt-in ", "New name,recognised,known")
    )
    imports.apply_import(rows, None)
    assert stored_rows() == [("New name", "recognised", "known"), ("Opt-in", "optin_fr", "opt-in")]


def test_an_update_moves_updated_at_and_unchanged_rows_keep_it(checkpoint, make_checkpoints):
    (same,) = make_checkpoints(1)
    before = {c.reference: c.updated_at for c in Checkpoint.objects.all()}
    rows = [
        {"name": "Moved", "reference": "recognised"},
        {"name": same.name, "reference": "cp_0000"},
    ]
    imports.apply_import(rows, None)
    after = {c.reference: c.updated_at for c in Checkpoint.objects.all()}
    assert after["recognised"] > before["recognised"]
    assert after["cp_0000"] == before["cp_0000"]


def test_a_missing_alias_column_keeps_the_alias_of_an_update(checkpoint):
    imports.apply_import(imports.read_file(csv_file("reference,name", "recognised,Renamed")), None)
    assert stored_rows() == [("Renamed", "recognised", "known")]


def test_one_bad_row_stores_nothing_and_names_row_field_rule(checkpoint):
    rows = imports.read_file(
        csv_file(
            "name,reference,alias", "Good,good_one,", "Bad,bad reference!,", "Long,x," + "a" * 40
        )
    )
    with pytest.raises(imports.ImportFailed) as failure:
        imports.apply_import(rows, None)
    assert stored_rows() == [("Recognised customer", "recognised", "known")]
    errors = {row.number: row.errors for row in failure.value.plan.rows if row.errors}
    assert errors[2] == {"reference": [REFERENCE_CHARACTERS_MESSAGE]}
    assert list(errors[3]) == ["alias"]
    assert "at most 32 characters" in errors[3]["alias"][0]


def test_duplicate_reference_inside_the_file():
    plan = imports.plan_import(
        imports.read_file(csv_file("name,reference", "A,same", "B,other", "C,same"))
    )
    assert plan.rows[2].errors == {
        "reference": ["Reference “same” is already in row 1 of this file."]
    }
    assert [row.action for row in plan.rows[:2]] == ["create", "create"]


def test_json_list_or_object_and_types():
    body = [{"name": "A", "reference": "a"}, {"name": 12, "reference": "b"}, "nope"]
    for content in (json.dumps(body), json.dumps({"checkpoints": body})):
        plan = imports.plan_import(imports.read_file(content.encode(), "file.json"))
        assert [row.action for row in plan.rows] == ["create", "error", "error"]
        assert plan.rows[1].errors == {"name": [imports.NOT_TEXT_MESSAGE]}
        assert plan.rows[2].errors == {
            "non_field_errors": ["Each checkpoint must be a JSON object."]
        }


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"name;reference\n", "format"),
        ("name,reference\nCafé,cafe\n".encode("latin-1"), "encoding"),
        (b"[" * 100_000, "format"),
        (b"", "format"),
        (b"name,reference,colour\n", "format"),
    ],
)
def test_files_rejected_as_a_whole(content, code):
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.read_file(content)
    assert rejected.value.code == code


def test_bom_and_text_rules():
    rows = imports.read_file(csv_file("name,reference,alias", "N\x00ul,nul,", bom=True))
    plan = imports.plan_import(rows)
    assert plan.rows[0].errors == {
        "name": ["This field may not contain the NUL character (\\u0000)."]
    }
    surrogate = imports.plan_import([{"name": "x", "reference": "bad\ud800"}])
    assert "reference" in surrogate.rows[0].errors
    assert surrogate.summary()["rows"][0]["reference"] == "bad\ufffd"


def test_limits(monkeypatch):
    with pytest.raises(imports.ImportRejected, match="at most 2 MB"):
        imports.read_file(b"x" * (imports.MAX_IMPORT_BYTES + 1))
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.read_file(csv_file("name,reference", *[f"n,r{i}" for i in range(4)]))
    assert rejected.value.code == "too_many_rows"


def test_a_reference_created_since_the_preview_fails_the_confirm():
    rows = imports.read_file(csv_file("name,reference", "A,taken", "B,free"))
    preview = imports.plan_import(rows)
    Checkpoint.objects.create(name="Someone else's", reference="taken")
    with pytest.raises(imports.ImportFailed) as failure:
        imports.apply_import(preview.source(), None, previewed=preview.actions())
    assert failure.value.plan.rows[0].errors == {"reference": [REFERENCE_UNIQUE_MESSAGE]}
    assert stored_rows() == [("Someone else's", "taken", "")]


def test_queries_do_not_grow_with_the_rows(make_checkpoints):
    make_checkpoints(200, prefix="old")

    def queries(count: int) -> tuple[int, int]:
        rows = [{"name": f"n{i}", "reference": f"new{count}_{i}"} for i in range(count // 2)] + [
            {"name": "changed", "reference": f"old_{i:04d}"} for i in range(count // 2)
        ]
        with CaptureQueriesContext(connection) as preview:
            imports.plan_import(rows)
        with CaptureQueriesContext(connection) as commit:
            imports.apply_import(rows, None)
        return len(preview), len(commit)

    assert queries(10) == queries(200)


# --- Pages -----------------------------------------------------------------------------------


def test_list_shows_import_only_with_create_and_modify(client, user_factory):
    client.force_login(user_factory("editor", checkpoint_perms("editor")))
    link = page(client.get(LIST)).get_by_role("link", name="Import")
    assert link.get("href") == IMPORT
    client.force_login(
        user_factory("adder", ["checkpoints.view_checkpoint", "checkpoints.add_checkpoint"])
    )
    assert page(client.get(LIST)).query_by_role("link", name="Import") is None


@pytest.mark.parametrize(
    "rights",
    [["add"], ["change"], ["view", "add"], ["view", "change", "delete"], []],
)
def test_import_pages_need_create_and_modify(client, user_factory, rights):
    client.force_login(user_factory("someone", [f"checkpoints.{r}_checkpoint" for r in rights]))
    assert client.get(IMPORT).status_code == 403
    assert upload(client, csv_file("name,reference", "A,a")).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert Checkpoint.objects.count() == 0


def test_licence_off_is_403(client, editor_user, settings):
    settings.SMART_LICENCE = False
    client.force_login(editor_user)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, csv_file("name,reference", "A,a")).status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get(IMPORT).url.startswith("/login/?next=")


def test_preview_then_confirm(client, editor_user, checkpoint):
    client.force_login(editor_user)
    form = page(client.get(IMPORT))
    assert form.get_by_label("File").get("type") == "file"
    preview = upload(
        client,
        csv_file(
            "name,reference,alias", "Opt-in,optin_fr,opt-in", "Recognised customer,recognised,known"
        ),
    )
    shown = page(preview)
    assert shown.get_by_role("heading", name="Import preview")
    assert shown.descriptions() == {"Create": "1", "Update": "0", "Unchanged": "1", "Error": "0"}
    table = shown.get_by_role("table")
    assert table.column("Action") == ["Create", "Unchanged"]
    assert table.column("Reference") == ["optin_fr", "recognised"]
    assert Checkpoint.objects.count() == 1
    done = confirm(client, preview)
    assert done.status_code == 302 and done.url == LIST
    assert messages_of(done) == ["Import done: 1 created, 0 updated, 1 unchanged."]
    assert stored_rows() == [
        ("Recognised customer", "recognised", "known"),
        ("Opt-in", "optin_fr", "opt-in"),
    ]
    again = client.post(CONFIRM, {"token": "used"})
    assert again.url == IMPORT
    assert Checkpoint.objects.count() == 2


def test_preview_with_an_error_disables_confirm(client, editor_user):
    client.force_login(editor_user)
    shown = page(upload(client, csv_file("name,reference", "Good,good", "Bad,bad ref")))
    assert "disabled" in shown.get_by_role("button", name="Confirm import").attrs
    assert shown.get_by_role("alert").text.startswith("Some rows have errors")
    row = shown.get_by_role("table").row("bad ref")
    assert f"Reference: {REFERENCE_CHARACTERS_MESSAGE}" in row.text
    assert row.text.startswith("2 ")
    assert client.post(CONFIRM, {"token": ""}).url == IMPORT
    assert Checkpoint.objects.count() == 0


def test_a_rejected_file_is_a_field_error(client, editor_user):
    client.force_login(editor_user)
    response = upload(client, "name,reference\nCafé,cafe\n".encode("latin-1"))
    assert response.status_code == 200
    assert imports.ENCODING_MESSAGE in page(response).get_by_label("File").description


def test_confirm_after_a_concurrent_create_writes_nothing(client, editor_user):
    client.force_login(editor_user)
    preview = upload(client, csv_file("name,reference", "A,taken", "B,free"))
    Checkpoint.objects.create(name="Other", reference="taken")
    response = confirm(client, preview)
    assert response.status_code == 200
    shown = page(response)
    alerts = [alert.text for alert in shown.get_all_by_role("alert")]
    assert "Nothing was imported: the checkpoints changed since the preview." in alerts
    row = shown.get_by_role("table").row("taken")
    assert f"Reference: {REFERENCE_UNIQUE_MESSAGE}" in row.text
    assert stored_rows() == [("Other", "taken", "")]


def test_a_long_preview_lists_errors_first(client, editor_user, monkeypatch):
    from checkpoints import import_views

    monkeypatch.setattr(import_views, "SHOWN_ROWS", 2)
    client.force_login(editor_user)
    shown = page(upload(client, csv_file("name,reference", "A,a", "B,b", "C,bad ref")))
    table = shown.get_by_role("table")
    assert table.column("Row") == ["3", "1"]
    assert table.name.endswith(": the first 2 of 3, errors first")
