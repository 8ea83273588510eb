"""`rulekit check`'s table as staff read it (issue 15 item 5): a summary by article, students
by name and class, at most N rows per article, every line within the terminal's width.

Oracles: counts come from the JSON report, names and classes from students.csv read here
with the csv module, widths from wcwidth directly.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from wcwidth import wcswidth

from rulekit.cli import main
from rulekit.report.text_table import fit_widths, fitted_table, wrap

# the staff table, workbook and answers as shipped: in the default language, zh-TW
pytestmark = pytest.mark.usefixtures("zh_module")

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy" / "regulation.yaml"
SCHOOL = ROOT / "examples" / "school"
AS_OF = "2025-03-01"
STATUS_ZH = {"pass": "符合", "fail": "不符合", "pending": "尚未到期", "not_applicable": "不適用"}


def run(*args: str, columns: int = 100) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(SCHOOL), "--policy", str(POLICY), "--as-of", AS_OF, *args],
                                env={"COLUMNS": str(columns)})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def results() -> list[dict]:
    return json.loads(run("--format", "json")[1])["results"]


@pytest.fixture(scope="module")
def students() -> dict[str, dict]:
    with (SCHOOL / "students.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["學號"]: row for row in csv.DictReader(fh)}


def sections(text: str) -> dict[str, list[str]]:
    """heading -> the lines under it, up to the next blank line."""
    out, current = {}, None
    for line in text.splitlines():
        if not line.strip():
            current = None
        elif current is None:
            current = line
            out[current] = []
        else:
            out[current].append(line)
    return out


def test_the_summary_counts_every_result_of_every_article(results):
    code, text = run()
    assert code == 1
    expected = Counter((r["citation"], r["status"]) for r in results)
    summary = sections(text)["各條文檢核結果:"]
    header = summary[0].split()
    assert header[1:5] == ["不符合", "尚未到期", "符合", "不適用"]
    seen = set()
    for line in summary[2:]:
        cells = line.split()
        citation, numbers = cells[0], cells[-4:]
        seen.add(citation)
        for status, n in zip(("fail", "pending", "pass", "not_applicable"), numbers):
            assert int(n) == expected[(citation, status)], (citation, status)
    assert seen == {c for c, _ in expected}


def test_students_are_named_with_their_class_and_never_by_national_id(results, students):
    _, text = run("--all", columns=200)
    failing = [r for r in results if r["status"] == "fail" and "student" in r["subject"]]
    assert failing
    for r in failing:
        s = students[r["subject"]["student"]]
        assert f"{s['學號']} {s['姓名']} ({s['班級']})" in text
    for s in students.values():
        assert s["身分證字號"] not in text


def test_at_most_max_rows_per_article_with_a_pointer_to_the_rest(results):
    _, text = run("--max-rows", "1")
    shown = Counter(r["citation"] for r in results if r["status"] in ("fail", "pending"))
    more = {citation: int(n) for n, citation in ((n, c) for c, n in re.findall(r"… (\S+) 另有 (\d+) 筆:", text))}
    assert more == {c: n - 1 for c, n in shown.items() if n > 1}
    assert "-o report.xlsx" in text and "--all" in text


def test_all_lists_every_result(results):
    _, text = run("--all", columns=300)  # wide enough that no row wraps
    rows = [line for line in text.splitlines() if any(line.startswith(r["rule"] + " ") for r in results)]
    assert len(rows) == len(results)
    assert "另有" not in text


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=40, max_value=200))
def test_every_line_fits_the_width(columns):
    code, text = run("--max-rows", "3", columns=columns)
    assert code == 1 and "各條文檢核結果:" in text
    too_wide = [line for line in _table_part(text).splitlines() if wcswidth(line) > columns]
    assert too_wide == []


def _table_part(text: str) -> str:
    """The report without its record findings: a finding is one line, `FILE:LINE:COL: error[code]`,
    whatever the width, so that it can be found with grep and read by an editor's jump-to-line."""
    head, _, rest = text.replace("\n資料:\n", "\nrecords:\n").partition("\nrecords:\n")  # zh-TW: 資料:
    return head + ("\n" + rest.split("\n\n", 1)[1] if "\n\n" in rest else "")


def test_columns_is_honoured_and_the_default_is_100():
    _, narrow = run(columns=60)
    assert max(map(wcswidth, _table_part(narrow).splitlines())) <= 60
    _, wide = run(columns=100)
    assert max(map(wcswidth, wide.splitlines())) > 60


# ----------------------------------------------------------------- fitting and wrapping

@given(st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=6),
       st.integers(min_value=20, max_value=250))
def test_fitted_widths_fill_the_budget_without_passing_it(natural, total):
    widths = fit_widths(natural, total)
    budget = total - 2 * (len(natural) - 1)
    assert all(w <= n for w, n in zip(widths, natural))
    if sum(natural) <= budget:
        assert widths == natural
    elif sum(min(n, 6) for n in natural) <= budget:
        assert sum(widths) == budget  # shrunk exactly to the width, no column wider than its text
    # a column narrower than every shrunk one keeps its own width
    shrunk = [w for w, n in zip(widths, natural) if w < n]
    for w, n in zip(widths, natural):
        if shrunk and n <= min(shrunk):
            assert w == n


words = st.text(alphabet=st.sampled_from("ab-/中文、,。 1"), max_size=60)


@given(words, st.integers(min_value=2, max_value=30))
def test_wrapped_lines_fit_and_keep_the_text(text, width):
    lines = wrap(text, width)
    assert all(wcswidth(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_long_id_breaks_after_a_hyphen():
    assert wrap("consultation-record-complete", 14) == ["consultation-", "record-", "complete"]


@given(st.lists(st.lists(words, min_size=3, max_size=3), min_size=1, max_size=5),
       st.integers(min_value=40, max_value=120))
def test_a_fitted_table_fits(rows, width):
    table = fitted_table(["a", "b", "c"], rows, width)
    assert all(wcswidth(line) <= width for line in table.splitlines())
