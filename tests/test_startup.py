"""Small commands import only what they use (issue 17, item 6): `who` with the compiled policy
cached reads no DSL text (no lark) and runs no engine (no DuckDB, sqlglot, PySpark); a JSON
report draws no table (no tabulate)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("lark", "duckdb", "sqlglot", "pyspark")


def imported(tmp_path, *args) -> set[str]:
    """The top-level packages a whole `rulekit ARGS` process imported (second run: cache warm)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = ("import sys; from rulekit.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('MODULES ' + ' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, encoding="utf-8")
    line = proc.stderr.rsplit("MODULES ", 1)[-1]
    assert proc.stdout or "-o" in args, proc.stderr  # a command that ran prints, unless to a file
    return set(line.split())


def test_who_imports_no_parser_and_no_engine(tmp_path):
    modules = imported(tmp_path, "who", "課程認證")
    assert "rulekit" in modules and "click" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_who_as_json_draws_no_table(tmp_path):
    modules = imported(tmp_path, "who", "課程認證", "--format", "json")
    assert "tabulate" not in modules and not modules & set(HEAVY)


def test_a_json_check_in_python_imports_no_table_and_no_engine(tmp_path):
    modules = imported(tmp_path, "check", "examples/school", "--as-of", "2025-01-31", "--format", "json",
                       "--engine", "python")
    assert not modules & {"tabulate", "duckdb", "sqlglot", "pyspark"}


def test_only_a_workbook_report_imports_the_workbook_writer(tmp_path):
    """The probe sees imports at all: `-o report.xlsx` needs xlsxwriter, the table does not."""
    args = ("check", "examples/school", "--as-of", "2025-01-31")
    assert "xlsxwriter" in imported(tmp_path, *args, "-o", str(tmp_path / "report.xlsx"))
    assert "xlsxwriter" not in imported(tmp_path, *args)
