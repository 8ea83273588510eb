"""Records in spreadsheets (.xlsx here; .xls and .ods go through the same reader): a workbook
made from examples/school's CSV files gives the same check results as the CSV files.

The workbooks are made with openpyxl, a library rulekit does not use to read them, the way
an office saves an export: ids as numbers (Excel keeps them as floats), ISO dates as date
cells, ROC dates as text.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st
from xml.sax.saxutils import escape
from openpyxl import Workbook

from rulekit.cli import main
from rulekit.records import load_records
from rulekit.records.excel import cell_text

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy" / "regulation.yaml"
SCHOOL = ROOT / "examples" / "school"
AS_OF = "2025-03-01"
ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _cell(text: str):
    """What a spreadsheet holds for what the school typed."""
    if text.isdigit() and not text.startswith("0") and len(text) < 15:
        return int(text)
    m = ISO.match(text)
    if m:
        return dt.date(*map(int, m.groups()))
    return text


def _rows(path: Path) -> list[list]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [[_cell(c) for c in row] for row in csv.reader(fh)]


def _sheet(book, title: str, rows: list[list], skip: int = 0) -> None:
    ws = book.create_sheet(title)
    for _ in range(skip):
        ws.append([])
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy/mm/dd"  # how a Taiwanese Excel shows a date; the cell holds a serial


def school_workbook(path: Path, change=None) -> Path:
    book = Workbook()
    book.remove(book.active)
    for file in sorted(SCHOOL.glob("*.csv")):
        rows = _rows(file)
        if change:
            rows = change(file.stem, rows)
        _sheet(book, file.stem, rows)
    book.save(path)
    return path


def check_json(records: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", str(records), "--policy", str(POLICY), "--as-of", AS_OF,
                                       "--format", "json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def check_text(records: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(records), "--policy", str(POLICY), "--as-of", AS_OF])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr + result.stdout


@pytest.fixture(scope="module")
def csv_results():
    code, data = check_json(SCHOOL)
    assert code == 1 and data["summary"]["fail"] > 0 and all(f["code"] == "after-as-of" for f in data["findings"])
    return data


def test_a_workbook_with_a_sheet_per_entity_gives_the_csv_results(tmp_path, csv_results):
    code, data = check_json(school_workbook(tmp_path / "匯出.xlsx"))
    assert code == 1
    assert [f["message"] for f in data["findings"]] == [f["message"] for f in csv_results["findings"]]
    assert data["results"] == csv_results["results"]
    assert data["summary"] == csv_results["summary"]


def test_one_workbook_per_entity_in_a_folder_gives_the_csv_results(tmp_path, csv_results):
    folder = tmp_path / "records"
    folder.mkdir()
    for file in sorted(SCHOOL.glob("*.csv")):
        book = Workbook()
        book.remove(book.active)
        _sheet(book, "工作表1", _rows(file), skip=0)  # the sheet's name does not matter then
        book.save(folder / f"{file.stem}.xlsx")
    (folder / "~$students.xlsx").write_bytes(b"Excel's lock file, not a workbook")
    code, data = check_json(folder)
    assert code == 1, data["findings"]
    assert data["results"] == csv_results["results"]


def test_ids_stored_as_numbers_and_dates_as_cells_read_as_written(tmp_path):
    records = load_records(school_workbook(tmp_path / "book.xlsx"))
    plain = load_records(SCHOOL)
    for entity in ("students", "course_outcomes", "windows"):
        assert records.get(entity).rows == plain.get(entity).rows


def test_a_finding_names_the_sheet_and_its_row(tmp_path):
    def damage(stem, rows):
        if stem == "students":
            rows[3][rows[0].index("入學日期")] = "110.13.45"
        return rows

    book = Workbook()
    book.remove(book.active)
    _sheet(book, "students", damage("students", _rows(SCHOOL / "students.csv")), skip=2)
    path = tmp_path / "學生資料.xlsx"
    book.save(path)
    code, text = check_text(path)
    assert code == 2
    # the header is on the sheet's row 3, the damaged student on row 6, column F (6)
    assert f"{path}[students]:row 6" in text
    assert "invalid-date" in text or "bad-date" in text


def test_a_sheet_that_names_no_entity_is_a_located_error(tmp_path):
    def extra(stem, rows):
        return rows

    path = school_workbook(tmp_path / "book.xlsx", extra)
    from openpyxl import load_workbook
    book = load_workbook(path)
    book.create_sheet("說明").append(["這是匯出說明"])
    book.save(path)
    code, text = check_text(path)
    assert code == 2
    assert f"{path}[說明]: error[unknown-entity]" in text
    assert "does not name a kind of record" in text


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                                     b"just some text, saved with the wrong extension\n"])
@pytest.mark.parametrize("ext", [".xlsx", ".xls", ".ods"])
def test_a_damaged_workbook_is_one_located_error(tmp_path, content, ext):
    path = tmp_path / f"students{ext}"
    path.write_bytes(content)
    code, text = check_text(path)
    assert code == 2
    errors = [line for line in text.splitlines() if "error[" in line]
    assert len(errors) == 1, text
    assert errors[0].startswith(f"{path}: error[invalid-workbook]: cannot read {path} as a workbook")
    assert "hint:" in text


def test_a_workbook_without_rows_says_it_has_no_header(tmp_path):
    book = Workbook()
    book.active.title = "students"
    path = tmp_path / "book.xlsx"
    book.save(path)
    code, text = check_text(path)
    assert code == 2
    assert "error[empty-file]" in text and f"{path}[students]" in text


# ----------------------------------------------------------------- OpenDocument

def _ods_cell(value) -> str:
    if isinstance(value, int):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f'<text:p>{value:%Y/%m/%d}</text:p></table:table-cell>')
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice saves one: a zip of content.xml."""
    tables = "".join(f'<table:table table:name="{escape(name)}">' + "".join(
        "<table:table-row>" + "".join(map(_ods_cell, row)) + "</table:table-row>" for row in rows) + "</table:table>"
        for name, rows in sheets.items())
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_workbook_gives_the_csv_results(tmp_path, csv_results):
    path = write_ods(tmp_path / "匯出.ods", {f.stem: _rows(f) for f in sorted(SCHOOL.glob("*.csv"))})
    code, data = check_json(path)
    assert code == 1 and all(f["code"] == "after-as-of" for f in data["findings"])
    assert data["results"] == csv_results["results"]


# ----------------------------------------------------------------- cells

@given(st.integers(min_value=-(10 ** 15), max_value=10 ** 15))
def test_a_whole_number_stored_as_a_float_is_its_digits(n):
    assert cell_text(float(n)) == str(n)


@given(st.dates())
def test_a_date_cell_is_its_iso_date(day):
    expected = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    assert cell_text(day) == expected
    assert cell_text(dt.datetime(day.year, day.month, day.day)) == expected


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x)))
def test_a_fraction_keeps_its_digits(x):
    assert float(cell_text(x)) == x


def test_other_cells():
    assert cell_text(True) == "true" and cell_text(False) == "false"
    assert cell_text("") == "" and cell_text(" 王小明 ") == " 王小明 "
    assert cell_text(float("nan")) == "nan"
