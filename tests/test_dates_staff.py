"""Issue 15 item 3: dates as staff write them (Gregorian 2024/11/12, 2024年11月12日 ...).

The properties render a (year, month, day) in one of the forms docs/dates.md lists, with
renderers written here, and compare parse_date with an oracle that knows only the table:
four-digit years are Gregorian, shorter ones ROC (+1911), the day must exist
(datetime decides) and lie between 1912-01-01 and 9899-12-31.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.calendar import DateError, parse_date
from rulekit.cli import main
from rulekit.records import load_records

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
FULLWIDTH = str.maketrans("0123456789/.-", "０１２３４５６７８９／．－")


def oracle(year: int, month: int, day: int, roc: bool):
    """The day the table says the text names, or None where it must be refused."""
    if roc and year == 0:
        return None
    try:
        day_ = dt.date(year + 1911 if roc else year, month, day)
    except ValueError:
        return None
    return day_ if dt.date(1912, 1, 1) <= day_ <= dt.date(9899, 12, 31) else None


def pad(n: int, width: int) -> str:
    return str(n).zfill(width)


# (renderer, roc?, year strategy); each renderer takes (year, month, day, draw-extras)
def gregorian_separated(y, m, d, x):
    sep = x["sep"]
    return f"{pad(y, 4)}{sep}{pad(m, x['wm'])}{sep}{pad(d, x['wd'])}"


def gregorian_nian(y, m, d, x):
    return f"{x['prefix_g']}{pad(y, 4)}{x['sp']}年{m}{x['sp']}月{d}{x['sp']}日"


def gregorian_compact(y, m, d, x):
    return f"{pad(y, 4)}{pad(m, 2)}{pad(d, 2)}"


def roc_separated(y, m, d, x):
    return f"{pad(y, x['wy'])}{x['sep']}{pad(m, x['wm'])}{x['sep']}{pad(d, x['wd'])}"


def roc_nian(y, m, d, x):
    return f"{x['prefix_r']}{y}{x['sp']}年{m}月{d}日"


def roc_compact(y, m, d, x):
    return f"{pad(y, 3)}{pad(m, 2)}{pad(d, 2)}"


FORMS = [
    (gregorian_separated, False, st.integers(1000, 9999)),
    (gregorian_nian, False, st.integers(1000, 9999)),
    (gregorian_compact, False, st.integers(1000, 9999)),
    (roc_separated, True, st.integers(10, 999)),
    (roc_nian, True, st.integers(0, 999)),
    (roc_compact, True, st.integers(0, 999)),
]

EXTRAS = st.fixed_dictionaries({
    "sep": st.sampled_from("/.-"),
    "wm": st.sampled_from([1, 2]), "wd": st.sampled_from([1, 2]), "wy": st.sampled_from([2, 3]),
    "sp": st.sampled_from(["", " "]),
    "prefix_g": st.sampled_from(["", "西元", "公元"]),
    "prefix_r": st.sampled_from(["", "民國", "中華民國"]),
    "fullwidth": st.booleans(),
})


@st.composite
def written_dates(draw):
    render, roc, years = draw(st.sampled_from(FORMS))
    y, m, d = draw(years), draw(st.integers(0, 13)), draw(st.integers(0, 32))
    extras = draw(EXTRAS)
    text = render(y, m, d, extras)
    if extras["fullwidth"]:
        text = text.translate(FULLWIDTH)
    return text, oracle(y, m, d, roc)


@settings(max_examples=600)
@given(written_dates())
def test_every_form_in_the_table_reads_as_the_oracle_says(case):
    text, expected = case
    if expected is None:
        with pytest.raises(DateError) as info:
            parse_date(text)
        assert info.value.message and "Traceback" not in info.value.message
    else:
        assert parse_date(text) == expected


@given(st.dates(min_value=dt.date(1912, 1, 1), max_value=dt.date(9899, 12, 31)))
def test_excel_and_roc_forms_of_one_day_agree(day):
    excel = f"{day.year}/{day.month}/{day.day}"
    forms = [excel, f"{day.year}.{day.month:02d}.{day.day:02d}", f"{day.year}年{day.month}月{day.day}日",
             day.isoformat(), day.strftime("%Y%m%d")]
    if day.year - 1911 <= 999:
        roc = day.year - 1911
        forms += [f"{roc:03d}.{day.month:02d}.{day.day:02d}", f"民國{roc}年{day.month}月{day.day}日"]
    assert {parse_date(f) for f in forms} == {day}


@given(st.integers(1, 31), st.integers(1, 31), st.integers(1912, 9899), st.sampled_from("/.-"))
def test_a_year_written_last_is_refused_with_the_readings_it_allows(first, second, year, sep):
    text = f"{first}{sep}{second}{sep}{year}"
    readings = {d.isoformat() for d in (oracle(year, first, second, False), oracle(year, second, first, False)) if d}
    with pytest.raises(DateError) as info:
        parse_date(text)
    message = info.value.message
    assert message.startswith(f"{text} has the year last")
    assert set(re.findall(r"\d{4}-\d{2}-\d{2}", message)) == readings
    assert "write the year first" in info.value.hint


@pytest.mark.parametrize("text, message", [
    ("11/12/2024", "11/12/2024 has the year last: it could be 2024-11-12 (month/day) or 2024-12-11 (day/month)"),
    ("民國2024年11月12日", "民國2024年11月12日 gives 民國 a 4-digit year: an ROC year has at most 3 digits"),
])
def test_ambiguous_forms_say_why(text, message):
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.message == message


def test_excel_dates_in_a_csv_are_read(tmp_path):
    """`2024/11/12` in a CSV (Excel's export) was 75 invalid-date errors before issue 15."""
    folder = tmp_path / "school"
    shutil.copytree(ROOT / "examples" / "school", folder)
    windows = folder / "windows.csv"
    lines = windows.read_text(encoding="utf-8").splitlines()
    def excel(match):
        day = parse_date(match.group(0))
        return f"{day.year}/{day.month}/{day.day}"
    windows.write_text("\n".join([lines[0]] + [re.sub(r"\d{3}\.\d{2}\.\d{2}", excel, ln) for ln in lines[1:]]) + "\n",
                       encoding="utf-8")
    assert "2024/2/16" in windows.read_text(encoding="utf-8")
    as_excel = load_records(str(folder)).get("windows").rows
    as_roc = load_records(str(ROOT / "examples" / "school")).get("windows").rows
    assert as_excel == as_roc and len(as_excel) > 0


@pytest.mark.parametrize("as_of", ["2024/9/1", "2024.09.01", "2024年9月1日", "113/9/1"])
def test_as_of_takes_gregorian_forms(as_of):
    result = CliRunner().invoke(main, ["who", "課程認證", "--as-of", as_of, "--policy", POLICY, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"as_of": "2024-09-01"' in result.output


def test_as_of_with_the_year_last_is_a_usage_error():
    result = CliRunner().invoke(main, ["who", "課程認證", "--as-of", "9/1/2024", "--policy", POLICY])
    assert result.exit_code == 2
    assert "error[bad-date]" in result.stderr and "has the year last" in result.stderr
    assert "Traceback" not in result.stderr
