"""What the columnar compiler's modules share: the Unsupported signal, literals, bindings,
and the checks every expression goes through. A module of its own so that compile.py and the
modules it hands parts of the AST to (aggregates, durations, texts) import it, not each other."""
from __future__ import annotations

import datetime

from sqlglot import exp

from ..calendar import AcademicYear, Semester
from ..dsl import ast as A
from ..dsl import types as T
from ..i18n import _
from . import calendar_sql as C

MAX_NUMBER = 10 ** 18 - 1  # evaluator.values.MAX_NUMBER: what + and - may compute
# DSL types held in a column, and how each is kept
SCALAR = (T.INT, T.BOOL, T.STRING, T.DATE, T.SEMESTER, T.ACADEMIC_YEAR)


class Unsupported(Exception):
    """A construct the columnar compiler does not translate (the rule runs in Python)."""


def literal(value) -> exp.Expression:
    """A run-time value of the Python evaluator as an SQL literal."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, Semester):
        return exp.Literal.number(value.year * 10 + value.term)
    if isinstance(value, AcademicYear):
        return exp.Literal.number(value.year)
    if isinstance(value, (list, tuple)) and value and all(not isinstance(v, (list, tuple, dict)) for v in value):
        return exp.Array(expressions=[literal(v) for v in value])
    raise Unsupported(_("value {value}").format(value=repr(value)))


class Binding:
    """What a name stands for in SQL: a row of an entity (fields are columns) or a value."""

    def __init__(self, value: exp.Expression, entity: str | None = None, fields=None, dur=None):
        self.value = value  # the row number for a row, else the value itself
        self.entity = entity
        self.fields = fields  # field name -> column expression, for rows
        self.dur = dur  # a duration's columns (durations_sql.Dur)


def _checked(value: exp.Expression) -> exp.Expression:
    """+ and - refuse results of more than 18 digits, as evaluator.values.checked_arith does."""
    return C.sql(f"CASE WHEN abs(:v) > {MAX_NUMBER} THEN {C.ERROR}('more than 18 digits') ELSE :v END",
                 v=value)


def _type(node: A.Node) -> T.Type:
    if node.type is None:
        raise AssertionError("the columnar compiler was given an expression that was not type-checked")
    return node.type
