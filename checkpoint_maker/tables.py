"""The Maker's lists as django-tables2 tables (NetBox style: one ``tables.py`` per app) and the
exports made from the same tables.

A list view pages its rows itself (``CappedPaginator`` or ``keyset_page``) and gives the table
only the rows of the page, already ordered: tables2 neither counts nor sorts them, so a page
makes the same queries as before. ``maker/table.html`` renders a table with the markup the
CSS, the browser tests and ``tests/pages.py`` rely on.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_datetime
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django_tables2 import Column, Table
from django_tables2.data import TableListData
from django_tables2.export import TableExport
from tablib import Dataset

from checkpoint_maker.pagination import COUNT_CAP
from checkpoint_maker.permissions import permitted_ids, user_can

EXPORT_FORMATS = ("csv", "json", "xlsx")
EXPORT_LIMIT = COUNT_CAP
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_FORMATS = {"csv", "xlsx"}
CHANGES = ("change", "delete")
DANGER = format_html(' class="{}"', "danger")


def model_url_name(model, action: str) -> str:
    """``checkpoints:checkpoint_edit`` for (Checkpoint, "edit")."""
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def escape_formula(value):
    """``value`` with a ``'`` in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class OrderedRows(TableListData):
    """The rows of one page, ordered and paged by the database: the table keeps their order
    (its ``order_by`` only marks the sorted column's header)."""

    def order_by(self, aliases):
        """Keep the database's order."""


class SelectColumn(Column):
    """The bulk-select checkbox: "Select all on this page" in the header, "Select <object>" on
    each row the user may delete. Shown only when the user may delete a row of the page."""

    def __init__(self):
        super().__init__(
            accessor="pk",
            empty_values=(),
            orderable=False,
            exclude_from_export=True,
            attrs={"th": {"class": "select"}, "td": {"class": "select"}},
        )

    @property
    def header(self):
        return format_html(
            '<input type="checkbox" data-select-all="{}" aria-label="{}">',
            "pk",
            "Select all on this page",
        )

    def render(self, record, table):
        if record.pk not in table.deletable_ids:
            return ""
        return format_html(
            '<input type="checkbox" name="pk" value="{}" aria-label="Select {}">', record.pk, record
        )


class ActionsColumn(Column):
    """The links of a row (Edit, Duplicate, Delete…) the user may follow, each named with the
    object ("Edit Opt-in (optin)"); the table says which (``row_links``)."""

    def __init__(self):
        super().__init__(
            verbose_name="Actions",
            accessor="pk",
            empty_values=(),
            orderable=False,
            exclude_from_export=True,
            attrs={"td": {"class": "row-actions"}},
        )

    def render(self, record, table):
        return format_html_join(
            "",
            '<a href="{}"{} aria-label="{} {}">{}</a>',
            (
                (url, DANGER if label == "Delete" else "", label, record, label)
                for label, url in table.row_links(record)
            ),
        )


class UTCDateTimeColumn(Column):
    """A time to the second, in UTC: ``2026-03-14 09:30:00 UTC``, on the page and in exports."""

    def render(self, value):
        return f"{format_datetime(value, 'Y-m-d H:i:s')} UTC"

    def value(self, value):
        return self.render(value)


class MakerTable(Table):
    """A Maker list's table: the markup of ``maker/table.html``, ``sort`` as the sort
    parameter, "—" in empty cells, and a visually hidden caption naming it."""

    class Meta:
        template_name = "maker/table.html"
        attrs = {"class": "object-list"}
        order_by_field = "sort"
        default = "—"
        orderable = False

    def __init__(self, rows, *, caption: str = "", **kwargs):
        super().__init__(OrderedRows(list(rows)), **kwargs)
        self.caption = caption

    @classmethod
    def sort_fields(cls) -> set[str]:
        """The columns a list may be sorted by (each is a field of the model)."""
        return {
            name
            for name, column in cls.base_columns.items()
            if (cls._meta.orderable if column.orderable is None else column.orderable)
        }


class ObjectTable(MakerTable):
    """A model's list: the bulk-select checkbox, the columns (the first links to the object's
    page) and the row actions, each shown by the user's rights (two queries at most, for
    per-object rights)."""

    select = SelectColumn()
    actions = ActionsColumn()
    row_actions = (
        ("edit", "Edit", "change"),
        ("duplicate", "Duplicate", "add"),
        ("delete", "Delete", "delete"),
    )

    class Meta(MakerTable.Meta):
        sequence = ("select", "...", "actions")
        orderable = True

    def __init__(self, rows, *, user=None, **kwargs):
        super().__init__(rows, **kwargs)
        self.user = user

    @cached_property
    def allowed(self) -> dict[str, set]:
        """The ids of the page's rows on which the user has each right of ``row_actions``."""
        objects = self.data.data
        allowed = {action: permitted_ids(self.user, action, objects) for action in CHANGES}
        can_add = user_can(self.user, "add", self._meta.model)
        allowed["add"] = {obj.pk for obj in objects} if can_add else set()
        return allowed

    @property
    def deletable_ids(self) -> set:
        return self.allowed["delete"]

    @property
    def can_bulk_delete(self) -> bool:
        return bool(self.deletable_ids)

    def row_links(self, record) -> list[tuple[str, str]]:
        model = self._meta.model
        return [
            (label, reverse(model_url_name(model, name), kwargs={"pk": record.pk}))
            for name, label, action in self.row_actions
            if record.pk in self.allowed[action]
        ]

    def before_render(self, request):
        if not self.can_bulk_delete:
            self.columns.hide("select")


class EscapedTableExport(TableExport):
    """django-tables2's export whose CSV and XLSX cells cannot start a formula (a ``'``
    goes in front, as OWASP advises)."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        """The table's values, an empty cell as ``""``, escaped for CSV and XLSX."""
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        escape = escape_formula if self.format in ESCAPED_FORMATS else (lambda value: value)
        cells = Dataset(title=dataset.title)
        cells.headers = [escape(header) for header in dataset.headers or ()]
        for row in dataset:
            cells.append(["" if value is None else escape(value) for value in row])
        return cells


def export_response(table: Table, export_format: str, entity: str, *, limit: int, truncated: bool):
    """The table as a download named ``<entity>-<date>.<format>``. ``X-Export-Limit`` gives
    the most rows an export holds (``limit``); ``X-Export-Truncated: 1`` says the list held
    more."""
    name = slugify(entity)
    exporter = EscapedTableExport(export_format, table, dataset_kwargs={"title": name})
    response = exporter.response(filename=f"{name}-{timezone.localdate():%Y-%m-%d}.{export_format}")
    response["X-Export-Limit"] = str(limit)
    if truncated:
        response["X-Export-Truncated"] = "1"
    return response


def export_links(query, label: str) -> list[dict]:
    """The Export menu's links: the current list (``query``, without its page) in each
    format."""
    links = []
    for export_format in EXPORT_FORMATS:
        params = query.copy()
        for name in ("page", "older", "newer", "export"):
            params.pop(name, None)
        params["export"] = export_format
        links.append(
            {
                "format": export_format.upper(),
                "label": f"Export {label} as {export_format.upper()}",
                "url": f"?{params.urlencode()}",
            }
        )
    return links
