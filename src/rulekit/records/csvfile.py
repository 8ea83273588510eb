"""One CSV file of one entity, as school systems export it.

Encodings: UTF-8 (with or without BOM) is tried first, strictly; if it does not
decode, Big5 as Windows writes it (cp950); UTF-16 with a BOM is recognised; an
explicit `encoding` overrides all of that. Headers are field names or their
`x-aliases` (學號, 姓名, ...). Cells are stripped; an empty cell is an absent
field. Text becomes int / bool / list per the schema column by column; a cell
that does not convert stays text, so the schema check reports it.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata

from ..diagnostics import Diagnostic, Span, did_you_mean
from .model import ACADEMIC_YEAR, BOOL, INT, LIST_STRING, RowSpans, entity_infos
from .validate import MISSING, RawTable

BOOL_WORDS = {
    "true": True, "false": False, "yes": True, "no": False, "是": True, "否": False,
    "y": True, "n": False, "1": True, "0": False, "✓": True, "✔": True, "✗": False, "✘": False,
}
LIST_SEPARATORS = re.compile(r"[;、,，；]")
ENCODING_HINT = "name the file's encoding with --encoding (e.g. --encoding big5), or save it as UTF-8"


def decode(raw: bytes, file: str, encoding: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a one-line diagnostic naming the byte that cannot be read."""
    if encoding:
        name = codecs.lookup(encoding).name
        attempts = [("utf-8" if name == "utf-8" else encoding, encoding)]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = [("utf-16", "UTF-16")]
    else:
        attempts = [("utf-8", "UTF-8"), ("cp950", "Big5 (cp950)")]
    failures = []
    hint = ENCODING_HINT
    for codec, label in attempts:
        skip = len(codecs.BOM_UTF8) if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8) else 0
        view = memoryview(raw)[skip:]
        try:
            return str(view, codec), None
        except UnicodeDecodeError as exc:
            failures.append((exc.start + skip, label))
            if codec == "utf-8" and not encoding and exc.start - len(str(view[:exc.start], "utf-8")) >= 6:
                # Several Chinese characters read fine as UTF-8 before this byte: a damaged
                # UTF-8 file, which read as Big5 would turn into plausible-looking garbage.
                hint = "the file looks like UTF-8 with a damaged byte there: fix it, or " + ENCODING_HINT
                break
    offset = max(start for start, _ in failures)
    row = raw[:offset].count(b"\n") + 1
    labels = " or ".join(label for _, label in failures)
    return None, Diagnostic(
        "encoding", f"cannot read the file as {labels}: byte 0x{raw[offset]:02x} at offset {offset}",
        Span(file, row=row), hint=hint)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


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
        with open(file, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return None, [Diagnostic("unreadable", f"cannot read {file}: {exc.strerror}", Span(file),
                                 hint="check the file's permissions")]
    text, problem = decode(raw, file, encoding)
    if problem:
        return None, [problem]
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
    return _table(file, entity, rows[start], lines[start], rows[start + 1:], lines[start + 1:])


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
    unknown: list[tuple[int, str]] = []
    for k, cell in enumerate(header):
        label = _norm(cell)
        name = lookup.get(label) or lookup.get(label.casefold())
        if name is None:
            unknown.append((k, label))
        elif name in column_of:
            diags.append(Diagnostic(
                "duplicate-column", f"column {label} repeats column {column_of[name]} (both are {name})",
                Span(file, row=header_line, column=k + 1), field=name, hint="remove one of the two columns"))
            name = None
        else:
            column_of[name] = k + 1
        field_of.append(name)
    diags += _unknown_headers(file, entity, header_line, unknown, body, infos, choices)
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


# A header of a million stray columns (a pasted row, a broken export) is one mistake: past this
# many, one finding names the first few and counts the rest instead of one finding per column.
MAX_HEADER_FINDINGS = 10
_SHOWN = 5


def _unknown_headers(file: str, entity: str, header_line: int, unknown: list[tuple[int, str]],
                     body: list[list[str]], infos: dict, choices: list[str]) -> list[Diagnostic]:
    """Findings for header cells that name no field; an unnamed one only where its column has
    values (exports often end the header with empty cells)."""
    stray = [(k, label) for k, label in unknown
             if label or any(k < len(r) and r[k].strip() for r in body)]
    if len(stray) > MAX_HEADER_FINDINGS:
        names = [label or f"(column {k + 1}, no header)" for k, label in stray[:_SHOWN]]
        return [Diagnostic(
            "unknown-header", f"{len(stray)} columns of the header name no field of {entity}: "
            f"{', '.join(names)}, …", Span(file, row=header_line, column=stray[0][0] + 1),
            hint=f"check that this is the {entity} file and that its first row is the header; "
                 f"columns of {entity}: {', '.join(infos)}")]
    out = []
    for k, label in stray:
        span = Span(file, row=header_line, column=k + 1)
        if label:
            hint = did_you_mean(label, choices) or f"columns of {entity}: {', '.join(infos)}"
            out.append(Diagnostic("unknown-header", f"unknown column {label} in {entity}", span,
                                  hint=hint, field=label))
        else:
            out.append(Diagnostic("missing-header", f"column {k + 1} has values but no header",
                                  span, hint="name the column in the first row"))
    return out


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
