"""One evaluation order: shortcuts of the evaluator never change results or findings.

An aggregate whose `where` has `x.f == E` looks rows up in an index instead of testing
every row; a rule's `where` that reads one for_each variable is decided once per value
of it instead of once per combination. Both are only speed: the oracles below are the
same rules written so that the shortcut cannot apply (`not (x.f != E)` is no index key;
a `where` that also reads the other variable is decided per combination).
"""
from __future__ import annotations

import datetime
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.calendar import Semester
from rulekit.evaluator import evaluate
from test_evaluator import AS_OF, CONSTANTS, PARAMS, load, recordset, student

D = datetime.date
SEMS = ["112-1", "112-2", "113-1", "113-2"]


def outcome(i, sid, sem, kind, uploaded, certified, by):
    return {"id": f"O{i}", "student": sid, "course": "C1", "semester": Semester.parse(sem),
            "kind": kind, "uploaded_on": uploaded, "certified_on": certified, "certified_by": by}


def outcome_of(i: int, data: tuple) -> dict:
    return outcome(i, *data)


dates = st.sampled_from([D(2023, 9, 1), D(2024, 3, 1), D(2024, 9, 1), D(2024, 9, 20), D(2025, 2, 1)])
outcomes = st.lists(st.tuples(
    st.sampled_from(["S1", "S2", "S3", "S9"]), st.sampled_from(SEMS), st.sampled_from(["書面報告", "其他"]),
    dates, st.one_of(st.none(), dates),  # certified before uploaded: days() cannot count them
    st.sampled_from([None, "S1", "T1"])), max_size=12)
students = st.lists(st.one_of(st.none(), dates), min_size=3, max_size=3)  # left_on of S1..S3


def records_of(left: list, rows: list):
    return recordset(
        students=tuple(student(f"S{k + 1}", left=when) for k, when in enumerate(left)),
        course_outcomes=tuple(outcome_of(i, row) for i, row in enumerate(rows)))


# Equalities an index can answer, each written twice with the same length, so that
# every other node keeps its line and column: `    (L == R)` and `not (L != R)`.
# The last two have a value that cannot always be computed: a month added to days for a
# student who left, days() backwards from a leaving date.
KEYS = ["o.student == student.id", "student.id == o.student", "o.semester == semester",
        'o.kind == "其他"', "o.certified_by == null", "o.certified_on == student.left_on",
        "o.certified_by == student.id",
        "o.uploaded_on == student.left_on - (param.one_month + param.thirty_days)",
        "o.student == first(s in students where days(s.left_on, s.enrolled_on) > 0).id"]
# Conjuncts no index answers; the first two cannot be computed for some rows.
OTHERS = ["days(o.uploaded_on, o.certified_on) > 3",
          "(if o.kind == \"其他\" then param.one_month else param.thirty_days) > o.certified_on - o.uploaded_on",
          "o.uploaded_on >= 2024-09-01", 'o.kind != "書面報告"', "not (o.student != student.id)",
          "o.certified_on <= student.left_on"]
AGGREGATES = ["count(o in course_outcomes where {w})",
              "exists(o in course_outcomes where {w})",
              "first(o in course_outcomes where {w})",
              "all(o in course_outcomes where {w} satisfy days(o.uploaded_on, o.certified_on) < 200)",
              "sum(days(o.uploaded_on, o.certified_on) for o in course_outcomes where {w})",
              "min(o.uploaded_on for o in course_outcomes where {w})"]
conjunct = st.one_of(st.sampled_from(KEYS).map(lambda k: ("key", k)),
                     st.sampled_from(OTHERS).map(lambda o: ("other", o)))


def where_text(terms: list, indexable: bool) -> str:
    out = []
    for kind, text in terms:
        if kind == "other":
            out.append(text)
        elif indexable:
            out.append(f"    ({text})")
        else:
            out.append(f"not ({text.replace(' == ', ' != ')})")
    return " and ".join(out)


def aggregate_rule(aggregate: str, terms: list, indexable: bool) -> str:
    expr = aggregate.format(w=where_text(terms, indexable))
    return f"""\
        rules:
          - id: r
            citation: "1"
            for_each: {{student: students, semester: semesters}}
            let: {{v: '{expr}'}}
            assert: true
        """


def outcome_and_findings(rule_text: str, records):
    diagnostics: list = []
    results = evaluate(load(rule_text), records, AS_OF, PARAMS, CONSTANTS, diagnostics=diagnostics)
    found = [(d.code, d.message, d.hint, d.span.line, d.span.column) for d in diagnostics]
    return [(r.rule, r.subject, r.status, r.values, r.message) for r in results], found


@given(left=students, rows=outcomes, aggregate=st.sampled_from(AGGREGATES),
       terms=st.lists(conjunct, min_size=1, max_size=4))
