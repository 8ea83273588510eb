"""The calendar (rulekit.calendar) as SQL expressions, for the columnar engine.

Values are kept in columns the way every SQL engine can order and compare them:
a semester `113-1` is the integer 1131 (year * 10 + term, so integer order is
(year, term) order), an academic year is its year, a date is a DATE. Each
function here is a fixed template (one SQL text per function, parsed once by
sqlglot) whose placeholders are filled with sqlglot expressions, so the same
tree is printed for DuckDB or Spark.

Where rulekit.calendar raises (a semester before 民國 1, a date past 9999), the
template calls `error(...)`: the engine stops that rule, and the rule is run by
the Python evaluator instead, which reports the failure as it always does.
"""
from __future__ import annotations

import calendar
import datetime
import functools

from sqlglot import exp, parse_one

from ..calendar.dates import ROC_OFFSET
from ..calendar.terms import _MAX_ACADEMIC_YEAR

ERROR = "error"  # DuckDB's name; spark.py renames it to raise_error


@functools.cache
def _template(text: str) -> exp.Expression:
    return parse_one(text, read="duckdb")


def sql(text: str, **args: exp.Expression) -> exp.Expression:
    """The template `text` (SQL with :name placeholders) with its placeholders filled in."""
    return exp.replace_placeholders(_template(text).copy(), **args)


def _year_of_date(d: exp.Expression) -> exp.Expression:
    """The academic year a date falls in (Aug-Jul), refusing dates before 民國 1."""
    return sql(f"CASE WHEN :d IS NULL THEN NULL "
               f"WHEN :d < DATE '{ROC_OFFSET + 1}-08-01' THEN {ERROR}('date before academic year 1') "
               f"WHEN month(:d) >= 8 THEN year(:d) - {ROC_OFFSET} ELSE year(:d) - {ROC_OFFSET + 1} END", d=d)


def semester_of(d: exp.Expression) -> exp.Expression:
    """Semester.of: January still belongs to the autumn term (上) that began in August."""
    return sql("CASE WHEN :d IS NULL THEN NULL ELSE :y * 10 + "
               "CASE WHEN month(:d) >= 8 OR month(:d) = 1 THEN 1 ELSE 2 END END",
               d=d, y=_year_of_date(d))


def academic_year_of_date(d: exp.Expression) -> exp.Expression:
    return _year_of_date(d)


def semester_year(s: exp.Expression) -> exp.Expression:
    return sql("CAST(floor(:s / 10) AS BIGINT)", s=s)


def semester_term(s: exp.Expression) -> exp.Expression:
    return sql("CAST(:s % 10 AS BIGINT)", s=s)


def semester_start(s: exp.Expression) -> exp.Expression:
    return sql(f"CASE WHEN :t = 1 THEN make_date(CAST(:y + {ROC_OFFSET} AS INT), 8, 1) "
               f"WHEN :t = 2 THEN make_date(CAST(:y + {ROC_OFFSET + 1} AS INT), 2, 1) END",
               y=semester_year(s), t=semester_term(s))


def semester_end(s: exp.Expression) -> exp.Expression:
    return sql(f"CASE WHEN :t = 1 THEN make_date(CAST(:y + {ROC_OFFSET + 1} AS INT), 1, 31) "
               f"WHEN :t = 2 THEN make_date(CAST(:y + {ROC_OFFSET + 1} AS INT), 7, 31) END",
               y=semester_year(s), t=semester_term(s))


def semester_next(s: exp.Expression) -> exp.Expression:
    return sql(f"CASE WHEN :t = 1 THEN :y * 10 + 2 "
               f"WHEN :y + 1 > {_MAX_ACADEMIC_YEAR} THEN {ERROR}('semester out of range') "
               f"ELSE (:y + 1) * 10 + 1 END", y=semester_year(s), t=semester_term(s))


def semester_prev(s: exp.Expression) -> exp.Expression:
    return sql("CASE WHEN :t = 2 THEN :y * 10 + 1 "
               f"WHEN :y - 1 < 1 THEN {ERROR}('semester out of range') "
               "ELSE (:y - 1) * 10 + 2 END", y=semester_year(s), t=semester_term(s))


def semester_id(s: exp.Expression) -> exp.Expression:
    return sql("CAST(:y AS VARCHAR) || '-' || CAST(:t AS VARCHAR)", y=semester_year(s), t=semester_term(s))


def year_start(y: exp.Expression) -> exp.Expression:
    return sql(f"make_date(CAST(:y + {ROC_OFFSET} AS INT), 8, 1)", y=y)


def year_end(y: exp.Expression) -> exp.Expression:
    return sql(f"make_date(CAST(:y + {ROC_OFFSET + 1} AS INT), 7, 31)", y=y)


def academic_year(n: exp.Expression) -> exp.Expression:
    """academic_year(n): n itself, refused outside 1..max as AcademicYear(n) refuses it."""
    return sql(f"CASE WHEN :n < 1 OR :n > {_MAX_ACADEMIC_YEAR} THEN {ERROR}('academic year out of range') "
               "ELSE :n END", n=n)


def count_days(start: exp.Expression, end: exp.Expression) -> exp.Expression:
    """days(start, end): both ends count; an end before the start is an error, as in Python."""
    return sql(f"CASE WHEN :a IS NULL OR :b IS NULL THEN NULL "
               f"WHEN :b < :a THEN {ERROR}('period ends before it starts') "
               "ELSE date_diff('day', :a, :b) + 1 END", a=start, b=end)


def shift_date(d: exp.Expression, amount: int, unit: str) -> exp.Expression:
    """d + amount days or months (months clamp to the month's end, like add_months),
    refusing results outside years 1-9999 as Duration.add_to does. Which dates would leave
    that range is worked out here, so the engine compares with a constant date and never
    computes a date it cannot hold."""
    # a positive amount either way: older sqlglot prints INTERVAL -14 DAY, which DuckDB refuses
    shift = exp.DateAdd if amount >= 0 else exp.DateSub
    moved = exp.cast(shift(this=d, expression=exp.Literal.number(abs(amount)),
                           unit=exp.var("DAY" if unit == "days" else "MONTH")), "DATE")
    low, high = _valid_starts(amount, unit)
    if low is None:
        return sql(f"CASE WHEN :d IS NULL THEN NULL ELSE {ERROR}('date out of range') END", d=d)
    return sql(f"CASE WHEN :d IS NULL THEN NULL WHEN :d < :low OR :d > :high THEN {ERROR}('date out of range') "
               "ELSE :m END", d=d, m=moved, low=_date(low), high=_date(high))


def _date(day: datetime.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), "DATE")


def _valid_starts(amount: int, unit: str):
    """(first, last) date d for which d + amount stays within years 1-9999; (None, None) if none."""
    lo, hi = datetime.date.min, datetime.date.max
    try:
        if unit == "days":
            delta = datetime.timedelta(days=abs(amount))
            return (lo, hi - delta) if amount >= 0 else (lo + delta, hi)
        first, last = 1 * 12, 9999 * 12 + 11  # month numbers year*12 + month-1
        start, end = max(first, first - amount), min(last, last - amount)
        if start > end:
            return None, None
        year, month = end // 12, end % 12 + 1
        return datetime.date(start // 12, start % 12 + 1, 1), \
            datetime.date(year, month, calendar.monthrange(year, month)[1])
    except OverflowError:
        return None, None
