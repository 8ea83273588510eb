"""Properties: the engine's quota results equal a plain Python count, for two schools.

For random record sets (students, semesters 112-1 .. 113-2, course outcomes per
student and semester, multiple performances per student and academic year) the
quota rules of policy/regulation.yaml and of tests/fixtures/other_school/regulation.yaml
fail exactly for the (student, period) pairs whose count exceeds the parameter's
value as read from each policy, and pass for every other pair that has records.
The two schools' numbers differ (6/10 and 3/8), and a copy of the first policy
with course_outcome_quota set to k moves the failing set exactly where a count
with k says: the numbers come from the YAML, not from the code.

Also: rulekit.calendar's semesters and academic years, and the DSL's semester_of and
academic_year_of, agree with an oracle written here from the definitions (學年度 N runs
1 Aug (N+1911) to 31 Jul; semester 1 Aug-Jan, semester 2 Feb-Jul), for any date, month
ends, leap days and null included, and a rule comparing with a wrong answer fails.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.calendar import AcademicYear, Semester, chinese_numeral
from rulekit.evaluator.check import run_check
from rulekit.evaluator import evaluate
from rulekit.policy import require_valid
from rulekit.policy.load import load_policy_text
from rulekit.records import RecordSet, Table, entity_types, load_records
from rulekit.records.model import FieldType
from rulekit.policy.rules import load_rules
from rulekit.sourceyaml import load_text

ROOT = Path(__file__).resolve().parents[1]
FIRST_PATH = ROOT / "policy" / "regulation.yaml"
OTHER_PATH = ROOT / "tests" / "fixtures" / "other_school" / "regulation.yaml"
FIRST = require_valid(str(FIRST_PATH))
OTHER = require_valid(str(OTHER_PATH))

SEMESTERS = ("112-1", "112-2", "113-1", "113-2")
YEARS = (112, 113)
AS_OF = dt.date(2025, 7, 31)  # last day of 113-2: every generated period is in the domain

# (policy, outcome rule, performance rule) of each school; the quotas are read from the policies.
SCHOOLS = {
    "first": (FIRST, "course-outcome-quota", "multi-performance-quota"),
    "other": (OTHER, "outcome-cap-per-semester", "performance-cap-per-year"),
}

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def quota(policy, name: str) -> int:
    value = policy.parameters[name].value
    assert isinstance(value, int)
    return value


def test_the_two_schools_have_different_numbers():
    assert quota(FIRST, "course_outcome_quota") != quota(OTHER, "course_outcome_quota")
    assert quota(FIRST, "multi_performance_quota") != quota(OTHER, "multi_performance_quota")


# ----------------------------------------------------------------- records

def table(entity: str, rows: list[dict]) -> Table:
    fields = entity_types()[entity]
    return Table(entity, tuple({f: row.get(f) for f in fields} for row in rows))


@st.composite
def school_data(draw, max_outcomes: int = 9, max_performances: int = 13):
    """{student: {semester: n_outcomes}}, {student: {year: n_performances}}."""
    students = [f"S{i:02d}" for i in range(draw(st.integers(1, 5)))]
    outcomes = {s: {sem: draw(st.integers(0, max_outcomes)) for sem in SEMESTERS} for s in students}
    performances = {s: {y: draw(st.integers(0, max_performances)) for y in YEARS} for s in students}
    return students, outcomes, performances


def student_row(sid: str) -> dict:
    return {"id": sid, "name": "某生", "national_id": "A123456789", "grade": 1, "class": "101",
            "enrolled_on": dt.date(2023, 8, 1)}


def outcome_rows(outcomes: dict) -> list[dict]:
    rows = []
    for sid, per_sem in outcomes.items():
        for sem, n in per_sem.items():
            semester = Semester.parse(sem)
            rows += [{"id": f"O-{sid}-{sem}-{i}", "student": sid, "course": "C1", "semester": semester,
                      "kind": "書面報告", "uploaded_on": semester.start} for i in range(n)]
    return rows


def performance_rows(performances: dict) -> list[dict]:
    rows = []
    for sid, per_year in performances.items():
        for year, n in per_year.items():
            rows += [{"id": f"M-{sid}-{year}-{i}", "student": sid, "academic_year": AcademicYear(year),
                      "category": "校內", "uploaded_on": AcademicYear(year).start} for i in range(n)]
    return rows


def record_set(students, outcomes, performances) -> RecordSet:
    return RecordSet({"students": table("students", [student_row(s) for s in students]),
                      "course_outcomes": table("course_outcomes", outcome_rows(outcomes)),
                      "multi_performances": table("multi_performances", performance_rows(performances))},
                     "memory")


def engine(policy, records, rule: str) -> dict:
    """(student, period) -> status, from run_check."""
    report = run_check(policy, records, AS_OF, (rule,))
    out = {}
    for r in report.results:
        period = r.subject.get("semester") or r.subject.get("year")
        out[(r.subject["student"], period)] = r.status
    return out


def plain(counts: dict, limit: int) -> dict:
    """What a plain count says: every pair with at least one record, fail when over the limit."""
    return {(s, str(period)): ("fail" if n > limit else "pass")
            for s, per in counts.items() for period, n in per.items() if n > 0}


def assert_agrees(policy, outcome_rule, performance_rule, data, records=None):
    students, outcomes, performances = data
    records = records or record_set(students, outcomes, performances)
    assert engine(policy, records, outcome_rule) == plain(outcomes, quota(policy, "course_outcome_quota"))
    assert engine(policy, records, performance_rule) == plain(performances, quota(policy, "multi_performance_quota"))


# ----------------------------------------------------------------- the properties

@FAST
@given(school_data())
def test_first_school_quotas_equal_a_plain_count(data):
    assert_agrees(*SCHOOLS["first"], data)


@FAST
@given(school_data())
def test_other_school_quotas_equal_a_plain_count(data):
    assert_agrees(*SCHOOLS["other"], data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=school_data(max_outcomes=7, max_performances=11), school=st.sampled_from(sorted(SCHOOLS)))
def test_quotas_through_a_records_file(tmp_path_factory, data, school):
    """The same property with the records written as YAML (ROC dates, 113-1 strings) and loaded."""
    students, outcomes, performances = data
    doc = {"students": [{**student_row(s), "enrolled_on": "112.08.01"} for s in students],
           "course_outcomes": [{**r, "semester": r["semester"].id, "uploaded_on": r["uploaded_on"].isoformat()}
                               for r in outcome_rows(outcomes)],
           "multi_performances": [{**r, "academic_year": r["academic_year"].year,
                                   "uploaded_on": r["uploaded_on"].isoformat()}
                                  for r in performance_rows(performances)]}
    path = tmp_path_factory.mktemp("records") / "records.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert_agrees(*SCHOOLS[school], data, load_records(str(path)))


# ----------------------------------------------------------------- the number comes from the text

FIRST_TEXT = FIRST_PATH.read_text(encoding="utf-8")
QUOTA_VALUE = re.compile(r"(\n  course_outcome_quota:\n(?:    .*\n)*?    value: )6\n")


@functools.lru_cache(maxsize=None)
def first_with_quota(k: int):
    text, n = QUOTA_VALUE.subn(rf"\g<1>{k}\n", FIRST_TEXT)
    assert n == 1 and text.count("至多六件") == 2  # the article and the quote: the words move with the number
    text = text.replace("至多六件", f"至多{chinese_numeral(k)}件")
    loaded = load_policy_text(text, f"regulation-quota-{k}.yaml")
    assert loaded.ok, [d.message for d in loaded.diagnostics if d.is_error]
    return loaded.policy


def test_the_copy_changes_only_that_number():
    assert quota(first_with_quota(6), "course_outcome_quota") == 6
    changed = first_with_quota(2)
    assert quota(changed, "course_outcome_quota") == 2
    assert {n: p.value for n, p in changed.parameters.items() if n != "course_outcome_quota"} == \
        {n: p.value for n, p in FIRST.parameters.items() if n != "course_outcome_quota"}


@FAST
@given(data=school_data(), k=st.integers(0, 10))
def test_changing_the_quota_in_the_text_moves_the_failures(data, k):
    students, outcomes, performances = data
    records = record_set(students, outcomes, performances)
    results = engine(first_with_quota(k), records, "course-outcome-quota")
    assert results == plain(outcomes, k)
    failing = {pair for pair, status in results.items() if status == "fail"}
    assert failing == {(s, sem) for s, per in outcomes.items() for sem, n in per.items() if n > k}
    if k != 6:  # the unchanged policy answers with 6, where the copy answers with k
        assert engine(FIRST, records, "course-outcome-quota") == plain(outcomes, 6)


# ----------------------------------------------------------------- semester_of, academic_year_of

# The oracle, from the definitions (docs/dsl.md, src/rulekit/calendar/terms.py docstrings), not
# from the code: 學年度 N runs 1 Aug (N+1911) to 31 Jul (N+1912); semester 1 is Aug-Jan,
# semester 2 Feb-Jul. It lists the candidate semesters around a date and keeps the one that
# contains it, so it shares no month arithmetic with rulekit.calendar.

def oracle_semesters(n: int) -> tuple:
    """(academic year, term, first day, last day) of 學年度 n's two semesters."""
    return ((n, 1, dt.date(n + 1911, 8, 1), dt.date(n + 1912, 1, 31)),
            (n, 2, dt.date(n + 1912, 2, 1), dt.date(n + 1912, 7, 31)))


