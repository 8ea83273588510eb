"""One CSV file of one entity, as school systems export it.

Encodings: see `encoding` (a BOM, UTF-16 without one, UTF-8, then Big5/cp950; an
explicit `encoding` overrides all of that). Headers are field names or their
`x-aliases` (學號, 姓名, ...). Cells are stripped; an empty cell is an absent
field. Text becomes int / bool / list per the schema column by column; a cell
that does not convert stays text, so the schema check reports it.
"""
from __future__ import annotations

import csv
from array import array
import io
import os
import re
from dataclasses import dataclass

from ..diagnostics import WARNING, Diagnostic, Span
from ..files import read_input
from ..textnorm import normalize_key, what_changed
from .encoding import ENCODING_HINT, decode  # noqa: F401 - ENCODING_HINT: part of this module's API
from .model import ACADEMIC_YEAR, BOOL, INT, LIST_STRING, RowSpans, entity_infos
from .lenient import misnamed
from .validate import MISSING, RawTable
from ..i18n import _

BOOL_WORDS = {
    "true": True, "false": False, "yes": True, "no": False, "是": True, "否": False,
    "y": True, "n": False, "1": True, "0": False, "✓": True, "✔": True, "✗": False, "✘": False,
}
LIST_SEPARATORS = re.compile(r"[;、,，；]")


def _norm(text: str) -> str:
    return normalize_key(text)


# Line breaks str.splitlines knows but CSV does not; with none of them in the text,
# splitting it into lines is twice as fast as reading it through StringIO.
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _lines(text: str):
    """The lines of `text`, one at a time: a list of them all would double a big file's memory."""
    find, start, size = text.find, 0, len(text)
    while start < size:
        end = find("\n", start)
        if end < 0:
            end = size - 1
        yield text[start:end + 1]
        start = end + 1


def _records(text: str):
    """(1-based line it starts on, cells) of each CSV record, as the reader reaches it.
    Raises csv.Error while iterated."""
    if any(ch in text for ch in _OTHER_BREAKS) or text.count("\r") != text.count("\r\n"):
        lines = io.StringIO(text, newline="")  # a lone \r ends a line too: let the io module split
    else:
        lines = _lines(text)
    reader = csv.reader(lines)
    previous = 0
    for rec in reader:
        yield previous + 1, rec
        previous = reader.line_num


def _int_cell(cell: str):
    t = cell.strip()
    if not t:
        return MISSING
    try:
        return int(t)
    except ValueError:
        return t  # not a number: the schema check says so


def _bool_cell(cell: str):
    t = cell.strip()
    return BOOL_WORDS.get(t.casefold(), t) if t else MISSING


def _list_cell(cell: str):
    items = [p.strip() for p in LIST_SEPARATORS.split(cell) if p.strip()]
    return items or MISSING  # a cell of only separators is empty too


_CELL = {INT: _int_cell, ACADEMIC_YEAR: _int_cell, BOOL: _bool_cell, LIST_STRING: _list_cell}


def convert_cells(kind: str, col) -> list:
    """Cells of one column -> the raw values the schema check sees (MISSING for empty).

    Chosen once per column; each distinct cell is converted once."""
    one = _CELL.get(kind)
    if one is None:  # text, and dates/semesters, which the calendar parses later
        out = list(map(str.strip, col))
        return [c or MISSING for c in out] if "" in out else out
    memo = {c: one(c) for c in set(col)}
    return list(map(memo.__getitem__, col))


def read_csv(path: str, entity: str, encoding: str | None = None,
             decl=None) -> tuple[RawTable | None, list[Diagnostic]]:
    """Read `path` as the CSV of `entity`: the raw table (None if unreadable) and findings."""
    file = os.fspath(path)
    try:
        raw = read_input(file, _("records file"))
    except OSError as exc:
        return None, [Diagnostic("unreadable", _("cannot read {file}: {strerror}").format(file=file, strerror=exc.strerror), Span(file),
                                 hint=_("check the file's permissions"))]
    text, notice = decode(raw, file, encoding)
    if text is None:
        return None, [notice]
    del raw
    records = _records(text)
    del text  # the generator holds it while reading, and lets it go at the end
    try:
        raw_table, diags = _table(file, entity, records, decl)
        return raw_table, ([notice] if notice else []) + diags
    except csv.Error as exc:
        return None, [Diagnostic("csv-syntax", _("invalid CSV: {exc}").format(exc=exc), Span(file),
                                 hint=_("check the quotes in this file"))]


