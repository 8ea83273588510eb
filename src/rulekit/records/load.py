"""load_records: a YAML/JSON file, a JSON Lines, CSV or spreadsheet file, or a folder of them -> RecordSet.

Every problem in every file is collected first; if any is an error the whole
load fails with RulekitError (sorted), so rules never run on partial data.
"""
from __future__ import annotations

import gc
import os
from collections.abc import Mapping, Sequence

from ..diagnostics import Diagnostic, RulekitError, Span, UsageError, did_you_mean, sort_key
from ..files import open_input, read_input
from ..i18n import _
from ..sourceyaml import Document, load_text, read_text
from . import jsonfile
from .csvfile import read_csv
from .excel import EXCEL_EXTENSIONS, open_workbook, read_sheet, sheet_file
from .encoding import check_text_encoding
from .declaration import Declaration, entity_of_stem, file_names
from .model import LineSpans, RecordSet, RowSpans, Table, default_declaration  # noqa: F401 - LineSpans: API
from .validate import RawTable, finish, from_records
from .yamlfast import fast_document
from ..i18n import N_

DATA_EXTENSIONS = (".csv", ".jsonl", ".parquet", *EXCEL_EXTENSIONS)
DOCUMENT_EXTENSIONS = (".yaml", ".yml", ".json")


def load_records(path, declaration: Declaration | None = None, encoding: str | None = None,
                 engine=None) -> RecordSet:
    """Load school records from `path`, as `declaration` (the policy's) declares them:

    - `x.yaml` / `x.yml` / `x.json`: a mapping entity name -> list of records;
    - a folder: one `<entity>.csv`, `<entity>.jsonl` or workbook per entity (other files are ignored);
    - a single `<entity>.csv` / `<entity>.jsonl` file;
    - a workbook (.xlsx, .xls, .ods): named after an entity, its first sheet holds that entity;
      otherwise each sheet is named after the entity it holds.

    A file may be named by any of the entity's declared file names (`學生資料.csv`).
    Without a declaration, the one beside the default policy is used.

    `encoding` names the encoding of CSV files (default: UTF-8, else Big5/cp950).
    `engine`: a DuckDB connection. Its readers then load CSV and Parquet files, making
    each entity's engine table there as well (records/duckread.py; `RecordSet.engine`
    says which); a Parquet file is always read by DuckDB.
    Raises UsageError for a missing path or unknown encoding, RulekitError listing
    every finding otherwise.
    """
    path = os.fspath(path)
    decl = declaration if declaration is not None else default_declaration()
    if encoding:
        check_text_encoding(encoding, path)
    if not os.path.exists(path):
        raise UsageError([Diagnostic("file-not-found", _("records {path} do not exist").format(path=path), Span(path),
                                     hint=_("check the path and spelling"))])
    tables: dict[str, Table] = {}
    diags: list[Diagnostic] = []
    reader = _Engine(engine)
    collecting = gc.isenabled()
    gc.disable()  # a million row dicts make no cycles, but would trigger many full collections
    try:
        _load_path(path, encoding, tables, diags, decl, reader)
    finally:
        if collecting:
            gc.enable()
        reader.close()
    if any(d.is_error for d in diags):
        raise RulekitError(sorted(diags, key=sort_key))
    return RecordSet(tables, path, tuple(diags), decl, whole=True,  # no errors: the warnings
                     engine=reader.tables if engine is not None else None)


class _Engine:
    """The DuckDB connection CSV and Parquet files are read with: the caller's, or one of
    our own opened for the first Parquet file (closed at the end)."""

    def __init__(self, con):
        from .model import EngineTables

        self.con, self.own = con, False
        self.tables = EngineTables(con, set()) if con is not None else None

    def read(self, file: str, entity: str, encoding, decl):
        parquet = file.lower().endswith(".parquet")
        if self.con is None and not parquet:
            return None
        from . import duckread

        if self.con is None:
            self.con, self.own = duckread.connect(), True
        if file.lower().endswith(".jsonl"):
            from .duckjson import read_jsonl_file

            found = duckread.guarded(self.con, entity, read_jsonl_file, self.con, file, entity, decl)
        else:
            found = duckread.read_file(self.con, file, entity, encoding, decl)
        if found is not None and self.tables is not None:
            self.tables.entities.add(entity)
        if found is not None:
            return found, False
        if parquet:  # the fast path found something: Python reads its cells
            from .csvfile import table_of_rows

            return table_of_rows(file, entity, duckread.parquet_cells(self.con, file, entity), decl), True
        return None

    def close(self) -> None:
        if self.own:
            self.con.close()


