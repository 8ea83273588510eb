"""`rulekit check -o report.xlsx` (issue 15 item 2, Excel out): read back with openpyxl, a
library rulekit does not write with, and compared with the JSON report of the same run."""
from __future__ import annotations

import csv
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rulekit.cli import main
from rulekit.report.check_xlsx import sheet_names

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy" / "regulation.yaml"
SCHOOL = ROOT / "examples" / "school"
AS_OF = "2025-03-01"
# the statuses as the workbook shows them in the suite's language (English; zh-TW: 符合, 不符合, 尚未到期, 不適用)
STATUS_ZH = {"pass": "pass", "fail": "fail", "pending": "pending", "not_applicable": "not applicable"}


def run(*args: str, root: tuple = ()):
    result = CliRunner().invoke(main, [*root, "check", str(SCHOOL), "--policy", str(POLICY), "--as-of", AS_OF, *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    result = run("-o", str(path))
    assert result.exit_code == 1  # the example school fails rules, as the table says
    assert result.stdout == ""
    return path


@pytest.fixture(scope="module")
def results() -> list[dict]:
    return json.loads(run("--format", "json").stdout)["results"]


@pytest.fixture(scope="module")
def students() -> dict[str, dict]:
    with (SCHOOL / "students.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["學號"]: row for row in csv.DictReader(fh)}


def article_rows(path: Path) -> list[dict]:
    book = load_workbook(path, read_only=True)
    rows = []
    for name in book.sheetnames[1:]:
        values = list(book[name].iter_rows(values_only=True))
        rows += [dict(zip(values[0], row), sheet=name) for row in values[1:]]
    return rows


def test_it_holds_every_failing_and_pending_result_with_the_student(report, results, students):
    rows = article_rows(report)
    wanted = [r for r in results if r["status"] in ("fail", "pending")]
    assert len(rows) == len(wanted)
    listed = Counter((r["rule"], r["citation"], r["status"], r["message"]) for r in rows)
    for r in wanted:
        key = (r["rule"], r["citation"], STATUS_ZH[r["status"]], r["message"])
        assert listed[key] > 0, key
    failing = [r for r in results if r["status"] == "fail" and "student" in r["subject"]]
    assert failing
    for r in failing:
        s = students[r["subject"]["student"]]
        assert any(row["學號"] == s["學號"] and row["姓名"] == s["姓名"] and row["班級"] == s["班級"]
                   and row["rule"] == r["rule"] and row["status"] == "fail" for row in rows), r


def test_with_all_it_holds_every_result(tmp_path, results):
    path = tmp_path / "all.xlsx"
    assert run("--all", "-o", str(path)).exit_code == 1
    rows = article_rows(path)
    assert Counter((r["rule"], r["citation"], r["status"], r["message"]) for r in rows) == \
        Counter((r["rule"], r["citation"], STATUS_ZH[r["status"]], r["message"]) for r in results)


def test_one_sheet_per_article_after_a_summary_of_counts(report, results):
    book = load_workbook(report)
    assert book.sheetnames[0] == "Summary"
    expected = Counter((r["citation"], r["status"]) for r in results)
    summary = list(book["Summary"].iter_rows(values_only=True))
    header = summary[0]
    assert header[2:6] == ("fail", "pending", "pass", "not applicable")
    assert {row[0] for row in summary[1:]} == {c for c, _ in expected}
    for row in summary[1:]:
        for status, n in zip(("fail", "pending", "pass", "not_applicable"), row[2:6]):
            assert n == expected[(row[0], status)]
        assert row[-1] == sum(row[2:6])
    shown = {r["citation"] for r in results if r["status"] in ("fail", "pending")}
    assert set(book.sheetnames[1:]) == set(sheet_names(sorted(shown)).values())


def test_sheets_are_ready_to_filter(report):
    book = load_workbook(report)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        widths = [sheet.column_dimensions[c].width for c in "ABC"]
        assert all(w and w > 3 for w in widths)
    articles = book.worksheets[1]
    message = [c.value for c in articles[1]].index("message")
    assert articles.column_dimensions["ABCDEFGH"[message]].width > 20


def test_national_ids_are_masked_in_every_part_of_the_file(report, students):
    with zipfile.ZipFile(report) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist())
    for s in students.values():
        assert s["身分證字號"] not in text


def test_failing_rows_come_first_in_each_sheet(report):
    order = {"fail": 0, "pending": 1, "pass": 2, "not applicable": 3}
    by_sheet: dict[str, list] = {}
    for row in article_rows(report):
        by_sheet.setdefault(row["sheet"], []).append(order[row["status"]])
    assert all(ranks == sorted(ranks) for ranks in by_sheet.values())


def test_the_same_report_gives_the_same_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run("-o", str(a)).exit_code == 1
    assert run("-o", str(b)).exit_code == 1
    assert zipfile.is_zipfile(a) and a.read_bytes() == b.read_bytes()


def test_a_workbook_with_another_format_is_a_usage_error(tmp_path):
    result = run("--format", "json", "-o", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 2
    assert "error[format-conflict]" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_the_workbook_never_replaces_an_input(tmp_path):
    from openpyxl import Workbook
    import shutil

    for file in SCHOOL.glob("*.csv"):
        shutil.copy(file, tmp_path)
    (tmp_path / "students.csv").unlink()
    book = Workbook()
    with (SCHOOL / "students.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            book.active.append(row)
    records = tmp_path / "students.xlsx"
    book.save(records)
    before = records.read_bytes()
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--policy", str(POLICY), "--as-of", AS_OF,
                                       "-o", str(records)])
    assert result.exit_code == 2, result.output
    assert "students.xlsx" in result.stderr
    assert records.read_bytes() == before


def test_sheet_names_are_what_excel_accepts():
    names = sheet_names(["四.(三).1", "a/b", "x" * 40, "x" * 40, "Summary", "[附表]"])
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names.values())
    assert len({n.casefold() for n in names.values()} | {"summary"}) == len(names) + 1


def test_an_id_in_any_cell_is_masked_unless_personal_data_is_asked_for(tmp_path):
    """A national ID pasted into 姓名 (a shifted export) reaches the 姓名 column and the subject."""
    import shutil

    records = tmp_path / "school"
    shutil.copytree(SCHOOL, records)
    students = (records / "students.csv").read_text(encoding="utf-8-sig")
    students = students.replace("1120202,郭俊宏,", "1120202,A123456789,")
    (records / "students.csv").write_text(students, encoding="utf-8")

    def cells(*root: str) -> list:
        out = tmp_path / f"r{len(root)}.xlsx"
        result = CliRunner().invoke(main, [*root, "check", str(records), "--policy", str(POLICY), "--as-of", AS_OF,
                                           "-o", str(out)])
        assert result.exit_code == 1, result.output
        return [row for row in article_rows(out) if row["學號"] == "1120202"]

    masked = cells()
    assert masked and all(row["姓名"] == "A12345****" for row in masked)
    assert all("A123456789" not in str(row) for row in masked)
    shown = cells("--show-personal-data")
    assert shown and all(row["姓名"] == "A123456789" for row in shown)
