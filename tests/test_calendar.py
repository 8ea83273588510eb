import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulekit.calendar import (
    AcademicYear,
    DateError,
    Duration,
    Semester,
    chinese_number,
    count_days,
    effective_end,
    parse_date,
    short_roc_year,
    to_iso,
    to_roc,
)

D = dt.date
ROC_DATES = st.dates(min_value=D(1912, 1, 1), max_value=D(2200, 12, 31))
# Academic year 1 starts 1912-08-01; earlier dates have no 學年度.
SCHOOL_DATES = st.dates(min_value=D(1912, 8, 1), max_value=D(2200, 12, 31))
SEMESTERS = st.builds(Semester, st.integers(1, 289), st.sampled_from([1, 2]))


# ------------------------------------------------------------------ parse_date

@pytest.mark.parametrize("text", [
    "2024-01-19", "113.01.19", "113.1.19", "113/1/19", "113/01/19", "113-01-19",
    "113年1月19日", "中華民國113年1月19日", "民國113年1月19日", "1130119",
    "  113.01.19\n", "１１３．０１．１９", "１１３年１月１９日", "民國 113 年 1 月 19 日",
])
def test_every_accepted_form_reads_the_same_day(text):
    assert parse_date(text) == D(2024, 1, 19)


@pytest.mark.parametrize("text, expected", [
    ("96.06.13", D(2007, 6, 13)),
    ("99/12/31", D(2010, 12, 31)),
    ("0990101", D(2010, 1, 1)),
    ("1年1月1日", D(1912, 1, 1)),
    ("113.02.29", D(2024, 2, 29)),
    ("2000-02-29", D(2000, 2, 29)),
])
def test_two_digit_and_zero_padded_roc_years(text, expected):
    assert parse_date(text) == expected


def test_date_objects_pass_through_and_datetimes_lose_their_time():
    assert parse_date(D(2024, 1, 19)) == D(2024, 1, 19)
    got = parse_date(dt.datetime(2024, 1, 19, 23, 59))
    assert got == D(2024, 1, 19) and type(got) is dt.date


def test_yaml_int_is_read_as_seven_digit_form():
    assert parse_date(1130119) == D(2024, 1, 19)


@pytest.mark.parametrize("text, message, hint", [
    ("113.02.30", "113.02.30 is not a valid date: February 113 (2024) has 29 days",
     "the last day of that month is 113.02.29"),
    ("112.02.29", "112.02.29 is not a valid date: February 112 (2023) has 28 days",
     "the last day of that month is 112.02.28"),
    ("113年4月31日", "113年4月31日 is not a valid date: April 113 (2024) has 30 days",
     "the last day of that month is 113.04.30"),
    ("2024-13-01", "2024-13-01 is not a valid date: there is no month 13",
     "months run from 1 to 12"),
    ("2023-02-29", "2023-02-29 is not a valid date: February 2023 has 28 days",
     "the last day of that month is 2023-02-28"),
    ("113.00.10", "113.00.10 is not a valid date: there is no month 0",
     "months run from 1 to 12"),
    ("00.01.01", "00.01.01 is not a valid date: there is no ROC year 0",
     "ROC year 1 is 1912; ROC year = Gregorian year - 1911"),
])
def test_impossible_dates_are_refused_not_rolled_over(text, message, hint):
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.message == message
    assert info.value.hint == hint
    assert str(info.value) == message


@pytest.mark.parametrize("text", [
    "abc", "113.01/19", "1.1.19", "113..01.19", "113.01.19.", "113011", "113011901",
    "113年1月", "2024-1-19T00:00", "24-01-19x", "2024/01.19", "2024年1月19",
])
def test_unrecognised_text_lists_the_accepted_forms(text):
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.message == f"{text.strip()} is not a recognised date"
    assert "113年1月19日" in info.value.hint and "1130119" in info.value.hint


def test_empty_text_says_so():
    with pytest.raises(DateError) as info:
        parse_date("  ")
    assert info.value.message == "the date is empty" and "1130119" in info.value.hint


