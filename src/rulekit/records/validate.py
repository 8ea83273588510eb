"""From raw records (as YAML, JSON or CSV gave them) to a checked, converted `Table`.

The schema generated from the policy's records declaration is the source of truth.
Fields the declaration does not know are set aside before the check (one warning per
file names them: exports carry columns rulekit does not use), and a blank text is a
missing value. Every row first goes through a fast check
compiled from its `$defs` entry (type, enum, minimum/maximum, pattern, required,
unknown fields); only the rows that check flags are run through jsonschema's
`iter_errors`, and jsonschema's findings become the diagnostics. A schema
keyword the fast check does not know makes it flag every row, so jsonschema
still decides. Then x-type fields are converted per column (dates, semesters,
academic years), each distinct text parsed once.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..calendar import AcademicYear, DateError, Semester, parse_date, short_roc_year
from ..diagnostics import Diagnostic, Span
from ..dsl.units import SizeError, parse_size
from .declaration import Declaration, json_schema
from .keys import normalise_keys
from .lenient import blank_is_missing, ignored_fields
from .messages import is_number, looks_personal, translate
from .model import (ACADEMIC_YEAR, DATE, INT, LIST_STRING, SEMESTER, SIZE, STRING, FieldInfo, RowSpans,
                    Table, entity_infos)
from .scalars import typed_column, typed_record
from ..i18n import N_, _

MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
MAX_PROBLEMS_PER_FILE = 1000

Locate = Callable[..., Span]  # (row, field or None, at the key?, path inside the value=()) -> Span


@dataclass
class RawTable:
    """One entity's records as read, before checking: a column of raw values per field."""

    entity: str
    file: str
    kind: str  # "yaml", "json", "jsonl", "csv"
    columns: dict[str, list]  # field -> one raw value per row, MISSING where absent
    spans: Sequence[Span]
    locate: Locate  # (row, field or None, at the key?) -> Span
    records: list | None = None  # dict sources: the raw mappings (None where unusable)
    flagged: set[int] = field(default_factory=set)  # rows that need the full schema check
    skip: set[int] = field(default_factory=set)  # rows already reported as unusable
    unchecked: set[str] = field(default_factory=set)  # required columns absent (reported once)
    problems: int = 0  # findings already reported for this file
    field_spans: dict = field(default_factory=dict)
    csv_columns: dict = field(default_factory=dict)
    originals: dict = field(default_factory=dict)  # row -> its mapping as read, when `records` is not kept
    csv_header: int = 0  # the header's row, for a finding about it
    decl: Declaration | None = None  # what the fields are (None: the default declaration)
    ignored: tuple = ()  # fields or headers the declaration does not know, set aside

    @property
    def size(self) -> int:
        return len(self.spans)

    def record(self, i: int) -> dict | None:
        if self.records is not None:
            return self.records[i]
        if i in self.originals:
            return self.originals[i]
        return {f: col[i] for f, col in self.columns.items() if col[i] is not MISSING}


def from_records(entity: str, file: str, kind: str, records: list, spans: list[Span],
                 locate: Locate, skip: set[int] = frozenset(), keep: bool = True,
                 decl: Declaration | None = None) -> RawTable:
    """Records that are mappings already (YAML, JSON, JSON Lines). `null` means absent.

    YAML scalars arrive as the text written (see `scalars`) and are typed here by the
    schema; JSON is typed by JSON itself.
    keep=False: keep only the columns (and the mappings of rows with unknown fields), so the
    parsed mappings of a large file are freed before the rows are built."""
    infos = entity_infos(decl)[entity]
    if kind == "yaml":
        keep = False  # the rows jsonschema sees are rebuilt from the typed columns
    allowed = set(infos)
    clean: list = []
    flagged: set[int] = set()
    ignored: dict = {}
    for i, rec in enumerate(records):
        if i in skip or not isinstance(rec, dict):
            clean.append(None)
            continue
        if None in rec.values():
            rec = {k: v for k, v in rec.items() if v is not None}
        if not allowed.issuperset(rec):
            ignored.update(dict.fromkeys(k for k in rec if k not in allowed))
            rec = {k: v for k, v in rec.items() if k in allowed}
        clean.append(rec)
    empty: dict = {}
    columns = {f: [(r if r is not None else empty).get(f, MISSING) for r in clean] for f in infos}
    blank_is_missing(columns, clean, MISSING)
    if keep:
        return RawTable(entity, file, kind, columns, spans, locate, records=clean, flagged=flagged,
                        skip=set(skip), decl=decl, ignored=tuple(map(str, ignored)))
    if kind == "yaml":
        columns = {f: typed_column(infos[f].type.name, col) for f, col in columns.items()}
        for i in flagged:
            clean[i] = typed_record(infos, clean[i])
    originals = {i: clean[i] for i in flagged}
    originals.update((i, None) for i, r in enumerate(clean) if r is None)
    return RawTable(entity, file, kind, columns, spans, locate, flagged=flagged, skip=set(skip),
                    originals=originals, decl=decl, ignored=tuple(map(str, ignored)))


