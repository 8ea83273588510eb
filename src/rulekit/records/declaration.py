"""The records a policy declares: kinds of record, their fields, headers and labels.

A school's records are not known to the code: `policy/records.yaml` (format
`rulekit/records@1`) says what each kind of record holds, and a policy includes
it and may add its own kinds and fields (`records: {include: ..., entities: ...}`).
This module reads such declarations (with a span on everything, so a finding
points at its line), merges them, and derives what the loader needs: the field
types, the JSON Schema of a records file, which kind a file or sheet name means,
and how a record is named to staff (`label`). It lives in the records layer so
the loader uses it without importing the policy.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from ..diagnostics import Diagnostic, Span, did_you_mean
from ..i18n import _
from ..textnorm import normalize_key

FORMAT = "rulekit/records@1"
# What a field may hold, as the DSL sees it; `size` is a whole number of bytes (`4 MB`).
FIELD_TYPES = ("string", "int", "bool", "date", "semester", "academic_year", "list[string]", "size")
# A `ref` naming the policy rather than another kind of record; `person` is a staff id,
# a role or an office/section name.
POLICY_REFS = ("policy.roles", "policy.units", "policy.working_group", "person")
_FIELD_KEYS = {"type", "required", "personal", "ref", "name", "headers", "values", "min", "max",
               "description", "example", "does"}
_ENTITY_KEYS = {"name", "files", "key", "label", "dated_by", "fields", "description"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class FieldDecl:
    """One field of a kind of record."""

    name: str
    type: str = "string"
    required: bool = False
    personal: bool = False
    ref: str | None = None  # an entity, one of POLICY_REFS
    zh: str = ""  # the header staff see
    headers: tuple[str, ...] = ()  # other headers accepted for it
    values: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    example: str = ""
    does: tuple[str, ...] = ()  # tasks the person named here does for this record
    span: Span = field(default=Span(""), compare=False, repr=False)
    typed: bool = field(default=True, compare=False, repr=False)  # written with a `type:`

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(h for h in (self.zh, *self.headers) if h)


@dataclass(frozen=True)
class EntityDecl:
    """One kind of record: `students`, or `學生` for a school that names it so."""

    name: str
    zh: str = ""
    files: tuple[str, ...] = ()  # file stems and sheet names meaning this kind
    key: str | None = None  # the field other records refer to it by
    label: str = ""  # how staff see a record: `{id} {name} ({class})`
    dated_by: str | None = None  # the field saying when a record happened (--as-of)
    fields: tuple[FieldDecl, ...] = ()
    description: str = ""
    span: Span = field(default=Span(""), compare=False, repr=False)

    def field(self, name: str) -> FieldDecl | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Declaration:
    """Every kind of record a policy knows, in declaration order."""

    entities: tuple[EntityDecl, ...] = ()
    # where it was read from: not what it declares (a policy read from git declares the same)
    sources: tuple[str, ...] = field(default=(), compare=False)
    # (file, SHA-256 of its text): a cached policy checks that its includes are unchanged
    digests: tuple = field(default=(), compare=False)

    def entity(self, name: str) -> EntityDecl | None:
        return next((e for e in self.entities if e.name == name), None)

    def names(self) -> list[str]:
        return [e.name for e in self.entities]

    def ref_targets(self) -> tuple[str, ...]:
        """Kinds other records may refer to (they have a key)."""
        return tuple(e.name for e in self.entities if e.key)


# ------------------------------------------------------------------ reading

def parse_declaration(data: Any, locate, origin: str) -> tuple[Declaration, list[Diagnostic]]:
    """A declaration document (`format:` and `entities:`) -> Declaration and findings.

    `locate(path, key=False)` gives the span of a value (a sourceyaml Document's `span`)."""
    diags: list[Diagnostic] = []
    if not isinstance(data, dict):
        return Declaration(sources=(origin,)), [Diagnostic(
            "not-a-mapping", _("a records declaration maps entities: to kinds of record"), locate(()),
            hint="format: rulekit/records@1\nentities:\n  students: ...")]
    if data.get("format") != FORMAT:
        diags.append(Diagnostic("unknown-format", _("the records declaration must say format: {fmt}").format(fmt=FORMAT),
                                locate(("format",)), hint=_("write `format: {fmt}` on its first line").format(fmt=FORMAT)))
    for key in data:
        if key not in ("format", "entities"):
            diags.append(Diagnostic("unknown-key", _("unknown key {key} in a records declaration").format(key=key),
                                    locate((key,), True), hint=did_you_mean(str(key), ["format", "entities"])))
    entities, found = parse_entities(data.get("entities"), locate, ("entities",))
    diags.extend(found)
    return Declaration(tuple(entities), (origin,)), diags


def parse_entities(data: Any, locate, base: tuple) -> tuple[list[EntityDecl], list[Diagnostic]]:
    """The `entities:` mapping (of a declaration file, or of a policy's own `records:`)."""
    if data is None:
        return [], []
    if not isinstance(data, dict):
        return [], [Diagnostic("not-a-mapping", _("entities maps each kind of record to its fields"),
                               locate(base), hint="e.g. students: {key: id, fields: {id: {type: string}}}")]
    out, diags = [], []
    for name, body in data.items():
        entity, found = _entity(str(name), body, locate, base + (name,))
        diags.extend(found)
        out.append(entity)
    return out, diags


def _entity(name: str, body: Any, locate, path: tuple) -> tuple[EntityDecl, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    body = body if isinstance(body, dict) else {}
    diags += _unknown_keys(body, _ENTITY_KEYS, locate, path)
    fields = []
    raw_fields = body.get("fields") if isinstance(body.get("fields"), dict) else {}
    for fname, fbody in raw_fields.items():
        fdecl, found = _field(str(fname), fbody, locate, path + ("fields", fname))
        diags.extend(found)
        fields.append(fdecl)
    files = body.get("files") or ()
    entity = EntityDecl(
        name=name, zh=_text(body.get("name")), files=tuple(str(f) for f in _listed(files)),
        key=_opt(body.get("key")), label=_text(body.get("label")), dated_by=_opt(body.get("dated_by")),
        fields=tuple(fields), description=_text(body.get("description")), span=locate(path, True))
    return entity, diags


def _field(name: str, body: Any, locate, path: tuple) -> tuple[FieldDecl, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if isinstance(body, str):  # `grade: int`, the short form
        body = {"type": body}
    body = body if isinstance(body, dict) else {}
    diags += _unknown_keys(body, _FIELD_KEYS, locate, path)
    ftype = str(body.get("type", "string"))
    if ftype not in FIELD_TYPES:
        diags.append(Diagnostic("unknown-type", _("field {name} has the unknown type {type}").format(name=name, type=ftype),
                                locate(path + ("type",)),
                                hint=did_you_mean(ftype, FIELD_TYPES) or "types: " + ", ".join(FIELD_TYPES)))
        ftype = "string"
    values = body.get("values")
    return FieldDecl(
        name=name, type=ftype, required=body.get("required") is True, personal=body.get("personal") is True,
        ref=_opt(body.get("ref")), zh=_text(body.get("name")),
        headers=tuple(str(h) for h in _listed(body.get("headers") or ())),
        values=tuple(str(v) for v in _listed(values)) if values is not None else None,
        minimum=_number(body.get("min")), maximum=_number(body.get("max")),
        description=_text(body.get("description")), example=_text(body.get("example")),
        does=tuple(str(t) for t in _listed(body.get("does") or ())), span=locate(path, True),
        typed="type" in body), diags


def _unknown_keys(body: dict, allowed: set, locate, path: tuple) -> list[Diagnostic]:
    return [Diagnostic("unknown-key", _("unknown key {key} here").format(key=key), locate(path + (key,), True),
                       hint=did_you_mean(str(key), allowed) or "keys: " + ", ".join(sorted(allowed)))
            for key in body if key not in allowed]


def _listed(value) -> list:
    if value is None or value == ():
        return []
    return value if isinstance(value, list) else [value]


def _text(value) -> str:
    return "" if value is None else str(value)


def _opt(value) -> str | None:
    return None if value is None or str(value) == "" else str(value)


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


# ------------------------------------------------------------------ merging and checking

def merge(base: Declaration, entities: list[EntityDecl]) -> tuple[Declaration, list[Diagnostic]]:
    """`base` extended by a policy's own `entities`: new kinds are added; a kind `base` has
    gains the new fields. A field it has already may be extended, written without `type:`
    (more headers, its Chinese name, the tasks it `does`); written with a type, it is an error."""
    out = list(base.entities)
    diags: list[Diagnostic] = []
    for extra in entities:
        known = next((i for i, e in enumerate(out) if e.name == extra.name), None)
        if known is None:
            out.append(extra)
            continue
        old = out[known]
        fields = list(old.fields)
        for f in extra.fields:
            k = next((i for i, g in enumerate(fields) if g.name == f.name), None)
            if k is None:
                fields.append(f)
            elif f.typed:
                diags.append(Diagnostic("duplicate-field", _("{entity}.{name} is declared already").format(
                    entity=extra.name, name=f.name), f.span,
                    hint=_("give the new field another name, or leave out type: to extend it")))
            else:
                g = fields[k]
                fields[k] = replace(g, zh=f.zh or g.zh, headers=g.headers + f.headers, does=g.does + f.does,
                                    values=f.values if f.values is not None else g.values)
        out[known] = replace(old, fields=tuple(fields), zh=extra.zh or old.zh,
                             files=old.files + extra.files, label=extra.label or old.label,
                             dated_by=extra.dated_by or old.dated_by, key=old.key or extra.key)
    return Declaration(tuple(out), base.sources), diags


def check_declaration(decl: Declaration) -> list[Diagnostic]:
    """What reading each entity alone cannot see: keys, labels, dates and refs naming fields or
    kinds that do not exist, and one file name meaning two kinds."""
    diags: list[Diagnostic] = []
    names = decl.names()
    stems: dict[str, str] = {}
    for e in decl.entities:
        fields = [f.name for f in e.fields]
        for what, value in (("key", e.key), ("dated_by", e.dated_by)):
            if value is not None and value not in fields:
                diags.append(Diagnostic("unknown-field", _("{what} of {entity} names no field: {value}").format(
                    what=what, entity=e.name, value=value), e.span, hint=did_you_mean(value, fields)))
        for name in _PLACEHOLDER.findall(e.label):
            f = e.field(name)
            if f is None:
                diags.append(Diagnostic("unknown-field", _("the label of {entity} names no field: {value}").format(
                    entity=e.name, value=name), e.span, hint=did_you_mean(name, fields)))
            elif f.personal:
                diags.append(Diagnostic("personal-label", _("the label of {entity} shows the personal field {value}").format(
                    entity=e.name, value=name), e.span, hint=_("a label is printed unmasked: leave personal fields out")))
        for f in e.fields:
            if f.ref and f.ref not in names and f.ref not in POLICY_REFS:
                diags.append(Diagnostic("unknown-reference", _("{entity}.{name} refers to {ref}, which is not declared").format(
                    entity=e.name, name=f.name, ref=f.ref), f.span, hint=did_you_mean(f.ref, names + list(POLICY_REFS))))
        for stem in stems_of(e):
            other = stems.setdefault(normalize_key(stem), e.name)
            if other != e.name:
                diags.append(Diagnostic("duplicate-entity", _("the file name {stem} means both {a} and {b}").format(
                    stem=stem, a=other, b=e.name), e.span, hint=_("keep the name on one kind of record")))
    return diags


# ------------------------------------------------------------------ what the loader derives

def entity_of_stem(decl: Declaration, stem: str) -> str | None:
    """The kind of record a file stem or sheet name means (`學生資料` -> students), or None.
    The one place a name becomes a kind: CSV and JSON Lines files, YAML keys, Excel sheets."""
    return _stems(decl).get(normalize_key(stem))


@functools.cache
def _stems(decl: Declaration) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in decl.entities:
        for stem in stems_of(e):
            out.setdefault(normalize_key(stem), e.name)
    return out


def stems_of(e: EntityDecl) -> tuple[str, ...]:
    """The names a file or sheet of `e` may have: its name, its Chinese name, its `files`."""
    return tuple(dict.fromkeys(s for s in (e.name, e.zh, *e.files) if s))


def file_names(decl: Declaration) -> list[str]:
    """Every name a file may have (without extension), for a did-you-mean."""
    return [stem for e in decl.entities for stem in stems_of(e)]


def format_label(decl: Declaration, entity: str, row: Mapping) -> str | None:
    """How staff see a record: its entity's `label` filled from `row`. Parts whose field is
    absent or empty are left out with the brackets or dash around them; personal fields are
    never shown. None when the entity has no label and no key."""
    e = decl.entity(entity)
    if e is None:
        return None
    template = e.label or ("{%s}" % e.key if e.key else "")
    if not template:
        return None

    def fill(match: re.Match) -> str:
        f = e.field(match.group(1))
        value = row.get(match.group(1))
        if f is None or f.personal or value is None or value == "":
            return "\0"
        return str(value)

    text = _PLACEHOLDER.sub(fill, template)
    # an empty part takes its brackets or separator with it: `({class}-{seat})` without a seat
    text = re.sub(r"[-/]?\0[-/]?", "\0", text)
    text = re.sub(r"[(（]\s*\0*\s*[)）]", "", text)
    text = " ".join(text.replace("\0", " ").split())
    text = re.sub(r"([(（])\s+|\s+([)）])", lambda m: m.group(1) or m.group(2), text)
    return text or None


_JSON_TYPES = {"string": {"type": "string"}, "int": {"type": "integer"}, "bool": {"type": "boolean"},
               "date": {"type": ["string", "integer"], "x-type": "date"},
               "semester": {"type": "string", "x-type": "semester"},
               "academic_year": {"type": ["integer", "string"], "x-type": "academic_year"},
               "size": {"type": ["string", "integer"], "x-type": "size"},
               "list[string]": {"type": "array", "items": {"type": "string"}}}


def field_schema(f: FieldDecl) -> dict:
    prop: dict = dict(_JSON_TYPES[f.type])
    if f.values is not None:
        prop["enum"] = list(f.values)
    if f.minimum is not None:
        prop["minimum"] = f.minimum
    if f.maximum is not None:
        prop["maximum"] = f.maximum
    if f.aliases:
        prop["x-aliases"] = list(f.aliases)
    if f.personal:
        prop["x-personal"] = True
    if f.ref:
        prop["x-ref"] = f.ref
    if f.description:
        prop["description"] = f.description
    return prop


@functools.cache
def json_schema(decl: Declaration) -> dict:
    """The JSON Schema of a records file (entity -> list of records), from the declaration."""
    defs = {}
    for e in decl.entities:
        definition: dict = {"type": "object", "additionalProperties": False}
        required = [f.name for f in e.fields if f.required]
        if required:
            definition["required"] = required
        definition["properties"] = {f.name: field_schema(f) for f in e.fields}
        defs[e.name] = definition
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rulekit school records",
        "description": "Entity name -> list of records, as declared in " + ", ".join(decl.sources),
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {"type": "array", "items": {"$ref": f"#/$defs/{name}"}} for name in defs},
        "$defs": defs,
    }


@functools.cache
def _load(path: str, stamp: tuple) -> Declaration:
    from ..diagnostics import RulekitError, errors_in
    from ..sourceyaml import load_text, read_text

    from ..i18n import _

    doc = load_text(read_text(path, _("records declaration")), path,
                    _("a records declaration starts with `format: rulekit/records@1`"))
    decl, diags = parse_declaration(doc.data, doc.span, path)
    diags += check_declaration(decl)
    if errors_in(diags):
        raise RulekitError(errors_in(diags))
    return decl


def load_declaration(path: str) -> Declaration:
    """A declaration file on its own (no policy to extend it); RulekitError if it has errors."""
    import os

    try:
        st = os.stat(path)
        stamp = (st.st_size, st.st_mtime_ns)
    except OSError:
        stamp = ()
    return _load(path, stamp)
