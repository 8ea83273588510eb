"""Dates as the regulation writes them: ROC (民國) years, 學年度, semesters, periods.

School paperwork mixes `113.01.19`, `113年1月19日`, `1130119` and ISO dates, and a
mistyped date that is silently "fixed" (113.02.30 -> 113.03.01) moves a deadline.
So every parser here is strict: it accepts the listed forms exactly, and anything
else raises `DateError` with a hint naming what would have been accepted.
Everything is pure: no clock, no I/O, so callers pass "today" explicitly.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

ROC_OFFSET = 1911
_DAY = datetime.timedelta(days=1)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")
_FORMS_HINT = ("accepted forms: 2024-01-19, 113.01.19, 113/1/19, 113-01-19, "
               "113年1月19日, 中華民國113年1月19日, 1130119")


class DateError(ValueError):
    """A date, semester or period the user wrote that cannot be read without guessing."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _clean(text: str) -> str:
    # NFKC folds fullwidth digits and punctuation (１１３／１／１９) into ASCII.
    return unicodedata.normalize("NFKC", text).strip()


# --------------------------------------------------------------------------- dates

# (pattern, is_roc). ROC separated forms need a 2-3 digit year so that a
# 4-digit year can only mean ISO; the separator must repeat (113.01/19 is a typo).
_DATE_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), False),
    (re.compile(r"(\d{2,3})([./-])(\d{1,2})\2(\d{1,2})"), True),
    (re.compile(r"(?:中華民國|民國)?\s*(\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), True),
    (re.compile(r"(\d{3})(\d{2})(\d{2})"), True),
)


def parse_date(value) -> datetime.date:
    """Read a date in any accepted form; impossible dates raise instead of rolling over."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML turns an unquoted 1130119 into an int
    if not isinstance(value, str):
        raise DateError(f"expected a date, got {type(value).__name__}", hint=_FORMS_HINT)
    shown = value.strip()
    text = _clean(value)
    if not text:
        raise DateError("the date is empty", hint=_FORMS_HINT)
    for pattern, is_roc in _DATE_FORMS:
        m = pattern.fullmatch(text)
        if m:
            numbers = [int(g) for g in m.groups() if g.isdigit()]
            return _build_date(shown, *numbers, roc=is_roc)
    if re.fullmatch(r"\d{4}[./]\d{1,2}[./]\d{1,2}|\d{8}", text):
        raise DateError(f"{shown} is not a recognised date",
                        hint="a 4-digit year is Gregorian: write it as YYYY-MM-DD, e.g. 2024-01-19")
    raise DateError(f"{shown} is not a recognised date", hint=_FORMS_HINT)


def _build_date(shown: str, year: int, month: int, day: int, roc: bool) -> datetime.date:
    label = f"{year} ({year + ROC_OFFSET})" if roc else str(year)
    gregorian = year + ROC_OFFSET if roc else year
    if roc and year < 1:
        raise DateError(f"{shown} is not a valid date: there is no ROC year 0",
                        hint="ROC year 1 is 1912; ROC year = Gregorian year - 1911")
    if not roc and year < 1:
        raise DateError(f"{shown} is not a valid date: there is no year 0")
    if not 1 <= month <= 12:
        raise DateError(f"{shown} is not a valid date: there is no month {month}",
                        hint="months run from 1 to 12")
    last = _month_length(gregorian, month)
    if not 1 <= day <= last:
        raise DateError(
            f"{shown} is not a valid date: {_MONTHS[month - 1]} {label} has {last} days",
            hint=f"the last day of that month is {_format_same_way(year, month, last, roc)}")
    return datetime.date(gregorian, month, day)


def _format_same_way(year: int, month: int, day: int, roc: bool) -> str:
    return f"{year}.{month:02d}.{day:02d}" if roc else f"{year:04d}-{month:02d}-{day:02d}"


def _month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime.date(year, month + 1, 1) - datetime.date(year, month, 1)).days


def to_roc(d, style: str = ".") -> str:
    """Format as ROC. "." -> 113.01.19, "/" -> 113/1/19, "年" -> 113年1月19日.

    Separated styles pad the year to two digits (民國5年 -> 05.01.01) because the
    parser only reads 2-3 digit years there; years past ROC 999 would need four
    digits, which the parser reserves for ISO, so they are refused.
    """
    d = parse_date(d)
    roc = d.year - ROC_OFFSET
    if roc < 1:
        raise DateError(f"{d.isoformat()} is before the ROC calendar (1912-01-01)",
                        hint="use to_iso for dates before 1912")
    if roc > 999:
        raise DateError(f"{d.isoformat()} is past ROC year 999", hint="use to_iso for it")
    if style == ".":
        return f"{roc:02d}.{d.month:02d}.{d.day:02d}"
    if style == "/":
        return f"{roc:02d}/{d.month}/{d.day}"
    if style == "年":
        return f"{roc}年{d.month}月{d.day}日"
    raise DateError(f"unknown ROC style {style!r}", hint='use ".", "/" or "年"')


def to_iso(d) -> str:
    return parse_date(d).isoformat()


# ------------------------------------------------------------ academic years, terms

_MAX_ACADEMIC_YEAR = 9999 - ROC_OFFSET - 1  # its 31 Jul must still be a valid date


def _check_year(year, what: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise DateError(f"{what} year must be an integer, got {year!r}")
    if not 1 <= year <= _MAX_ACADEMIC_YEAR:
        raise DateError(f"{what} year {year} is out of range",
                        hint=f"ROC academic years run from 1 to {_MAX_ACADEMIC_YEAR}")


@dataclass(frozen=True, order=True)
class AcademicYear:
    """學年度 N: 1 Aug (N+1911) to 31 Jul (N+1912)."""

    year: int

    def __post_init__(self):
        _check_year(self.year, "academic")

    @property
    def id(self) -> str:
        return str(self.year)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year + ROC_OFFSET, 8, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year + ROC_OFFSET + 1, 7, 31)

    @property
    def semesters(self) -> tuple["Semester", "Semester"]:
        return Semester(self.year, 1), Semester(self.year, 2)

    def contains(self, d) -> bool:
        return self.start <= parse_date(d) <= self.end

    @classmethod
    def of(cls, d) -> "AcademicYear":
        d = parse_date(d)
        roc = d.year - ROC_OFFSET
        return cls(roc if d.month >= 8 else roc - 1)

    @classmethod
    def parse(cls, value) -> "AcademicYear":
        """113, "113", "113學年度", "民國113學年度"."""
        if isinstance(value, AcademicYear):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        text = re.sub(r"\s+", "", _clean(str(value)))
        m = re.fullmatch(r"(?:民國)?(\d{1,4})(?:學年度?)?", text)
        if not m:
            raise DateError(f"{str(value).strip()} is not an academic year",
                            hint="write it as 113 or 113學年度")
        return cls(int(m.group(1)))

    def __str__(self) -> str:
        return self.id


_TERM_WORDS = {"上": 1, "下": 2}


@dataclass(frozen=True, order=True)
class Semester:
    """Term 1 (上) is 1 Aug - 31 Jan, term 2 (下) is 1 Feb - 31 Jul of 學年度 `year`."""

    year: int
    term: int

    def __post_init__(self):
        _check_year(self.year, "semester")
        if self.term not in (1, 2) or isinstance(self.term, bool):
            raise DateError(f"{self.year}-{self.term} is not a semester: "
                            "the term must be 1 (上) or 2 (下)",
                            hint=f"write it as {self.year}-1 or {self.year}-2")

    @property
    def id(self) -> str:
        return f"{self.year}-{self.term}"

    @property
    def academic_year(self) -> AcademicYear:
        return AcademicYear(self.year)

    @property
    def start(self) -> datetime.date:
        if self.term == 1:
            return datetime.date(self.year + ROC_OFFSET, 8, 1)
        return datetime.date(self.year + ROC_OFFSET + 1, 2, 1)

    @property
    def end(self) -> datetime.date:
        if self.term == 1:
            return datetime.date(self.year + ROC_OFFSET + 1, 1, 31)
        return datetime.date(self.year + ROC_OFFSET + 1, 7, 31)

    def contains(self, d) -> bool:
        return self.start <= parse_date(d) <= self.end

    def next(self) -> "Semester":
        return Semester(self.year, 2) if self.term == 1 else Semester(self.year + 1, 1)

    def prev(self) -> "Semester":
        return Semester(self.year - 1, 2) if self.term == 1 else Semester(self.year, 1)

    @classmethod
    def of(cls, d) -> "Semester":
        d = parse_date(d)
        # January belongs to the autumn term of the academic year that began last August.
        return cls(AcademicYear.of(d).year, 1 if d.month >= 8 or d.month == 1 else 2)

    @classmethod
    def parse(cls, value) -> "Semester":
        """113-1, 113上, 113學年度上學期, 113學年度第1學期, 113學年度第一學期."""
        if isinstance(value, Semester):
            return value
        shown = str(value).strip()
        text = re.sub(r"\s+", "", _clean(str(value)))
        m = re.fullmatch(r"(\d{1,4})-(\d+)", text)
        if m:
            return cls(int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"(?:民國)?(\d{1,4})(?:學年度?)?([上下])(?:學期)?", text)
        if m:
            return cls(int(m.group(1)), _TERM_WORDS[m.group(2)])
        m = re.fullmatch(r"(?:民國)?(\d{1,4})學年度?第(.+?)學期", text)
        if m:
            try:
                term = chinese_number(m.group(2))
            except DateError:
                term = None
            if term is not None:
                return cls(int(m.group(1)), term)
        raise DateError(f"{shown} is not a semester",
                        hint="write it as 113-1 or 113-2 (also 113上, 113學年度第1學期)")

    @classmethod
    def range(cls, first, last) -> list["Semester"]:
        """Every semester from `first` to `last`, both included."""
        first, last = cls.parse(first), cls.parse(last)
        if last < first:
            raise DateError(f"semester range {first}..{last} runs backwards",
                            hint=f"write it as {last}..{first}")
        out = [first]
        while out[-1] < last:
            out.append(out[-1].next())
        return out

    def __str__(self) -> str:
        return self.id


# ------------------------------------------------------------------------ numbers

_DIGITS = {"一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text) -> int:
    """0-99 written as 六, 十二, 二十, 九十九 or in (fullwidth) arabic digits."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    s = _clean(str(text))
    if s.isascii() and s.isdigit():
        return int(s)
    m = re.fullmatch(r"([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)", s)
    if s == "兩":
        return 2
    if not s or not m or (m.group(1) and not m.group(2) and m.group(3)):
        raise DateError(f"{str(text).strip()} is not a number",
                        hint="write it as digits (12) or as 一 ... 九十九")
    tens, ten, units = m.groups()
    if not ten:
        return _DIGITS[units or tens]
    return 10 * (_DIGITS[tens] if tens else 1) + (_DIGITS[units] if units else 0)


# ---------------------------------------------------------------------- durations

_UNITS = ("days", "weeks", "months", "years")
_UNIT_WORDS = {
    "day": "days", "days": "days", "日": "days", "天": "days",
    "week": "weeks", "weeks": "weeks", "週": "weeks", "周": "weeks", "星期": "weeks",
    "month": "months", "months": "months", "個月": "months", "个月": "months",
    "year": "years", "years": "years", "年": "years",
}


@dataclass(frozen=True)
class Duration:
    """A period as the regulation states it ("三日", "5 years"), before counting rules apply."""

    amount: int
    unit: str

    def __post_init__(self):
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise DateError(f"duration amount must be a whole number >= 0, got {self.amount!r}")
        unit = _UNIT_WORDS.get(self.unit) if isinstance(self.unit, str) else None
        if unit is None:
            raise DateError(f"unknown duration unit {self.unit!r}",
                            hint="use days, weeks, months or years")
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
            months = self.amount * (12 if self.unit == "years" else 1)
            index = d.year * 12 + (d.month - 1) + sign * months
            year, month = divmod(index, 12)
            month += 1
            return datetime.date(year, month, min(d.day, _month_length(year, month)))
        except (OverflowError, ValueError):
            raise DateError(f"{d.isoformat()} {'+' if sign > 0 else '-'} {self} "
                            "is outside the supported dates (years 1-9999)") from None

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
        raise DateError(f"{shown} is not a duration",
                        hint="write it as 3 days, 2 weeks, 1 month, 5 years, 3日, 二週 or 3個月")

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


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
        raise DateError(f"period {start.isoformat()}..{end.isoformat()} ends before it starts")
    if rule == "inclusive":
        return (end - start).days + 1
    if rule == "apa48":
        return (effective_end(end, holidays) - start).days
    raise DateError(f"unknown counting rule {rule!r}", hint="use inclusive or apa48")


def effective_end(end, holidays: Iterable = frozenset()) -> datetime.date:
    """The §48 last day: `end`, moved past weekends and `holidays` to a working day."""
    off = {parse_date(h) for h in holidays}
    day = parse_date(end)
    while day.weekday() >= 5 or day in off:
        day += _DAY
    return day
