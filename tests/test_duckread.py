"""Records read by DuckDB (records/duckread.py) are the records the Python reader reads: the
same tables (rows, spans, columns), the same warnings, or the same findings; and the engine
tables made on the way hold the same values as those the evaluator would stage."""
from __future__ import annotations

import datetime
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

duckdb = pytest.importorskip("duckdb")

from rulekit.columnar.tables import _cell, column_types  # noqa: E402
from rulekit.diagnostics import RulekitError  # noqa: E402
from rulekit.policy import require_valid  # noqa: E402
from rulekit.records import load_records  # noqa: E402
from rulekit.records.duckread import POS, SPACES, table_name  # noqa: E402
from rulekit.records.model import entity_types, without_after  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DECL = require_valid(str(ROOT / "policy" / "regulation.yaml")).records
THIRD = require_valid(str(ROOT / "tests" / "fixtures" / "third_school" / "regulation.yaml")).records
STUDENTS = "id,name,national_id,grade,class,enrolled_on"


def outcome(path, decl=DECL, encoding=None, con=None):
    """("ok", tables, warnings) or ("error", findings) of loading `path`."""
    try:
        records = load_records(path, decl, encoding, engine=con)
    except RulekitError as exc:
        return ("error", [(d.code, d.message, str(d.span), d.severity) for d in exc.diagnostics])
    tables = {name: (t.rows, list(t.spans), dict(t.columns), t.missing_columns, dict(t.field_spans))
              for name, t in records.tables.items()}
    return ("ok", tables, [(d.code, d.message, str(d.span), d.severity) for d in records.warnings])


def both(path, decl=DECL, encoding=None):
    """The Python reader's outcome, DuckDB's, and the connection (with its engine tables)."""
    con = duckdb.connect()
    return outcome(path, decl, encoding), outcome(path, decl, encoding, con), con


def engine_rows(con, entity: str, decl=DECL) -> list:
    names = [n for n in column_types(entity_types(decl)[entity])]
    cols = ", ".join(f'"{n}"' for n in names)
    return con.execute(f'SELECT {cols} FROM "{table_name(entity)}" ORDER BY {POS}').fetchall(), names


def staged(rows, names) -> list:
    """What the evaluator's staging would hand DuckDB for these rows (columnar/tables.py)."""
    def back(v):
        return datetime.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v
    return [tuple(back(_cell(row.get(n))) for n in names) for row in rows]


def test_spaces_are_what_str_strip_removes():
    assert set(SPACES) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


@pytest.mark.parametrize("path", ["examples/school", "tests/fixtures/records/school"])
def test_folders_read_alike(path):
    python, duck, con = both(ROOT / path)
    assert python[0] == "ok" and duck == python
    fast = con.execute("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'e_%'").fetchall()
    csv_files = len(list((ROOT / path).glob("*.csv")))
    assert len(fast) >= csv_files - 1, "the fast path should take all but the odd file"
    records = load_records(ROOT / path, DECL)
    for (name,) in fast:
        entity = name[2:]
        rows, names = engine_rows(con, entity)
        assert rows == staged(records.tables[entity].rows, names), entity


def test_chinese_names_read_alike():
    python, duck, con = both(ROOT / "tests/fixtures/third_school/records", THIRD)
    assert python[0] == "ok" and duck == python


