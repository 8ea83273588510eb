"""One run of the rules: the records, the evaluation date, and what is derived from them once.

Rows, hash indexes for joins, and the subject domains (semesters, academic years,
an entity's records with their labels) are computed on first use and shared by
every rule of the run.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any, Mapping

from ..calendar import AcademicYear, Semester, parse_date
from .aggregate import build_index, count_index
from .period import earliest, time_kind
from .values import display, identity_fields, record_label


class Context:
    """One run: the records, as_of, and what is derived from them once (rows, indexes, domains)."""

    def __init__(self, records, as_of, entities: Mapping, through=None):
        self.records = records
        self.as_of = parse_date(as_of)
        # the last day whose semester `semesters` reaches: as_of, or later for a calendar of what is due
        self.through = max(self.as_of, parse_date(through)) if through is not None else self.as_of
        self.entities = entities
        self._rows: dict[str, tuple] = {}
        self._indexes: dict[tuple, dict] = {}
        self._periods: dict[tuple, list] = {}
        self._earliest_of: dict[tuple[str, str], Semester | None] = {}
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
    def semesters(self, fields: tuple[tuple[str, str], ...]) -> list[Semester]:
        """From the earliest semester of the (entity, field) `fields` to the semester of as_of
        (period.period_fields says which fields a rule's period starts from)."""
        semesters = self._periods.get(fields)
        if semesters is None:
            last = Semester.of(self.through)
            first = min([last] + [s for s in map(self._earliest, fields) if s is not None])
            semesters = self._periods[fields] = Semester.range(first, last)
        return semesters

    def academic_years(self, fields: tuple[tuple[str, str], ...]) -> list[AcademicYear]:
        first = self.semesters(fields)[0].year
        return [AcademicYear(y) for y in range(first, AcademicYear.of(self.through).year + 1)]

    def _earliest(self, entity_field: tuple[str, str]) -> Semester | None:
        """The semester of the smallest value of one field; scanned once per run."""
        if entity_field not in self._earliest_of:
            entity, name = entity_field
            kind = time_kind(self.entities.get(entity, {}).get(name))
            try:
                rows = self.rows(entity)
            except KeyError:  # the records have no such entity
                rows = ()
            self._earliest_of[entity_field] = \
                earliest(kind, filter(None, map(itemgetter(name), rows))) if kind and rows else None
        return self._earliest_of[entity_field]

    def lazy_domain(self, name: str, period: tuple[tuple[str, str], ...] = ()):
        """`domain`, except that an entity's records are labelled when one is read: a columnar
        engine decides every subject's status, and only the results shown need a label."""
        if name in ("semesters", "academic_years", "school") or name in self._domains:
            return self.domain(name, period)
        key = ("lazy", name)
        if key not in self._domains:
            self._domains[key] = LazyDomain(self.rows(name), identity_fields(self.entities.get(name, {})))
        return self._domains[key]

    def domain(self, name: str, period: tuple[tuple[str, str], ...] = ()) -> list[tuple[Any, str]]:
        """(value, label) of every subject a for_each variable ranges over; semesters and
        academic years start from the earliest value of the `period` fields."""
        if name == "semesters":
            return [(s, s.id) for s in self.semesters(period)]
        if name == "academic_years":
            return [(y, y.id) for y in self.academic_years(period)]
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


class LazyDomain:
    """(record, label) of each record of an entity, as `Context.domain` gives them, the label
    made when the pair is first read."""

    __slots__ = ("rows", "keys", "_labels")

    def __init__(self, rows: tuple, keys: tuple):
        self.rows, self.keys, self._labels = rows, keys, {}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int):
        row = self.rows[i]
        label = self._labels.get(i)
        if label is None:
            keys = self.keys
            # display(text) is the text: the same labels as _labels and record_label give
            label = self._labels[i] = display(row[keys[0]]) if len(keys) == 1 else record_label(row, keys)
        return row, label

    def __iter__(self):
        return (self[i] for i in range(len(self.rows)))


def _labels(values: list) -> list:
    """record_label of one key field, per distinct value: ids are text already."""
    if all(type(v) is str for v in values):
        return values
    try:
        shown = {v: display(v) for v in set(values)}
    except TypeError:  # unhashable values (lists)
        return [display(v) for v in values]
    return [shown[v] for v in values]
