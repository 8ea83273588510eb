"""Aggregates (count, exists, first, all, sum, min, max) and type-directed value helpers.

An aggregate over an entity looks at the conjuncts of its `where`: each
`x.f == E` with E not mentioning x becomes a hash-index key, so the rows
considered are exactly the bucket `index[(E1, E2, ...)]`; the other conjuncts
are tested row by row. The index is built on first use in a run and kept in
an environment slot, so it is built once per (entity, fields) per rule run.

The index is only a shortcut for the full scan, which stays compiled beside it:
a row is rejected by any conjunct that is false for it, whatever the others do
(`_where_all`), so leaving out the rows outside the bucket cannot hide a failure
the scan would report; and when a key itself cannot be computed, the scan runs.
"""
from __future__ import annotations

import operator
from collections import Counter, defaultdict
from typing import Callable, Mapping

from ..calendar import DateError, count_days
from ..dsl import ast as A
from ..dsl import types as T
from ..dsl.units import format_size
from .failure import per_row
from .values import (MISSING, ZERO, EvalError, add_durations, compare_durations, display,
                     identity_fields, record_label, same, to_json, undated)
from ..i18n import _

Fn = Callable[[list], object]
_UNINDEXABLE = (T.LIST, T.RECORD, T.DURATION, T.ANY)


def conjuncts(node: A.Node | None) -> list[A.Node]:
    if node is None:
        return []
    if isinstance(node, A.BinOp) and node.op == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def count_index(rows, fields: tuple[str, ...]) -> dict:
    """How many rows have each value of `fields` (one value, or a tuple of several)."""
    return Counter(map(operator.itemgetter(*fields), rows))


def build_index(rows, fields: tuple[str, ...]) -> dict:
    """Rows grouped by the values of `fields` (one value, or a tuple of several)."""
    groups: defaultdict = defaultdict(list)
    if len(fields) == 1:
        f = fields[0]
        for row in rows:
            groups[row[f]].append(row)
    else:
        key = operator.itemgetter(*fields)
        for row in rows:
            groups[key(row)].append(row)
    return dict(groups)


def compile_aggregate(c, n: A.Aggregate, scope: dict[str, int]) -> Fn:
    binder = c.fresh()
    inner = {**scope, n.var: binder}
    c._quiet += 1
    try:
        entity = _entity(c, n, scope)
        terms = conjuncts(n.where)
        keys = _index_keys(c, terms, n.var, scope) if entity is not None else {}
        tests = [_key_test(binder, *keys[i]) if i in keys else c.expr(t, inner)
                 for i, t in enumerate(terms)]
        body = c.expr(n.body, inner) if n.body is not None else None
        every_row = _all_rows(c, n, scope, entity)
    finally:
        c._quiet -= 1
    if c.locate:  # a failure inside names the record it was reading
        source = c.type(n.source)
        item = source.elem if source.name == T.LIST else source
        tests = [per_row(t, binder, item, c.entities) for t in tests]
        body = per_row(body, binder, item, c.entities)
    build = _BUILD[n.op]
    body_type = c.type(n.body) if n.body is not None else None
    scan = build(every_row, _where_all(tests), body, binder, body_type, n.span)
    if not keys:
        return scan
    rest = _where_all([test for i, test in enumerate(tests) if i not in keys])
    fields = tuple(sorted(f for f, __ in keys.values()))
    key_of = _key_function([fn for __, fn in sorted(keys.values(), key=lambda k: k[0])])
    if rest is None and n.op in ("count", "exists"):
        return _counted(c, n.op, entity, fields, key_of, scan)
    indexed = build(_bucket(c, entity, fields, key_of), rest, body, binder, body_type, n.span)

    def indexed_or_scan(env):
        try:
            return indexed(env)
        except _NoKey:
            return scan(env)
    return indexed_or_scan


def _entity(c, n: A.Aggregate, scope: dict[str, int]) -> str | None:
    """The entity an aggregate goes through (`o in course_outcomes`), None for a list."""
    return c.entity(n.source, scope)


def _all_rows(c, n: A.Aggregate, scope: dict[str, int], entity: str | None) -> Fn:
    if entity is not None:
        return lambda env: env[0].rows(entity)
    src = c.expr(n.source, scope)
    return lambda env: src(env) or ()


class _NoKey(Exception):
    """An index key could not be computed: the aggregate answers by the full scan instead,
    which meets the same failure row by row and reports it as the scan would."""


