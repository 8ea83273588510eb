"""Checked AST -> sqlglot expressions: one relational plan per rule.

A rule becomes one query over its subjects (the product of its for_each
domains, numbered as the Python evaluator numbers them), with one column per
`let`, and a status per subject:

    SELECT i, CASE WHEN NOT when THEN 'not_applicable' WHEN assert THEN 'pass'
                   WHEN due IS NOT NULL AND as_of <= due THEN 'pending' ELSE 'fail' END
    FROM (... SELECT t.*, <let> AS "let.x" FROM (subjects WHERE where) AS t ...)

Aggregates are subqueries correlated with the subject (`count(o in outcomes
where o.student == student.id)` is `(SELECT count(*) FROM e_outcomes AS a1
WHERE a1.student = t."student.id")`); the engine decorrelates them into joins
and group-bys. A record (a for_each row, `first(...)`) is its row number in
its entity's table; its fields are columns, or a lookup by row number.

Where Python stops a rule (a value that cannot be computed), the query calls error() and the
rule falls back to Python; so the query must evaluate at least what Python evaluates: `and`
and `or` are CASE (left to right, as in Python), and every let is selected (an unused column
would never be computed).

Null follows docs/dsl.md §4, not SQL's three-valued logic: every yes/no value
is made two-valued where it is produced (an ordering comparison with a null
side is false, `==` is IS NOT DISTINCT FROM, a `bool?` counts as false), so
`not`, `and` and `or` never see a null.

Aggregates are built by aggregates.py, durations by durations_sql.py (a duration is
not one column: days or months, and a date difference's two dates), texts and
valid_national_id by text_sql.py; they read the AST through this compiler.

Anything this module does not compile raises Unsupported; the rule is then run
by the Python evaluator (columnar/run.py), so a construct added to the DSL later
is evaluated correctly before it is compiled here.
"""
from __future__ import annotations

import datetime
from typing import Mapping

from sqlglot import exp

from ..calendar import AcademicYear, Duration
from ..dsl import ast as A
from ..i18n import _
from ..dsl import types as T
from ..evaluator.aggregate import conjuncts
from . import aggregates as G
from . import calendar_sql as C
from . import durations_sql as D
from . import text_sql as X
from .sqlbase import MAX_NUMBER, SCALAR, Binding, Unsupported, _checked, _type, literal  # noqa: F401 - shared names
from .tables import POS, table_name

