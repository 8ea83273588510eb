"""`rulekit check -o report.xlsx`: a workbook staff can sort and filter.

A summary sheet counts each status per article; each article then has a sheet of every
result, with the student's 學號, 姓名 and 班級 where the records have them, status, message
and citation: header frozen, auto-filter on, columns as wide as their text. Text cells are
always written as text (a message starting with `=` never becomes a formula) and, unless
the user asked to see personal data, with national IDs masked as in every other output.

xlsxwriter writes it: write-only and fast, and with the created date fixed (the report's
as-of date) the same report gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import re

from ..i18n import _
from ..personal import mask_ids
from ..records.model import entity_infos
from .check import _regulation_order
from .check_table import SUMMARY_ORDER, article_counts, heading, status_text, statuses_in
from .subjects import STUDENTS, People, subject_text
from .text_table import cell_width as display_width

MAX_SHEET_NAME = 31  # Excel's limit
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
WIDEST = 80  # columns wider than this wrap instead
MEASURED_ROWS = 2000  # column widths come from the first rows: measuring a city's every cell costs seconds


def _field_title(field: str, decl=None) -> str:
    """A students field as the school's files title it: its first alias (學號), else its name."""
    info = entity_infos(decl).get(STUDENTS, {}).get(field)
    return info.aliases[0] if info is not None and info.aliases else field


def sheet_names(citations: list[str]) -> dict[str, str]:
    """citation -> a sheet name Excel accepts (no []:*?/\\, at most 31 characters), unique."""
    names: dict[str, str] = {}
    used = {_("Summary").casefold()}
    for citation in citations:
        base = _NOT_IN_SHEET_NAME.sub("_", citation)[:MAX_SHEET_NAME].strip("'") or "_"
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(name.casefold())
        names[citation] = name
    return names


def render_xlsx(report, people: People | None = None, mask: bool = True, show_all: bool = False) -> bytes:
    """The workbook's bytes (the CLI writes them atomically; the web page sends them): every
    failing and pending result, and with `show_all` the passing and not-applicable ones too
    (the summary counts them all either way)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    created = dt.datetime.combine(report.as_of, dt.time())
    book.set_properties({"title": report.policy.title, "created": created})
    fmt = _Formats(book)
    text = _Memo(mask_ids) if mask else (lambda s: s)
    _summary_sheet(book, report, fmt, text)
    groups: dict[str, list] = {}
    for r in report.results:
        if show_all or r.status in SHOWN:
            groups.setdefault(r.citation, []).append(r)
    order = _regulation_order(report.policy)
    citations = sorted(groups, key=lambda c: order.get(c, len(order)))
    names = sheet_names(citations)
    for citation in citations:
        _article_sheet(book, names[citation], groups[citation], people or People(), fmt, text, report.policy.records)
    book.close()
    return buffer.getvalue()


SHOWN = ("fail", "pending")


class _Memo(dict):
    """mask_ids once per distinct cell: names, classes, statuses and rules repeat on every row."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __call__(self, text: str) -> str:
        if text not in self:
            self[text] = self.fn(text)
        return self[text]


class _Formats:
    def __init__(self, book):
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.plain = book.add_format({"valign": "top"})


def _table(sheet, headers: list[str], rows: list[list], fmt: _Formats, text) -> None:
    """Header row, rows, frozen header, auto-filter and widths."""
    for c, h in enumerate(headers):
        sheet.write_string(0, c, text(h), fmt.header)
    widths = [display_width(h) for h in headers]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value, fmt.plain)
                cell = str(value)
            else:
                cell = text(str(value))
                sheet.write_string(r, c, cell, fmt.wrap if display_width(cell) > WIDEST else fmt.plain)
            if r <= MEASURED_ROWS:
                widths[c] = max(widths[c], display_width(cell))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    for c, w in enumerate(widths):
        sheet.set_column(c, c, min(w, WIDEST) + 3)  # + room for the filter button


def _summary_sheet(book, report, fmt: _Formats, text) -> None:
    statuses = statuses_in(report)
    rows = []
    for citation, counts in article_counts(report):
        rows.append([citation, heading(report, citation)[len(citation):].strip(),
                     *(counts[s] for s in statuses), sum(counts.values())])
    sheet = book.add_worksheet(_("Summary"))
    _table(sheet, [_("article"), _("heading"), *map(status_text, statuses), _("total")], rows, fmt, text)


def _article_sheet(book, name: str, results: list, people: People, fmt: _Formats, text, decl=None) -> None:
    headers = [_field_title("id", decl), _field_title("name", decl), _field_title("class", decl),
               _("status"), _("message"), _("citation"), _("rule"), _("subject")]
    rows = []
    rank = {s: i for i, s in enumerate(SUMMARY_ORDER)}
    for r in sorted(results, key=lambda r: rank.get(r.status, len(rank))):  # what needs doing first
        student = people.student_of(r) if people.students else None
        rows.append([student.id if student else "", student.name if student else "", student.klass if student else "",
                     status_text(r.status), r.message, r.citation, r.rule, subject_text(r, people)])
    _table(book.add_worksheet(name), headers, rows, fmt, text)
