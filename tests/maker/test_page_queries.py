"""tests.pages: elements found by role and accessible name, and clear failures."""

import re

import pytest

from tests.pages import page

HTML = """
<nav aria-label="Maker"><a href="/a/">Checkpoints</a></nav>
<main>
  <h1>Checkpoints</h1>
  <a href="/new/" aria-label="New checkpoint"><span aria-hidden="true">+</span></a>
  <form method="post" aria-label="Edit">
    <label for="id_reference">Reference <span aria-hidden="true">*</span></label>
    <input type="text" id="id_reference" name="reference" value="optin"
      aria-describedby="id_reference_helptext id_reference_error">
    <p id="id_reference_helptext">Letters and digits.</p>
    <ul id="id_reference_error"><li>Already used.</li></ul>
    <label>Note <textarea name="note"></textarea></label>
    <input type="hidden" name="pk" value="1">
    <input type="checkbox" name="pk" value="2" aria-label="Select Opt-in">
    <select id="id_channel" name="channel" aria-labelledby="channel-label"></select>
    <span id="channel-label">Channel</span>
    <button type="submit">Save</button>
    <input type="submit" value="Save and add">
  </form>
  <table><caption>Checkpoints, page 1 of 1</caption>
    <thead><tr><th scope="col"><a href="?sort=name">Name <span aria-hidden="true">▲</span></a></th>
      <th scope="col">Reference</th></tr></thead>
    <tbody><tr><td><a href="/1/">Opt-in</a></td><td>optin</td></tr>
      <tr><td>Callback</td><td>callback</td></tr></tbody>
  </table>
  <p hidden><button>Hidden</button></p>
</main>
"""


def test_roles_and_accessible_names():
    shown = page(HTML)
    assert shown.get_by_role("navigation", name="Maker").get_by_role("link").get("href") == "/a/"
    assert shown.get_by_role("heading", level=1).text == "Checkpoints"
    assert shown.get_by_role("link", name="New checkpoint").get("href") == "/new/"
    assert shown.get_by_role("form", name="Edit").get("method") == "post"
    assert [b.name for b in shown.get_all_by_role("button")] == ["Save", "Save and add"]
    assert shown.get_by_role("checkbox", name="Select Opt-in").get("value") == "2"
    assert shown.get_by_role("combobox", name="Channel").get("name") == "channel"
    assert shown.get_by_role("table", name=re.compile("page 1")).tag == "table"
    headers = [h.name for h in shown.get_all_by_role("columnheader")]
    assert headers == ["Name", "Reference"]


def test_labels_name_their_fields():
    shown = page(HTML)
    assert shown.get_by_label("Reference").get("value") == "optin"
    assert shown.get_by_label("Reference").description == "Letters and digits. Already used."
    assert shown.query_by_label("Alias") is None
    assert shown.get_by_label("Note").tag == "textarea"
    assert shown.get_by_label("Channel").tag == "select"


def test_table_columns_and_rows():
    table = page(HTML).get_by_role("table")
    assert table.column("Reference") == ["optin", "callback"]
    assert table.row("callback").get_all_by_role("cell")[0].text == "Callback"
    assert table.row("Opt-in").get_by_role("link").get("href") == "/1/"


def test_hidden_elements_are_left_out():
    shown = page(HTML)
    assert shown.query_by_role("button", name="Hidden") is None
    assert all(box.get("type") != "hidden" for box in shown.get_all_by_role("textbox"))


def test_a_missing_element_fails_saying_what_is_there():
    with pytest.raises(AssertionError, match=r"No button named 'Delete'.*'Save', 'Save and add'"):
        page(HTML).get_by_role("button", name="Delete")
    with pytest.raises(AssertionError, match="No column 'Alias'"):
        page(HTML).get_by_role("table").column("Alias")
    with pytest.raises(AssertionError, match="Nothing labelled 'Alias'"):
        page(HTML).get_by_label("Alias")