@pytest.mark.parametrize("text", ["2024/01/19", "2024.1.19", "20240119", "2024年1月19日", "西元2024年1月19日"])
def test_four_digit_year_is_gregorian_with_any_separator(text):
    """Issue 15: Excel writes 2024/1/19; the year's four digits say it is not ROC."""
    assert parse_date(text) == D(2024, 1, 19)


@pytest.mark.parametrize("value", [None, 3.5, True, ["113.01.19"]])
def test_non_text_values_are_refused(value):
    with pytest.raises(DateError, match="expected a date"):
        parse_date(value)


def test_date_error_is_a_value_error_with_default_empty_hint():
    err = DateError("boom")
    assert isinstance(err, ValueError) and err.message == "boom" and err.hint == ""


@pytest.mark.parametrize("text, expected", [
    ("13.08.01", "did you mean 113.08.01 (2024-08-01)? for ROC year 13 (1924) write 013.08.01"),
    ("96/6/13", "for ROC year 96 (2007) write 096.06.13"),  # 196 (2107) is not offered: past 民國130
    ("89-02-29", "for ROC year 89 (2000) write 089.02.29"),  # 2100-02-29 does not exist
    ("113.08.01", None), ("013.08.01", None), ("0130801", None), ("13年8月1日", None), ("2013-08-01", None),
])
def test_a_two_digit_roc_year_reads_but_is_flagged_for_records(text, expected):
    """parse_date keeps reading 96.06.13 (a regulation's history is that old); records ask."""
    parse_date(text)
    found = short_roc_year(text)
    assert (found.hint if found else None) == expected


# ---------------------------------------------------------------- to_roc / to_iso

@pytest.mark.parametrize("style, expected", [
    (".", "113.01.19"), ("/", "113/1/19"), ("年", "113年1月19日"),
])
def test_to_roc_styles(style, expected):
    assert to_roc(D(2024, 1, 19), style) == expected


def test_to_roc_pads_one_digit_years_so_they_parse_back():
    assert to_roc(D(1915, 3, 4)) == "04.03.04"
    assert to_roc(D(1915, 3, 4), "/") == "04/3/4"
    assert to_roc(D(1915, 3, 4), "年") == "4年3月4日"


@pytest.mark.parametrize("day", [D(1911, 12, 31), D(1, 1, 1), D(2911, 1, 1)])
def test_to_roc_refuses_years_outside_roc_1_to_999(day):
    with pytest.raises(DateError):
        to_roc(day)


def test_to_roc_rejects_unknown_style():
    with pytest.raises(DateError, match="unknown ROC style"):
        to_roc(D(2024, 1, 19), "-")


def test_to_iso_accepts_any_date_form():
    assert to_iso("113年1月19日") == "2024-01-19"
    assert to_iso(D(2024, 1, 9)) == "2024-01-09"


@given(ROC_DATES, st.sampled_from([".", "/", "年"]))
def test_roc_round_trip(day, style):
    assert parse_date(to_roc(day, style)) == day


@given(st.dates(min_value=D(1912, 1, 1), max_value=D(9899, 12, 31)))
def test_iso_round_trip(day):
    assert parse_date(to_iso(day)) == day


@given(st.dates(min_value=D(9900, 1, 1)))
def test_an_iso_date_after_the_last_day_is_refused(day):
    """9999-12-31 is a placeholder, not a day: a rule adding 5 years to it would fail far from the record."""
    text = to_iso(day)
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.message == f"{text} is after 9899-12-31, the last date rulekit reads"
    assert info.value.hint == "check the year; rulekit reads dates from 1912-01-01 (ROC year 1) to 9899-12-31"


@given(st.dates(max_value=D(1911, 12, 31)))
def test_an_iso_date_before_the_roc_calendar_is_refused(day):
    """0113-08-01 is most likely ROC 113 with a leading zero, not the year 113."""
    text = to_iso(day)
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.message == f"{text} is in the year {day.year}, before the ROC calendar began (1912-01-01)"
    try:
        meant = day.replace(year=day.year + 1911) if day.year < 1000 else None
    except ValueError:  # 29 February, not a leap day 1911 years later
        meant = None
    if meant is None:
        assert info.value.hint == "check the year; rulekit reads dates from 1912-01-01 (ROC year 1) to 9899-12-31"
    else:
        assert info.value.hint == f"did you mean {day.year:03d}.{day.month:02d}.{day.day:02d} ({meant.isoformat()})?"
        assert parse_date(f"{day.year:03d}.{day.month:02d}.{day.day:02d}") == meant


