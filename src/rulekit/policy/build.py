"""Build the `Policy` model from a loaded YAML document.

Runs after the schema check, but must not trust it: a document with schema errors
is still built as far as it goes, so the semantic checks can report on the rest in
the same run. Anything malformed is skipped here (the schema has reported it).
"""
from __future__ import annotations

import hashlib
from typing import Any

from ..sourceyaml import Document
from ..textnorm import normalize_key
from .model import (Amendment, DutyRow, DutyTable, KnownConflict, Organization, Parameter, Policy, Provision, Role, Seat,
                    Statement, StudentProvision, Substitutes, SubstituteChain, Task, TeacherProvisions, Unit,
                    WorkingGroup)


def _map(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _names(value: Any) -> tuple[str, ...]:
    return tuple(v for v in _list(value) if isinstance(v, str))


# Roles, units and tasks are keys: read as the records read them (policy/names.py reports
# where that changed what was written). Paths keep the name as written, to find it again.
def _key(value: Any) -> str:
    return normalize_key(value) if isinstance(value, str) else ""


def _keys(value: Any) -> tuple[str, ...]:
    return tuple(normalize_key(v) for v in _list(value) if isinstance(v, str))


def build_policy(doc: Document, source_text: str) -> Policy:
    data = _map(doc.data)
    articles = tuple(_provisions(data.get("articles"), ("articles",)))
    provisions = {p.id: p for a in articles for p in a.walk()}
    return Policy(
        path=doc.path,
        content_hash=hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
        format=_text(data.get("format")),
        metadata=_map(data.get("metadata")),
        amendments=tuple(_amendments(data.get("amendments"))),
        organization=_organization(_map(data.get("organization"))),
        working_group=_working_group(data.get("working_group")),
        articles=articles,
        duty_table=_duty_table(data.get("duty_table")),
        substitutes=_substitutes(data.get("substitutes")),
        tasks=_tasks(_map(data.get("tasks"))),
        parameters=_parameters(_map(data.get("parameters"))),
        record_values={k: _names(v) for k, v in _map(_map(data.get("records")).get("values")).items()},
        known_conflicts=tuple(KnownConflict(_key(k.get("task")), tuple(sorted(_names(k.get("citations")))),
                                            _text(k.get("note")), ("known_conflicts", i))
                              for i, k in enumerate(_list(data.get("known_conflicts"))) if isinstance(k, dict)),
        provisions=provisions,
        time_zone=_text(data.get("time_zone")),
    )


def _provisions(items: Any, path: tuple) -> list[Provision]:
    out = []
    for i, item in enumerate(_list(items)):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        here = path + (i,)
        out.append(Provision(item["id"], _text(item.get("heading")), _text(item.get("text")),
                             tuple(_provisions(item.get("items"), here + ("items",))), here))
    return out


def _amendments(items: Any) -> list[Amendment]:
    return [Amendment(str(a.get("date", "")), _text(a.get("kind")), _text(a.get("meeting")),
                      _text(a.get("summary")), _text(a.get("note")), ("amendments", i))
            for i, a in enumerate(_list(items)) if isinstance(a, dict)]


def _organization(org: dict) -> Organization:
    units: dict = {}
    for kind, key in (("office", "offices"), ("section", "sections"), ("body", "bodies")):
        for name, spec in _map(org.get(key)).items():
            spec = _map(spec)
            units[_key(name)] = Unit(_key(name), kind, _text(spec.get("en")), _key(spec.get("office")),
                               bool(spec.get("external")), bool(spec.get("collective")),
                               _text(spec.get("citation")), ("organization", key, name))
    roles = {_key(name): Role(_key(name), _text(_map(spec).get("en")), _key(_map(spec).get("unit")),
                              _key(_map(spec).get("held_by")), _text(_map(spec).get("citation")),
                        _text(_map(spec).get("per")), ("organization", "roles", name))
             for name, spec in _map(org.get("roles")).items()}
    return Organization(units, roles)


def _working_group(spec: Any) -> WorkingGroup | None:
    if not isinstance(spec, dict):
        return None
    seats = tuple(Seat(_text(s.get("seat")), _key(s.get("role")), ("working_group", "seats", i))
                  for i, s in enumerate(_list(spec.get("seats"))) if isinstance(s, dict))
    size = spec.get("size") if isinstance(spec.get("size"), int) and not isinstance(spec.get("size"), bool) else 0
    return WorkingGroup(_text(spec.get("citation")), _text(spec.get("name")), size,
                        _key(spec.get("convener")), _key(spec.get("executive_secretary")),
                        _text(spec.get("meeting_frequency")), seats, ("working_group",))


def _duty_table(spec: Any) -> DutyTable | None:
    if not isinstance(spec, dict):
        return None
    rows = []
    for i, r in enumerate(_list(spec.get("rows"))):
        if not isinstance(r, dict) or not isinstance(r.get("id"), str):
            continue
        parts = tuple((_key(k), v) for k, v in _map(r.get("parts")).items() if isinstance(v, str))
        rows.append(DutyRow(r["id"], _text(r.get("category")), _text(r.get("content")), _text(r.get("work_item")),
                            _keys(r.get("administration")), parts, _text(r.get("remarks")),
                            _names(r.get("illegible")), ("duty_table", "rows", i)))
    return DutyTable(_text(spec.get("citation")), _text(spec.get("title")), _text(spec.get("note")),
                     tuple(rows), ("duty_table",))


def _substitutes(spec: Any) -> Substitutes | None:
    if not isinstance(spec, dict):
        return None
    citation = _text(spec.get("citation"))
    chains = {_key(task): SubstituteChain(_key(task), _keys(roles), citation, ("substitutes", "chains", task))
              for task, roles in _map(spec.get("chains")).items() if _keys(roles)}
    teacher = None
    t = spec.get("teacher_provisions")
    if isinstance(t, dict):
        teacher = TeacherProvisions(_key(t.get("task")), _key(t.get("role")),
                                    _text(_map(t.get("cannot_assist")).get("citation")),
                                    _text(_map(t.get("can_assist")).get("citation")),
                                    _text(_map(t.get("can_assist")).get("note")),
                                    ("substitutes", "teacher_provisions"))
    student = None
    s = spec.get("student_provision")
    if isinstance(s, dict):
        student = StudentProvision(_text(s.get("citation")), _key(s.get("task")), _key(s.get("responsible")),
                                   _text(s.get("applies_to")), ("substitutes", "student_provision"))
    return Substitutes(citation, _text(spec.get("title")), _key(spec.get("decided_by")), chains,
                       teacher, student, ("substitutes",))


def _tasks(spec: dict) -> dict:
    tasks = {}
    for name, t in spec.items():
        t = _map(t)
        stated = tuple(Statement(_text(s.get("citation")), _keys(s.get("parties")), _text(s.get("scope")),
                                 ("tasks", name, "stated_in", i))
                       for i, s in enumerate(_list(t.get("stated_in"))) if isinstance(s, dict))
        tasks[_key(name)] = Task(_key(name), _text(t.get("en")), _keys(t.get("aliases")), stated, ("tasks", name))
    return tasks


def _parameters(spec: dict) -> dict:
    params = {}
    for name, p in spec.items():
        p = _map(p)
        kind = _text(p.get("type"))
        value = parameter_value(kind, p.get("times") if kind == "frequency" else p.get("value"))
        unit = "times" if kind == "frequency" else _text(p.get("unit"))
        params[name] = Parameter(name, kind, value, unit, _text(p.get("bound")), _text(p.get("citation")),
                                 _text(p.get("quote")), _text(p.get("per")), _text(p.get("subject")),
                                 _names(p.get("also_cited")), ("parameters", name), _text(p.get("label")))
    return params


def parameter_value(kind: str, raw):
    """The value of a parameter of type `kind`, or None when it cannot be read (the schema,
    or checks.parameter_values_readable for dates and sizes, reports it): a whole number for
    counts, durations and frequencies, a tuple of texts for a list, a date, a size in bytes."""
    from ..calendar import DateError, parse_date
    from ..dsl.units import SizeError, parse_size

    if kind == "list":
        ok = isinstance(raw, list) and all(isinstance(v, str) and v for v in raw)
        return tuple(raw) if ok else None
    if kind in ("date", "size"):
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            return None
        try:
            return parse_date(raw) if kind == "date" else parse_size(raw)
        except (DateError, SizeError):
            return None
    if not isinstance(raw, int) or isinstance(raw, bool):
        return None
    return raw
