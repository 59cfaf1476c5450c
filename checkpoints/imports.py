"""Checkpoint import: a CSV or JSON file read into rows, each row validated and classified
(create, update by reference, unchanged, or error), then written all or nothing.

The rules are the model's (``Checkpoint.full_clean``, as ``services`` validates every write:
the same validators and messages as the Maker form, the admin and the API), values are
trimmed as the services trim them and must be text (as the API's strict fields say). Only the
uniqueness of the reference is checked set-based instead of row by row: against the stored
checkpoints (one read per ``LOOKUP_BATCH`` references) and inside the file.

``plan_import(rows)`` previews and writes nothing; ``apply_import(plan, user)`` writes.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from checkpoints.models import Checkpoint
from checkpoints.validators import (
    REFERENCE_MAX_LENGTH,
    REFERENCE_UNIQUE_MESSAGE,
    validate_reference_characters,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
LOOKUP_BATCH = 2_000
WRITE_BATCH = 500

# The writable fields, as the Maker form edits them; ``name`` and ``reference`` are required.
FIELDS = ("name", "reference", "alias")
REQUIRED_COLUMNS = ("name", "reference")
# Read-only columns of an exported checkpoint: accepted and ignored.
IGNORED_COLUMNS = frozenset({"id", "created_at", "updated_at", "url"})

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
NOT_TEXT_MESSAGE = "Not a valid string."
DELETED_MESSAGE = "This checkpoint was deleted after the preview."
TOO_LARGE_MESSAGE = (
    f"The file is too large: at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB "
    f"({MAX_IMPORT_BYTES:,} bytes)."
)
TOO_MANY_ROWS_MESSAGE = (
    f"The file has more than {MAX_IMPORT_ROWS:,} checkpoints: import at most "
    f"{MAX_IMPORT_ROWS:,} at a time."
)
ENCODING_MESSAGE = "The file is not UTF-8 text: save it as CSV UTF-8 (or JSON) and try again."

_UNPRINTABLE = re.compile("[\x00\ud800-\udfff]")


class ExtraCells(dict):
    """A CSV row with more cells than the header has columns."""


class ImportRejected(Exception):
    """The file as a whole cannot be imported (size, row count, encoding, format)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def printable(value) -> str:
    """A value as text that any page or answer can encode (NUL and lone surrogates become
    U+FFFD), for echoing what a file held."""
    return _UNPRINTABLE.sub("\ufffd", value if isinstance(value, str) else str(value))


# --- Reading a file -------------------------------------------------------------------------


def read_file(content: bytes, filename: str = "") -> list[dict]:
    """The rows of a CSV or JSON file (by its extension, else its first character)."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRejected(TOO_LARGE_MESSAGE, "too_large")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(ENCODING_MESSAGE, "encoding") from error
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "json" or (extension != "csv" and text.lstrip()[:1] in ("[", "{")):
        return read_json(text)
    return read_csv(text)


def read_json(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportRejected("The file is not valid JSON.", "format") from error
    return rows_from_data(data)


def rows_from_data(data) -> list:
    """The rows of parsed JSON: a list of objects, or ``{"checkpoints": [...]}``."""
    if isinstance(data, dict) and "checkpoints" in data:
        data = data["checkpoints"]
    if not isinstance(data, list):
        raise ImportRejected(
            'JSON must be a list of checkpoints, or {"checkpoints": [...]}.', "format"
        )
    if len(data) > MAX_IMPORT_ROWS:
        raise ImportRejected(TOO_MANY_ROWS_MESSAGE, "too_many_rows")
    return data


def read_csv(text: str) -> list[dict]:
    """The rows of a CSV with a header row naming the columns (``name, reference, alias``)."""
    lines = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(lines, None)
        if not header:
            raise ImportRejected("The file is empty: it needs a header row.", "format")
        columns = [column.strip().lower() for column in header]
        check_columns(columns)
        rows = []
        for cells in lines:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_IMPORT_ROWS:
                raise ImportRejected(TOO_MANY_ROWS_MESSAGE, "too_many_rows")
            if len(cells) > len(columns):
                rows.append(ExtraCells())
                continue
            rows.append(dict(zip(columns, cells, strict=False)))
    except csv.Error as error:
        raise ImportRejected(f"The file is not valid CSV ({error}).", "format") from error
    return rows


def check_columns(columns: list[str]) -> None:
    """A CSV header names each writable field at most once, the required ones, nothing else."""
    for column in columns:
        if column not in FIELDS and column not in IGNORED_COLUMNS:
            raise ImportRejected(
                f"Unknown column “{printable(column)}”: the columns are {', '.join(FIELDS)}.",
                "format",
            )
        if columns.count(column) > 1:
            raise ImportRejected(f"The column “{column}” appears twice.", "format")
    if missing := [column for column in REQUIRED_COLUMNS if column not in columns]:
        raise ImportRejected(f"The header needs the column(s) {', '.join(missing)}.", "format")


# --- The plan -------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One row of the file: its number, what it says, and what importing it does."""

    number: int
    values: dict
    action: str = ERROR
    errors: dict[str, list[str]] = field(default_factory=dict)
    checkpoint: Checkpoint | None = None

    @property
    def reference(self) -> str:
        return printable(self.values.get("reference", ""))

    def fail(self, name: str, message: str) -> None:
        self.action = ERROR
        self.errors.setdefault(name, []).append(message)


