"""One run of the rules: the records, the evaluation date, and what is derived from them once.

Rows, hash indexes for joins, and the subject domains (semesters, academic years,
an entity's records with their labels) are computed on first use and shared by
every rule of the run.
"""
from __future__ import annotations

from operator import attrgetter, itemgetter
from typing import Any, Iterable, Mapping

from ..calendar import AcademicYear, DateError, Semester, parse_date
from .aggregate import build_index, count_index
from .values import display, identity_fields, record_label

_TIME_TYPES = ("date", "semester", "academic_year")


class Context:
    """One run: the records, as_of, and what is derived from them once (rows, indexes, domains)."""

    def __init__(self, records, as_of, entities: Mapping):
        self.records = records
        self.as_of = parse_date(as_of)
        self.entities = entities
        self._rows: dict[str, tuple] = {}
        self._indexes: dict[tuple, dict] = {}
        self._semesters: list | None = None
        self._domains: dict[str, list] = {}

    def rows(self, entity: str) -> tuple:
        rows = self._rows.get(entity)
        if rows is None:
            rows = self._rows[entity] = tuple(self.records.get(entity).rows)
        return rows

    def index(self, entity: str, fields: tuple[str, ...]) -> dict:
        """Rows of `entity` grouped by the values of `fields`; built once per run."""
        key = (entity, fields, "rows")
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = build_index(self.rows(entity), fields)
        return index

    def counts(self, entity: str, fields: tuple[str, ...]) -> dict:
        """Number of rows of `entity` per value of `fields`; built once per run."""
        key = (entity, fields, "counts")
        counts = self._indexes.get(key)
        if counts is None:
            counts = self._indexes[key] = count_index(self.rows(entity), fields)
        return counts

    # ------------------------------------------------------------ domains
    def semesters(self) -> list[Semester]:
        """From the earliest semester any record touches to the semester of as_of."""
        if self._semesters is None:
            last = Semester.of(self.as_of)
            first = min([last] + [s for s in self._earliest_per_field() if s is not None])
            self._semesters = Semester.range(first, last)
        return self._semesters

    def academic_years(self) -> list[AcademicYear]:
        first = self.semesters()[0].year
        return [AcademicYear(y) for y in range(first, AcademicYear.of(self.as_of).year + 1)]

    def _earliest_per_field(self) -> Iterable[Semester | None]:
        for entity, fields in self.entities.items():
            try:
                rows = self.rows(entity)
            except KeyError:
                continue
            for name, ftype in fields.items():
                kind = str(getattr(ftype, "name", ftype)).rstrip("?")
                if kind in _TIME_TYPES and rows:
                    yield _earliest(kind, filter(None, map(itemgetter(name), rows)))

    def domain(self, name: str) -> list[tuple[Any, str]]:
        """(value, label) of every subject a for_each variable ranges over."""
        if name == "semesters":
            return [(s, s.id) for s in self.semesters()]
        if name == "academic_years":
            return [(y, y.id) for y in self.academic_years()]
        if name == "school":
            return [("school", "school")]
        pairs = self._domains.get(name)
        if pairs is None:  # the same for every rule over this entity: made once per run
            keys = identity_fields(self.entities.get(name, {}))
            rows = self.rows(name)
            labels = [record_label(row, keys) for row in rows] if len(keys) != 1 else \
                _labels(list(map(itemgetter(keys[0]), rows)))
            pairs = self._domains[name] = list(zip(rows, labels))
        return pairs


def _labels(values: list) -> list:
    """record_label of one key field, per distinct value: ids are text already."""
    if all(type(v) is str for v in values):
        return values
    try:
        shown = {v: display(v) for v in set(values)}
    except TypeError:  # unhashable values (lists)
        return [display(v) for v in values]
    return [shown[v] for v in values]


_ORDER_KEYS = {"semester": attrgetter("year", "term"), "academic_year": attrgetter("year")}


def _earliest(kind: str, values) -> Semester | None:
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