def _load_path(path: str, encoding, tables: dict, diags: list[Diagnostic], decl: Declaration, reader) -> None:
    if os.path.isdir(path):
        _load_folder(path, encoding, tables, diags, decl, reader)
    else:
        ext = os.path.splitext(path)[1].lower()
        if ext in DOCUMENT_EXTENSIONS:
            _load_document(path, ext, tables, diags, decl)
        elif ext in DATA_EXTENSIONS:
            _load_data_file(path, encoding, tables, diags, decl, reader)
        else:
            raise UsageError([Diagnostic(
                "unsupported-file", _("cannot read records from {path}").format(path=path), Span(path),
                hint=_("use a .yaml, .json, .jsonl or .csv file, a workbook (.xlsx, .xls, .ods), "
                       "or a folder of <entity>.csv files"))])


def _entity_of(file: str, diags: list[Diagnostic], decl: Declaration) -> str | None:
    base = os.path.basename(file)
    stem, ext = os.path.splitext(base)
    entity = entity_of_stem(decl, stem)
    if entity is not None:
        return entity
    close = did_you_mean(stem, file_names(decl))
    hint = (close.replace("?", f"{ext}?") if close
            else _("name the file after an entity: ") + ", ".join(f"{e}{ext}" for e in decl.names()))
    diags.append(Diagnostic("unknown-entity", _("{base} does not name a kind of record").format(base=base), Span(file),
                            hint=hint))
    return None


def _entity_of_sheet(file: str, sheet: str, diags: list[Diagnostic], decl: Declaration) -> str | None:
    entity = entity_of_stem(decl, sheet)  # sheets are named as files are (學生資料, students)
    if entity is None:
        close = did_you_mean(sheet, file_names(decl))
        diags.append(Diagnostic(
            "unknown-entity", _("sheet {sheet} of {file} does not name a kind of record").format(
                sheet=sheet, file=os.path.basename(file)), Span(sheet_file(file, sheet)),
            hint=close or _("name each sheet after an entity: {names}").format(names=", ".join(decl.names()))))
    return entity


def _load_folder(folder: str, encoding, tables: dict, diags: list[Diagnostic], decl: Declaration, reader) -> None:
    # `~$book.xlsx`: the lock file Excel leaves beside a workbook it has open
    files = sorted(f for f in os.listdir(folder) if not f.startswith((".", "~$"))
                   and os.path.splitext(f)[1].lower() in DATA_EXTENSIONS)
    if not files:
        diags.append(Diagnostic("no-records", _("{folder} has no .csv or .jsonl files").format(folder=folder), Span(folder),
                                hint=_("put one <entity>.csv per kind of record there, e.g. students.csv")))
        return
    for name in files:
        _load_data_file(os.path.join(folder, name), encoding, tables, diags, decl, reader)


def _load_data_file(file: str, encoding, tables: dict, diags: list[Diagnostic], decl: Declaration, reader) -> None:
    if file.lower().endswith(EXCEL_EXTENSIONS):
        _load_workbook(file, tables, diags, decl)
        return
    entity = _entity_of(file, diags, decl)
    if entity is None or _given_twice(entity, file, tables, diags):
        return
    found = reader.read(file, entity, encoding, decl)
    if found is not None:
        (table, found), raw = found
        if raw:  # a Parquet file's text cells, to be checked as a CSV file's are
            _add_table(entity, table, found, tables, diags)
        else:
            tables[entity] = table
            diags.extend(found)
        return
    if file.lower().endswith(".csv"):
        raw, found = read_csv(file, entity, encoding, decl)
    else:
        raw, found = _read_jsonl(file, entity, decl)
    _add_table(entity, raw, found, tables, diags)


def _given_twice(entity: str, file: str, tables: dict, diags: list[Diagnostic]) -> bool:
    if entity in tables:
        diags.append(Diagnostic("duplicate-entity", _("{entity} records are given twice").format(entity=entity), Span(file),
                                hint=_("keep one of {entity}.csv and {entity}.jsonl").format(entity=entity)))
        return True
    return False


