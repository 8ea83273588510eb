"""學年度 and semesters: academic year N runs 1 Aug (N+1911) to 31 Jul; 上 Aug-Jan, 下 Feb-Jul."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .dates import ROC_OFFSET, DateError, _clean, chinese_number, parse_date
from ..i18n import _

# ------------------------------------------------------------ academic years, terms

_MAX_ACADEMIC_YEAR = 9999 - ROC_OFFSET - 1  # its 31 Jul must still be a valid date


def _check_year(year, what: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise DateError(_("{what} year must be an integer, got {year!r}").format(what=what, year=year))
    if not 1 <= year <= _MAX_ACADEMIC_YEAR:
        raise DateError(_("{what} year {year} is out of range").format(what=what, year=year),
                        hint=_("ROC academic years run from 1 to {MAX_ACADEMIC_YEAR}").format(MAX_ACADEMIC_YEAR=_MAX_ACADEMIC_YEAR))


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
            raise DateError(_("{strip} is not an academic year").format(strip=str(value).strip()),
                            hint=_("write it as 113 or 113學年度"))
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
            raise DateError(_("{year}-{term} is not a semester: the term must be 1 (上) or 2 (下)").format(year=self.year, term=self.term),
                            hint=_("write it as {year}-1 or {year}-2").format(year=self.year))

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
        raise DateError(_("{shown} is not a semester").format(shown=shown),
                        hint=_("write it as 113-1 or 113-2 (also 113上, 113學年度第1學期)"))

    @classmethod
    def range(cls, first, last) -> list["Semester"]:
        """Every semester from `first` to `last`, both included."""
        first, last = cls.parse(first), cls.parse(last)
        if last < first:
            raise DateError(_("semester range {first}..{last} runs backwards").format(first=first, last=last),
                            hint=_("write it as {last}..{first}").format(last=last, first=first))
        out = [first]
        while out[-1] < last:
            out.append(out[-1].next())
        return out

    def __str__(self) -> str:
        return self.id
