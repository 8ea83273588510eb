"""A hand-written DuckDB SQL checker of three rules of policy/regulation.yaml: what a
programmer who knows SQL would write for this one regulation (the second baseline,
beside baseline.py's hand-written Python).

    python benchmarks/duck_baseline.py RECORDS-CSV-FOLDER --as-of 2025-03-20

The rules: course-outcome-quota (per student and semester), multi-performance-quota
(per student and academic year) and course-outcome-in-window (each outcome uploaded in
its semester's window). Hand-writing all 27 rules in SQL is the practical limit the issue
names; these three are the ones issue 17's first measurement used for the quotas, and
the per-record window check. DuckDB reads the CSV files itself. `run(folder, as_of)`
returns every (rule, subject, status), as baseline.run does.
"""
from __future__ import annotations

import datetime as dt
import os
import sys

RULES = ("course-outcome-quota", "multi-performance-quota", "course-outcome-in-window")
OUTCOME_QUOTA, PERFORMANCE_QUOTA = 6, 10


def _sem_code(col: str) -> str:
    """'113-1' -> 1131, so that semesters order as (year, term)."""
    return f"(CAST(split_part({col}, '-', 1) AS INT) * 10 + CAST(split_part({col}, '-', 2) AS INT))"


def run(folder: str, as_of: dt.date) -> list[tuple[str, tuple, str]]:
    import duckdb

    con = duckdb.connect(":memory:")
    for name in ("students", "course_outcomes", "multi_performances", "windows"):
        path = os.path.join(folder, f"{name}.csv").replace("'", "''")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
    roc = as_of.year - 1911
    year_now = roc if as_of.month >= 8 else roc - 1
    sem_now = year_now * 10 + (1 if as_of.month >= 8 or as_of.month == 1 else 2)
    rows = con.execute(f"""
        SELECT 'course-outcome-quota', o.student, o.semester,
               CASE WHEN count(*) <= {OUTCOME_QUOTA} THEN 'pass' ELSE 'fail' END
        FROM course_outcomes o JOIN students s ON s.id = o.student
        WHERE {_sem_code('o.semester')} <= {sem_now}
        GROUP BY o.student, o.semester
        UNION ALL
        SELECT 'multi-performance-quota', p.student, p.academic_year,
               CASE WHEN count(*) <= {PERFORMANCE_QUOTA} THEN 'pass' ELSE 'fail' END
        FROM multi_performances p JOIN students s ON s.id = p.student
        WHERE CAST(p.academic_year AS INT) <= {year_now}
        GROUP BY p.student, p.academic_year
        UNION ALL
        SELECT 'course-outcome-in-window', o.id, NULL,
               CASE WHEN w.start IS NOT NULL AND CAST(o.uploaded_on AS DATE) >= CAST(w.start AS DATE)
                         AND CAST(o.uploaded_on AS DATE) <= CAST(w."end" AS DATE) THEN 'pass' ELSE 'fail' END
        FROM course_outcomes o LEFT JOIN (
            SELECT semester, arg_min(start, rowid) AS start, arg_min("end", rowid) AS "end"
            FROM windows WHERE kind = 'outcome_upload' GROUP BY semester) w ON w.semester = o.semester
    """).fetchall()
    con.close()
    return [(rule, (a,) if b is None else (a, b), status) for rule, a, b, status in rows]


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("records")
    ap.add_argument("--as-of", required=True)
    args = ap.parse_args(argv)
    results = run(args.records, dt.date.fromisoformat(args.as_of))
    failing = sum(1 for _, _, status in results if status == "fail")
    print(f"{len(results)} results, {failing} fail")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