# ---------------------------------------------------------------- AcademicYear

def test_academic_year_bounds_and_semesters():
    ay = AcademicYear(113)
    assert (ay.start, ay.end) == (D(2024, 8, 1), D(2025, 7, 31))
    assert ay.id == str(ay) == "113"
    assert ay.semesters == (Semester(113, 1), Semester(113, 2))
    assert ay.contains("2025-07-31") and not ay.contains("2025-08-01")


@pytest.mark.parametrize("day, year", [
    ("2024-07-31", 112), ("2024-08-01", 113), ("2025-01-31", 113), ("2025-07-31", 113),
])
def test_academic_year_of(day, year):
    assert AcademicYear.of(day) == AcademicYear(year)


@pytest.mark.parametrize("value", ["113", 113, "113學年度", " 113 學年度 ", "１１３學年度"])
def test_academic_year_parse(value):
    assert AcademicYear.parse(value) == AcademicYear(113)


@pytest.mark.parametrize("value", ["abc", "113-1", "", 0, -1, True])
def test_academic_year_parse_rejects(value):
    with pytest.raises(DateError):
        AcademicYear.parse(value)


def test_academic_years_order():
    assert AcademicYear(112) < AcademicYear(113)


# -------------------------------------------------------------------- Semester

def test_semester_bounds():
    assert (Semester(113, 1).start, Semester(113, 1).end) == (D(2024, 8, 1), D(2025, 1, 31))
    assert (Semester(113, 2).start, Semester(113, 2).end) == (D(2025, 2, 1), D(2025, 7, 31))
    assert Semester(113, 2).academic_year == AcademicYear(113)


@pytest.mark.parametrize("day, sid", [
    ("2024-08-01", "113-1"), ("2025-01-31", "113-1"), ("2025-02-01", "113-2"),
    ("2025-07-31", "113-2"), ("113.01.19", "112-1"), ("113.07.01", "112-2"),
])
def test_semester_of(day, sid):
    assert Semester.of(day).id == sid


@pytest.mark.parametrize("text, sid", [
    ("113-1", "113-1"), ("113-2", "113-2"), ("113上", "113-1"), ("113下", "113-2"),
    ("113學年度第1學期", "113-1"), ("113學年度第一學期", "113-1"),
    ("113學年度第二學期", "113-2"), ("113學年度上學期", "113-1"), ("１１３－２", "113-2"),
    (" 96學年度 第 2 學期 ", "96-2"),
])
def test_semester_parse(text, sid):
    assert str(Semester.parse(text)) == sid


def test_semester_term_three_is_refused_with_exact_message():
    with pytest.raises(DateError) as info:
        Semester.parse("113-3")
    assert info.value.message == "113-3 is not a semester: the term must be 1 (上) or 2 (下)"
    assert info.value.hint == "write it as 113-1 or 113-2"


@pytest.mark.parametrize("text", ["113", "113中", "113學年度第三學期", "abc", "113-", "-1"])
def test_semester_parse_rejects(text):
    with pytest.raises(DateError):
        Semester.parse(text)


@pytest.mark.parametrize("year, term", [(113, 0), (113, 3), (0, 1), (113, True), ("113", 1)])
def test_semester_constructor_validates(year, term):
    with pytest.raises(DateError):
        Semester(year, term)


def test_next_and_prev_cross_academic_years():
    assert Semester(113, 1).next() == Semester(113, 2)
    assert Semester(113, 2).next() == Semester(114, 1)
    assert Semester(114, 1).prev() == Semester(113, 2)


def test_semester_range_is_inclusive_and_ordered():
    got = Semester.range("112-2", Semester(114, 1))
    assert [s.id for s in got] == ["112-2", "113-1", "113-2", "114-1"]
    assert Semester.range("113-1", "113-1") == [Semester(113, 1)]
    with pytest.raises(DateError, match="runs backwards"):
        Semester.range("113-2", "113-1")