@dataclass
class ImportPlan:
    rows: list[ImportRow]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def has_errors(self) -> bool:
        return any(row.action == ERROR for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (CREATE, UPDATE, UNCHANGED, ERROR)}

    def source(self) -> list[dict]:
        """The rows as read, to plan again at confirmation (JSON-serialisable)."""
        return [row.values for row in self.rows]

    def actions(self) -> list[str]:
        return [row.action for row in self.rows]

    def summary(self) -> dict:
        """The counts and every row's action and errors (the API's answer)."""
        return {
            "created": self.count(CREATE),
            "updated": self.count(UPDATE),
            "unchanged": self.count(UNCHANGED),
            "rows": [
                {"row": r.number, "reference": r.reference, "action": r.action, "errors": r.errors}
                for r in self.rows
            ],
        }


def _row_values(number: int, raw) -> ImportRow:
    """The row's known fields, trimmed; wrong types, extra cells and unknown keys as errors."""
    row = ImportRow(number=number, values={})
    if not isinstance(raw, dict) or isinstance(raw, ExtraCells):
        message = (
            "Each checkpoint must be a JSON object."
            if not isinstance(raw, dict)
            else "This row has more cells than the header has columns."
        )
        row.fail("non_field_errors", message)
        return row
    for key, value in raw.items():
        if key in IGNORED_COLUMNS:
            continue
        if key not in FIELDS:
            row.fail("non_field_errors", f"Unknown field “{printable(key)}”.")
        elif not isinstance(value, str):
            row.fail(key, NOT_TEXT_MESSAGE)
        else:
            row.values[key] = value.strip()
    return row


def _storable(reference: str) -> bool:
    """Whether a reference can name a stored checkpoint (others are not looked up: they
    fail their row, and a database may not even take them as a parameter)."""
    try:
        validate_reference_characters(reference)
    except ValidationError:
        return False
    return len(reference) <= REFERENCE_MAX_LENGTH


def _existing(references: list[str], *, lock: bool) -> dict[str, Checkpoint]:
    """The stored checkpoints with these references, read LOOKUP_BATCH at a time."""
    found = {}
    for start in range(0, len(references), LOOKUP_BATCH):
        batch = Checkpoint.objects.filter(
            reference__in=references[start : start + LOOKUP_BATCH]
        ).order_by()
        if lock:
            batch = batch.order_by("pk").select_for_update()
        found.update((checkpoint.reference, checkpoint) for checkpoint in batch)
    return found


def _classify(row: ImportRow, stored: Checkpoint | None) -> None:
    """Validate the row as the services validate a write, and say what importing it does."""
    values = row.values
    if stored is None:
        checkpoint = Checkpoint(**{"alias": "", **values})
    else:
        checkpoint = Checkpoint(
            pk=stored.pk,
            name=values.get("name", stored.name),
            reference=stored.reference,
            alias=values.get("alias", stored.alias),
            created_at=stored.created_at,
        )
    try:
        checkpoint.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                row.fail(name, message)
    if row.errors:
        return
    row.checkpoint = checkpoint
    if stored is None:
        row.action = CREATE
    elif (stored.name, stored.alias) == (checkpoint.name, checkpoint.alias):
        row.action = UNCHANGED
    else:
        row.action = UPDATE