def oracle(d: dt.date) -> tuple:
    hits = [sem for n in range(max(d.year - 1913, 1), d.year - 1909) for sem in oracle_semesters(n)
            if sem[2] <= d <= sem[3]]
    assert len(hits) == 1, (d, hits)  # the semesters tile the calendar: no gap, no overlap
    return hits[0]


def test_the_oracle_knows_the_boundaries():
    assert oracle(dt.date(2024, 7, 31))[:2] == (112, 2) and oracle(dt.date(2024, 8, 1))[:2] == (113, 1)
    assert oracle(dt.date(2025, 1, 31))[:2] == (113, 1) and oracle(dt.date(2025, 2, 1))[:2] == (113, 2)
    assert oracle(dt.date(2024, 2, 29)) == (112, 2, dt.date(2024, 2, 1), dt.date(2024, 7, 31))


AD_YEARS = st.integers(1913, 2200)
LEAP_YEARS = [y for y in range(1913, 2201) if calendar.isleap(y)]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# Any day, weighted towards where a calendar goes wrong: month ends, leap days, and the
# days either side of a semester's or an academic year's edge.
DATES = st.one_of(
    st.dates(min_value=dt.date(1912, 8, 1), max_value=dt.date(2200, 12, 31)),
    st.builds(_month_end, AD_YEARS, st.integers(1, 12)),
    st.sampled_from(LEAP_YEARS).map(lambda y: dt.date(y, 2, 29)),
    st.builds(lambda y, md: dt.date(y, *md), AD_YEARS,
              st.sampled_from([(1, 31), (2, 1), (2, 28), (3, 1), (7, 31), (8, 1)])),
)


