"""A hand-written DuckDB SQL checker of every rule of policy/regulation.yaml: what a
programmer who knows SQL would write for this one regulation (the second baseline,
beside baseline.py's hand-written Python).

    python benchmarks/duck_baseline.py RECORDS-CSV-FOLDER --as-of 2025-03-20

RECORDS-CSV-FOLDER holds one <entity>.csv per entity, as benchmarks/generate.py writes
them (dates in ISO form, semesters as 113-1). DuckDB reads the CSV files itself; SETUP
types the columns and makes the macros and first-row-per-key tables the rules share, and
benchmarks/duck_rules.py holds one query per rule, mirroring baseline.py (which mirrors
the DSL). Python only reads the arguments and turns the rows into tuples: `run(folder,
as_of)` returns every (rule, subject, status), as baseline.run does, and the benchmark
checks that both give the same multiset.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from collections import Counter

if __package__ in (None, ""):  # run as a file: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.duck_rules import RULE_SQL

RULES = tuple(RULE_SQL)

# The typed columns of each entity (the rest stay text), and which ones carry a semester.
DATES = {
    "students": ("enrolled_on", "left_on", "graduated_on"), "staff": ("departed_on",), "courses": (),
    "course_outcomes": ("uploaded_on", "certified_on"), "multi_performances": ("uploaded_on",),
    "cadre_records": ("registered_on",), "consultations": ("date",), "meetings": ("date",), "working_group": (),
    "windows": ("start", "end"), "basic_data_checks": ("checked_on",), "unit_checks": ("completed_on",),
    "submissions": ("submitted_on",), "confirmations": ("on",), "mail_notices": ("sent_on",),
    "retention": ("purge_on",),
}
INTS = {"courses": ("credits",), "multi_performances": ("academic_year",)}
WITH_SEMESTER = ("courses", "course_outcomes", "cadre_records", "windows", "basic_data_checks", "unit_checks",
                 "submissions", "confirmations", "mail_notices")

MACROS = """
-- a semester as one ordinal, year * 2 + term - 1, so that they order and step by one
CREATE MACRO sem_ord(label) AS CAST(split_part(label, '-', 1) AS INT) * 2 + CAST(split_part(label, '-', 2) AS INT) - 1;
CREATE MACRO sem_label(o) AS CAST(o // 2 AS VARCHAR) || '-' || CAST(o % 2 + 1 AS VARCHAR);
CREATE MACRO sem_start(o) AS CASE WHEN o % 2 = 0 THEN make_date(o // 2 + 1911, 8, 1) ELSE make_date(o // 2 + 1912, 2, 1) END;
CREATE MACRO sem_end(o) AS CASE WHEN o % 2 = 0 THEN make_date(o // 2 + 1912, 1, 31) ELSE make_date(o // 2 + 1912, 7, 31) END;
-- the academic year (ROC) runs from August; its first semester to the end of January
CREATE MACRO year_of(d) AS year(d) - 1911 - CASE WHEN month(d) >= 8 THEN 0 ELSE 1 END;
CREATE MACRO sem_of(d) AS year_of(d) * 2 + CASE WHEN month(d) >= 8 OR month(d) = 1 THEN 0 ELSE 1 END;
CREATE MACRO now_sem() AS sem_of(as_of());
CREATE MACRO now_year() AS year_of(as_of());
CREATE MACRO verdict(ok, due) AS CASE WHEN ok THEN 'pass' WHEN due >= as_of() THEN 'pending' ELSE 'fail' END;
CREATE MACRO truthy(v) AS coalesce(lower(v) IN ('true', '是', 'y'), false);
CREATE MACRO enrolled(enrolled_on, left_on, graduated_on, o) AS coalesce(enrolled_on <= sem_end(o)
    AND (left_on IS NULL OR left_on >= sem_start(o)) AND (graduated_on IS NULL OR graduated_on >= sem_start(o)), false);
-- national ID: letter, then 1/2/8/9 or a second letter A-D, then eight digits; the letters
-- count as their two-digit codes (a second letter as its code's last digit), weighted sum % 10 = 0
CREATE MACRO id_code(c) AS [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27,
                            28, 29, 32, 30, 31, 33][ascii(c) - 64];
CREATE MACRO id_digits(t) AS CAST(id_code(t[1]) AS VARCHAR)
    || CASE WHEN regexp_full_match(t[2], '[1289]') THEN t[2:] ELSE CAST(id_code(t[2]) % 10 AS VARCHAR) || t[3:] END;
CREATE MACRO id_checksum_ok(t) AS list_sum([[1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1][i + 1] * TRY_CAST(id_digits(t)[i + 1] AS INT)
                                        FOR i IN range(11)]) % 10 = 0;
CREATE MACRO valid_national_id(v) AS coalesce(CASE WHEN regexp_full_match(upper(trim(v)), '[A-Z][1289A-D][0-9]{8}')
    THEN id_checksum_ok(upper(trim(v))) ELSE false END, false);
"""

# the first row per key in file order (rowid), as baseline.py's dict.setdefault keeps it
FIRSTS = """
CREATE TABLE staff1 AS SELECT * REPLACE ([trim(r) FOR r IN regexp_split_to_array(roles, '[;、,，；]') IF trim(r) <> '']
    AS roles) FROM staff QUALIFY row_number() OVER (PARTITION BY id ORDER BY rowid) = 1;
CREATE TABLE course1 AS SELECT * FROM courses QUALIFY row_number() OVER (PARTITION BY id ORDER BY rowid) = 1;
CREATE TABLE window1 AS SELECT * FROM windows QUALIFY row_number() OVER (PARTITION BY sem, kind ORDER BY rowid) = 1;
CREATE TABLE answer1 AS SELECT * FROM confirmations
    QUALIFY row_number() OVER (PARTITION BY student, sem ORDER BY rowid) = 1;
CREATE TABLE notice1 AS SELECT * FROM mail_notices
    QUALIFY row_number() OVER (PARTITION BY student, sem ORDER BY rowid) = 1;
CREATE TABLE retention1 AS SELECT * FROM retention QUALIFY row_number() OVER (PARTITION BY student ORDER BY rowid) = 1;
-- the semesters the school-wide rules run over: announced by a window, up to as of's
CREATE TABLE window_sems AS SELECT DISTINCT sem FROM windows WHERE sem <= now_sem();
"""


def _load_sql(folder: str) -> str:
    """CREATE TABLE <entity> from its CSV, dates and numbers typed, `sem` added."""
    statements = []
    for entity, dates in DATES.items():
        path = os.path.join(folder, f"{entity}.csv").replace("'", "''")
        typed = [f'CAST("{c}" AS DATE) AS "{c}"' for c in dates] + [f'CAST("{c}" AS INT) AS "{c}"'
                                                                     for c in INTS.get(entity, ())]
        star = f"* REPLACE ({', '.join(typed)})" if typed else "*"
        sem = ", sem_ord(semester) AS sem" if entity in WITH_SEMESTER else ""
        statements.append(f"CREATE TABLE {entity} AS SELECT {star}{sem} FROM read_csv('{path}', header = true, "
                          f"all_varchar = true, delim = ',', quote = '\"');")
    return "\n".join(statements)


def connect(folder: str, as_of: dt.date):
    """A DuckDB connection holding the folder's records, typed, and the rules' shared macros."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"CREATE MACRO as_of() AS DATE '{as_of.isoformat()}';")
    con.execute(MACROS)
    con.execute(_load_sql(folder))
    con.execute(FIRSTS)
    return con


def run(folder: str, as_of: dt.date, rules=RULES) -> list[tuple[str, tuple, str]]:
    con = connect(folder, as_of)
    try:
        out = []
        for rule in rules:
            out += [(rule, (a,) if b is None else (a, b), status) for a, b, status in con.execute(RULE_SQL[rule]).fetchall()]
        return out
    finally:
        con.close()


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("records")
    ap.add_argument("--as-of", required=True)
    args = ap.parse_args(argv)
    results = run(args.records, dt.date.fromisoformat(args.as_of))
    counts = Counter(status for _, _, status in results)
    lines = [f"{rule}\t{' '.join(subject)}\t{status}" for rule, subject, status in results
             if status in ("fail", "pending")]
    lines.append(f"{counts['fail']} fail, {counts['pending']} pending, {counts['pass']} pass, "
                 f"{counts['not_applicable']} not applicable")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
