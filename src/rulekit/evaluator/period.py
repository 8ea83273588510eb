"""The period a rule's `semesters` and `academic_years` range over.

It ends with the semester of as_of and starts at the earliest semester of the
records the rule is about: every date, semester and academic-year field of an
entity its for_each goes through (a student's enrolment), and every such field
it reads of the records its aggregates and lets go through (`o.semester`,
`m.date`, `window.end`). A date the rule never reads -- the departure of a staff
member it only looks up by id -- cannot stretch the period back to 1990.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Mapping

from ..calendar import AcademicYear, DateError, Semester
from ..dsl import ast as A
from ..dsl import types as T

PERIODS = ("semesters", "academic_years")
TIME_TYPES = ("date", "semester", "academic_year")


def period_fields(rule, entities: Mapping) -> tuple[tuple[str, str], ...]:
    """(entity, field) of every time field the period of `rule` starts from; () when its
    for_each has no semesters or academic years."""
    if not any(domain in PERIODS for __, domain in rule.for_each):
        return ()
    cached = rule.cache.get("period")
    if cached is not None and cached[0] is entities:
        return cached[1]
    found: set[tuple[str, str]] = set()
    for __, domain in rule.for_each:
        found.update((domain, name) for name, ftype in entities.get(domain, {}).items() if time_kind(ftype))
    for node in rule.nodes():
        if isinstance(node, A.Field):
            t = node.obj.type  # the checker annotates every node
            if t is not None and t.name == T.RECORD and time_kind(entities.get(t.entity, {}).get(node.name)):
                found.add((t.entity, node.name))
    fields = tuple(sorted(found))
    rule.cache["period"] = (entities, fields)
    return fields


def time_kind(ftype) -> str | None:
    """The kind of a date, semester or academic-year field (optional or not); None for others."""
    kind = str(getattr(ftype, "name", ftype)).rstrip("?")
    return kind if kind in TIME_TYPES else None


_ORDER_KEYS = {"semester": attrgetter("year", "term"), "academic_year": attrgetter("year")}


def earliest(kind: str, values) -> Semester | None:
    """The semester of the smallest value; semesters are compared by (year, term) tuples,
    which is much faster than their dataclass ordering over a million rows."""
    key = _ORDER_KEYS.get(kind)
    if key is None:
        return _as_semester(min(values, default=None))
    try:
        smallest = min(map(key, values), default=None)
    except AttributeError:  # not calendar objects (e.g. plain numbers): order them as they are
        return None
    if smallest is None:
        return None
    return _as_semester(Semester(*smallest) if kind == "semester" else AcademicYear(smallest))


def _as_semester(value) -> Semester | None:
    try:
        if value is None or isinstance(value, Semester):
            return value
        if isinstance(value, AcademicYear):
            return value.semesters[0]
        if isinstance(value, int):
            return AcademicYear(value).semesters[0]
        return Semester.of(value)
    except DateError:
        return None
