"""What loaded school records look like, and what the declaration says about each field.

The policy's records declaration (`declaration.py`) is the one description of the
records: the loader validates against the JSON Schema generated from it, and
`entity_types()` derives from it the field types the DSL type checker uses.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

from ..diagnostics import Span, did_you_mean
from ..i18n import _
from .declaration import Declaration, json_schema

# Names of FieldType.name
STRING, INT, BOOL, DATE, SEMESTER, ACADEMIC_YEAR, LIST_STRING, SIZE = (
    "string", "int", "bool", "date", "semester", "academic_year", "list[string]", "size")
TYPE_NAMES = (STRING, INT, BOOL, DATE, SEMESTER, ACADEMIC_YEAR, LIST_STRING, SIZE)
# The declaration used when a caller names none: the one beside the default policy.
DEFAULT_DECLARATION = "policy/records.yaml"


@dataclass(frozen=True)
class FieldType:
    """The type of one record field as the DSL sees it (after conversion)."""

    name: str  # one of TYPE_NAMES
    required: bool
    personal: bool
    ref: str | None  # entity or policy section this value names, e.g. "students", "policy.roles"


@dataclass(frozen=True)
class FieldInfo:
    """Everything the loader needs to know about one field, derived from the schema once."""

    name: str
    type: FieldType
    schema: Mapping[str, Any] = field(repr=False)
    aliases: tuple[str, ...] = ()
    enum: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def personal(self) -> bool:
        return self.type.personal


def mask_personal(value: Any) -> str:
    """Hide the last four characters: A123456789 -> A12345****. Short values are hidden whole."""
    if value is None:
        return ""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return text[:-4] + "****"


class RowSpans(Sequence):
    """Spans of CSV rows, made on demand: `Span(file, row=lines[i])` (a million Spans cost seconds)."""

    __slots__ = ("file", "lines")

    def __init__(self, file: str, lines: Sequence[int]):
        self.file = file
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(Span(self.file, row=line) for line in self.lines[index])
        return Span(self.file, row=self.lines[index])

    def __eq__(self, other) -> bool:
        if isinstance(other, RowSpans):
            return self.file == other.file and list(self.lines) == list(other.lines)
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"RowSpans({self.file!r}, {len(self.lines)} rows)"


class LineSpans(RowSpans):
    """Spans of JSON Lines records, made on demand: `Span(file, line, 1)`."""

    __slots__ = ()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(Span(self.file, line, 1) for line in self.lines[index])
        return Span(self.file, self.lines[index], 1)

    def __eq__(self, other) -> bool:
        if isinstance(other, LineSpans):
            return self.file == other.file and list(self.lines) == list(other.lines)
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))


@dataclass(frozen=True)
class Table:
    """The records of one entity: each row has every field of the entity (absent -> None).

    `spans[i]` is where row i came from (YAML/JSON: the record's line:col; CSV: its row).
    `spans` is a tuple, or for CSV an equivalent read-only sequence that makes Spans on demand.
    """

    entity: str
    rows: tuple[dict, ...] = ()
    spans: tuple[Span, ...] = ()
    # Finer positions, when the source has them: (row index, field) -> Span (YAML, JSON),
    # or field -> 1-based column number (CSV). Use span_of() rather than these.
    field_spans: Mapping = field(default_factory=dict, compare=False, repr=False)
    columns: Mapping = field(default_factory=dict, compare=False, repr=False)
    # declared fields the file has no column for (CSV): a rule reading one cannot judge a row
    missing_columns: tuple = field(default=(), compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.rows)

    def column(self, name: str) -> tuple:
        """All values of one field, in row order."""
        return tuple(row[name] for row in self.rows)

    def span_of(self, index: int, field_name: str | None = None) -> Span:
        """Where row `index` (or its field `field_name`) came from."""
        base = self.spans[index] if index < len(self.spans) else Span("")
        if field_name is None:
            return base
        exact = self.field_spans.get((index, field_name))
        if exact is not None:
            return exact
        col = self.columns.get(field_name)
        if col and base.row:
            return Span(base.file, row=base.row, column=col)
        return base


POS = "__pos"  # an engine table's row number: the record's place in its Table


def table_name(entity: str) -> str:
    """The engine table of an entity's records (records/duckread.py, columnar/tables.py)."""
    return f"e_{entity}"


@dataclass
class EngineTables:
    """A DuckDB connection holding an engine table of each of `entities` (records/duckread.py):
    the same records as the RecordSet's tables, typed, in the same order."""

    con: Any
    entities: set


@dataclass(frozen=True)
class RecordSet:
    """All loaded tables by entity name, and the file or folder they came from."""

    tables: dict[str, Table]
    source: str
    # What loading noticed without refusing the data (a normalised id): reported with the
    # cross-record findings, so every command that checks references shows them.
    warnings: tuple = ()
    declaration: Declaration | None = field(default=None, compare=False, repr=False)
    set_aside: int = 0  # records dated after --as-of, left out (`without_after`)
    # the school's records as a whole (what `load_records` read for `check`), so a kind missing
    # from them is missing; False for records built in code, e.g. the few a policy test case writes
    whole: bool = False
    # the engine tables made while reading (records/duckread.py), or None
    engine: EngineTables | None = field(default=None, compare=False, repr=False)

    def get(self, entity: str) -> Table:
        """The table of `entity`; an empty table if none was loaded.

        An entity name the schema does not know raises KeyError (a typo, not "no data").
        """
        if entity in self.tables:
            return self.tables[entity]
        known = entity_infos(self.declaration)
        if entity not in known:
            hint = did_you_mean(entity, known)
            raise KeyError(_("unknown entity {entity}").format(entity=entity) + (f"; {hint}" if hint else ""))
        return Table(entity)

    def entities(self) -> list[str]:
        """Names of the entities that were loaded, sorted."""
        return sorted(self.tables)

    def __contains__(self, entity: str) -> bool:
        return entity in self.tables


# ----------------------------------------------------------------------- the schema

def default_declaration() -> Declaration:
    """The declaration beside the default policy (`policy/records.yaml` from the current folder)."""
    from .declaration import load_declaration

    return load_declaration(os.path.abspath(DEFAULT_DECLARATION))


def records_schema(decl: Declaration | None = None) -> dict:
    """The JSON Schema of a records file under `decl` (default: `default_declaration()`)."""
    return json_schema(decl or default_declaration())


@functools.cache
def _infos(decl: Declaration) -> dict[str, dict[str, FieldInfo]]:
    out: dict[str, dict[str, FieldInfo]] = {}
    schema = json_schema(decl)
    for e in decl.entities:
        props = schema["$defs"][e.name]["properties"]
        out[e.name] = {f.name: FieldInfo(
            name=f.name, type=FieldType(f.type, f.required, f.personal, f.ref), schema=props[f.name],
            aliases=f.aliases, enum=f.values, minimum=f.minimum, maximum=f.maximum) for f in e.fields}
    return out


def entity_infos(decl: Declaration | None = None) -> dict[str, dict[str, FieldInfo]]:
    """entity -> field -> FieldInfo, in declaration order."""
    return _infos(decl or default_declaration())


def entity_types(decl: Declaration | None = None) -> dict[str, dict[str, FieldType]]:
    """entity -> field -> FieldType as the DSL sees it (a size is an int of bytes); a fresh copy."""
    return {entity: {name: (info.type if info.type.name != SIZE else
                            FieldType(INT, info.type.required, info.type.personal, info.type.ref))
                     for name, info in fields.items()}
            for entity, fields in entity_infos(decl).items()}


class _Remapped(Mapping):
    """Field spans of a table some of whose rows were set aside: new row index -> old one."""

    def __init__(self, spans: Mapping, kept: Sequence[int]):
        self.spans, self.kept = spans, kept

    def __getitem__(self, key):
        i, name = key
        if not 0 <= i < len(self.kept):
            raise KeyError(key)
        return self.spans[(self.kept[i], name)]

    def __iter__(self):
        back = {old: new for new, old in enumerate(self.kept)}
        return ((back[i], name) for i, name in self.spans if i in back)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def without_after(records: RecordSet, day) -> RecordSet:
    """`records` without the records dated after `day` (by each kind's declared `dated_by`
    field); `set_aside` says how many were left out. Undated records are kept."""
    decl = records.declaration
    if decl is None or day is None:
        return records
    tables, dropped = dict(records.tables), 0
    for name, table in records.tables.items():
        e = decl.entity(name)
        field_name = e.dated_by if e is not None else None
        if not field_name:
            continue
        kept = [i for i, row in enumerate(table.rows) if row.get(field_name) is None or row[field_name] <= day]
        if len(kept) == len(table.rows):
            continue
        dropped += len(table.rows) - len(kept)
        tables[name] = Table(name, tuple(table.rows[i] for i in kept), tuple(table.spans[i] for i in kept),
                             field_spans=_Remapped(table.field_spans, kept), columns=table.columns,
                             missing_columns=table.missing_columns)
    if not dropped:
        return records
    if records.engine is not None:
        _engine_without_after(records, day)
    return RecordSet(tables, records.source, records.warnings, decl, records.set_aside + dropped, records.whole,
                     records.engine)


def _engine_without_after(records: RecordSet, day) -> None:
    """The same records set aside from the engine tables, renumbered as the rows are."""
    for name in sorted(records.engine.entities):
        e = records.declaration.entity(name)
        if e is None or not e.dated_by:
            continue
        t, f = table_name(name), e.dated_by.replace('"', '""')
        records.engine.con.execute(
            f'CREATE OR REPLACE TABLE "{t}" AS SELECT row_number() OVER (ORDER BY {POS}) - 1 AS {POS}, '
            f'* EXCLUDE ({POS}) FROM "{t}" WHERE "{f}" IS NULL OR "{f}" <= ? ORDER BY {POS}', [day])