@given(SCHOOL_DATES)
def test_semester_of_any_date_contains_it(day):
    s = Semester.of(day)
    assert s.contains(day) and s.start <= day <= s.end
    assert s.academic_year.contains(day) and AcademicYear.of(day) == s.academic_year


@given(SEMESTERS)
def test_consecutive_semesters_tile_the_timeline(s):
    nxt = s.next()
    assert s.end + dt.timedelta(days=1) == nxt.start
    assert nxt.prev() == s and s < nxt


@given(SEMESTERS)
def test_semester_parse_round_trip(s):
    assert Semester.parse(s.id) == s


# -------------------------------------------------------------------- Duration

@pytest.mark.parametrize("text, amount, unit", [
    ("3 days", 3, "days"), ("1 day", 1, "days"), ("2 weeks", 2, "weeks"),
    ("5 years", 5, "years"), ("1 month", 1, "months"), ("3日", 3, "days"),
    ("3天", 3, "days"), ("三日", 3, "days"), ("二週", 2, "weeks"), ("2週", 2, "weeks"),
    ("5年", 5, "years"), ("3個月", 3, "months"), ("兩個月", 2, "months"),
    ("二十一天", 21, "days"), ("３ Days", 3, "days"),
])
def test_duration_parse(text, amount, unit):
    d = Duration.parse(text)
    assert (d.amount, d.unit) == (amount, unit)  # as written: == alone would take 14 days for 2 weeks


@pytest.mark.parametrize("text", ["3", "days", "3 fortnights", "3月", "三", "-3 days", "3.5 days"])
def test_duration_parse_rejects(text):
    with pytest.raises(DateError, match="is not a duration"):
        Duration.parse(text)


@pytest.mark.parametrize("amount, unit", [(-1, "days"), (1.5, "days"), (1, "hours"), (True, "days")])
def test_duration_constructor_validates(amount, unit):
    with pytest.raises(DateError):
        Duration(amount, unit)


@pytest.mark.parametrize("d, text", [
    (Duration(3, "days"), "3 days"), (Duration(1, "day"), "1 day"),
    (Duration(1, "weeks"), "1 week"), (Duration(2, "months"), "2 months"),
])
def test_duration_str_singular_and_plural(d, text):
    assert str(d) == text


@pytest.mark.parametrize("start, d, expected", [
    ("2024-01-31", Duration(1, "months"), D(2024, 2, 29)),
    ("2023-01-31", Duration(1, "months"), D(2023, 2, 28)),
    ("2024-02-29", Duration(1, "years"), D(2025, 2, 28)),
    ("2024-11-30", Duration(3, "months"), D(2025, 2, 28)),
    ("2024-01-19", Duration(3, "days"), D(2024, 1, 22)),
    ("2024-01-19", Duration(2, "weeks"), D(2024, 2, 2)),
])
def test_duration_add_to(start, d, expected):
    assert d.add_to(start) == expected


def test_duration_subtract_clamps_too():
    assert Duration(1, "months").subtract_from("2024-03-31") == D(2024, 2, 29)
    assert Duration(5, "years").subtract_from("2024-02-29") == D(2019, 2, 28)


@pytest.mark.parametrize("a, b, equal", [
    (Duration(7, "days"), Duration(1, "weeks"), True), (Duration(12, "months"), Duration(1, "years"), True),
    (Duration(0, "days"), Duration(0, "years"), True), (Duration(30, "days"), Duration(1, "months"), False),
    (Duration(365, "days"), Duration(1, "years"), False), (Duration(2, "weeks"), Duration(2, "days"), False),
])
def test_duration_equal_and_hashed_by_its_value(a, b, equal):
    assert (a == b) is equal and (a != b) is not equal
    assert (b in {a: "found"}) is equal
    if equal:
        assert hash(a) == hash(b) and len({a, b}) == 1


def test_duration_in_days():
    assert Duration(3, "days").in_days() == 3
    assert Duration(2, "weeks").in_days() == 14
    assert Duration(1, "months").in_days() is None
    assert Duration(1, "years").in_days() is None