def test_benchmark_school_reads_alike(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks import generate

    generate.WRITERS["csv"](generate.generate_data("tiny"), str(tmp_path / "tiny"))
    python, duck, con = both(tmp_path / "tiny")
    assert python[0] == "ok" and duck == python
    records = load_records(tmp_path / "tiny", DECL)
    for entity in records.tables:
        rows, names = engine_rows(con, entity)
        assert rows == staged(records.tables[entity].rows, names), entity


GOOD = STUDENTS + "\nS001,王小明,A123456789,1,101,113.08.30\nS002,李美玲,B223456789,2,201,2024/8/30\n"
CASES = {  # name -> file text (bytes: an encoding); each must read alike, fast path or not
    "plain": GOOD,
    "crlf": GOOD.replace("\n", "\r\n"),
    "no final newline": GOOD.rstrip("\n"),
    "bom": "\ufeff" + GOOD,
    "big5": GOOD.encode("cp950"),
    "quoted": GOOD.replace("王小明", '"王, 小明"'),
    "blank line": GOOD.replace("\nS002", "\n\nS002"),
    "spaces line": GOOD + "   \n",
    "row of commas": GOOD + ",,,,,\n",
    "spaces around": GOOD.replace("S002,", " S002 ,"),
    "ideographic space": GOOD.replace("李美玲", "李美玲\u3000"),
    "full-width id": GOOD.replace("S002", "Ｓ００２"),
    "control char": GOOD.replace("S002", "S0\x0702"),
    "missing required": GOOD.replace("王小明", ""),
    "bad date": GOOD.replace("113.08.30", "113.13.40"),
    "implausible date": GOOD.replace("113.08.30", "13.08.30"),
    "bad int": GOOD.replace(",1,101", ",one,101"),
    "out of range": GOOD.replace(",1,101", ",7,101"),
    "ragged short": GOOD + "S003,張三\n",
    "ragged long": GOOD + "S003,張三,C123456789,1,101,113.08.30,x,y\n",
    "trailing empty cells": GOOD + "S003,張三,C123456789,1,101,113.08.30,,\n",
    "unknown column": GOOD.replace(STUDENTS, STUDENTS + ",remark").replace("\nS001", "\nS001").replace(
        "113.08.30\n", "113.08.30,x\n").replace("2024/8/30\n", "2024/8/30,\n"),
    "unnamed column with values": GOOD.replace(STUDENTS, STUDENTS + ",").replace(
        "113.08.30\n", "113.08.30,x\n").replace("2024/8/30\n", "2024/8/30,\n"),
    "chinese headers": GOOD.replace(STUDENTS, "學號,姓名,身分證號,年級,班級,入學日期"),
    "header spaces": GOOD.replace("id,name", " id ,name"),
    "duplicate column": GOOD.replace(STUDENTS, STUDENTS.replace("grade", "id")),
    "missing column": GOOD.replace(STUDENTS, STUDENTS.replace("class", "klass")),
    "empty": "",
    "header only": STUDENTS + "\n",
    "lone cr": GOOD.replace("\nS002", "\rS002"),
    "form feed": GOOD.replace("李美玲", "李\x0c美玲"),
    "duplicate id": GOOD.replace("S002", "S001"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_csv_cases_read_alike(tmp_path, name):
    text = CASES[name]
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    (tmp_path / "students.csv").write_bytes(data)
    python, duck, con = both(tmp_path)
    assert duck == python


def test_plain_file_takes_the_fast_path(tmp_path):
    (tmp_path / "students.csv").write_text(GOOD, encoding="utf-8")
    python, duck, con = both(tmp_path)
    assert duck == python
    rows, names = engine_rows(con, "students")
    assert rows[0][names.index("enrolled_on")] == datetime.date(2024, 8, 30)
    assert [r[0] for r in con.execute(f'SELECT {POS} FROM "e_students" ORDER BY {POS}').fetchall()] == [0, 1]


CELLS = ["S001", "S002", " S003", "Ｓ004", "王小明", "", " ", "\u3000", "113.01.19", "2024-01-19", "113/13/40",
         "1", "2", "9", "x", "1130119", "99.1.1", "A123456789", "a;b", "是", '"', "\t"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=5, max_size=7), max_size=5),
       crlf=st.booleans(), final=st.booleans())
def test_any_small_csv_reads_alike(tmp_path, rows, crlf, final):
    text = "\n".join([STUDENTS] + [",".join(r) for r in rows]) + ("\n" if final else "")
    if crlf:
        text = text.replace("\n", "\r\n")
    folder = tmp_path / f"h{abs(hash((tuple(map(tuple, rows)), crlf, final)))}"
    folder.mkdir()
    (folder / "students.csv").write_text(text, encoding="utf-8", newline="")
    python, duck, con = both(folder)
    assert duck == python
    shutil.rmtree(folder)


def test_as_of_sets_aside_the_same_rows_in_the_engine(tmp_path):
    records_dir = ROOT / "examples" / "school"
    con = duckdb.connect()
    day = datetime.date(2024, 10, 1)
    fast = without_after(load_records(records_dir, DECL, engine=con), day)
    slow = without_after(load_records(records_dir, DECL), day)
    assert fast.set_aside == slow.set_aside > 0
    for entity in sorted(fast.engine.entities):
        rows, names = engine_rows(con, entity)
        assert rows == staged(slow.tables[entity].rows, names), entity
        assert fast.tables[entity].rows == slow.tables[entity].rows


def parquet_of(con, csv: Path, out: Path) -> None:
    con.execute(f"COPY (SELECT * FROM read_csv('{csv}', all_varchar=true)) TO '{out}' (FORMAT parquet)")


def test_parquet_reads_as_its_csv(tmp_path):
    con = duckdb.connect()
    for csv in sorted((ROOT / "examples" / "school").glob("*.csv")):
        parquet_of(con, csv, tmp_path / (csv.stem + ".parquet"))
    python = load_records(ROOT / "examples" / "school", DECL)
    for engine in (None, duckdb.connect()):
        parquet = load_records(tmp_path, DECL, engine=engine)
        assert {n: t.rows for n, t in parquet.tables.items()} == {n: t.rows for n, t in python.tables.items()}


def test_parquet_typed_columns_and_findings(tmp_path):
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM (VALUES ('S001', '王小明', 'A123456789', 1, '101', DATE '2024-08-30'),
                                            ('S002', '李美玲', 'B223456789', 2, '201', NULL))
                   t(id, name, national_id, grade, class, enrolled_on))
                   TO '{tmp_path / "students.parquet"}' (FORMAT parquet)""")
    with pytest.raises(RulekitError) as err:
        load_records(tmp_path / "students.parquet", DECL)
    (d,) = err.value.diagnostics
    assert d.field == "enrolled_on" and d.span.row == 3  # the header counts as row 1, as in a spreadsheet


def test_check_on_parquet_matches_csv(tmp_path):
    from click.testing import CliRunner
    from rulekit.cli import main

    con = duckdb.connect()
    for csv in sorted((ROOT / "examples" / "school").glob("*.csv")):
        parquet_of(con, csv, tmp_path / (csv.stem + ".parquet"))
    runner = CliRunner()
    args = ["--lang", "en", "check", "--as-of", "2025-03-31", "--format", "json"]
    csv_out = runner.invoke(main, args + [str(ROOT / "examples" / "school")])
    for engine in ("python", "duckdb"):
        out = runner.invoke(main, args + [str(tmp_path), "--engine", engine])
        assert out.exit_code == csv_out.exit_code == 1
        assert out.stdout.replace(str(tmp_path), "X") == csv_out.stdout.replace(str(ROOT / "examples" / "school"), "X")


@pytest.mark.parametrize("change", [
    ("course_outcomes.csv", "C11301", "C99999"),  # a reference to no course
    ("students.csv", "1120202", "1120201"),  # a duplicate student id
    ("staff.csv", "T012,", "T912,"),  # references to a teacher who is not in the staff list
    (None, None, None),
])
def test_references_counted_in_the_engine_as_python_finds_them(tmp_path, change):
    from rulekit.records import check_references

    shutil.copytree(ROOT / "examples" / "school", tmp_path / "school")
    file, old, new = change
    if file:
        path = tmp_path / "school" / file
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    slow = load_records(tmp_path / "school", DECL)
    fast = load_records(tmp_path / "school", DECL, engine=duckdb.connect())
    assert fast.engine.entities
    found = check_references(fast)
    assert found == check_references(slow)
    assert bool([d for d in found if d.is_error]) == bool(file)


def test_benchmark_jsonl_reads_alike(tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks import generate

    generate.WRITERS["jsonl"](generate.generate_data("tiny"), str(tmp_path / "tiny"))
    python, duck, con = both(tmp_path / "tiny")
    assert python[0] == "ok" and duck == python
    records = load_records(tmp_path / "tiny", DECL)
    fast = load_records(tmp_path / "tiny", DECL, engine=con)
    assert fast.engine.entities == set(records.tables)
    for entity in records.tables:
        rows, names = engine_rows(con, entity)
        assert rows == staged(records.tables[entity].rows, names), entity


JGOOD = ('{"id": "S001", "name": "王小明", "national_id": "A123456789", "grade": 1, "class": "101", '
         '"enrolled_on": "113.08.30"}\n'
         '{"id": "S002", "name": "李美玲", "national_id": "B223456789", "grade": 2, "class": "201", '
         '"enrolled_on": "2024-08-30", "left_on": null}\n')
JCASES = {
    "plain": JGOOD,
    "crlf": JGOOD.replace("\n", "\r\n"),
    "bom": "\ufeff" + JGOOD,
    "blank line": JGOOD.replace("}\n{", "}\n\n  \n{"),
    "unknown key": JGOOD.replace('"class": "101"', '"class": "101", "remark": "x"'),
    "repeated key": JGOOD.replace('"class": "101"', '"class": "101", "class": "102"'),
    "grade as text": JGOOD.replace('"grade": 1', '"grade": "1"'),
    "grade as float": JGOOD.replace('"grade": 1', '"grade": 1.0'),
    "grade out of range": JGOOD.replace('"grade": 1', '"grade": 9'),
    "huge number": JGOOD.replace('"grade": 1', '"grade": 1234567890123456789012'),
    "blank name": JGOOD.replace("王小明", "  "),
    "missing required": JGOOD.replace('"name": "王小明", ', ""),
    "bad date": JGOOD.replace("113.08.30", "113.13.40"),
    "date as number": JGOOD.replace('"113.08.30"', "1130830"),
    "full-width id": JGOOD.replace("S002", "Ｓ００２"),
    "spaces in id": JGOOD.replace('"S002"', '" S002"'),
    "not an object": JGOOD + "[1, 2]\n",
    "broken line": JGOOD + '{"id": "S003", \n',
    "object value": JGOOD.replace('"class": "101"', '"class": {"a": 1}'),
    "line separator": JGOOD.replace("李美玲", "李\u2028美玲"),
    "duplicate id": JGOOD.replace("S002", "S001"),
}


@pytest.mark.parametrize("name", sorted(JCASES))
def test_jsonl_cases_read_alike(tmp_path, name):
    (tmp_path / "students.jsonl").write_text(JCASES[name], encoding="utf-8", newline="")
    python, duck, con = both(tmp_path)
    assert duck == python


def test_auto_decides_by_bytes_on_disk_and_answers_alike(monkeypatch):
    from click.testing import CliRunner
    from rulekit.cli import main
    from rulekit.evaluator import engine

    school = ROOT / "examples" / "school"
    assert engine.records_bytes(school) < engine.AUTO_BYTES
    assert engine.engine_for_records("auto", school) == "python"
    args = ["--lang", "en", "check", str(school), "--as-of", "2025-03-31", "--format", "json"]
    small = CliRunner().invoke(main, args)
    monkeypatch.setattr(engine, "AUTO_BYTES", 1)
    assert engine.engine_for_records("auto", school) == "duckdb"
    opened = []
    real = engine.reader_for
    monkeypatch.setattr(engine, "reader_for", lambda name: opened.append(name) or real(name))
    large = CliRunner().invoke(main, args)
    assert opened == ["duckdb"]
    assert (large.exit_code, large.stdout) == (small.exit_code, small.stdout)