class RuleCompiler:
    def __init__(self, rule, params: Mapping, constants: Mapping, as_of: datetime.date):
        self.rule = rule
        self.entities = rule.entities
        self.params = params
        self.constants = constants
        self.as_of = as_of
        self._n = 0

    def alias(self) -> str:
        self._n += 1
        return f"a{self._n}"

    # ------------------------------------------------------------ values and yes/no
    def pred(self, node: A.Node, scope: dict) -> exp.Expression:
        """A yes/no value that is never null: null counts as false (docs/dsl.md §4)."""
        value = self.val(node, scope)
        if _type(node).optional or _type(node).name != T.BOOL:
            return exp.func("COALESCE", value, exp.false())
        return value

    def val(self, node: A.Node, scope: dict) -> exp.Expression:
        t = _type(node)
        if t.name in (T.DURATION, T.ANY) and not isinstance(node, A.NullLit):
            raise Unsupported(_("durations are kept in Python"))
        if t.name == T.LIST and (t.elem is None or t.elem.name not in SCALAR):
            raise Unsupported(_("lists of records or of lists"))
        return getattr(self, "_" + type(node).__name__.lower())(node, scope)

    def duration(self, node: A.Node, scope: dict):
        return D.duration(self, node, scope)

    def constant(self, node: A.Node):
        """The compile-time value of a literal, parameter or policy constant, else None."""
        from ..evaluator.compile import _NOT, constant
        value = constant(node)
        if value is not _NOT:
            return True, value
        if isinstance(node, A.Param) and node.name in self.params:
            return True, self.param(node)
        if isinstance(node, A.Const) and node.name in self.constants:
            return True, self.constants[node.name]
        return False, None

    def param(self, node: A.Param):
        from ..evaluator.run import _coerce
        value = self.params.get(node.name)
        if value is None:
            raise Unsupported(_("a parameter without a value"))  # Python reports it
        return _coerce(value, _type(node))

    # ------------------------------------------------------------ leaves
    def _intlit(self, n, scope):
        return literal(n.value)

    _strlit = _boollit = _intlit

    def _nulllit(self, n, scope):
        return exp.Null()

    def _datelit(self, n, scope):
        return literal(self.constant(n)[1])

    _semesterlit = _datelit

    def _listlit(self, n, scope):
        if not n.items:
            raise Unsupported(_("an empty list has no element type in SQL"))
        return exp.Array(expressions=[self.val(i, scope) for i in n.items])

    def _param(self, n, scope):
        return literal(self.param(n))

    def _const(self, n, scope):
        if n.name not in self.constants:
            raise Unsupported(_("a policy constant without a value"))
        return literal(self.constants[n.name])

    def _var(self, n, scope):
        if n.name in scope:
            return scope[n.name].value
        if n.name == "as_of":
            return literal(self.as_of)
        raise Unsupported(_("a whole table as a value"))

    # ------------------------------------------------------------ fields
    def _field(self, n, scope):
        t = _type(n.obj)
        if t.name == T.RECORD:
            return self.record_field(n.obj, n.name, scope)
        obj = self.val(n.obj, scope)
        getter = _VALUE_FIELDS.get((t.name, n.name))
        if getter is None:
            raise Unsupported(_("field {field} of {type}").format(field=n.name, type=t.name))
        return getter(obj)

    def record_field(self, obj: A.Node, name: str, scope: dict) -> exp.Expression:
        if isinstance(obj, A.Var) and obj.name in scope and scope[obj.name].fields is not None:
            return scope[obj.name].fields[name]
        if isinstance(obj, A.Aggregate) and obj.op == "first" and isinstance(obj.source, A.Var) \
                and obj.source.name not in scope:  # over an entity
            # the field read in the same subquery as the first row: a lookup by its number would put
            # that subquery inside another, where Spark resolves no outer column
            return self._aggregate(obj, scope, field=name)
        return self.lookup(_type(obj).entity, self.val(obj, scope), name)

    def lookup(self, entity: str, pos: exp.Expression, name: str) -> exp.Expression:
        """Field `name` of the record numbered `pos` in its entity's table."""
        x = self.alias()
        # max over the one row with that number: an aggregate, as Spark wants of a scalar subquery
        return exp.select(exp.func("MAX", exp.column(name, x, quoted=True))) \
            .from_(exp.to_table(table_name(entity)).as_(x)) \
            .where(exp.EQ(this=exp.column(POS, x, quoted=True), expression=pos)).subquery()

    # ------------------------------------------------------------ calls
    def _call(self, n, scope):
        if n.func == "academic_year" and isinstance(n.args[0], A.IntLit):
            return literal(AcademicYear(n.args[0].value))
        if n.func == "is_null" and _type(n.args[0]).name == T.DURATION:
            return exp.Is(this=self.duration(n.args[0], scope).amount, expression=exp.Null())
        if n.func in ("text", "len", "join"):
            t = _type(n.args[0])
            args = [self.val(a, scope) for a in n.args]
            if n.func == "join":
                return X.join(args[0], args[1], t.elem)
            return (X.text_of if n.func == "text" else X.length)(args[0], t)
        if n.func not in _CALLS:
            raise Unsupported(_("function {name}").format(name=n.func))
        args = [self.val(a, scope) for a in n.args]
        if n.func == "academic_year_of" and _type(n.args[0]).name == T.SEMESTER:
            return C.semester_year(args[0])
        if n.func in ("start", "end") and _type(n.args[0]).name == T.ACADEMIC_YEAR:
            return (C.year_start if n.func == "start" else C.year_end)(args[0])
        return _CALLS[n.func](*args)

    # ------------------------------------------------------------ operators
    def _unary(self, n, scope):
        if n.op == "not":
            return exp.Not(this=exp.Paren(this=self.pred(n.operand, scope)))
        return _checked(exp.Neg(this=exp.Paren(this=self.val(n.operand, scope))))

    def _binop(self, n, scope):
        if n.op in ("and", "or"):
            # CASE, not AND/OR: the engine may evaluate AND's sides in any order, and skip one that
            # Python evaluates first, which must then fail there too (a date before 民國 1 in
            # semester_of): CASE evaluates left to right, as the Python evaluator does.
            left, right = self.pred(n.left, scope), self.pred(n.right, scope)
            if n.op == "and":
                return exp.Case(ifs=[exp.If(this=left, true=right)], default=exp.false())
            return exp.Case(ifs=[exp.If(this=left, true=exp.true())], default=right)
        lt, rt = _type(n.left), _type(n.right)
        if lt.name == T.STRING and rt.name == T.STRING:
            return X.concat(self.val(n.left, scope), self.val(n.right, scope))
        if lt.name == T.INT and rt.name == T.INT:
            cls = exp.Add if n.op == "+" else exp.Sub
            return _checked(cls(this=self.val(n.left, scope), expression=self.val(n.right, scope)))
        if lt.name == T.DATE and rt.name == T.DURATION:
            known, dur = self.constant(n.right)
            if known and isinstance(dur, Duration):
                sign = 1 if n.op == "+" else -1
                days = dur.in_days()
                if days is not None:
                    return C.shift_date(self.val(n.left, scope), sign * days, "days")
                months = dur.amount * (12 if dur.unit == "years" else 1)
                return C.shift_date(self.val(n.left, scope), sign * months, "months")
        raise Unsupported(_("{left} {op} {right}").format(left=lt.name, op=n.op, right=rt.name))

    def _compare(self, n, scope):
        lt, rt = _type(n.left), _type(n.right)
        if n.op in ("in", "not in"):
            return self.membership(n, scope)
        if lt.name == T.DURATION and rt.name == T.DURATION:
            return D.compare(n.op, self.duration(n.left, scope), self.duration(n.right, scope))
        if lt.name not in SCALAR + (T.NULL,) or rt.name not in SCALAR + (T.NULL,):
            if not (lt.name == T.RECORD and rt.name == T.NULL or lt.name == T.NULL and rt.name == T.RECORD):
                raise Unsupported(_("comparing {left} with {right}").format(left=lt.name, right=rt.name))
        a, b = self.val(n.left, scope), self.val(n.right, scope)
        if n.op == "==":
            return exp.NullSafeEQ(this=a, expression=b)
        if n.op == "!=":
            return exp.NullSafeNEQ(this=a, expression=b)
        cls = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}[n.op]
        return exp.func("COALESCE", cls(this=a, expression=b), exp.false())

    def membership(self, n, scope):
        lt = _type(n.left)
        if lt.name not in SCALAR:
            raise Unsupported(_("{type} in a list").format(type=lt.name))
        a = self.val(n.left, scope)
        known, items = self.constant(n.right)
        if known:
            if not isinstance(items, (list, tuple)):
                raise Unsupported(_("membership in a non-list"))
            present = [i for i in items if i is not None]
            found = exp.false() if not present else exp.func(
                "COALESCE", exp.In(this=a, expressions=[literal(i) for i in present]), exp.false())
            if len(present) < len(items):  # null is in the list: a null value is found
                found = exp.Paren(this=exp.Or(this=exp.Is(this=a, expression=exp.Null()), expression=found))
        else:
            found = exp.func("COALESCE", exp.ArrayContains(this=self.val(n.right, scope), expression=a), exp.false())
        return found if n.op == "in" else exp.Not(this=exp.Paren(this=found))

    def _if(self, n, scope):
        return exp.Case(ifs=[exp.If(this=self.pred(n.cond, scope), true=self.val(n.then, scope))],
                        default=self.val(n.else_, scope))

    def _default(self, n, scope):
        return exp.Case(ifs=[exp.If(this=self.pred(u.cond, scope), true=self.val(u.value, scope))
                             for u in n.exceptions], default=self.val(n.base, scope))

    # ------------------------------------------------------------ aggregates
    def _aggregate(self, n, scope, field: str | None = None):
        unrolled = G.over_known_items(self, n, scope)
        if unrolled is not None:
            return unrolled
        source = _type(n.source)
        x = self.alias()
        if isinstance(n.source, A.Var) and n.source.name not in scope and n.source.name != "as_of":
            entity = source.elem.entity
            fields = {f: exp.column(f, x, quoted=True) for f in self.entities.get(entity, {})}
            binding = Binding(exp.column(POS, x, quoted=True), entity, fields)
            table = exp.to_table(table_name(entity)).as_(x)
        elif source.name == T.LIST and source.elem is not None and source.elem.name in SCALAR:
            items = self.val(n.source, scope)
            folded = G.over_array(self, n, scope, items, x)
            if folded is not None:
                return folded
            if n.op in ("first", "list"):
                raise Unsupported(_("{op} of a list computed at run time (its order)").format(op=n.op))
            binding = Binding(exp.column("v", x))
            table = exp.select(exp.alias_(exp.Unnest(expressions=[items]), "v")).subquery(x)
        else:
            raise Unsupported(_("an aggregate over this source"))
        inner = {**scope, n.var: binding}
        where = None
        # the conjuncts of a `where` with AND, not the CASE of other `and`s: Python evaluates
        # each of them for every row (evaluator/aggregate.py, _where_all), so their order is
        # free, and the engine needs to see `x.f = E` to join on it instead of a nested loop
        for term in conjuncts(n.where):
            test = self.pred(term, inner)
            where = test if where is None else exp.And(this=where, expression=test)
        if n.op not in G.AGGREGATES:
            raise Unsupported(_("the aggregate {op}").format(op=n.op))
        if field is not None:
            return G.first_field(binding, table, where, field)
        return G.AGGREGATES[n.op](self, n, inner, binding, table, where)