def test_duration_outside_supported_dates_is_a_date_error():
    with pytest.raises(DateError, match="outside the supported dates"):
        Duration(1, "years").add_to(D(9999, 6, 1))


@given(st.dates(min_value=D(1000, 1, 1), max_value=D(3000, 1, 1)),
       st.integers(0, 5000), st.sampled_from(["days", "weeks"]))
def test_duration_add_then_subtract_is_identity_for_exact_units(day, amount, unit):
    d = Duration(amount, unit)
    assert d.subtract_from(d.add_to(day)) == day
    assert (d.add_to(day) - day).days == d.in_days()


# -------------------------------------------------------------- chinese_number

CHINESE = "一二三四五六七八九"


def _write(n: int) -> str:
    tens, units = divmod(n, 10)
    if tens == 0:
        return CHINESE[units - 1]
    head = "" if tens == 1 else CHINESE[tens - 1]
    return head + "十" + (CHINESE[units - 1] if units else "")


@pytest.mark.parametrize("text, n", [
    ("六", 6), ("十", 10), ("十二", 12), ("二十", 20), ("九十九", 99), ("兩", 2),
    ("12", 12), ("１２", 12), ("0", 0),
])
def test_chinese_number_examples(text, n):
    assert chinese_number(text) == n


@given(st.integers(1, 99))
def test_chinese_number_reads_every_number_to_99(n):
    assert chinese_number(_write(n)) == n
    assert chinese_number(str(n)) == n


@pytest.mark.parametrize("text", ["", "十十", "二二", "百", "一百", "abc", "三十三三"])
def test_chinese_number_rejects(text):
    with pytest.raises(DateError, match="is not a number"):
        chinese_number(text)


# ------------------------------------------------------------------ count_days

def test_inclusive_counts_both_ends():
    assert count_days("2024-01-19", "2024-01-21") == 3
    assert count_days("113.01.19", "113.01.19") == 1


def test_apa48_excludes_first_day_on_weekdays():
    # Wed 2024-01-17 .. Fri 2024-01-19: Thu and Fri count.
    assert count_days("2024-01-17", "2024-01-19", rule="apa48") == 2


def test_apa48_extends_past_weekend():
    # Sat 2024-01-20 ends the period, so it runs on to Mon 2024-01-22.
    assert count_days("2024-01-17", "2024-01-20", rule="apa48") == 5
    assert effective_end("2024-01-20") == D(2024, 1, 22)


def test_apa48_extends_past_holidays_after_the_weekend():
    holidays = frozenset({D(2024, 1, 22), D(2024, 1, 23)})
    assert effective_end("2024-01-20", holidays) == D(2024, 1, 24)
    assert count_days("2024-01-17", "2024-01-20", "apa48", holidays) == 7


def test_apa48_holiday_on_a_weekday_end():
    assert count_days("2024-01-16", "2024-01-19", "apa48", frozenset({D(2024, 1, 19)})) == 6


def test_holidays_may_be_given_as_text():
    assert count_days("2024-01-16", "2024-01-19", "apa48", {"113.01.19"}) == 6


def test_inclusive_ignores_holidays():
    assert count_days("2024-01-17", "2024-01-20", holidays=frozenset({D(2024, 1, 20)})) == 4


def test_count_days_rejects_backwards_periods_and_unknown_rules():
    with pytest.raises(DateError, match="ends before it starts"):
        count_days("2024-01-20", "2024-01-19")
    with pytest.raises(DateError, match="unknown counting rule"):
        count_days("2024-01-19", "2024-01-20", rule="working")


@given(SCHOOL_DATES, st.integers(0, 60))
def test_apa48_never_counts_more_than_inclusive_on_a_working_day(start, span):
    end = start + dt.timedelta(days=span)
    inclusive = count_days(start, end)
    apa = count_days(start, end, "apa48")
    assert inclusive == span + 1
    if end.weekday() < 5:
        assert apa == inclusive - 1
    else:
        assert apa > inclusive - 1 and effective_end(end).weekday() == 0
