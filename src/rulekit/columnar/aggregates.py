"""Aggregates as SQL: count, exists, first, all, sum, min, max and list.

Each is a subquery over the aggregate's rows, correlated with the subject
(compile.py). `list(E for x in C where P)` is an array in the Python
evaluator's order, the order of C (evaluator/aggregate.py, _values), null
values of E left out:

* over an entity: the rows' (row number, E) pairs collected, sorted by row
  number, then only E kept. Neither engine promises an order for array_agg /
  collect_list, so the order comes from the sort, not from the scan;
* over a list written out or known when the rule is compiled (a policy
  constant, a parameter): one array item per list item, in the written order,
  with that item put in for x; no table and no order to recover.

A list computed only at run time (a list field, a let) has no position
column to sort by, and is left to Python.
"""
from __future__ import annotations

from sqlglot import exp

from ..dsl import ast as A
from ..dsl import types as T
from ..evaluator.aggregate import conjuncts
from ..i18n import _
from .sqlbase import SCALAR, Binding, Unsupported, _type, literal

# a list known when compiling is written into the query item by item; a longer one is left
# to Python rather than made into a query of that many subqueries
MAX_UNROLLED = 500


def _select(what, table, where):
    q = exp.select(what).from_(table)
    return q.where(where) if where is not None else q


def _count(c, n, inner, b, table, where):
    return exp.func("COALESCE", _select(exp.func("COUNT", exp.Star()), table, where).subquery(),
                    exp.Literal.number(0))


def _exists(c, n, inner, b, table, where):
    return exp.Exists(this=_select(exp.Literal.number(1), table, where))


def _first(c, n, inner, b, table, where):
    return _select(exp.func("MIN", b.value), table, where).subquery()


def first_field(b, table, where, field: str) -> exp.Expression:
    """`first(x in E where P).field`: the field of the row with the smallest number, as the
    least (number, field) pair; null when no row is found."""
    pair = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("p"), expression=b.value),
                                   exp.PropertyEQ(this=exp.to_identifier("v"), expression=b.fields[field])])
    least = exp.Dot(this=exp.Paren(this=exp.func("MIN", pair)), expression=exp.to_identifier("v"))
    return _select(least, table, where).subquery()


def _all(c, n, inner, b, table, where):
    broken = exp.Not(this=exp.Paren(this=c.pred(n.body, inner)))
    cond = broken if where is None else exp.And(this=where, expression=broken)
    return exp.Not(this=exp.Exists(this=_select(exp.Literal.number(1), table, cond)))


def _fold(op):
    def fold(c, n, inner, b, table, where):
        body_type = _type(n.body)
        if body_type.name not in SCALAR or (op == "SUM" and body_type.name != T.INT):
            raise Unsupported(_("{op} of {type}").format(op=op.lower(), type=body_type.name))
        value = exp.func(op, c.val(n.body, inner))
        if op == "SUM":
            value = exp.cast(exp.func("COALESCE", value, exp.Literal.number(0)), "BIGINT")
        return _select(value, table, where).subquery()
    return fold


def _list(c, n, inner, b, table, where):
    """Over an entity: (row number, E) pairs sorted by row number, E kept where not null."""
    pair = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("p"), expression=b.value),
                                   exp.PropertyEQ(this=exp.to_identifier("v"), expression=c.val(n.body, inner))])
    kept = exp.ArrayFilter(this=exp.ArraySort(this=exp.ArrayAgg(this=pair)), expression=_lambda(
        lambda s: exp.Not(this=exp.Is(this=exp.column("v", s), expression=exp.Null()))))
    values = exp.Transform(this=kept, expression=_lambda(lambda s: exp.column("v", s)))
    # the functions on arrays inside the subquery: Spark takes no subquery as their argument
    return exp.func("COALESCE", _select(values, table, where).subquery(), exp.Array(expressions=[]))


def over_known_items(c, n: A.Aggregate, scope: dict) -> exp.Expression | None:
    """An aggregate over a list whose items the compiler has (written out, or a constant),
    item by item in the list's order: no table to scan, no order to recover, and no subquery
    around the item (Spark resolves no outer column two subqueries down). None for other
    sources and for sum, min and max."""
    if n.op not in _BY_ITEM or _type(n.source).name != T.LIST:
        return None
    known, values = c.constant(n.source)
    if known:
        if not values:  # an aggregate over a null list goes through no items
            return _BY_ITEM[n.op](c, n, [], [])
        items = [literal(v) for v in values]
    elif isinstance(n.source, A.ListLit) and all(_cannot_fail(i) for i in n.source.items):
        items = [c.val(i, scope) for i in n.source.items]
    else:
        return None
    if len(items) > MAX_UNROLLED:
        raise Unsupported(_("list(...) over more than {n} items").format(n=MAX_UNROLLED))
    scopes, wheres = [], []
    for item in items:
        inner = {**scope, n.var: Binding(item)}
        where = None
        for term in conjuncts(n.where):  # AND, not CASE: every part is a filter (compile.py)
            test = c.pred(term, inner)
            where = test if where is None else exp.And(this=where, expression=test)
        scopes.append(inner)
        wheres.append(exp.true() if where is None else where)
    return _BY_ITEM[n.op](c, n, scopes, wheres)


