"""Dates and numbers as school paperwork writes them: ROC (民國) years, `113.01.19`, `113年1月19日`,
Gregorian `2024/11/12` (Excel's), `2024年11月12日`, 六/十二.

Strict: the listed forms exactly (docs/dates.md is their table); anything else raises
`DateError` with a hint naming what would have been accepted. The year decides the
calendar: four digits are Gregorian, one to three are ROC. A form whose order is not
known (11/12/2024: November 12 or 11 December?) is refused with the readings it allows.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from ..i18n import N_, _


ROC_OFFSET = 1911
# 民國元年1月1日. No regulation, record or deadline rulekit reads is older; an ISO
# year before it is a mistake, most often an ROC year with a leading zero (0113-08-01).
FIRST_DAY = datetime.date(1912, 1, 1)
# The last day rulekit reads. Python's dates end at 9999-12-31, and a rule computes from the
# dates it reads (graduated_on + 5 years, the semester of a day): a century of room keeps
# every such step a date, so a record dated 9999-12-31 is refused where it is written
# instead of failing a rule far from it.
LAST_DAY = datetime.date(9899, 12, 31)
_RANGE_HINT = N_("check the year; rulekit reads dates from {first} (ROC year 1) to {last}")
_DAY = datetime.timedelta(days=1)
_MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
           N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))
_FORMS_HINT = N_("accepted forms: 2024-01-19, 2024/1/19, 2024.01.19, 2024年1月19日, 20240119, "
               "113.01.19, 113/1/19, 113-01-19, 113年1月19日, 中華民國113年1月19日, 1130119")


def _range_hint() -> str:
    return _(_RANGE_HINT).format(first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())


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

# (pattern, is_roc). The year's digits choose the calendar, so no form needs a guess: four
# digits are Gregorian (2024/9/1, Excel's date), two or three ROC (113/9/1); 1-digit
# separated years are refused (5.1.1 reads as a version number as easily as a date).
# The separator must repeat (113.01/19 is a typo).
_YMD = r"\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_DATE_FORMS = (
    (re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})"), False),
    (re.compile(r"(\d{2,3})([./-])(\d{1,2})\2(\d{1,2})"), True),
    (re.compile(r"(?:西元|公元)\s*(\d{1,4})" + _YMD), False),
    (re.compile(r"(\d{4})" + _YMD), False),
    (re.compile(r"(?:中華民國|民國)?\s*(\d{1,3})" + _YMD), True),
    (re.compile(r"(\d{3})(\d{2})(\d{2})"), True),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), False),
)
# Forms refused because their reading is not known, each with its own finding (_ambiguous).
_YEAR_LAST = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_ROC_FOUR_DIGITS = re.compile(r"(?:中華民國|民國)\s*(\d{4,})" + _YMD)


def parse_date(value) -> datetime.date:
    """Read a date in any accepted form; impossible dates raise instead of rolling over."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML turns an unquoted 1130119 into an int
    if not isinstance(value, str):
        raise DateError(_("expected a date, got {name}").format(name=type(value).__name__), hint=_(_FORMS_HINT))
    shown = value.strip()
    text = _clean(value)
    if not text:
        raise DateError(_("the date is empty"), hint=_(_FORMS_HINT))
    for pattern, is_roc in _DATE_FORMS:
        m = pattern.fullmatch(text)
        if m:
            numbers = [int(g) for g in m.groups() if g.isdigit()]
            return _build_date(shown, *numbers, roc=is_roc)
    raise _ambiguous(shown, text) or DateError(_("{shown} is not a recognised date").format(shown=shown),
                                               hint=_(_FORMS_HINT))


def _ambiguous(shown: str, text: str) -> DateError | None:
    """The finding for a form that names a date but not which one, or None."""
    m = _YEAR_LAST.fullmatch(text)
    if m:
        first, sep, second, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        readings = sorted({d for d in (_valid(year, first, second), _valid(year, second, first)) if d})
        if len(readings) == 2:
            why = _("it could be {one} (month/day) or {other} (day/month)").format(
                one=_valid(year, first, second).isoformat(), other=_valid(year, second, first).isoformat())
        elif readings:
            why = _("only {date} fits, but the same form is ambiguous whenever the day is 12 or less, "
                    "so rulekit does not guess").format(date=readings[0].isoformat())
        else:
            why = _("neither month/day nor day/month is a date")
        example = (f"{readings[0].year:04d}{sep}{readings[0].month:02d}{sep}{readings[0].day:02d}" if readings
                   else f"YYYY{sep}MM{sep}DD")
        return DateError(_("{date} has the year last: {why}").format(date=shown, why=why),
                         hint=_("write the year first: {example}").format(example=example))
    m = _ROC_FOUR_DIGITS.fullmatch(text)
    if m:
        return DateError(_("{date} gives 民國 a {digits}-digit year: an ROC year has at most 3 digits").format(
            date=shown, digits=len(m.group(1))),
            hint=_("for a Gregorian year drop 民國 ({year}年{month}月{day}日); ROC year = Gregorian year - 1911").format(
                year=m.group(1), month=m.group(2), day=m.group(3)))
    return None


