"""Texts in SQL: `+` of texts, text(x), join(list, sep), len, valid_national_id.

A value is written as a message writes it (evaluator/aggregate.py, display_of):
a date as 2024-01-19, a semester as 113-1, a yes/no as true/false, a missing
item of a joined list as —. Types whose text Python makes otherwise (sizes,
durations, records) are left to Python.
"""
from __future__ import annotations

from sqlglot import exp

from ..dsl import types as T
from ..evaluator.values import MISSING
from ..i18n import _
from ..personal import _LETTER_CODES
from . import calendar_sql as C
from .sqlbase import Unsupported

# full-width digits, capitals and small letters (and the ideographic space), folded as NFKC folds
# them: an ID typed on a Chinese keyboard is the same number
_WIDE = "".join(map(chr, range(0xFF10, 0xFF1A))) + "".join(map(chr, range(0xFF21, 0xFF3B))) \
    + "".join(map(chr, range(0xFF41, 0xFF5B))) + "\u3000"
_NARROW = "0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "abcdefghijklmnopqrstuvwxyz" + " "


def concat(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """a + b of texts: || is null when either side is (CONCAT would skip the null one)."""
    return exp.DPipe(this=a, expression=b, safe=False)


def text_of(value: exp.Expression, t: T.Type) -> exp.Expression:
    """text(x) for a value of type t; null stays null."""
    name = t.name
    if name == T.STRING:
        return value
    if name in (T.INT, T.DATE, T.ACADEMIC_YEAR):  # an ISO date is both engines' text of a DATE
        return exp.cast(value, "VARCHAR")
    if name == T.SEMESTER:
        return exp.Case(ifs=[exp.If(this=exp.Is(this=value, expression=exp.Null()), true=exp.Null())],
                        default=C.semester_id(value))
    if name == T.BOOL:
        return exp.Case(ifs=[exp.If(this=value, true=exp.Literal.string("true")),
                             exp.If(this=exp.Not(this=value), true=exp.Literal.string("false"))])
    raise Unsupported(_("the text of a {type}").format(type=name))


def join(items: exp.Expression, sep: exp.Expression, elem: T.Type | None) -> exp.Expression:
    """join(list, sep): each item as text, a missing one as —; null when the list or sep is."""
    if elem is None:
        raise Unsupported(_("join of a list of unknown items"))
    shown = exp.Transform(this=items, expression=exp.Lambda(
        this=exp.func("COALESCE", text_of(exp.column("j_"), elem), exp.Literal.string(MISSING)),
        expressions=[exp.to_identifier("j_")]))
    # COALESCE: an empty list joins to '' (some engine versions give null for it)
    return C.sql("CASE WHEN :l IS NULL OR :s IS NULL THEN NULL ELSE COALESCE(array_to_string(:shown, :s), '') END",
                 l=items, s=sep, shown=shown)


def length(value: exp.Expression, t: T.Type) -> exp.Expression:
    if t.name == T.STRING:  # characters, as Python's len counts them
        return exp.Length(this=value)
    # the CASE: Spark's size() of null is -1, not null
    return C.sql("CASE WHEN :v IS NULL THEN NULL ELSE array_length(:v) END", v=value)


def _letter_part(letter: exp.Expression) -> exp.Expression:
    """The leading letter's share of the weighted sum, mod 10: its two-digit code weighted 1 and 9."""
    return exp.Case(this=letter, ifs=[
        exp.If(this=exp.Literal.string(ch), true=exp.Literal.number((code // 10 + 9 * (code % 10)) % 10))
        for ch, code in _LETTER_CODES.items()])


def _second(ch: exp.Expression) -> exp.Expression:
    """The second character: a digit, or A-D of an old resident certificate (its code's last digit)."""
    return exp.Case(this=ch, ifs=[exp.If(this=exp.Literal.string(x), true=exp.Literal.number(_LETTER_CODES[x] % 10))
                                  for x in "ABCD"], default=exp.cast(ch, "INT"))


def valid_national_id(value: exp.Expression) -> exp.Expression:
    """personal.is_valid_national_id: a letter, 1/2/8/9 or A-D, eight digits, and the weighted
    sum (letter code weighted 1 9, then 8 7 6 5 4 3 2 1 1) divisible by 10. Python compares
    the NFKC form: full-width characters are folded here as NFKC folds them, and a text with
    any other character beyond printable ASCII stops the query (Python answers the rule)."""
    folded = exp.func("translate", value, exp.Literal.string(_WIDE), exp.Literal.string(_NARROW))
    upper = exp.Upper(this=exp.Trim(this=folded))

    def char(k: int) -> exp.Expression:
        return exp.Substring(this=upper, start=exp.Literal.number(k), length=exp.Literal.number(1))
    total = _letter_part(char(1))
    total = exp.Add(this=total, expression=exp.Mul(this=_second(char(2)), expression=exp.Literal.number(8)))
    for k, weight in zip(range(3, 11), (7, 6, 5, 4, 3, 2, 1, 1)):
        total = exp.Add(this=total, expression=exp.Mul(this=exp.cast(char(k), "INT"),
                                                       expression=exp.Literal.number(weight)))
    return C.sql(f"CASE WHEN :v IS NULL THEN NULL "
                 f"WHEN regexp_matches(:f, '[^ -~]') THEN {C.ERROR}('a national id beyond ASCII') "
                 "WHEN NOT regexp_matches(:u, '^[A-Z][1289A-D][0-9]{8}$') THEN false "
                 "ELSE (:total) % 10 = 0 END", v=value, f=folded, u=upper, total=total)
