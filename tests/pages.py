"""Finding a page's elements the way a user or a screen reader does: by ARIA role and
accessible name, or by label, instead of HTML substrings.

``page(response).get_by_role("button", name="Delete")`` and ``.get_by_label("Reference")``
return an ``Element`` (its tag, attributes, text, and the same queries within it). A query
that finds nothing, or more than one element, raises an AssertionError listing what is there.
Names and texts match exactly once whitespace is collapsed; a compiled regular expression
matches by search. Elements that are hidden (``hidden``, ``aria-hidden="true"``, hidden
inputs) are left out, as assistive technologies leave them out, unless a query says
``hidden=True``; within an element found that way, its content counts as shown.
"""

import re
from html.parser import HTMLParser

VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# A start tag that closes the open element named by the key when one of these is open.
CLOSED_BY = {
    "li": {"li"},
    "option": {"option"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
}
TAG_ROLES = {
    "article": "article", "aside": "complementary", "button": "button", "dialog": "dialog",
    "fieldset": "group", "details": "group", "footer": "contentinfo", "header": "banner",
    "li": "listitem", "main": "main", "nav": "navigation", "ol": "list", "ul": "list",
    "option": "option", "p": "paragraph", "table": "table", "tbody": "rowgroup",
    "thead": "rowgroup", "tfoot": "rowgroup", "textarea": "textbox", "tr": "row",
    "td": "cell", "progress": "progressbar", "output": "status", "code": "code",
    "dt": "term", "dd": "definition", "caption": "caption",
}  # fmt: skip
INPUT_ROLES = {
    "button": "button", "image": "button", "reset": "button", "submit": "button",
    "checkbox": "checkbox", "radio": "radio", "range": "slider", "number": "spinbutton",
    "search": "searchbox", "email": "textbox", "tel": "textbox", "text": "textbox",
    "url": "textbox",
}  # fmt: skip
# Roles whose accessible name comes from their content when nothing names them.
NAMED_BY_CONTENT = {
    "button", "cell", "checkbox", "columnheader", "heading", "link", "listitem", "option",
    "radio", "row", "rowheader", "tab", "term", "caption", "code", "definition",
}  # fmt: skip
# Tags whose text reads apart from the text around them.
BLOCK_TAGS = {
    "br", "caption", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "li",
    "ol", "p", "section", "table", "td", "th", "tr", "ul", "nav", "form", "header",
}  # fmt: skip
LABELABLE = {"input", "select", "textarea", "button", "meter", "output", "progress"}


def collapse(text: str) -> str:
    return " ".join(text.split())


def matches(actual: str | None, expected) -> bool:
    if expected is None:
        return True
    if actual is None:
        return False
    if isinstance(expected, re.Pattern):
        return expected.search(actual) is not None
    return actual == collapse(expected)


class Element:
    """One element of a parsed page, with queries for what is inside it."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: "Element | None", document):
        self.tag, self.attrs, self.parent, self.document = tag, attrs, parent, document
        self.children: list[Element | str] = []

    def __repr__(self):
        return f"<{self.tag} role={self.role!r} name={self.name!r}>"

    def get(self, attribute: str, default=None):
        return self.attrs.get(attribute, default)

    def descendants(self, hidden: bool = True):
        """The elements inside, in document order; without those hidden (and what they hold)
        when ``hidden`` is False. A query's own element counts as shown: a query inside a
        hidden tab panel finds what the panel holds."""
        for child in self.children:
            if isinstance(child, Element) and (hidden or not child.hides_itself):
                yield child
                yield from child.descendants(hidden)

    @property
    def hides_itself(self) -> bool:
        """Left out of the accessibility tree, with all it holds."""
        attrs = self.attrs
        return (
            "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
            or (self.tag == "input" and attrs.get("type") == "hidden")
        )

    @property
    def text(self) -> str:
        """All the text inside, whitespace collapsed."""
        return collapse(self._raw_text(visible_only=False))

    def _raw_text(self, visible_only: bool) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (visible_only and child.attrs.get("aria-hidden") == "true"):
                if visible_only and child.tag == "img":
                    parts.append(child.attrs.get("alt", ""))
                inner = child._raw_text(visible_only)
                parts.append(f" {inner} " if child.tag in BLOCK_TAGS else inner)
        return "".join(parts)

    @property
    def role(self) -> str | None:
        explicit = self.attrs.get("role", "").split()
        if explicit:
            return explicit[0]
        tag = self.tag
        if tag in {"a", "area"}:
            return "link" if "href" in self.attrs else None
        if re.fullmatch(r"h[1-6]", tag):
            return "heading"
        if tag == "input":
            kind = self.attrs.get("type", "text").lower()
            without_role = kind in {"hidden", "password", "file"}
            return INPUT_ROLES.get(kind, None if without_role else "textbox")
        if tag == "select":
            multiple = "multiple" in self.attrs or int(self.attrs.get("size") or 1) > 1
            return "listbox" if multiple else "combobox"
        if tag == "th":
            scope = self.attrs.get("scope")
            if scope == "row" or (scope is None and self._inside("tbody")):
                return "rowheader"
            return "columnheader"
        if tag in {"form", "section"}:
            return ("form" if tag == "form" else "region") if self._named() else None
        if tag == "img":
            return "presentation" if self.attrs.get("alt") == "" else "img"
        return TAG_ROLES.get(tag)

    @property
    def level(self) -> int | None:
        """A heading's level (h1 is 1)."""
        if "aria-level" in self.attrs:
            return int(self.attrs["aria-level"])
        return int(self.tag[1]) if re.fullmatch(r"h[1-6]", self.tag) else None

    def _inside(self, tag: str) -> bool:
        element = self.parent
        while element is not None:
            if element.tag == tag:
                return True
            element = element.parent
        return False

    def _named(self) -> bool:
        return bool(self.attrs.get("aria-label") or self.attrs.get("aria-labelledby"))

    @property
    def labels(self) -> list["Element"]:
        """The <label> elements of a form control: ``for`` its id, or wrapping it."""
        if self.tag not in LABELABLE:
            return []
        found = [
            label
            for label in self.document.root.descendants()
            if label.tag == "label" and "id" in self.attrs and label.get("for") == self.attrs["id"]
        ]
        wrapping = self.parent
        while wrapping is not None and wrapping.tag != "label":
            wrapping = wrapping.parent
        if wrapping is not None and wrapping not in found and "for" not in wrapping.attrs:
            found.append(wrapping)
        return found

    @property
    def name(self) -> str:
        """The accessible name: aria-labelledby, aria-label, labels, alt, caption, legend,
        content (for the roles named by it), a button's value, then title or placeholder."""
        attrs = self.attrs
        if attrs.get("aria-labelledby"):
            ids = attrs["aria-labelledby"].split()
            return collapse(" ".join(self.document.by_id(i).content_name() for i in ids))
        if attrs.get("aria-label", "").strip():
            return collapse(attrs["aria-label"])
        if self.labels:
            return collapse(" ".join(label.content_name() for label in self.labels))
        if self.tag == "img" and "alt" in attrs:
            return collapse(attrs["alt"])
        for tag, child_tag in (("table", "caption"), ("fieldset", "legend")):
            if self.tag == tag:
                for child in self.children:
                    if isinstance(child, Element) and child.tag == child_tag:
                        return child.content_name()
        if self.tag == "input" and self.role == "button":
            return collapse(attrs.get("value", "Submit" if attrs.get("type") == "submit" else ""))
        if self.role in NAMED_BY_CONTENT:
            content = self.content_name()
            if content:
                return content
        return collapse(attrs.get("title", "") or attrs.get("placeholder", ""))

    @property
    def description(self) -> str:
        """The accessible description: the text of the aria-describedby elements (a form
        field's help text and errors)."""
        ids = self.attrs.get("aria-describedby", "").split()
        return collapse(" ".join(self.document.by_id(i).text for i in ids))

    def content_name(self) -> str:
        return collapse(self._raw_text(visible_only=True))

    def get_all_by_role(
        self, role: str, name=None, *, text=None, level=None, hidden=False
    ) -> list["Element"]:
        """Every element inside with this role (and name, text, heading level); hidden ones
        too with ``hidden=True``."""
        return [
            element
            for element in self.descendants(hidden)
            if element.role == role
            and matches(element.name, name)
            and matches(element.text, text)
            and (level is None or element.level == level)
        ]

    def query_by_role(self, role: str, name=None, **filters) -> "Element | None":
        """The one element with this role and name, or None where there is none."""
        found = self.get_all_by_role(role, name, **filters)
        if len(found) > 1:
            raise AssertionError(f"{len(found)} {role}s match {name!r} {filters}: {found}")
        return found[0] if found else None

    def get_by_role(self, role: str, name=None, **filters) -> "Element":
        """The one element with this role and name; else an AssertionError saying what
        elements of that role there are."""
        found = self.query_by_role(role, name, **filters)
        if found is None:
            text = filters.get("text")
            present = [
                repr(element.name if name is not None or text is None else element.text)
                for element in self.get_all_by_role(role, hidden=filters.get("hidden", False))
            ]
            wanted = f" named {name!r}" if name is not None else ""
            wanted += "".join(f" with {key} {value!r}" for key, value in filters.items())
            raise AssertionError(
                f"No {role}{wanted}. The {role}s here: {', '.join(present) or 'none'}."
            )
        return found

    def get_all_by_label(self, label) -> list["Element"]:
        """The visible form controls (or elements with aria-label) that this label names."""
        return [
            element
            for element in self.descendants(hidden=False)
            if (element.labels or element._named()) and matches(element.name, label)
        ]

    def query_by_label(self, label) -> "Element | None":
        """The one element this label names, or None where there is none."""
        found = self.get_all_by_label(label)
        if len(found) > 1:
            raise AssertionError(f"{len(found)} elements labelled {label!r}: {found}")
        return found[0] if found else None

    def get_by_label(self, label) -> "Element":
        """The one visible form control (or element with aria-label) that this label names."""
        found = self.query_by_label(label)
        if found is None:
            present = [
                element.name
                for element in self.descendants(hidden=False)
                if element.labels or element._named()
            ]
            raise AssertionError(f"Nothing labelled {label!r}. The labels here: {present}.")
        return found

    def get_all_by_text(self, text, hidden: bool = False) -> list["Element"]:
        """The innermost elements whose whole text is this (hidden ones too if ``hidden``)."""
        return [
            element
            for element in self.descendants(hidden)
            if matches(element.text, text)
            and not any(matches(inner.text, text) for inner in element.descendants(hidden))
        ]

    def get_by_text(self, text, hidden: bool = False) -> "Element":
        """The one innermost element whose whole text is this."""
        found = self.get_all_by_text(text, hidden)
        if len(found) != 1:
            raise AssertionError(f"{len(found)} elements with the text {text!r}: {found}")
        return found[0]

    def descriptions(self) -> dict[str, str]:
        """The terms of the first description list (``dl``) here, each with the text of its
        definition."""
        listing = self if self.tag == "dl" else next(e for e in self.descendants() if e.tag == "dl")
        terms, term = {}, None
        for child in listing.children:
            if isinstance(child, Element) and child.tag == "dt":
                term = child.text
            elif isinstance(child, Element) and child.tag == "dd" and term is not None:
                terms[term] = child.text
        return terms

    def column(self, header) -> list[str]:
        """A table's cell texts under the column header named ``header``, row by row."""
        headers = [cell.name for cell in self.get_all_by_role("columnheader")]
        if not any(matches(name, header) for name in headers):
            raise AssertionError(f"No column {header!r}. The columns here: {headers}.")
        index = next(i for i, name in enumerate(headers) if matches(name, header))
        return [
            cells[index].text
            for row in self.get_all_by_role("row")
            if len(cells := [c for c in row.children if isinstance(c, Element)]) > index
            and cells[index].role in {"cell", "rowheader"}
        ]

    def row(self, cell_text) -> "Element":
        """The one table row with a cell whose text is ``cell_text``."""
        found = [
            row
            for row in self.get_all_by_role("row")
            if any(
                isinstance(cell, Element) and matches(cell.text, cell_text) for cell in row.children
            )
        ]
        if len(found) != 1:
            rows = [row.text for row in self.get_all_by_role("row")]
            raise AssertionError(f"{len(found)} rows with a cell {cell_text!r}. Rows: {rows}.")
        return found[0]


class Document(HTMLParser):
    """A page parsed into Elements; ``root`` holds them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None, self)
        self.open = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        closes = CLOSED_BY.get(tag, set())
        if self.open[-1].tag in closes:
            self.open.pop()
        element = Element(tag, {key: value or "" for key, value in attrs}, self.open[-1], self)
        self.open[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.open.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)

    def by_id(self, element_id: str) -> Element:
        for element in self.root.descendants():
            if element.attrs.get("id") == element_id:
                return element
        raise AssertionError(f"No element with id {element_id!r} (aria-labelledby).")


def page(response) -> Element:
    """The page a test client's response (or an HTML string) shows, ready to be queried."""
    html = response if isinstance(response, str) else response.content.decode()
    return Document(html).root
