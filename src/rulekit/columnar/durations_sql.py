"""Durations in SQL, by the one algebra of evaluator/values.py (docs/dsl.md, Durations).

A duration is held as a count (`amount`) of days or of months, the kind known
when compiling: `3 days` and `2 weeks` are days, `1 month` and `1 year` months
(weeks and years counted in days and months, as Duration.normalised does). A
date difference `x - y` is days that keep both dates (`start` y, `end` x), so
it can be measured in months on the calendar: `x - y <= 1 month` is
`x <= y + 1 month`. A missing duration has a null amount.

What makes the kind depend on the data (`if c then 1 month else 3 days`, a
number of days plus a number of months) is left to Python, as are sums,
minima and maxima of durations.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..calendar import Duration
from ..dsl import ast as A
from ..dsl import types as T
from ..i18n import _
from . import calendar_sql as C
from .sqlbase import Unsupported, _checked, _type


@dataclass(frozen=True)
class Dur:
    kind: str  # "days" or "months"
    amount: exp.Expression
    start: exp.Expression | None = None  # a date difference's dates
    end: exp.Expression | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None


def zero(d: Dur) -> bool:
    """A literal zero: it adds to and compares with days and months alike."""
    return not d.dated and isinstance(d.amount, exp.Literal) and int(d.amount.this) == 0


def between(start: exp.Expression, end: exp.Expression) -> Dur:
    return Dur("days", exp.DateDiff(this=end, expression=start, unit=exp.var("DAY")), start, end)


def duration(c, node: A.Node, scope: dict) -> Dur:
    """The duration `node` stands for; Unsupported when its kind is not known here."""
    known, value = c.constant(node)
    if known:
        if not isinstance(value, Duration):
            raise Unsupported(_("a missing duration"))
        kind, n = value.normalised()
        return Dur(kind, exp.Literal.number(n))
    if isinstance(node, A.Var) and node.name in scope and getattr(scope[node.name], "dur", None) is not None:
        return scope[node.name].dur
    if isinstance(node, A.BinOp) and node.op in ("+", "-"):
        lt, rt = _type(node.left), _type(node.right)
        if lt.name == T.DATE and rt.name == T.DATE:
            return between(c.val(node.right, scope), c.val(node.left, scope))
        if lt.name == T.DURATION and rt.name == T.DURATION:
            return add(duration(c, node.left, scope), duration(c, node.right, scope), node.op == "-")
    if isinstance(node, A.Unary) and node.op == "-":
        return negate(duration(c, node.operand, scope))
    if isinstance(node, A.If):
        then, else_ = duration(c, node.then, scope), duration(c, node.else_, scope)
        if then.kind != else_.kind or then.dated != else_.dated:
            raise Unsupported(_("a duration whose kind depends on the data"))
        cond = c.pred(node.cond, scope)

        def pick(a, b):
            return None if a is None else exp.Case(ifs=[exp.If(this=cond, true=a)], default=b)
        return Dur(then.kind, pick(then.amount, else_.amount), pick(then.start, else_.start),
                   pick(then.end, else_.end))
    raise Unsupported(_("this duration"))


def negate(d: Dur) -> Dur:
    if d.dated:  # -(x - y) is y - x
        return between(d.end, d.start)
    return Dur(d.kind, exp.Neg(this=exp.Paren(this=d.amount)))


def add(a: Dur, b: Dur, minus: bool) -> Dur:
    """a + b (or a - b), as values.add_durations: days that keep dates move their later date."""
    if minus:
        b = negate(b)
    if b.dated and not a.dated:
        a, b = b, a
    if zero(b):
        return a
    if zero(a) and (b.kind == "months" or not a.dated):
        return b
    if a.kind != b.kind:
        raise Unsupported(_("days added to months"))  # an error in Python unless one is 0 there
    if a.dated and not b.dated:
        if not isinstance(b.amount, exp.Literal) and not _negative_literal(b.amount):
            raise Unsupported(_("a date difference plus days computed from the data"))
        moved = C.shift_date(a.end, _literal_value(b.amount), "days")
        return between(a.start, moved)
    return Dur(a.kind, _checked(exp.Add(this=a.amount, expression=b.amount)))


def _negative_literal(e: exp.Expression) -> bool:
    return isinstance(e, exp.Neg) and isinstance(e.this, exp.Paren) and isinstance(e.this.this, exp.Literal)


def _literal_value(e: exp.Expression) -> int:
    if isinstance(e, exp.Literal):
        return int(e.this)
    return -int(e.this.this.this)


def is_null(d: Dur) -> exp.Expression:
    return exp.Is(this=d.amount, expression=exp.Null())


_CMP = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def compare(op: str, a: Dur, b: Dur) -> exp.Expression:
    """a op b, two-valued: == and != null-safe, an order with a null side false (docs/dsl.md §4)."""
    def cmp(o, x, y):
        return _CMP[o](this=x, expression=y)
    value = cmp(op, a.amount, b.amount)
    if a.kind != b.kind:
        # zero is either kind; a date difference is measured on the calendar; days without
        # dates have no order against months (an error), and are never equal to them
        either_zero = exp.Or(this=cmp("==", a.amount, exp.Literal.number(0)),
                             expression=cmp("==", b.amount, exp.Literal.number(0)))
        if a.dated or b.dated:
            span, months, o = (a, b, op) if a.dated else (b, a, _FLIP[op])
            other = cmp(o, span.end, add_months(span.start, months.amount))
        elif op in ("==", "!="):
            other = exp.Boolean(this=op == "!=")
        else:
            other = C.sql(f"{C.ERROR}('cannot compare days with months')")
        value = exp.Case(ifs=[exp.If(this=either_zero, true=value)], default=other)
    missing = exp.Or(this=is_null(a), expression=is_null(b))
    if op in ("==", "!="):
        both = exp.And(this=is_null(a), expression=is_null(b))
        result = both if op == "==" else exp.Not(this=exp.Paren(this=both))
        return exp.Case(ifs=[exp.If(this=missing, true=result)], default=value)
    return exp.func("COALESCE", exp.Case(ifs=[exp.If(this=missing, true=exp.false())], default=value), exp.false())


def add_months(d: exp.Expression, months: exp.Expression) -> exp.Expression:
    """d + months on the calendar (clamped to the month's end), refusing results outside years
    1-9999 as calendar.add_months does: the month number is checked before the date is made."""
    moved = exp.cast(exp.DateAdd(this=d, expression=months, unit=exp.var("MONTH")), "DATE")
    return C.sql(f"CASE WHEN year(:d) * 12 + month(:d) - 1 + :n NOT BETWEEN 12 AND {9999 * 12 + 11} "
                 f"THEN {C.ERROR}('date out of range') ELSE :m END", d=d, n=months, m=moved)