def table_of_rows(file: str, entity: str, rows, decl=None) -> tuple[RawTable | None, list[Diagnostic]]:
    """The raw table of `entity` from (row number, cells as text) pairs, header first: a CSV
    file's records, or a spreadsheet's rows (records/excel.py), read the same way."""
    return _table(file, entity, iter(rows), decl)


@dataclass(frozen=True)
class Header:
    """What a header row says: the field of each column (None: not a declared field, or a
    repeat), the 1-based column of each field, the columns naming no field, and findings."""

    field_of: tuple
    column_of: dict
    unknown: tuple
    diags: tuple


def read_header(file: str, entity: str, header_line: int, header: list[str], decl=None) -> Header:
    """The columns of a CSV (or spreadsheet, or Parquet) header, as the entity's declaration names them."""
    infos = entity_infos(decl)[entity]
    diags: list[Diagnostic] = []
    lookup: dict[str, str] = {}
    for name, info in infos.items():
        for label in (name, *info.aliases):
            lookup.setdefault(_norm(label), name)
            lookup.setdefault(_norm(label).casefold(), name)
    field_of: list[str | None] = []
    column_of: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for k, cell in enumerate(header):
        label = _norm(cell)
        name = lookup.get(label) or lookup.get(label.casefold())
        if name is not None and label != cell.strip(" \t"):
            diags.append(Diagnostic("normalised-value", _("column header read as {label}: {label2}").format(label=label, label2=what_changed(cell, label)),
                                    Span(file, row=header_line, column=k + 1), WARNING, field=name,
                                    hint=_("write the header as {label}, so every file spells it the same way").format(label=label)))
        if name is None:
            unknown.append((k, label))
        elif name in column_of:
            diags.append(Diagnostic(
                "duplicate-column", _("column {label} repeats column {name} (both are {name2})").format(label=label, name=column_of[name], name2=name),
                Span(file, row=header_line, column=k + 1), field=name, hint=_("remove one of the two columns")))
            name = None
        else:
            column_of[name] = k + 1
        field_of.append(name)
    return Header(tuple(field_of), column_of, tuple(unknown), tuple(diags))


def _table(file: str, entity: str, records, decl=None) -> tuple[RawTable | None, list[Diagnostic]]:
    header_line, header = next(((n, r) for n, r in records if any(c.strip() for c in r)), (0, None))
    if header is None:
        return None, [Diagnostic("empty-file", _("{file} has no header row").format(file=os.path.basename(file)), Span(file),
                                 hint=_("the first line names the columns, e.g. 學號,姓名,..."))]
    infos = entity_infos(decl)[entity]
    ncol = len(header)
    head = read_header(file, entity, header_line, header, decl)
    field_of, column_of, unknown, diags = head.field_of, dict(head.column_of), list(head.unknown), list(head.diags)
    rows: list[Diagnostic] = []
    body = _Body(file, ncol, {name: k for k, name in enumerate(field_of) if name is not None},
                 [k for k, label in unknown if not label], rows)
    for line, r in records:
        body.add(line, r)
    body.flush()
    diags = sorted(diags, key=lambda d: d.span.column)
    ignored = _ignored_headers(unknown, body.valued)
    missing = [n for n, info in infos.items() if info.type.required and n not in column_of]
    for name in missing:
        alt = " or ".join(infos[name].aliases[:2])
        diags.append(Diagnostic("missing-column", _("no column for required field {name}").format(name=name),
                                Span(file, row=header_line), field=name,
                                hint=misnamed(name, infos[name].aliases, ignored)
                                or _("add a column {name}").format(name=name) + (f" (or {alt})" if alt else "")))
    diags += rows
    columns = {name: convert_cells(infos[name].type.name, col) for name, col in body.columns.items()}
    good_lines = body.lines
    if good_lines and good_lines[-1] - good_lines[0] == len(good_lines) - 1:  # no gaps: the usual file
        good_lines = range(good_lines[0], good_lines[-1] + 1)

    def locate(i: int, name: str | None, key: bool = False, inner: tuple = ()) -> Span:
        return Span(file, row=good_lines[i], column=column_of.get(name, 0) if name else 0)

    raw = RawTable(entity, file, "csv", columns, RowSpans(file, good_lines), locate, unchecked=set(missing),
                   problems=len(diags), csv_columns=dict(column_of), decl=decl, ignored=ignored,
                   csv_header=header_line)
    return raw, diags


