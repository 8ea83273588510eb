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
from ..i18n import _
from .compile import SCALAR, Binding, Unsupported, _type, literal

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
    pairs = _select(exp.ArrayAgg(this=pair), table, where).subquery()
    kept = exp.ArrayFilter(this=exp.ArraySort(this=pairs), expression=_lambda(
        lambda s: exp.Not(this=exp.Is(this=exp.column("v", s), expression=exp.Null()))))
    values = exp.Transform(this=kept, expression=_lambda(lambda s: exp.column("v", s)))
    return exp.func("COALESCE", values, exp.Array(expressions=[]))


def list_of_known_items(c, n: A.Aggregate, scope: dict) -> exp.Expression | None:
    """list(...) over a list whose items the compiler has (written out, or a constant): an
    array of `CASE WHEN P(item) THEN E(item) END`, nulls removed. None for other sources."""
    if n.op != "list" or _type(n.source).name != T.LIST:
        return None
    known, values = c.constant(n.source)
    if known:
        if values is None:
            return exp.Array(expressions=[])  # an aggregate over a null list goes through no items
        items = [literal(v) for v in values]
    elif isinstance(n.source, A.ListLit) and all(_cannot_fail(i) for i in n.source.items):
        items = [c.val(i, scope) for i in n.source.items]
    else:
        return None
    if len(items) > MAX_UNROLLED:
        raise Unsupported(_("list(...) over more than {n} items").format(n=MAX_UNROLLED))
    from ..evaluator.aggregate import conjuncts
    cells = []
    for item in items:
        inner = {**scope, n.var: Binding(item)}
        where = None
        for term in conjuncts(n.where):  # AND, not CASE: every part is a filter (compile.py)
            test = c.pred(term, inner)
            where = test if where is None else exp.And(this=where, expression=test)
        body = c.val(n.body, inner)
        cells.append(body if where is None else exp.Case(ifs=[exp.If(this=where, true=body)]))
    array = exp.Array(expressions=cells)
    return exp.ArrayFilter(this=array, expression=_lambda(
        lambda x: exp.Not(this=exp.Is(this=exp.column(x), expression=exp.Null()))))


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
