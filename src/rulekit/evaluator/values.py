"""Run-time values: duration arithmetic, how values are shown, and record identity.

A difference of two dates is a Duration in days and may be negative (a
certification dated before its upload); calendar.Duration refuses negative
amounts, so `days_between` builds one without that check.
"""
from __future__ import annotations

import datetime
from typing import Any, Mapping

from ..calendar import AcademicYear, DateError, Duration, Semester


class EvalError(Exception):
    """A value the DSL cannot compute (e.g. 1 month compared with 30 days); has a span."""

    def __init__(self, message: str, span=None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint


def days_between(later: datetime.date, earlier: datetime.date) -> Duration:
    return signed_duration((later - earlier).days, "days")


def signed_duration(amount: int, unit: str) -> Duration:
    if amount >= 0:
        return Duration(amount, unit)
    d = object.__new__(Duration)
    object.__setattr__(d, "amount", amount)
    object.__setattr__(d, "unit", unit)
    return d


def duration_key(d: Duration) -> tuple[str, int]:
    """("days", n) for days/weeks, ("months", n) for months/years: comparable within a kind."""
    days = d.in_days()
    if days is not None:
        return ("days", days)
    return ("months", d.amount * (12 if d.unit == "years" else 1))


def compare_durations(a: Duration, b: Duration, span=None) -> int:
    ka, kb = duration_key(a), duration_key(b)
    if ka[0] != kb[0]:
        raise EvalError(f"cannot compare {a} with {b}: a month has no fixed number of days", span,
                        "compare dates instead: x <= y + 1 month")
    return (ka[1] > kb[1]) - (ka[1] < kb[1])


def add_durations(a: Duration, b: Duration, sign: int, span=None) -> Duration:
    ka, kb = duration_key(a), duration_key(b)
    if ka[0] != kb[0]:
        raise EvalError(f"cannot add {a} and {b}: a month has no fixed number of days", span)
    if a.unit == b.unit:
        return signed_duration(a.amount + sign * b.amount, a.unit)
    return signed_duration(ka[1] + sign * kb[1], ka[0])


def shift(d: datetime.date, dur: Duration, sign: int, span=None) -> datetime.date:
    try:
        return dur.add_to(d) if sign > 0 else dur.subtract_from(d)
    except DateError as exc:
        raise EvalError(exc.message, span) from None


# ------------------------------------------------------------------ identity, display

def identity_fields(fields: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields that name a record: `id`, else its first two required, non-personal fields."""
    if "id" in fields:
        return ("id",)
    picked = [name for name, ft in fields.items()
              if getattr(ft, "required", True) and not getattr(ft, "personal", False)
              and not str(getattr(ft, "name", ft)).endswith("?")]
    return tuple(picked[:2])


def record_label(row: Mapping, key_fields: tuple[str, ...]) -> str:
    if not key_fields:
        return "record"
    return " ".join(display(row.get(f)) for f in key_fields)


# How a missing value reads in a message shown to staff ("null" means nothing to a 幹事).
MISSING = "—"
UNIT_ZH = {"days": "日", "weeks": "週", "months": "個月", "years": "年"}


def display(value: Any) -> str:
    """A value as it appears in a message."""
    if value is None:
        return MISSING
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (Semester, AcademicYear)):
        return value.id
    if isinstance(value, Duration):  # messages are read by staff: 3 日, 2 週, 1 個月, 5 年
        return f"{value.amount} {UNIT_ZH.get(value.unit, value.unit)}"
    if isinstance(value, (list, tuple, frozenset, set)):
        return ", ".join(display(v) for v in value)
    if isinstance(value, dict):
        return display(value.get("id")) if "id" in value else "record"
    return str(value)


def to_json(value: Any, labels: Mapping | None = None) -> Any:
    """A value for Result.values / --explain output: str, int, bool, None, lists, dicts."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple, frozenset, set)):
        return [to_json(v, labels) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v, labels) for k, v in value.items()}
    if isinstance(value, Duration):  # for scripts: the unit as the policy writes it ("3 days")
        return str(value)
    return display(value)
