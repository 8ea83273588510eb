"""Periods as the regulation states them ("三日", "5 years") and the rules for counting days."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Iterable

from .dates import _DAY, DateError, _clean, _month_length, chinese_number, parse_date
from ..i18n import _, ngettext

# ---------------------------------------------------------------------- durations

UNIT_ZH = {"days": "日", "weeks": "週", "months": "個月", "years": "年"}  # as staff read them
_UNITS = ("days", "weeks", "months", "years")
_UNIT_WORDS = {
    "day": "days", "days": "days", "日": "days", "天": "days",
    "week": "weeks", "weeks": "weeks", "週": "weeks", "周": "weeks", "星期": "weeks",
    "month": "months", "months": "months", "個月": "months", "个月": "months",
    "year": "years", "years": "years", "年": "years",
}


def duration_text(amount: int, unit: str) -> str:
    """`3 days` as a message shows it in the reader's language: 3 日, 2 週, 1 個月, 5 年."""
    if unit == "days":
        text = ngettext("{n} day", "{n} days", amount)
    elif unit == "weeks":
        text = ngettext("{n} week", "{n} weeks", amount)
    elif unit == "months":
        text = ngettext("{n} month", "{n} months", amount)
    elif unit == "years":
        text = ngettext("{n} year", "{n} years", amount)
    else:
        return f"{amount} {unit}"
    return text.format(n=amount)


@dataclass(frozen=True, eq=False)
class Duration:
    """A period as the regulation states it ("三日", "5 years"), before counting rules apply.

    Equal and hashed by its normalised value, so 7 days == 1 week and 12 months == 1 year
    also as dict keys and in sets; a zero length is one value whatever its unit.
    """

    amount: int
    unit: str

    def __post_init__(self):
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise DateError(_("duration amount must be a whole number >= 0, got {amount!r}").format(amount=self.amount))
        unit = _UNIT_WORDS.get(self.unit) if isinstance(self.unit, str) else None
        if unit is None:
            raise DateError(_("unknown duration unit {unit!r}").format(unit=self.unit),
                            hint=_("use days, weeks, months or years"))
        object.__setattr__(self, "unit", unit)  # "day" and "日" mean "days"

    def add_to(self, d) -> datetime.date:
        """Months and years clamp to the month's end: 2024-01-31 + 1 month = 2024-02-29."""
        return self._shift(parse_date(d), +1)

    def subtract_from(self, d) -> datetime.date:
        return self._shift(parse_date(d), -1)

    def _shift(self, d: datetime.date, sign: int) -> datetime.date:
        try:
            days = self.in_days()
            if days is not None:
                return d + sign * datetime.timedelta(days=days)
            return add_months(d, sign * self.amount * (12 if self.unit == "years" else 1))
        except (OverflowError, ValueError):
            raise DateError(_("{isoformat} {sign} {self} is outside the supported dates (years 1-9999)").format(isoformat=d.isoformat(), sign='+' if sign > 0 else '-', self=self)) from None

    def normalised(self) -> tuple[str, int]:
        """("days", n) for days and weeks, ("months", n) for months and years; zero is ("days", 0)."""
        days = self.in_days()
        if days is not None:
            return ("days", days)
        months = self.amount * (12 if self.unit == "years" else 1)
        return ("months", months) if months else ("days", 0)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self.normalised() == other.normalised()

    def __hash__(self) -> int:
        return hash(self.normalised())

    def in_days(self) -> int | None:
        """Exact length in days, or None for months/years, whose length depends on the date."""
        if self.unit == "days":
            return self.amount
        if self.unit == "weeks":
            return 7 * self.amount
        return None

    @classmethod
    def parse(cls, value) -> "Duration":
        """3 days, 2 weeks, 1 month, 5 years, 3日, 三天, 二週, 3個月, 5年."""
        if isinstance(value, Duration):
            return value
        shown = str(value).strip()
        text = _clean(str(value)).lower()
        m = re.fullmatch(r"([0-9]+|[一二兩三四五六七八九十]+)\s*([a-z]+|[^\s0-9]+)", text)
        if m and m.group(2) in _UNIT_WORDS:
            try:
                return cls(chinese_number(m.group(1)), m.group(2))
            except DateError:
                pass
        raise DateError(_("{shown} is not a duration").format(shown=shown),
                        hint=_("write it as 3 days, 2 weeks, 1 month, 5 years, 3日, 二週 or 3個月"))

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


def add_months(d: datetime.date, months: int) -> datetime.date:
    """d + months (any sign), the day clamped to the month's end; ValueError outside years 1-9999."""
    year, month = divmod(d.year * 12 + (d.month - 1) + months, 12)
    month += 1
    return datetime.date(year, month, min(d.day, _month_length(year, month)))


# ------------------------------------------------------------------ counting days

COUNT_RULES = ("inclusive", "apa48")


def count_days(start, end, rule: str = "inclusive",
               holidays: Iterable = frozenset()) -> int:
    """Days in the period from `start` to `end`.

    inclusive: both ends count (the school's usual reading of "三日內").
    apa48: 行政程序法 §48 - the first day does not count, and a period whose last
    day is a Saturday, Sunday or one of `holidays` runs on to the next working day.
    """
    start, end = parse_date(start), parse_date(end)
    if end < start:
        raise DateError(_("period {isoformat}..{isoformat2} ends before it starts").format(isoformat=start.isoformat(), isoformat2=end.isoformat()))
    if rule == "inclusive":
        return (end - start).days + 1
    if rule == "apa48":
        return (effective_end(end, holidays) - start).days
    raise DateError(_("unknown counting rule {rule!r}").format(rule=rule), hint=_("use inclusive or apa48"))


def effective_end(end, holidays: Iterable = frozenset()) -> datetime.date:
    """The §48 last day: `end`, moved past weekends and `holidays` to a working day."""
    off = {parse_date(h) for h in holidays}
    day = parse_date(end)
    while day.weekday() >= 5 or day in off:
        day += _DAY
    return day