class _Body:
    """The rows under the header, kept as columns of the known fields only and gathered in
    blocks: a 200 MB file's rows as lists of cells took 3 GB. Cells that repeat (a student id
    in each of their outcomes, a date, a semester) are kept once per column."""

    BLOCK = 1 << 15

    def __init__(self, file: str, ncol: int, wanted: dict[str, int], unnamed: list[int], diags: list):
        self.file, self.ncol, self.diags = file, ncol, diags
        self.wanted = wanted
        self.columns: dict[str, list] = {name: [] for name in wanted}
        self.memos: dict[str, dict | None] = {name: {} for name in wanted}
        self.unnamed, self.valued = set(unnamed), set()
        self.lines = array("q")
        self.block: list[list[str]] = []

    def add(self, line: int, r: list[str]) -> None:
        if len(r) != self.ncol or not "".join(r).strip():  # a row of spaces is blank too, however long
            r = self._fitted(line, r)
            if r is None:
                return
        self.block.append(r)
        self.lines.append(line)
        if len(self.block) >= self.BLOCK:
            self.flush()

    def _fitted(self, line: int, r: list[str]) -> list[str] | None:
        """A row that fits the header, or None: blank rows are skipped, ragged rows reported."""
        if not any(c.strip() for c in r):
            return None  # a blank line or a row of empty cells
        if len(r) == self.ncol:
            return r
        self.valued.update(k for k in self.unnamed if k < len(r) and r[k].strip())
        if len(r) > self.ncol and not any(c.strip() for c in r[self.ncol:]):
            return r[:self.ncol]  # trailing empty cells carry nothing
        more = len(r) > self.ncol
        self.diags.append(Diagnostic(
            "column-count", _("row has {r} columns, the header has {ncol}").format(r=len(r), ncol=self.ncol), Span(self.file, row=line),
            hint=_("a value containing a comma must be in double quotes") if more
            else _("a value or a separating comma is missing")))
        return None

    def flush(self) -> None:
        if not self.block:
            return
        cells = list(zip(*self.block))
        self.block = []
        for k in [k for k in self.unnamed - self.valued if any(c.strip() for c in cells[k])]:
            self.valued.add(k)
        for name, k in self.wanted.items():
            col, memo = self.columns[name], self.memos[name]
            if memo is None:
                col.extend(cells[k])
                continue
            col.extend(map(memo.setdefault, cells[k], cells[k]))
            if len(memo) > len(col) // 2:  # mostly distinct (ids): a memo would only cost memory
                self.memos[name] = None


# A header of a million stray columns (a pasted row, a broken export) is one mistake: past this
# many, the warning names the first few and counts the rest.
_SHOWN = 10


def _ignored_headers(unknown: list[tuple[int, str]], valued: set[int]) -> tuple[str, ...]:
    """The header cells that name no declared field (an unnamed one only where its column has
    values: exports often end the header with empty cells), as the warning names them."""
    stray = [label or _("(column {k})").format(k=k + 1) for k, label in unknown if label or k in valued]
    if len(stray) > _SHOWN:
        return (*stray[:_SHOWN], _("… ({n} in all)").format(n=len(stray)))
    return tuple(stray)