def plan_import(raw_rows: list, *, lock: bool = False) -> ImportPlan:
    """Validate and classify every row; writes nothing. Queries: one per LOOKUP_BATCH
    references (``lock``: and locks those rows, inside the caller's transaction)."""
    if len(raw_rows) > MAX_IMPORT_ROWS:
        raise ImportRejected(TOO_MANY_ROWS_MESSAGE, "too_many_rows")
    rows = [_row_values(number, raw) for number, raw in enumerate(raw_rows, start=1)]
    first_row_of: dict[str, int] = {}
    for row in rows:
        reference = row.values.get("reference")
        if reference in first_row_of:
            row.fail(
                "reference",
                f"Reference “{row.reference}” is already in row {first_row_of[reference]} "
                "of this file.",
            )
        elif reference:
            first_row_of[reference] = row.number
    stored = _existing([ref for ref in first_row_of if _storable(ref)], lock=lock)
    for row in rows:
        if not row.errors:
            _classify(row, stored.get(row.values.get("reference", "")))
    return ImportPlan(rows)


# --- Writing --------------------------------------------------------------------------------


class ImportFailed(Exception):
    """Nothing was written: ``plan`` names the rows in error."""

    def __init__(self, plan: ImportPlan):
        super().__init__("The import has errors; nothing was imported.")
        self.plan = plan


def _against_preview(plan: ImportPlan, previewed: list[str] | None) -> None:
    """Rows whose checkpoint appeared or vanished since the preview become errors."""
    if previewed is None:
        return
    for row, before in zip(plan.rows, previewed, strict=False):
        if before == CREATE and row.action in (UPDATE, UNCHANGED):
            row.fail("reference", REFERENCE_UNIQUE_MESSAGE)
        elif before in (UPDATE, UNCHANGED) and row.action == CREATE:
            row.fail("reference", DELETED_MESSAGE)


def _write(plan: ImportPlan, user) -> None:
    """Bulk inserts, then bulk updates of the changed fields, each with its history entries
    in bulk; ``updated_at`` (one value for
    the whole import) in one plain UPDATE per batch, cheaper than in bulk_update's CASE."""
    creates = [row.checkpoint for row in plan.rows if row.action == CREATE]
    updates = [row.checkpoint for row in plan.rows if row.action == UPDATE]
    now = timezone.now()
    for checkpoint in updates:
        checkpoint.updated_at = now
    fields = ["name", "alias"]
    bulk_create_with_history(creates, Checkpoint, batch_size=WRITE_BATCH, default_user=user)
    bulk_update_with_history(updates, Checkpoint, fields, batch_size=WRITE_BATCH, default_user=user)
    for start in range(0, len(updates), LOOKUP_BATCH):
        batch = [checkpoint.pk for checkpoint in updates[start : start + LOOKUP_BATCH]]
        Checkpoint.objects.filter(pk__in=batch).update(updated_at=now)


def apply_import(raw_rows: list, user, *, previewed: list[str] | None = None) -> ImportPlan:
    """Validate again and write every row, in one transaction, or nothing (ImportFailed).

    ``previewed`` is the preview's actions, row by row: a reference created by someone else
    since (or a checkpoint deleted since) fails its row. Set-based: one locking read per
    LOOKUP_BATCH references, then bulk inserts and bulk updates of WRITE_BATCH rows.

    History: the rows are written with django-simple-history's ``bulk_create_with_history``
    and ``bulk_update_with_history`` (one history entry per row, in bulk), ``user`` recorded
    as who made the change.
    """
    try:
        with transaction.atomic():
            plan = plan_import(raw_rows, lock=True)
            _against_preview(plan, previewed)
            if plan.has_errors:
                raise ImportFailed(plan)
            _write(plan, user)
    except IntegrityError as error:  # a reference created by someone else meanwhile
        fresh = plan_import(raw_rows)
        _against_preview(fresh, plan.actions())
        if not fresh.has_errors:
            raise
        raise ImportFailed(fresh) from error
    return plan
