"""Toolbox > Checkpoints export: the current list (filtered, sorted, only the rows the user may
read) as CSV, JSON and XLSX from the list's own table; formula cells escaped in CSV and XLSX;
bounded rows; the list's rights and the Smart licence."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from checkpoint_maker.tables import escape_formula
from checkpoints.models import Checkpoint
from checkpoints.views import CheckpointListView
from tests.conftest import checkpoint_perms
from tests.pages import page

pytestmark = pytest.mark.django_db

LIST = reverse("checkpoints:checkpoint_list")
HEADERS = ["Name", "Reference", "Alias"]
# By reference, the order both SQLite and PostgreSQL give.
ROWS = [
    ["=cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"],
    ["Callback offered", "callback", "call me"],
    ["Opt-in collected", "optin_en", ""],
]
ESCAPED = [["'=cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)"], *ROWS[1:]]


@pytest.fixture
def listed(db):
    for name, reference, alias in ROWS:
        Checkpoint.objects.create(name=name, reference=reference, alias=alias)


def download(client, export_format: str, **params):
    return client.get(LIST, {"export": export_format, "sort": "reference", **params})


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_is_the_sorted_list_with_formula_cells_escaped(full_client, listed):
    response = download(full_client, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="checkpoints-{today}.csv"'
    assert response["X-Export-Limit"] == "10000"
    assert "X-Export-Truncated" not in response
    assert csv_rows(response) == [HEADERS, *ESCAPED]


def test_json_holds_the_values_as_they_are(full_client, listed):
    response = download(full_client, "json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    assert json.loads(response.content) == [dict(zip(HEADERS, row, strict=True)) for row in ROWS]


def test_xlsx_reads_back_with_no_formula(full_client, listed):
    response = download(full_client, "xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert cells == [HEADERS, *ESCAPED]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_escaped(start):
    assert escape_formula(f"{start}1+1") == f"'{start}1+1"


def test_other_values_are_left_as_they_are():
    assert [escape_formula(value) for value in ("a=b", "", 42, None)] == ["a=b", "", 42, None]


def test_the_filtered_list_is_exported(full_client, listed):
    assert csv_rows(download(full_client, "csv", search="CALL")) == [HEADERS, ESCAPED[1]]
    descending = download(full_client, "csv", sort="-reference")
    assert csv_rows(descending)[1:] == ESCAPED[::-1]


def test_the_page_offers_each_format_of_the_current_list(full_client, listed):
    shown = page(full_client.get(LIST, {"search": "call", "page": "1"}))
    for export_format in ("CSV", "JSON", "XLSX"):
        link = shown.get_by_role("link", name=f"Export checkpoints as {export_format}")
        assert link.get("href") == f"?search=call&export={export_format.lower()}"


def test_an_export_holds_at_most_the_limit_and_says_so(full_client, listed, monkeypatch):
    monkeypatch.setattr(CheckpointListView, "export_limit", 2)
    response = download(full_client, "csv")
    assert csv_rows(response) == [HEADERS, *ESCAPED[:2]]
    assert response["X-Export-Limit"] == "2"
    assert response["X-Export-Truncated"] == "1"


def test_rows_are_those_the_user_may_read(client, user_factory, listed):
    user = user_factory("one")
    assign_perm("checkpoints.view_checkpoint", user, Checkpoint.objects.get(reference="callback"))
    client.force_login(user)
    assert csv_rows(download(client, "csv")) == [HEADERS, ESCAPED[1]]


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx"])
def test_without_the_right_to_read_the_export_is_refused(client, user_factory, export_format):
    client.force_login(user_factory("plain"))
    assert download(client, export_format).status_code == 403
    client.logout()
    assert download(client, export_format).status_code == 302


def test_licence_off_refuses_the_export(full_client, listed, settings):
    settings.SMART_LICENCE = False
    assert download(full_client, "csv").status_code == 403


def test_an_unknown_format_shows_the_list(full_client, listed):
    response = download(full_client, "xml")
    assert response["Content-Type"].startswith("text/html")
    assert page(response).get_by_role("table").column("Reference") == [r[1] for r in ROWS]


@pytest.mark.parametrize("rows", [5, 200])
def test_export_query_count_does_not_grow_with_rows(
    client, user_factory, make_checkpoints, django_assert_num_queries, rows
):
    make_checkpoints(rows)
    client.force_login(user_factory("full", checkpoint_perms("full")))
    download(client, "csv")  # warm the session
    # session, user, 2 permission caches, the rows (no count, no rights per row)
    with django_assert_num_queries(5):
        assert len(csv_rows(download(client, "csv"))) == rows + 1