def _valid(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _build_date(shown: str, year: int, month: int, day: int, roc: bool) -> datetime.date:
    label = f"{year} ({year + ROC_OFFSET})" if roc else str(year)
    gregorian = year + ROC_OFFSET if roc else year
    if roc and year < 1:
        raise DateError(_("{shown} is not a valid date: there is no ROC year 0").format(shown=shown),
                        hint=_("ROC year 1 is 1912; ROC year = Gregorian year - 1911"))
    if not roc and year < 1:
        raise DateError(_("{shown} is not a valid date: there is no year 0").format(shown=shown))
    if not 1 <= month <= 12:
        raise DateError(_("{shown} is not a valid date: there is no month {month}").format(shown=shown, month=month),
                        hint=_("months run from 1 to 12"))
    last = _month_length(gregorian, month)
    if not 1 <= day <= last:
        raise DateError(
            _("{shown} is not a valid date: {month} {label} has {last} days").format(shown=shown, month=_(_MONTHS[month - 1]), label=label, last=last),
            hint=_("the last day of that month is {roc}").format(roc=_format_same_way(year, month, last, roc)))
    if gregorian < FIRST_DAY.year:
        raise _before_roc(shown, year, month, day)
    if gregorian > LAST_DAY.year:
        raise DateError(_("{shown} is after {isoformat}, the last date rulekit reads").format(shown=shown, isoformat=LAST_DAY.isoformat()), hint=_range_hint())
    return datetime.date(gregorian, month, day)


def _before_roc(shown: str, year: int, month: int, day: int) -> DateError:
    message = _("{shown} is in the year {year}, before the ROC calendar began ({isoformat})").format(shown=shown, year=year, isoformat=FIRST_DAY.isoformat())
    if year <= 999 and day <= _month_length(year + ROC_OFFSET, month):
        return DateError(message, hint=_("did you mean {day}?").format(day=_as_roc(year, month, day)))
    return DateError(message, hint=_range_hint())


def _as_roc(year: int, month: int, day: int) -> str:
    """`113.08.01 (2024-08-01)`: an ROC reading and the day it names."""
    iso = datetime.date(year + ROC_OFFSET, month, day).isoformat()
    return f"{year:03d}.{month:02d}.{day:02d} ({iso})"  # 3 digits: a 2-digit ROC year is ambiguous


# A separated ROC date whose year has two digits: 13.08.01 is ROC 13 (1924) to the
# parser, but in school records more likely 113 with a digit lost, or a short Gregorian year.
_LATEST_SHORT_1XX = 30
_SHORT_ROC = re.compile(r"(\d{2})([./-])(\d{1,2})\2(\d{1,2})")


def short_roc_year(value) -> DateError | None:
    """The finding for a date written with a two-digit ROC year, or None.

    `parse_date` reads such a date (a regulation's history may go back to 民國96年);
    records, whose dates are recent, ask for the year in full instead of guessing."""
    if not isinstance(value, str):
        return None
    m = _SHORT_ROC.fullmatch(_clean(value))
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    shown = value.strip()
    message = _("{shown} has a two-digit year: it reads as ROC year {year} ({ROC_OFFSET})").format(shown=shown, year=year, ROC_OFFSET=year + ROC_OFFSET)
    meant = _("for ROC year {year} ({ROC_OFFSET}) write {year:03d}.{month:02d}.{day:02d}").format(year=year, ROC_OFFSET=year + ROC_OFFSET, month=month, day=day)
    # 民國1xx runs to 2041 at 130: a larger two-digit year more likely lost its leading 0 than its 1
    if year <= _LATEST_SHORT_1XX and day <= _month_length(year + 100 + ROC_OFFSET, month):
        return DateError(message, hint=_("did you mean {day}? {meant}").format(day=_as_roc(year + 100, month, day), meant=meant))
    return DateError(message, hint=meant)


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
        raise DateError(_("{isoformat} is before the ROC calendar (1912-01-01)").format(isoformat=d.isoformat()),
                        hint=_("use to_iso for dates before 1912"))
    if roc > 999:
        raise DateError(_("{isoformat} is past ROC year 999").format(isoformat=d.isoformat()), hint=_("use to_iso for it"))
    if style == ".":
        return f"{roc:02d}.{d.month:02d}.{d.day:02d}"
    if style == "/":
        return f"{roc:02d}/{d.month}/{d.day}"
    if style == "年":
        return f"{roc}年{d.month}月{d.day}日"
    raise DateError(_("unknown ROC style {style!r}").format(style=style), hint=_('use ".", "/" or "年"'))


def to_iso(d) -> str:
    return parse_date(d).isoformat()


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
        raise DateError(_("{strip} is not a number").format(strip=str(text).strip()),
                        hint=_("write it as digits (12) or as 一 ... 九十九"))
    tens, ten, units = m.groups()
    if not ten:
        return _DIGITS[units or tens]
    return 10 * (_DIGITS[tens] if tens else 1) + (_DIGITS[units] if units else 0)


def chinese_numeral(n: int) -> str:
    """0-99 as the regulation writes them: 六, 十, 十三, 二十, 九十九 (the inverse of `chinese_number`)."""
    if not 0 <= n <= 99:
        return str(n)
    digits = "零一二三四五六七八九"
    tens, units = divmod(n, 10)
    if tens == 0:
        return digits[units]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")
