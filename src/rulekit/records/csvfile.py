"""One CSV file of one entity, as school systems export it.

Encodings: see `encoding` (a BOM, UTF-16 without one, UTF-8, then Big5/cp950; an
explicit `encoding` overrides all of that). Headers are field names or their
`x-aliases` (學號, 姓名, ...). Cells are stripped; an empty cell is an absent
field. Text becomes int / bool / list per the schema column by column; a cell
that does not convert stays text, so the schema check reports it.
"""
from __future__ import annotations

import csv
import io
import os
import re

from ..diagnostics import WARNING, Diagnostic, Span, did_you_mean
from ..files import read_input
from ..textnorm import normalize_key, what_changed
from .encoding import ENCODING_HINT, decode  # noqa: F401 - ENCODING_HINT: part of this module's API
from .model import ACADEMIC_YEAR, BOOL, INT, LIST_STRING, RowSpans, entity_infos
from .validate import MISSING, RawTable

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


def _records(text: str) -> tuple[list[list[str]], list[int]]:
    """CSV records and the 1-based line each starts on. Raises csv.Error."""
    def lines():
        if any(ch in text for ch in _OTHER_BREAKS):
            return io.StringIO(text, newline="")
        return text.splitlines(keepends=True)
    reader = csv.reader(lines())
    rows = list(reader)
    if reader.line_num == len(rows):  # no quoted line breaks: record k is on line k+1
        return rows, list(range(1, len(rows) + 1))
    reader = csv.reader(lines())
    rows, numbers, previous = [], [], 0
    for rec in reader:
        rows.append(rec)
        numbers.append(previous + 1)
        previous = reader.line_num
    return rows, numbers


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


def read_csv(path: str, entity: str, encoding: str | None = None) -> tuple[RawTable | None, list[Diagnostic]]:
    """Read `path` as the CSV of `entity`: the raw table (None if unreadable) and findings."""
    file = os.fspath(path)
    try:
        raw = read_input(file, "records file")
    except OSError as exc:
        return None, [Diagnostic("unreadable", f"cannot read {file}: {exc.strerror}", Span(file),
                                 hint="check the file's permissions")]
    text, notice = decode(raw, file, encoding)
    if text is None:
        return None, [notice]
    del raw
    try:
        rows, lines = _records(text)
    except csv.Error as exc:
        return None, [Diagnostic("csv-syntax", f"invalid CSV: {exc}", Span(file),
                                 hint="check the quotes in this file")]
    del text
    start = next((k for k, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        return None, [Diagnostic("empty-file", f"{os.path.basename(file)} has no header row", Span(file),
                                 hint="the first line names the columns, e.g. 學號,姓名,...")]
    raw_table, diags = _table(file, entity, rows[start], lines[start], rows[start + 1:], lines[start + 1:])
    return raw_table, ([notice] if notice else []) + diags


def _table(file: str, entity: str, header: list[str], header_line: int,
           body: list[list[str]], body_lines: list[int]) -> tuple[RawTable | None, list[Diagnostic]]:
    infos = entity_infos()[entity]
    diags: list[Diagnostic] = []
    lookup: dict[str, str] = {}
    for name, info in infos.items():
        for label in (name, *info.aliases):
            lookup.setdefault(_norm(label), name)
            lookup.setdefault(_norm(label).casefold(), name)
    choices = [label for name, info in infos.items() for label in (name, *info.aliases)]
    ncol = len(header)
    field_of: list[str | None] = []
    column_of: dict[str, int] = {}
    for k, cell in enumerate(header):
        label = _norm(cell)
        name = lookup.get(label) or lookup.get(label.casefold())
        span = Span(file, row=header_line, column=k + 1)
        if name is not None and label != cell.strip(" \t"):
            diags.append(Diagnostic("normalised-value", f"column header read as {label}: {what_changed(cell, label)}",
                                    span, WARNING, field=name,
                                    hint=f"write the header as {label}, so every file spells it the same way"))
        if name is None:
            if not label:
                if any(k < len(r) and r[k].strip() for r in body):
                    diags.append(Diagnostic("missing-header", f"column {k + 1} has values but no header",
                                            span, hint="name the column in the first row"))
            else:
                hint = did_you_mean(label, choices) or f"columns of {entity}: {', '.join(infos)}"
                diags.append(Diagnostic("unknown-header", f"unknown column {label} in {entity}", span,
                                        hint=hint, field=label))
        elif name in column_of:
            diags.append(Diagnostic(
                "duplicate-column", f"column {label} repeats column {column_of[name]} (both are {name})",
                span, field=name, hint="remove one of the two columns"))
            name = None
        else:
            column_of[name] = k + 1
        field_of.append(name)
    missing = [n for n, info in infos.items() if info.type.required and n not in column_of]
    for name in missing:
        alt = " or ".join(infos[name].aliases[:2])
        diags.append(Diagnostic("missing-column", f"no column for required field {name}",
                                Span(file, row=header_line), field=name,
                                hint=f"add a column {name}" + (f" (or {alt})" if alt else "")))

    if set(map(len, body)) <= {ncol} and all(map(any, body)):
        good, good_lines = body, body_lines  # the usual case, checked without a Python loop
    else:
        good, good_lines = _rows_with_ncol(file, body, body_lines, ncol, diags)

    cells = list(zip(*good)) if good else [()] * ncol
    columns: dict[str, list] = {}
    for k, name in enumerate(field_of):
        if name is not None:
            columns[name] = convert_cells(infos[name].type.name, cells[k])
    del cells

    def locate(i: int, name: str | None, key: bool = False, inner: tuple = ()) -> Span:
        return Span(file, row=good_lines[i], column=column_of.get(name, 0) if name else 0)

    spans = RowSpans(file, good_lines)
    raw = RawTable(entity, file, "csv", columns, spans, locate, unchecked=set(missing),
                   problems=len(diags), csv_columns=dict(column_of))
    return raw, diags


def _rows_with_ncol(file: str, body: list[list[str]], body_lines: list[int], ncol: int,
                    diags: list[Diagnostic]) -> tuple[list[list[str]], list[int]]:
    """Rows that fit the header; blank rows are skipped, ragged rows reported."""
    good: list[list[str]] = []
    good_lines: list[int] = []
    for r, line in zip(body, body_lines):
        if not any(c.strip() for c in r):
            continue  # a blank line or a row of empty cells
        if len(r) == ncol:
            good.append(r)
        elif len(r) > ncol and not any(c.strip() for c in r[ncol:]):
            good.append(r[:ncol])  # trailing empty cells carry nothing
        else:
            more = len(r) > ncol
            diags.append(Diagnostic(
                "column-count", f"row has {len(r)} columns, the header has {ncol}", Span(file, row=line),
                hint="a value containing a comma must be in double quotes" if more
                else "a value or a separating comma is missing"))
            continue
        good_lines.append(line)
    return good, good_lines
