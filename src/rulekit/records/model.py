"""What loaded school records look like, and what the records schema says about each field.

`records.schema.json` is the one description of the records: the loader validates
against it, and `entity_types()` derives from it the field types the DSL type
checker uses. Nothing here reads files other than that schema.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterator, Mapping, Sequence

from ..diagnostics import Span, did_you_mean
from ..i18n import _

# Names of FieldType.name
STRING, INT, BOOL, DATE, SEMESTER, ACADEMIC_YEAR, LIST_STRING = (
    "string", "int", "bool", "date", "semester", "academic_year", "list[string]")
TYPE_NAMES = (STRING, INT, BOOL, DATE, SEMESTER, ACADEMIC_YEAR, LIST_STRING)

# x-ref targets the loader checks; others (policy.roles, ...) are checked against the policy.
RECORD_REF_TARGETS = ("students", "staff", "courses")


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


@dataclass(frozen=True)
class RecordSet:
    """All loaded tables by entity name, and the file or folder they came from."""

    tables: dict[str, Table]
    source: str
    # What loading noticed without refusing the data (a normalised id): reported with the
    # cross-record findings, so every command that checks references shows them.
    warnings: tuple = ()

    def get(self, entity: str) -> Table:
        """The table of `entity`; an empty table if none was loaded.

        An entity name the schema does not know raises KeyError (a typo, not "no data").
        """
        if entity in self.tables:
            return self.tables[entity]
        if entity not in entity_infos():
            hint = did_you_mean(entity, entity_infos())
            raise KeyError(_("unknown entity {entity}").format(entity=entity) + (f"; {hint}" if hint else ""))
        return Table(entity)

    def entities(self) -> list[str]:
        """Names of the entities that were loaded, sorted."""
        return sorted(self.tables)

    def __contains__(self, entity: str) -> bool:
        return entity in self.tables


# ----------------------------------------------------------------------- the schema

@functools.cache
def records_schema() -> dict:
    text = resources.files("rulekit").joinpath("schemas/records.schema.json").read_text("utf-8")
    return json.loads(text)


def _type_name(prop: Mapping[str, Any]) -> str:
    xtype = prop.get("x-type")
    if xtype:
        if xtype not in (DATE, SEMESTER, ACADEMIC_YEAR):
            raise ValueError(f"records schema: unknown x-type {xtype!r}")
        return xtype
    jtype = prop.get("type")
    if isinstance(jtype, list):
        jtype = next(t for t in jtype if t != "null")
    if jtype == "array":
        items = prop.get("items", {}).get("type")
        if items != "string":
            raise ValueError(f"records schema: unsupported list item type {items!r}")
        return LIST_STRING
    names = {"string": STRING, "integer": INT, "boolean": BOOL}
    if jtype not in names:
        raise ValueError(f"records schema: unsupported type {jtype!r}")
    return names[jtype]


@functools.cache
def entity_infos() -> dict[str, dict[str, FieldInfo]]:
    """entity -> field -> FieldInfo, in schema order."""
    out: dict[str, dict[str, FieldInfo]] = {}
    for entity, definition in records_schema()["$defs"].items():
        required = set(definition.get("required", ()))
        fields: dict[str, FieldInfo] = {}
        for name, prop in definition.get("properties", {}).items():
            ftype = FieldType(
                name=_type_name(prop),
                required=name in required,
                personal=bool(prop.get("x-personal", False)),
                ref=prop.get("x-ref"),
            )
            enum = prop.get("enum")
            fields[name] = FieldInfo(
                name=name, type=ftype, schema=prop,
                aliases=tuple(prop.get("x-aliases", ())),
                enum=tuple(enum) if enum is not None else None,
                minimum=prop.get("minimum"), maximum=prop.get("maximum"),
            )
        out[entity] = fields
    return out


def entity_types() -> dict[str, dict[str, FieldType]]:
    """entity -> field -> FieldType, derived from records.schema.json (a fresh copy each call)."""
    return {entity: {name: info.type for name, info in fields.items()}
            for entity, fields in entity_infos().items()}
