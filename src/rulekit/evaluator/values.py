"""Run-time values: the duration algebra, how values are shown, and record identity.

Durations have one algebra, used by every operator, aggregate and `in`
(docs/dsl.md, "Durations"):

* a duration is a count of days (days, weeks) or of months (months, years);
  zero is both, so it compares with and adds to either;
* `x - y` of two dates is a DateSpan: its days, plus the two dates, so it can
  also be measured in calendar months (x against y + n months) wherever it
  goes: either side of a comparison, a `let`, a list;
* a count of days that has no dates has no order against months: `<`, `<=`,
  `>`, `>=` are an error and `==` is false (a month is not a number of days).

Date differences may be negative (a certification dated before its upload);
calendar.Duration refuses negative amounts, so they are built here without
that check.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Mapping

from ..calendar import AcademicYear, DateError, Duration, Semester, add_months
from ..calendar.durations import duration_text
from ..i18n import N_, _


class EvalError(Exception):
    """A value the DSL cannot compute (e.g. 1 month compared with 30 days); has a span."""

    def __init__(self, message: str, span=None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint


# The largest number a rule may compute: the same 18 digits a policy or a record may write
# (sourceyaml.MAX_NUMBER_DIGITS). `let` values can double each other thousands of times, and
# past 4300 digits Python cannot even print the result for the message.
MAX_NUMBER = 10 ** 18 - 1
_TOO_LARGE_HINT = N_("counts and days in a regulation are small numbers; check the `let` values this one is built from")


def checked_arith(sign: int, span=None):
    """Integer + (sign 1) or - (sign -1) that refuses results of more than 18 digits."""
    def arith(x: int, y: int) -> int:
        total = x + y if sign > 0 else x - y
        if -MAX_NUMBER <= total <= MAX_NUMBER:
            return total
        raise EvalError(_("the result of {sign} has more than 18 digits").format(sign='+' if sign > 0 else '-'), span, _(_TOO_LARGE_HINT))
    return arith


@dataclass(frozen=True, eq=False)
class DateSpan(Duration):
    """`end - start` in days, remembering both dates: measured in months on the calendar."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        pass  # negative is allowed, and amount is (end - start).days by construction


ZERO = Duration(0, "days")
_MONTHS_HINT = N_("measure from a date instead: x <= y + 1 month, or x - y <= 1 month with x, y dates")


def days_between(later: datetime.date, earlier: datetime.date) -> Duration:
    return DateSpan((later - earlier).days, "days", earlier, later)


def signed_duration(amount: int, unit: str) -> Duration:
    if amount >= 0:
        return Duration(amount, unit)
    d = object.__new__(Duration)
    object.__setattr__(d, "amount", amount)
    object.__setattr__(d, "unit", unit)
    return d


def negate(d: Duration) -> Duration:
    if isinstance(d, DateSpan):  # -(x - y) is y - x
        return days_between(d.start, d.end)
    return signed_duration(-d.amount, d.unit)


def _order(a: Duration, b: Duration, span) -> int | None:
    """-1, 0 or 1; None when one is a count of days without dates and the other months."""
    (ka, na), (kb, nb) = a.normalised(), b.normalised()
    if ka == kb or na == 0 or nb == 0:
        return (na > nb) - (na < nb)
    if isinstance(a, DateSpan):
        return _against_months(a, nb, span)
    if isinstance(b, DateSpan):
        return -_against_months(b, na, span)
    return None


def _against_months(s: DateSpan, months: int, span) -> int:
    """x - y against n months is x against y + n months (clamped to the month's end)."""
    try:
        target = add_months(s.start, months)
    except (OverflowError, ValueError):
        shown = display(signed_duration(abs(months), "months"))
        raise EvalError(_("{isoformat} {months} {shown} is outside the supported dates (years 1-9999)").format(isoformat=s.start.isoformat(), months='+' if months > 0 else '-', shown=shown), span) from None
    return (s.end > target) - (s.end < target)


def compare_durations(a: Duration, b: Duration, span=None) -> int:
    r = _order(a, b, span)
    if r is None:
        raise EvalError(_("cannot compare {a} with {b}: a month has no fixed number of days").format(a=a, b=b), span, _(_MONTHS_HINT))
    return r


def durations_equal(a: Duration, b: Duration, span=None) -> bool:
    """== of the DSL: a count of days without dates is never equal to a count of months."""
    return _order(a, b, span) == 0


def same(x: Any, y: Any, span=None) -> bool:
    """== of the DSL for any values: durations by their algebra, lists item by item."""
    if isinstance(x, Duration) and isinstance(y, Duration):
        return durations_equal(x, y, span)
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(same(i, j, span) for i, j in zip(x, y))
    return x == y


def add_durations(a: Duration, b: Duration, sign: int, span=None) -> Duration:
    """a + b (sign 1) or a - b (sign -1); a date difference plus days keeps its dates."""
    total = _plus(a, b if sign > 0 else negate(b), span)
    if total is None:
        what = _("add {a} and {b}").format(a=display(a), b=display(b)) if sign > 0 else \
            _("subtract {b} from {a}").format(b=display(b), a=display(a))
        raise EvalError(_("cannot {what}: a month has no fixed number of days").format(what=what), span,
                        _("add each to a date instead: x + 1 month + 3 days"))
    if not -MAX_NUMBER <= total.amount <= MAX_NUMBER:
        raise EvalError(_("the result of {sign} has more than 18 digits").format(sign='+' if sign > 0 else '-'), span, _(_TOO_LARGE_HINT))
    return total


def _plus(a: Duration, b: Duration, span) -> Duration | None:
    """a + b, or None when a nonzero number of days meets a nonzero number of months."""
    if isinstance(b, DateSpan) and not isinstance(a, DateSpan):
        a, b = b, a  # a date difference, if only one, is `a`
    (ka, na), (kb, nb) = a.normalised(), b.normalised()
    if nb == 0 and not isinstance(b, DateSpan):
        return a
    if na == 0 and (kb == "months" or not isinstance(a, DateSpan)):
        return b
    if ka != kb:
        return None
    if isinstance(a, DateSpan) and not isinstance(b, DateSpan):
        return days_between(shift(a.end, signed_duration(nb, "days"), 1, span), a.start)
    if a.unit == b.unit:  # 1 week + 1 week stays in weeks; two differences lose their dates
        return signed_duration(a.amount + b.amount, a.unit)
    return signed_duration(na + nb, ka)


def undated(d: Duration) -> Duration:
    """The same length without its dates: a total of several periods starts on no day."""
    return signed_duration(d.amount, d.unit) if isinstance(d, DateSpan) else d


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
        return duration_text(value.amount, value.unit)
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
