"""A check report as the office reads it on a page: counts per article, the results about
each student, and the student's name and class beside each result.

Which student a result is about comes from the records schema, not from names in the
rules: a subject that is a `students` record is that student; a subject record with a field
that refers to `students` (x-ref) is about the student it names.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..evaluator.result import STATUS_ZH
from .check import _caption, _regulation_order

STATUS_ORDER = tuple(STATUS_ZH)  # pass, fail, pending, not_applicable


@dataclass(frozen=True)
class Line:
    """One result as a row of the page: its place in the report (`index`) and its student."""

    index: int
    result: object
    student: dict | None


@dataclass(frozen=True)
class Article:
    citation: str
    caption: str
    counts: dict  # status -> number of results, over every result of the article
    lines: tuple[Line, ...]  # the results chosen (by status, class, student)


@lru_cache(maxsize=1)
def _student_fields(decl) -> frozenset[str]:
    """Names of record fields that refer to a student (x-ref: students), as `decl` declares them."""
    from ..records.model import entity_infos

    return frozenset(name for fields in entity_infos(decl).values() for name, info in fields.items()
                     if info.type.ref == "students")


def student_index(records) -> dict:
    """student id -> its students record (empty when the records have no students)."""
    if records is None or "students" not in records:
        return {}
    return {row.get("id"): row for row in records.get("students").rows}


def student_of(result, students: dict, decl=None) -> dict | None:
    """The students record a result is about, or None (a semester, a meeting, the school)."""
    fields = _student_fields(decl)
    for value in result.bindings().values():
        if not isinstance(value, dict):
            continue
        row = students.get(value.get("id"))
        if row is value:
            return row
        for name in fields:
            if value.get(name) in students:
                return students[value[name]]
    return None


def overview(report, records, statuses=("fail",), article: str | None = None, klass: str | None = None,
             student: str | None = None) -> tuple[Article, ...]:
    """The report's articles in the regulation's order, each with its counts and the results
    whose status is in `statuses` (and, when given, of that article, class or student id)."""
    students = student_index(records)
    counts: dict[str, Counter] = {}
    lines: dict[str, list[Line]] = {}
    for i, r in enumerate(report.results):
        who = student_of(r, students, getattr(records, "declaration", None)) if (klass or student or r.status in statuses) else None
        if student and (who is None or who.get("id") != student):
            continue
        counts.setdefault(r.citation, Counter())[r.status] += 1
        if r.status in statuses and (not article or r.citation == article) \
                and (not klass or (who is not None and who.get("class") == klass)):
            lines.setdefault(r.citation, []).append(Line(i, r, who))
    order = _regulation_order(report.policy)
    provisions = report.policy.provisions
    return tuple(Article(c, _caption(provisions.get(c)), {s: n[s] for s in STATUS_ORDER},
                         tuple(lines.get(c, ())))
                 for c, n in sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))


def classes(records) -> list[str]:
    """The classes of the students, sorted: the choices of the class filter."""
    return sorted({str(row.get("class")) for row in student_index(records).values() if row.get("class")})
