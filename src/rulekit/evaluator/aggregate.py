"""Aggregates (count, exists, first, all, sum, min, max) and type-directed value helpers.

An aggregate over an entity looks at the conjuncts of its `where`: each
`x.f == E` with E not mentioning x becomes a hash-index key, so the rows
considered are exactly the bucket `index[(E1, E2, ...)]`; the other conjuncts
are tested row by row. The index is built on first use in a run and kept in
an environment slot, so it is built once per (entity, fields) per rule run.
"""
from __future__ import annotations

import operator
from collections import Counter, defaultdict
from typing import Callable, Mapping

from ..calendar import DateError, Duration, count_days
from ..dsl import ast as A
from ..dsl import types as T
from .failure import per_row
from .values import (MISSING, EvalError, add_durations, compare_durations, display, duration_key,
                     identity_fields, record_label, to_json)

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
        rows, rest, lookup = _rows(c, n, scope)
        pred = _all_of([c.expr(t, inner) for t in rest])
        body = c.expr(n.body, inner) if n.body is not None else None
    finally:
        c._quiet -= 1
    if c.locate:  # a failure inside names the record it was reading
        item = c.type(n.source).elem if c.type(n.source).name == T.LIST else c.type(n.source)
        pred, body = (per_row(fn, binder, item, c.entities) for fn in (pred, body))
    if lookup is not None and pred is None and n.op in ("count", "exists"):
        return _counted(c, n.op, *lookup)
    body_type = c.type(n.body) if n.body is not None else None
    return _BUILD[n.op](rows, pred, body, binder, body_type, n.span)


def _rows(c, n: A.Aggregate, scope: dict[str, int]):
    """The candidate rows, the conjuncts still to test on each, and the index lookup used."""
    terms = conjuncts(n.where)
    entity = c.entity(n.source, scope)
    if entity is None:
        src = c.expr(n.source, scope)
        return (lambda env: src(env) or ()), terms, None
    keys: list[tuple[str, Fn]] = []
    rest: list[A.Node] = []
    for term in terms:
        key = _index_key(c, term, n.var, scope, {f for f, _ in keys})
        if key is None:
            rest.append(term)
        else:
            keys.append(key)
    if not keys:
        return (lambda env: env[0].rows(entity)), rest, None
    keys.sort(key=lambda k: k[0])
    fields = tuple(f for f, _ in keys)
    key_of = _key_function([fn for _, fn in keys])
    slot = c.fresh()

    def bucket(env):
        index = env[slot]
        if index is None:
            index = env[slot] = env[0].index(entity, fields)
        return index.get(key_of(env), ())
    return bucket, rest, (entity, fields, key_of)


def _key_function(fns: list[Fn]) -> Fn:
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        k1, k2 = fns
        return lambda env: (k1(env), k2(env))
    return lambda env: tuple([k(env) for k in fns])


def _counted(c, op: str, entity: str, fields: tuple[str, ...], key_of: Fn) -> Fn:
    """count/exists answered from per-key row counts (no row lists needed)."""
    slot = c.fresh()

    def count(env):
        counts = env[slot]
        if counts is None:
            counts = env[slot] = env[0].counts(entity, fields)
        return counts.get(key_of(env), 0)
    if op == "count":
        return count
    return lambda env: count(env) > 0


def _index_key(c, term: A.Node, var: str, scope: dict[str, int], used: set) -> tuple[str, Fn] | None:
    if not (isinstance(term, A.Compare) and term.op == "=="):
        return None
    for side, other in ((term.left, term.right), (term.right, term.left)):
        if isinstance(side, A.Field) and isinstance(side.obj, A.Var) and side.obj.name == var \
                and side.name not in used and var not in A.free_vars(other) \
                and c.type(side).name not in _UNINDEXABLE:
            return side.name, c.expr(other, scope)
    return None


def _all_of(preds: list[Fn]) -> Fn | None:
    if not preds:
        return None
    if len(preds) == 1:
        return preds[0]
    return lambda env: all(p(env) for p in preds)


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


def _sum(rows, pred, body, b, bt, span):
    values = _values(rows, pred, body, b)
    if bt.name == T.INT:
        return lambda env: sum(values(env))

    def sum_durations(env):
        total = None
        for v in values(env):
            total = v if total is None else add_durations(total, v, 1, span)
        return total if total is not None else Duration(0, "days")
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
            if len({duration_key(v)[0] for v in vs}) > 1:
                raise EvalError("cannot order durations in months together with durations in days",
                                span, "a month has no fixed number of days")
            return pick(vs, key=lambda v: duration_key(v)[1])
        return extreme
    return build


_BUILD = {"count": _count, "exists": _exists, "first": _first, "all": _all,
          "sum": _sum, "min": _extreme(min), "max": _extreme(max)}


# ------------------------------------------------------------------ value helpers

def day_count(span):
    def days(start, end):
        try:
            return count_days(start, end)
        except DateError as exc:
            raise EvalError(exc.message, span, "days(start, end) needs start <= end") from None
    return days


def duration_compare(op: str, span):
    def cmp(x, y):
        if op in ("==", "!="):
            same = duration_key(x) == duration_key(y)
            return same if op == "==" else not same
        r = compare_durations(x, y, span)
        return {"<": r < 0, "<=": r <= 0, ">": r > 0, ">=": r >= 0}[op]
    return cmp


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


def json_of(t: T.Type, entities: Mapping) -> Callable[[object], object]:
    """How a value of type t appears in Result.values (JSON-able)."""
    if t.name in (T.INT, T.BOOL, T.STRING) and not t.optional:
        return lambda v: v
    label = _label(t, entities)
    if label is None:
        return to_json
    return lambda v: None if v is None else label(v)