@settings(max_examples=300, deadline=None)
@given(DATES)
def test_the_calendar_agrees_with_the_oracle(d):
    year, term, first, last = oracle(d)
    s, y = Semester.of(d), AcademicYear.of(d)
    assert (s.year, s.term, s.start, s.end, s.id) == (year, term, first, last, f"{year}-{term}")
    assert (y.year, y.start, y.end) == (year, oracle_semesters(year)[0][2], oracle_semesters(year)[1][3])
    assert s.academic_year == y and Semester.parse(s.id) == s


# A probe entity of its own: its date is optional, so null is an ordinary value, and the
# expected answers ride along in the record for the rule to compare with.
PROBES = {"on": FieldType("date", False, False, None), "semester": FieldType("string", False, False, None),
          "year": FieldType("string", False, False, None)}

SEMESTER_RULE = """
rules:
  - id: semester-of
    citation: x
    for_each: {p: probes}
    let:
      s: semester_of(p.on)
      y: academic_year_of(p.on)
      s_start: s.start
      s_end: s.end
      y_start: y.start
      y_end: y.end
      y_of_s: academic_year_of(s)
    assert: s.id == p.semester and y.id == p.year and y_of_s == y
"""


@functools.lru_cache(maxsize=None)
def semester_rule():
    rules, diagnostics = load_rules(load_text(SEMESTER_RULE, "semester.yaml"), {}, {},
                                    {**entity_types(), "probes": PROBES})
    assert not diagnostics, diagnostics
    return rules


@st.composite
def probe(draw):
    """(date or None, expected semester id, expected year id, whether both expectations are right)."""
    d = draw(st.one_of(st.none(), DATES))
    sem_right, year_right = draw(st.booleans()), draw(st.booleans())
    if d is None:
        right_sem = right_year = None
        wrong_sem, wrong_year = "113-1", "113"
    else:
        n, term = oracle(d)[:2]
        right_sem, right_year = f"{n}-{term}", str(n)
        wrong_sem = draw(st.sampled_from([f"{n}-{3 - term}", f"{n + 1}-{term}", f"{n - 1}-{term}"]))
        wrong_year = draw(st.sampled_from([str(n + 1), str(n - 1)]))
    return (d, right_sem if sem_right else wrong_sem, right_year if year_right else wrong_year,
            sem_right and year_right)


def _iso(d: dt.date | None):
    return d.isoformat() if d else None


@settings(max_examples=200, deadline=None)
@given(st.lists(probe(), min_size=1, max_size=20))
def test_semester_of_in_a_rule_agrees_with_the_oracle(probes):
    rows = tuple({"on": d, "semester": sem, "year": year} for d, sem, year, _ in probes)
    found: list = []
    results = evaluate(semester_rule(), RecordSet({"probes": Table("probes", rows)}, "memory"), AS_OF,
                       diagnostics=found)
    assert found == []
    assert [r.status for r in results] == ["pass" if ok else "fail" for *_, ok in probes]
    for r, (d, *_) in zip(results, probes):
        if d is None:  # null in, null out (docs/dsl.md, "Missing values")
            expected = dict.fromkeys(("s", "y", "s_start", "s_end", "y_start", "y_end", "y_of_s"))
        else:
            n, term, first, last = oracle(d)
            year_first, year_last = oracle_semesters(n)[0][2], oracle_semesters(n)[1][3]
            expected = {"s": f"{n}-{term}", "y": str(n), "s_start": first, "s_end": last,
                        "y_start": year_first, "y_end": year_last, "y_of_s": str(n)}
        got = {k: r.values[k] for k in expected}
        assert {k: _iso(v) if isinstance(v, dt.date) else v for k, v in expected.items()} == \
            {k: _iso(v) if isinstance(v, dt.date) else v for k, v in got.items()}, d