@settings(max_examples=200, deadline=None)
def test_indexed_aggregate_equals_the_full_scan(left, rows, aggregate, terms):
    records = records_of(left, rows)
    indexed = outcome_and_findings(aggregate_rule(aggregate, terms, True), records)
    scanned = outcome_and_findings(aggregate_rule(aggregate, terms, False), records)
    assert indexed == scanned


LATE = """\
    rules:
      - id: late
        citation: "1"
        for_each: {student: students}
        let: {n: 'count(o in course_outcomes where days(o.uploaded_on, o.certified_on) > 3 and %s)'}
        assert: true
    """


def test_a_row_another_conjunct_rejects_cannot_fail_the_aggregate():
    # O2 (S2) was certified before it was uploaded: days() cannot count it. It is only
    # S2's row, so S1's and S3's counts do not depend on it, however the equality is written.
    records = records_of([None, None, None], [
        ("S1", "113-1", "書面報告", D(2024, 9, 1), D(2024, 9, 20), None),
        ("S1", "113-1", "書面報告", D(2024, 9, 1), D(2024, 9, 2), None),
        ("S2", "113-1", "書面報告", D(2024, 9, 20), D(2024, 9, 1), None)])
    for equality in ("o.student == student.id", "not (o.student != student.id)"):
        diagnostics: list = []
        results = evaluate(load(LATE % equality), records, AS_OF, PARAMS, CONSTANTS, diagnostics=diagnostics)
        assert [(r.subject["student"], r.values["n"]) for r in results] == [("S1", 1), ("S3", 0)]
        [d] = diagnostics
        assert d.code == "dsl-runtime" and "(rule late, student=S2, course_outcomes record O2)" in d.message
        line = textwrap.dedent(LATE).splitlines()[d.span.line - 1]
        assert line.index("days(") + 1 == d.span.column  # the conjunct that fails


# ------------------------------------------------------------ a rule's where, hoisted

# Conditions about one for_each variable; some cannot be computed for some of its values.
ABOUT = {
    "semester": ["exists(w in windows where w.semester == semester)", "semester.term == 1",
                 "days(semester.start, 2024-09-01) > 10",
                 "(if semester.term == 1 then param.one_month else param.thirty_days) > param.thirty_days",
                 "count(o in course_outcomes where o.semester == semester"
                 " and days(o.uploaded_on, o.certified_on) > 0) > 0"],
    "student": ["student.left_on == null", "days(student.enrolled_on, student.left_on) > 100",
                "exists(o in course_outcomes where o.student == student.id)"],
}


@st.composite
def condition(draw, about: str) -> str:
    parts = draw(st.lists(st.sampled_from(ABOUT[about]), min_size=1, max_size=3))
    joins = draw(st.lists(st.sampled_from([" and ", " or ", " and not "]), min_size=len(parts) - 1,
                          max_size=len(parts) - 1))
    return parts[0] + "".join(j + p for j, p in zip(joins, parts[1:]))


def hoisting_rule(for_each: str, where: str) -> str:
    return f"""\
        rules:
          - id: h
            citation: "1"
            for_each: {{{for_each}}}
            where: '{where}'
            let: {{n: 'count(o in course_outcomes where o.student == student.id and o.semester == semester)'}}
            assert: 'n < 2 and days(student.enrolled_on, semester.end) > 0'
            message: "{{student.id}} {{semester}}: {{n}}"
        """


windows = st.lists(st.tuples(st.sampled_from(SEMS), dates, dates), max_size=4)
enrolled = st.lists(dates, min_size=3, max_size=3)


@given(left=students, start=enrolled, rows=outcomes, spans=windows, data=st.data(),
       about=st.sampled_from(["semester", "student"]), student_first=st.booleans())
@settings(max_examples=150, deadline=None)
def test_a_where_about_one_variable_decided_once_equals_per_combination(
        left, start, rows, spans, data, about, student_first):
    where = data.draw(condition(about))
    records = recordset(
        students=tuple(student(f"S{k + 1}", enrolled=e, left=l) for k, (e, l) in enumerate(zip(start, left))),
        course_outcomes=tuple(outcome_of(i, row) for i, row in enumerate(rows)),
        windows=tuple({"semester": Semester.parse(s), "kind": "confirmation", "start": a, "end": b}
                      for s, a, b in spans))
    for_each = "student: students, semester: semesters" if student_first else \
        "semester: semesters, student: students"
    # the same condition, also reading the other variable: decided per combination
    both = where + " and student == student and semester == semester"
    assert outcome_and_findings(hoisting_rule(for_each, where), records) == \
        outcome_and_findings(hoisting_rule(for_each, both), records)