def _add_table(entity: str, raw, found: list, tables: dict, diags: list[Diagnostic]) -> None:
    diags.extend(found)
    if raw is not None:
        table, found = finish(raw)
        diags.extend(found)
        tables[entity] = table


def _load_workbook(file: str, tables: dict, diags: list[Diagnostic], decl: Declaration) -> None:
    """A workbook named after an entity holds it in its first sheet; any other workbook holds
    one entity per sheet, each sheet named after its entity."""
    book, found = open_workbook(file)
    diags.extend(found)
    if book is None:
        return
    sheets = list(book.sheet_names)
    entity = entity_of_stem(decl, os.path.splitext(os.path.basename(file))[0])
    if entity is not None:
        pairs = [(sheets[0], entity)] if sheets else []
    else:
        pairs = [(sheet, _entity_of_sheet(file, sheet, diags, decl)) for sheet in sheets]
    if not sheets:
        diags.append(Diagnostic("no-records", _("{file} has no sheets").format(file=file), Span(file),
                                hint=_("name each sheet after an entity, e.g. students")))
    for sheet, entity in pairs:
        if entity is None or _given_twice(entity, sheet_file(file, sheet), tables, diags):
            continue
        raw, found = read_sheet(book, file, sheet, entity, decl)
        _add_table(entity, raw, found, tables, diags)


# ------------------------------------------------------------------- JSON Lines

def _read_jsonl(file: str, entity: str, decl: Declaration) -> tuple[RawTable | None, list[Diagnostic]]:
    try:
        with open_input(file, _("records file")) as fh:
            streamed = jsonfile.stream_lines(fh)
        if streamed is not None:
            return _jsonl_table(file, entity, streamed, decl)
        data = read_input(file, _("records file"))
    except OSError as exc:
        return None, [Diagnostic("unreadable", _("cannot read {file}: {strerror}").format(file=file, strerror=exc.strerror), Span(file),
                                 hint=_("check the file's permissions"))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Diagnostic(
            "encoding", _("cannot read the file as UTF-8: byte 0x{start:02x} at offset {start2}").format(start=data[exc.start], start2=exc.start),
            Span(file, data[:exc.start].count(b"\n") + 1, 1),
            hint=_("JSON Lines files must be UTF-8: convert the file (--encoding applies to CSV only)"))]
    del data
    all_lines = text.splitlines()
    del text
    values = jsonfile.fast_lines(all_lines)  # one value per line, or None: that line needs a closer look
    lines = [(number, value, None if value is not None else line)
             for number, (line, value) in enumerate(zip(all_lines, values), start=1)
             if value is not None or line.strip()]
    del all_lines, values
    return _jsonl_table(file, entity, lines, decl)


def _jsonl_table(file: str, entity: str, lines: list, decl: Declaration) -> tuple[RawTable, list[Diagnostic]]:
    """The raw table of (line number, parsed dict or None, text to parse again) per record line."""
    records: list = []
    numbers: list[int] = []
    skip: set[int] = set()
    diags: list[Diagnostic] = []
    for number, value, line in lines:
        if value is None:
            value, found = jsonfile.parse_line(line, file, number)
            if found:
                diags.extend(found)
                value = None
            elif not isinstance(value, dict):
                diags.append(Diagnostic("not-a-record", _("line {number} is not a JSON object").format(number=number), Span(file, number, 1),
                                        hint=_('each line holds one record: {"id": "...", ...}')))
                value = None
            if value is None:
                skip.add(len(records))
        records.append(value)
        numbers.append(number)
    del lines
    spans = LineSpans(file, numbers)
    cache: dict[int, object] = {}
    source: list = []  # the file's lines, read again only when a finding needs a position

    def locate(i: int, name: str | None, key: bool = False, inner: tuple = ()) -> Span:
        if name is None:
            return spans[i]
        if i not in cache:
            if not source:
                source.append(read_input(file, _("records file")).decode("utf-8-sig").splitlines())
            cache[i] = jsonfile.positions(source[0][numbers[i] - 1], file, spans[i].line)
        p = cache[i]
        table = p.key_spans if key else p.value_spans
        return (table.get((name, *inner)) or table.get((name,)) or p.key_spans.get((name,))
                or spans[i])

    raw = from_records(entity, file, "jsonl", records, spans, locate, skip=skip, keep=False, decl=decl)
    raw.problems = len(diags)
    return raw, diags


# ------------------------------------------------------------------- YAML, JSON