def _bucket(c, entity: str, fields: tuple[str, ...], key_of: Fn) -> Fn:
    """The rows whose `fields` equal the key: the only rows no key conjunct rejects."""
    slot = c.fresh()

    def bucket(env):
        try:
            key = key_of(env)
        except Exception:  # noqa: BLE001 - whatever it is, the scan meets it too
            raise _NoKey from None
        index = env[slot]
        if index is None:
            index = env[slot] = env[0].index(entity, fields)
        return index.get(key, ())
    return bucket


def _key_test(binder: int, name: str, key: Fn) -> Fn:
    """`x.name == E` in the full scan, from the same key function the index is looked up with,
    so that the two paths cannot disagree on what equal means."""
    return lambda env: env[binder][name] == key(env)


def _key_function(fns: list[Fn]) -> Fn:
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        k1, k2 = fns
        return lambda env: (k1(env), k2(env))
    return lambda env: tuple([k(env) for k in fns])


def _counted(c, op: str, entity: str, fields: tuple[str, ...], key_of: Fn, scan: Fn) -> Fn:
    """count/exists answered from per-key row counts (no row lists needed)."""
    slot = c.fresh()

    def count(env):
        try:
            key = key_of(env)
        except Exception:  # noqa: BLE001 - the scan meets it too, row by row
            return scan(env)
        counts = env[slot]
        if counts is None:
            counts = env[slot] = env[0].counts(entity, fields)
        return counts.get(key, 0)
    if op == "count":
        return count
    return lambda env: count(env) > 0


def _index_keys(c, terms: list[A.Node], var: str, scope: dict[str, int]) -> dict[int, tuple[str, Fn]]:
    """Which conjuncts an index answers: position -> (field, key function); one per field."""
    keys: dict[int, tuple[str, Fn]] = {}
    for i, term in enumerate(terms):
        key = _index_key(c, term, var, scope, {f for f, __ in keys.values()})
        if key is not None:
            keys[i] = key
    return keys


def _index_key(c, term: A.Node, var: str, scope: dict[str, int], used: set) -> tuple[str, Fn] | None:
    if not (isinstance(term, A.Compare) and term.op == "=="):
        return None
    for side, other in ((term.left, term.right), (term.right, term.left)):
        if isinstance(side, A.Field) and isinstance(side.obj, A.Var) and side.obj.name == var \
                and side.name not in used and var not in A.free_vars(other) \
                and c.type(side).name not in _UNINDEXABLE:
            return side.name, c.expr(other, scope)
    return None


def _where_all(tests: list[Fn]) -> Fn | None:
    """Every conjunct of a `where` holds for the row. One that cannot be computed fails the
    aggregate only when no other conjunct rejects the row (the first such, in written order):
    so the answer does not depend on the conjuncts' order, nor on which an index answered."""
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]

    def where(env):
        failed = None
        for test in tests:
            try:
                if not test(env):
                    return False
            except Exception as exc:  # noqa: BLE001 - raised below unless the row is rejected
                if failed is None:
                    failed = exc
        if failed is not None:
            raise failed
        return True
    return where


# ------------------------------------------------------------------ one builder per op

def _count(rows, pred, body, b, bt, span):
    if pred is None:
        return lambda env: len(rows(env))

    def count(env):
        n = 0
        for row in rows(env):
            env[b] = row
            if pred(env):
                n += 1
        return n
    return count


def _exists(rows, pred, body, b, bt, span):
    if pred is None:
        return lambda env: len(rows(env)) > 0

    def exists(env):
        for row in rows(env):
            env[b] = row
            if pred(env):
                return True
        return False
    return exists


def _first(rows, pred, body, b, bt, span):
    def first(env):
        for row in rows(env):
            env[b] = row
            if pred is None or pred(env):
                return row
        return None
    return first


def _all(rows, pred, body, b, bt, span):
    def all_(env):
        for row in rows(env):
            env[b] = row
            if (pred is None or pred(env)) and not body(env):
                return False
        return True
    return all_


def _values(rows, pred, body, b):
    def values(env):
        out = []
        for row in rows(env):
            env[b] = row
            if pred is None or pred(env):
                v = body(env)
                if v is not None:
                    out.append(v)
        return out
    return values


def _list(rows, pred, body, b, bt, span):
    return _values(rows, pred, body, b)