_CALLS = {
    "is_null": lambda v: exp.Is(this=v, expression=exp.Null()),
    "semester_of": C.semester_of,
    "academic_year_of": C.academic_year_of_date,
    "start": C.semester_start,
    "end": C.semester_end,
    "days": C.count_days,
    "academic_year": C.academic_year,
    "valid_national_id": X.valid_national_id,
}

_VALUE_FIELDS = {
    (T.SEMESTER, "id"): C.semester_id,
    (T.SEMESTER, "start"): C.semester_start,
    (T.SEMESTER, "end"): C.semester_end,
    (T.SEMESTER, "academic_year"): C.semester_year,
    (T.SEMESTER, "year"): C.semester_year,
    (T.SEMESTER, "term"): C.semester_term,
    (T.SEMESTER, "next"): C.semester_next,
    (T.SEMESTER, "prev"): C.semester_prev,
    (T.ACADEMIC_YEAR, "id"): lambda y: exp.cast(y, "VARCHAR"),
    (T.ACADEMIC_YEAR, "start"): C.year_start,
    (T.ACADEMIC_YEAR, "end"): C.year_end,
    (T.ACADEMIC_YEAR, "year"): lambda y: y,
    (T.DATE, "year"): lambda d: exp.func("year", d),
    (T.DATE, "month"): lambda d: exp.func("month", d),
    (T.DATE, "day"): lambda d: exp.func("day", d),
}
