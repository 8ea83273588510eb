"""Dates as the regulation writes them: ROC (民國) years, 學年度, semesters, periods.

School paperwork mixes `113.01.19`, `113年1月19日`, `1130119` and ISO dates, and a
mistyped date that is silently "fixed" (113.02.30 -> 113.03.01) moves a deadline.
So every parser here is strict: it accepts the listed forms exactly, and anything
else raises `DateError` with a hint naming what would have been accepted.
Everything is pure: no I/O, and no clock except `clock.today_in`, the one function
that reads it; everything else is given "today" by its caller.
"""
from .dates import (FIRST_DAY, LAST_DAY, ROC_OFFSET, DateError, chinese_number, chinese_numeral, parse_date, short_roc_year,
                    to_iso, to_roc)
from .durations import COUNT_RULES, Duration, add_months, count_days, effective_end
from .terms import AcademicYear, Semester

__all__ = ["COUNT_RULES", "FIRST_DAY", "LAST_DAY", "ROC_OFFSET", "AcademicYear", "DateError", "Duration", "Semester", "add_months",
           "chinese_number", "chinese_numeral", "count_days", "effective_end", "parse_date", "short_roc_year",
           "to_iso", "to_roc"]
