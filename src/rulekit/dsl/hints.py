"""Hints for type errors: how to write what the policy's author most likely meant.

The checker decides that something is wrong; this module only finds the words
that help fix it (a semester written as text, a number without a unit).
"""
from __future__ import annotations

from ..i18n import _
from . import ast as A
from . import types as T
from .types import Type
from ..i18n import N_

DATE_HINT = N_('write a date as 2024-01-19 or date("113.01.19"); shift a date by a duration: x + 3 days')


def not_bool(role: str, t: Type) -> tuple[str, str]:
    """The message and hint for a value of type t where a yes/no value is required."""
    if t.name == T.NULL:
        leave = _("leave {role} out to keep every subject; ").format(role=role) if role in ("where", "when") else ""
        return (_("{role} must be true or false, but this is null").format(role=role),
                _("{leave}to test for a missing value write x == null").format(leave=leave))
    if t.name == T.ANY:
        return (_("{role} must be true or false, but this is an item of an empty list").format(role=role),
                _("write true or false, or a condition on a list that has items"))
    hint = _("compare it, e.g. ... > 0") if t.name == T.INT else \
        _("compare it with == != < <= > >=, or test it with exists(...)")
    return _("{role} must be true or false, but this is {base}").format(role=role, base=t.base), hint


def arith_hint(left: Type, right: Type) -> str:
    names = {left.name, right.name}
    if names == {T.DATE, T.INT}:
        return _("add a duration to a date: x + 3 days")
    if names == {T.DURATION, T.INT}:
        return _("give the number a unit: 3 days")
    if names == {T.SIZE, T.INT}:
        return _("give the number a unit: 4 MB, or 4194304 B")
    if T.STRING in names:
        return _("turn the other value into text first: text(x)")
    return ""


def compare_hint(n: A.Compare, left: Type, right: Type) -> str:
    names = {left.name, right.name}
    lit = n.right if isinstance(n.right, A.StrLit) else n.left if isinstance(n.left, A.StrLit) else None
    if names == {T.SEMESTER, T.STRING}:
        return _('write the semester as semester("{lit}")').format(lit=lit.value if lit else "113-1")
    if names == {T.DATE, T.STRING}:
        return _('write the date as date("{value}")').format(value=lit.value) if lit else _(DATE_HINT)
    if T.DATE in names:
        return _(DATE_HINT)
    if names == {T.DURATION, T.INT}:
        return _("give the number a unit: 3 days, 2 weeks, 1 month")
    if names == {T.SIZE, T.INT}:
        return _("a size compares with sizes only: write the number with a unit, 4 MB or 4194304 B")
    if names == {T.ACADEMIC_YEAR, T.INT}:
        return _("write the academic year as academic_year(113), or compare its .year")
    if T.RECORD in names and T.STRING in names:
        rec = left if left.name == T.RECORD else right
        return _("a record is not its id: compare the {entity} record's .id").format(entity=rec.entity)
    return ""


def literal_hint(arg: A.Node, t: Type, wanted: str) -> str:
    if wanted == T.DATE and isinstance(arg, A.StrLit):
        return _('write the date as date("{value}")').format(value=arg.value)
    if wanted == T.SEMESTER and isinstance(arg, A.StrLit):
        return _('write the semester as semester("{value}")').format(value=arg.value)
    return ""