# ------------------------------------------------------------ fast check from schema

_ANNOTATIONS = {"description", "title", "$comment", "examples", "default", "deprecated"}
_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


_EXACT = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
          "array": (), "object": (dict,), "null": (type(None),)}


def compile_check(prop: dict) -> Callable[[Any], bool] | None:
    """A predicate equal to "jsonschema finds nothing wrong", or None if `prop` uses
    a keyword this compiler does not know (then jsonschema checks every value)."""
    for key in prop:
        if key not in ("type", "enum", "minimum", "maximum", "pattern", "items") \
                and key not in _ANNOTATIONS and not key.startswith("x-"):
            return None
    checks: list[Callable[[Any], bool]] = []
    exact: frozenset = frozenset()
    if "type" in prop:
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        if any(t not in _TYPE_CHECKS for t in types):
            return None
        preds = [_TYPE_CHECKS[t] for t in types]
        checks.append(preds[0] if len(preds) == 1 else (lambda v: any(p(v) for p in preds)))
        exact = frozenset(t for name in types for t in _EXACT.get(name, ()))
    if "enum" in prop:
        if not all(isinstance(e, str) for e in prop["enum"]):
            return None
        allowed = frozenset(prop["enum"])
        checks.append(lambda v: isinstance(v, str) and v in allowed)
    if "minimum" in prop:
        low = prop["minimum"]
        checks.append(lambda v: not is_number(v) or v >= low)
    if "maximum" in prop:
        high = prop["maximum"]
        checks.append(lambda v: not is_number(v) or v <= high)
    if "pattern" in prop:
        regex = re.compile(prop["pattern"])
        checks.append(lambda v: not isinstance(v, str) or regex.search(v) is not None)
    if "items" in prop:
        if not isinstance(prop["items"], dict):
            return None
        item = compile_check(prop["items"])
        if item is None:
            return None
        checks.append(lambda v: not isinstance(v, list) or all(item(x) for x in v))
    if not checks:
        check = lambda v: True  # noqa: E731
    elif len(checks) == 1:
        check = checks[0]
    else:
        check = lambda v: all(c(v) for c in checks)  # noqa: E731
    # Values of exactly these Python types pass without calling `check` (a type-only rule).
    check.exact_types = exact if len(checks) == 1 and "type" in prop else frozenset()
    return check


@functools.cache
def _checks(decl: Declaration, entity: str) -> dict[str, Callable[[Any], bool] | None]:
    definition = json_schema(decl)["$defs"][entity]
    simple = set(definition) <= {"type", "additionalProperties", "required", "properties"} | _ANNOTATIONS
    if not simple or definition.get("additionalProperties", True) is not False:
        return {f: None for f in entity_infos(decl)[entity]}
    return {f: compile_check(prop) for f, prop in definition["properties"].items()}


@functools.cache
def validator(decl: Declaration, entity: str):
    from jsonschema import Draft202012Validator  # only rows the fast check flags need it

    schema = json_schema(decl)
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{entity}"})


def _decl(raw: RawTable) -> Declaration:
    if raw.decl is None:
        from .model import default_declaration
        raw.decl = default_declaration()
    return raw.decl


_NUMERIC = {bool, int, float}


def _bad_in_column(col: list, check: Callable[[Any], bool]) -> list[int]:
    """Rows whose present value fails `check`; each distinct value is checked once."""
    present = set(map(type, col))
    present.discard(type(MISSING))
    if present <= check.exact_types:
        return []
    if len(present & _NUMERIC) <= 1 and not present & {list, dict}:  # 1 == True in a set
        wrong = {v for v in set(col) if v is not MISSING and not check(v)}
        return [i for i, v in enumerate(col) if v in wrong] if wrong else []
    return [i for i, v in enumerate(col) if v is not MISSING and not check(v)]


def _flag_rows(raw: RawTable) -> list[int]:
    flagged = set(raw.flagged)
    checks = _checks(_decl(raw), raw.entity)
    for name, info in entity_infos(_decl(raw))[raw.entity].items():
        col = raw.columns.get(name)
        if col is None:
            continue
        check = checks[name]
        if check is None:
            flagged.update(i for i, v in enumerate(col) if v is not MISSING)
        else:
            flagged.update(_bad_in_column(col, check))
        if info.type.required and name not in raw.unchecked and MISSING in col:
            flagged.update(i for i, v in enumerate(col) if v is MISSING)
    return sorted(flagged - raw.skip)


# ------------------------------------------------------------------- conversion