def _count_items(c, n, scopes, wheres):
    total = exp.Literal.number(0)
    for where in wheres:
        total = exp.Add(this=total, expression=exp.Case(ifs=[exp.If(this=where, true=exp.Literal.number(1))],
                                                        default=exp.Literal.number(0)))
    return total


def _exists_items(c, n, scopes, wheres):  # CASE: stops at the first item found, as Python does
    return exp.Case(ifs=[exp.If(this=w, true=exp.true()) for w in wheres], default=exp.false()) \
        if wheres else exp.false()


def _first_items(c, n, scopes, wheres):
    if not wheres:
        return exp.Null()
    return exp.Case(ifs=[exp.If(this=w, true=s[n.var].value) for s, w in zip(scopes, wheres)])


def _all_items(c, n, scopes, wheres):
    if not wheres:
        return exp.true()
    broken = [exp.And(this=w, expression=exp.Not(this=exp.Paren(this=c.pred(n.body, s))))
              for s, w in zip(scopes, wheres)]
    return exp.Case(ifs=[exp.If(this=b, true=exp.false()) for b in broken], default=exp.true())


def _list_items(c, n, scopes, wheres):
    cells = [exp.Case(ifs=[exp.If(this=w, true=c.val(n.body, s))]) for s, w in zip(scopes, wheres)]
    # array_compact, not a filter with a lambda: Spark takes no subquery inside a lambda's array
    return exp.ArrayCompact(this=exp.Array(expressions=cells))


_BY_ITEM = {"count": _count_items, "exists": _exists_items, "first": _first_items, "all": _all_items,
            "list": _list_items}


def over_array(c, n: A.Aggregate, scope: dict, items: exp.Expression, name: str) -> exp.Expression | None:
    """An aggregate over a list computed at run time (a list field, a let), by functions on
    arrays: filter keeps the list's order, and no table is made of the array (Spark resolves
    no outer column in a table made inside a subquery). None when the list, the where or the
    value needs a subquery (which Spark takes in no function on arrays), or for sum, min, max
    and first."""
    if n.op not in ("count", "exists", "all", "list"):
        return None
    x = exp.column(name)
    inner = {**scope, n.var: Binding(x)}
    where = None
    for term in conjuncts(n.where):
        test = c.pred(term, inner)
        where = test if where is None else exp.And(this=where, expression=test)
    if n.op == "all":
        broken = exp.Not(this=exp.Paren(this=c.pred(n.body, inner)))
        where = broken if where is None else exp.And(this=where, expression=broken)
    body = c.val(n.body, inner) if n.op == "list" else None
    if any(e is not None and e.find(exp.Select) for e in (items, where, body)):
        return None
    kept = items if where is None else exp.ArrayFilter(
        this=items, expression=exp.Lambda(this=where, expressions=[exp.to_identifier(name)]))
    if n.op == "list":
        values = exp.ArrayCompact(this=exp.Transform(
            this=kept, expression=exp.Lambda(this=body, expressions=[exp.to_identifier(name)])))
        empty = exp.Array(expressions=[])
    else:
        size = exp.ArraySize(this=kept)
        values, empty = {"count": (size, exp.Literal.number(0)),
                         "exists": (exp.GT(this=size, expression=exp.Literal.number(0)), exp.false()),
                         "all": (exp.EQ(this=size, expression=exp.Literal.number(0)), exp.true())}[n.op]
    # an aggregate over a null list goes through no items (and Spark's size(null) is -1)
    return exp.Case(ifs=[exp.If(this=exp.Is(this=items, expression=exp.Null()), true=empty)], default=values)


def _cannot_fail(node: A.Node) -> bool:
    """An item put in for x wherever x is used is evaluated only there, not once beforehand as
    Python evaluates a list's items: so only items that cannot fail (nor need evaluating) are."""
    if isinstance(node, (A.IntLit, A.StrLit, A.BoolLit, A.NullLit, A.DateLit, A.SemesterLit, A.Var)):
        return True
    if isinstance(node, A.Field):
        return _type(node.obj).name == T.RECORD and _cannot_fail(node.obj)
    if isinstance(node, A.Compare) and node.op in ("==", "!="):
        return _cannot_fail(node.left) and _cannot_fail(node.right)
    if isinstance(node, (A.If, A.Default, A.Unless, A.Unary)) or isinstance(node, A.BinOp) and node.op in ("and", "or"):
        return (not isinstance(node, A.Unary) or node.op == "not") and all(map(_cannot_fail, node.children()))
    return isinstance(node, A.Call) and node.func == "is_null" and _cannot_fail(node.args[0])


def _lambda(body) -> exp.Lambda:
    name = "s_"
    return exp.Lambda(this=body(name), expressions=[exp.to_identifier(name)])


AGGREGATES = {"count": _count, "exists": _exists, "first": _first, "all": _all,
              "sum": _fold("SUM"), "min": _fold("MIN"), "max": _fold("MAX"), "list": _list}