def _sum(rows, pred, body, b, bt, span):
    values = _values(rows, pred, body, b)
    if bt.name in (T.INT, T.SIZE):
        return lambda env: sum(values(env))

    def sum_durations(env):
        total = ZERO
        for v in values(env):
            total = add_durations(total, v, 1, span)
        return undated(total)
    return sum_durations


def _extreme(pick):
    def build(rows, pred, body, b, bt, span):
        values = _values(rows, pred, body, b)
        if bt.name != T.DURATION:
            return lambda env: pick(vs) if (vs := values(env)) else None

        def extreme(env):
            vs = values(env)
            if not vs:
                return None
            # zero fits either kind. Date differences are not ordered among months: two of
            # them can each be exactly 1 month by the calendar and still differ in days.
            keys = [v.normalised() for v in vs]
            if len({kind for kind, n in keys if n}) > 1:
                raise EvalError(_("cannot order durations in months together with durations in days"),
                                span, _("a month has no fixed number of days"))
            return pick(vs, key=lambda v: v.normalised()[1])
        return extreme
    return build


_BUILD = {"count": _count, "exists": _exists, "first": _first, "all": _all,
          "sum": _sum, "min": _extreme(min), "max": _extreme(max), "list": _list}


# ------------------------------------------------------------------ value helpers

def day_count(span):
    def days(start, end):
        try:
            return count_days(start, end)
        except DateError as exc:
            raise EvalError(exc.message, span, _("days(start, end) needs start <= end")) from None
    return days


_HOLDS = {"<": lambda r: r < 0, "<=": lambda r: r <= 0, ">": lambda r: r > 0, ">=": lambda r: r >= 0}


def duration_compare(op: str, span):
    """An operator on durations, or on lists of them (== and != only), by the one algebra."""
    if op == "==":
        return lambda x, y: same(x, y, span)
    if op == "!=":
        return lambda x, y: not same(x, y, span)
    holds = _HOLDS[op]
    return lambda x, y: holds(compare_durations(x, y, span))


def _label(t: T.Type, entities: Mapping):
    """How records (also in lists, in lists of lists) are named: by their identity fields,
    never with their other (maybe personal) fields; a missing record stays missing."""
    if t.name == T.RECORD:
        keys = identity_fields(entities.get(t.entity, {}))
        return lambda row: None if row is None else record_label(row, keys)
    if t.name == T.LIST and t.elem is not None:
        one = _label(t.elem, entities)
        if one is not None:
            return lambda rows: None if rows is None else [one(r) for r in rows]
    return None


_SHOW = {
    T.STRING: lambda v: MISSING if v is None else v,
    T.INT: lambda v: MISSING if v is None else str(v),
    T.SEMESTER: lambda v: MISSING if v is None else v.id,
    T.ACADEMIC_YEAR: lambda v: MISSING if v is None else v.id,
    T.DATE: lambda v: MISSING if v is None else v.isoformat(),
    T.SIZE: lambda v: MISSING if v is None else format_size(v),
}


# str() of these is already how a message shows them (calendar objects print their id)
_SHOWN_BY_STR = (T.STRING, T.INT, T.SEMESTER, T.ACADEMIC_YEAR, T.DATE)


def display_of(t: T.Type, entities: Mapping) -> Callable[[object], str] | None:
    """How a value of type t is written into a message; None when str.format needs no help."""
    if t.name in _SHOWN_BY_STR and not t.optional:
        return None
    if t.name in _SHOW:
        return _SHOW[t.name]
    label = _label(t, entities)
    if label is None:
        return display
    return lambda v: MISSING if v is None else display(label(v))


def joiner(elem: T.Type | None, entities: Mapping) -> Callable[[list, str], str]:
    """join(list, sep): each item as a message shows it (a record by its id, a date as
    2024-01-19, a size as 4 MB, a missing item as —), with sep between them."""
    show = display_of(elem.maybe(), entities) if elem is not None else display
    return lambda items, sep: sep.join(show(v) for v in items)


def json_of(t: T.Type, entities: Mapping) -> Callable[[object], object]:
    """How a value of type t appears in Result.values (JSON-able)."""
    if t.name in (T.INT, T.BOOL, T.STRING) and not t.optional:
        return lambda v: v
    if t.name == T.SIZE:  # as a policy writes it: 4 MB
        return lambda v: None if v is None else format_size(v)
    label = _label(t, entities)
    if label is None:
        return to_json
    return lambda v: None if v is None else label(v)