def _academic_year(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON 113.0
    return AcademicYear.parse(value)


class _Implausible(DateError):
    """A date that reads, but most likely not as its writer meant."""


def _record_date(value):
    day = parse_date(value)
    doubt = short_roc_year(value)
    if doubt is not None:
        raise _Implausible(doubt.message, doubt.hint)
    return day


def _size(value):
    try:
        return parse_size(value)
    except SizeError as exc:
        raise DateError(str(exc), _("write a size like 4 MB, 512 KB or 4194304 (bytes)")) from None


def _parser(kind: str) -> tuple[Callable[[Any], Any], str] | None:
    if kind == SIZE:
        return _size, "invalid-size"
    if kind == DATE:
        return _record_date, "invalid-date"
    if kind == SEMESTER:
        return Semester.parse, "invalid-semester"
    if kind == ACADEMIC_YEAR:
        return _academic_year, "invalid-academic-year"
    return None


_WORDS = {DATE: N_("a valid date"), SEMESTER: N_("a valid semester"), ACADEMIC_YEAR: N_("a valid academic year"),
          SIZE: N_("a valid size")}


def _convert_column(col: list, info: FieldInfo, raw: RawTable, report) -> list:
    kind = info.type.name
    if kind == INT and set(map(type, col)) - {int, type(MISSING)}:
        return [None if v is MISSING else int(v) for v in col]  # 2.0 from JSON -> 2
    if kind == LIST_STRING:
        return [None if v is MISSING else tuple(v) for v in col]
    parsed = _parser(kind)
    if parsed is None:
        if kind == STRING:  # one object per distinct text: ids repeat in every reference to them
            same: dict = {MISSING: None}
            return list(map(same.setdefault, col, col))
        return [None if v is MISSING else v for v in col] if MISSING in col else col
    parse, code = parsed
    memo: dict = {MISSING: None}
    failed: dict = {}
    for v in set(col):  # each distinct text parsed once
        if v is not MISSING:
            try:
                memo[v] = parse(v)
            except DateError as exc:
                failed[v] = exc
    if not failed:
        return list(map(memo.__getitem__, col))
    out = []
    for i, v in enumerate(col):
        exc = failed.get(v)
        if exc is None:
            out.append(memo[v])
            continue
        # An ID in the message is masked when printed (cli.common), so --show-personal-data can show it.
        message, hint = exc.message, exc.hint
        if info.personal:  # a message never quotes a field marked x-personal
            message = _("{name} is not {kind}").format(name=info.name, kind=_(_WORDS[kind]))
        if looks_personal(v):
            hint = _("this looks like a national ID: check that the columns are in the right order")
        report(i, Diagnostic("implausible-date" if isinstance(exc, _Implausible) else code, message,
                             raw.locate(i, info.name, False), hint=hint, field=info.name))
        out.append(None)
    return out


def finish(raw: RawTable) -> tuple[Table, list[Diagnostic]]:
    """Check every row against the schema, convert the values, build the Table."""
    infos = entity_infos(_decl(raw))[raw.entity]
    diags: list[Diagnostic] = ignored_fields(raw)
    budget = [MAX_PROBLEMS_PER_FILE - raw.problems]
    hidden: set[int] = set()
    bad_cells: dict[str, set[int]] = {}

    def report(i: int, d: Diagnostic) -> None:
        if budget[0] > 0:
            diags.append(d)
            budget[0] -= 1
        else:
            hidden.add(i)

    for name, rows in normalise_keys(raw, report).items():
        bad_cells.setdefault(name, set()).update(rows)
    vdr = validator(_decl(raw), raw.entity)
    unexamined: set[int] = set()
    for i in _flag_rows(raw):
        if budget[0] <= 0:  # enough listed: the rest are only counted
            unexamined.add(i)
            continue
        rec = raw.record(i)
        if rec is None:
            continue
        seen: set = set()
        for err in vdr.iter_errors(rec):
            path = list(err.absolute_path)
            if path:
                bad_cells.setdefault(str(path[0]), set()).add(i)
            for d in translate(err, raw, i, seen):
                report(i, d)
    hidden |= unexamined
    skip = raw.skip | unexamined

    n = raw.size
    names = list(infos)
    columns = []
    for name in names:
        col = raw.columns.get(name)
        if col is None:
            columns.append([None] * n)
            continue
        blank = bad_cells.get(name, set()) | skip  # not converted: already reported
        if blank:
            col = list(col)
            for i in blank:
                col[i] = MISSING
        columns.append(_convert_column(col, infos[name], raw, report))
        # The raw column is not read again (the Table is built from the converted ones): letting
        # it go now keeps a 200 MB CSV's load under 1.5 GB (its row dicts are made next).
        raw.columns.pop(name, None)
        del col
    if hidden:
        diags.append(Diagnostic(
            "too-many-problems",
            _("only the first {MAX_PROBLEMS_PER_FILE} problems in this file are listed; {hidden} rows have more").format(MAX_PROBLEMS_PER_FILE=MAX_PROBLEMS_PER_FILE, hidden=len(hidden)), Span(raw.file),
            hint=_("fix the listed problems (often one cause) and run again")))
    rows = tuple(dict(zip(names, values)) for values in zip(*columns)) if n else ()
    spans = raw.spans if isinstance(raw.spans, RowSpans) else tuple(raw.spans)
    missing = tuple(n for n in names if n not in raw.csv_columns) if raw.kind == "csv" else ()
    table = Table(raw.entity, rows, spans, field_spans=raw.field_spans,
                  columns=raw.csv_columns, missing_columns=missing)
    return table, diags