class DocumentSpans(RowSpans):
    """The span of each record of one entity in a document, made when asked for."""

    __slots__ = ("doc", "entity")

    def __init__(self, doc: Document, entity: str, n: int):
        super().__init__(doc.path, range(n))
        self.doc, self.entity = doc, entity

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self.doc.span((self.entity, i)) for i in self.lines[index])
        return self.doc.span((self.entity, self.lines[index]))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))


class FieldSpans(Mapping):
    """(record index, field) -> the field's span, for the fields each record has; made when asked for."""

    def __init__(self, doc: Document, entity: str, records: list):
        self.doc, self.entity, self.records = doc, entity, records

    def _has(self, key) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], int)):
            return False
        i, name = key
        rec = self.records[i] if 0 <= i < len(self.records) else None
        return isinstance(rec, dict) and name in rec

    def __getitem__(self, key):
        if not self._has(key):
            raise KeyError(key)
        return self.doc.span((self.entity, *key))

    def __contains__(self, key) -> bool:
        return self._has(key)

    def __iter__(self):
        for i, rec in enumerate(self.records):
            if isinstance(rec, dict):
                for name in rec:
                    yield (i, name)

    def __len__(self) -> int:
        return sum(len(rec) for rec in self.records if isinstance(rec, dict))


EMPTY_HINT = N_("a records file maps entity names to lists, e.g. `students:` then `- {id: S001, ...}`")


def _load_document(file: str, ext: str, tables: dict, diags: list[Diagnostic], decl: Declaration) -> None:
    try:
        if ext == ".json":
            doc = jsonfile.parse_document(read_text(file, _("records file")), file)
        else:
            text = read_text(file)
            doc = fast_document(text, file) or load_text(text, file, _(EMPTY_HINT), text_scalars=True)
            del text
    except UsageError:
        raise
    except RulekitError as exc:
        diags.extend(exc.diagnostics)
        return
    data = doc.data
    if not isinstance(data, dict):
        diags.append(Diagnostic("not-a-mapping", _("a records file maps entity names to lists of records"),
                                doc.span(()), hint=_("e.g.\nstudents:\n  - id: S001\n    name: ...")))
        return
    for key, records in data.items():
        entity = entity_of_stem(decl, str(key))
        if entity is None:
            hint = did_you_mean(str(key), file_names(decl)) or _("entities: ") + ", ".join(decl.names())
            diags.append(Diagnostic("unknown-entity", _("unknown entity {entity}").format(entity=key), doc.span((key,), key=True),
                                    hint=hint))
            continue
        if entity in tables:
            diags.append(Diagnostic("duplicate-entity", _("{entity} records are given twice").format(entity=entity),
                                    doc.span((key,), key=True), hint=_("keep one list of {entity}").format(entity=entity)))
            continue
        if records is None:
            records = []
        if not isinstance(records, list):
            diags.append(Diagnostic("not-a-list", _("{entity} must be a list of records").format(entity=entity),
                                    doc.span((key,)), hint=_("write each record as an item: - id: ...")))
            continue
        raw, found = _document_table(doc, entity, records, decl, key)
        diags.extend(found)
        table, found = finish(raw)
        diags.extend(found)
        tables[entity] = table


def _document_table(doc: Document, entity: str, records: list, decl: Declaration | None = None,
                    key: str | None = None) -> tuple[RawTable, list[Diagnostic]]:
    """The raw table of `entity`, written in `doc` under `key` (default: its name)."""
    key = entity if key is None else key
    diags: list[Diagnostic] = []
    skip: set[int] = set()
    spans = DocumentSpans(doc, key, len(records))
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            skip.add(i)
            diags.append(Diagnostic("not-a-record", _("item {i} of {entity} is not a record").format(i=i + 1, entity=entity),
                                    spans[i], hint=_("a record is a mapping of field: value")))

    def locate(i: int, name: str | None, key: bool = False, inner: tuple = ()) -> Span:
        if name is None:
            return spans[i]
        return doc.span((where, i, name, *inner), key=key)

    where = key
    field_spans = FieldSpans(doc, key, records)
    raw = from_records(entity, doc.path, "json" if doc.path.lower().endswith(".json") else "yaml",
                       records, spans, locate, skip=skip, decl=decl)
    raw.problems = len(diags)
    raw.field_spans = field_spans
    return raw, diags
