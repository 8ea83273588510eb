"""Evaluator: index joins vs a naive loop, run-time problems, explain, the regulation's
shapes (documented examples) and a second, unrelated regulation."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.calendar import Semester
from rulekit.diagnostics import RulekitError
from rulekit.evaluator import evaluate, explain
from rulekit.evaluator import context as run_module  # where the run builds its indexes
from rulekit.records import Table
from test_evaluator import (AS_OF, CONSTANTS, PARAMS, QUOTA, RECORDS, by_subject, load, recordset,
                            run, outcome, student)

D = datetime.date


# ------------------------------------------------------------ index joins

def test_index_is_built_once_per_run(monkeypatch):
    calls = []

    def counting(name, real):
        def wrapper(rows, fields):
            calls.append((name, fields))
            return real(rows, fields)
        return wrapper
    monkeypatch.setattr(run_module, "build_index", counting("rows", run_module.build_index))
    monkeypatch.setattr(run_module, "count_index", counting("counts", run_module.count_index))
    results = run(QUOTA.rstrip(" ") + """\
      - id: first-outcome
        citation: "1"
        for_each: {student: students, semester: semesters}
        assert: first(o in course_outcomes where o.semester == semester and o.student == student.id) == null
    """)
    assert len(results) == 24
    # a plain count needs only per-key counts; `first` needs the rows, grouped once
    assert calls == [("counts", ("semester", "student")), ("rows", ("semester", "student"))]


SEMS = ["112-1", "112-2", "113-1", "113-2"]
outcome_rows = st.lists(
    st.tuples(st.sampled_from(["S1", "S2", "S3", "S4"]), st.sampled_from(SEMS),
              st.sampled_from(["書面報告", "其他"])),
    max_size=60)

JOIN = """\
    rules:
      - id: indexed
        citation: "1"
        for_each: {student: students, semester: semesters}
        let:
          n: count(o in course_outcomes where o.student == student.id and o.semester == semester)
          k: count(o in course_outcomes where semester == o.semester and o.kind == "其他" and o.student == student.id)
          scan: count(o in course_outcomes where o.student == student.id or o.student == "nobody")
        assert: true
    """


@given(outcome_rows)
@settings(max_examples=60, deadline=None)
def test_index_join_equals_naive_python_count(rows):
    records = recordset(
        students=tuple(student(s, enrolled=D(2023, 8, 1)) for s in ["S1", "S2", "S3"]),
        course_outcomes=tuple(outcome(f"O{i}", s, sem, kind) for i, (s, sem, kind) in enumerate(rows)),
    )
    results = run(JOIN, records=records)
    assert len(results) == 3 * 4
    for r in results:
        sid, sem = r.subject["student"], r.subject["semester"]
        naive = sum(1 for s, m, _ in rows if s == sid and m == sem)
        assert r.values["n"] == naive
        assert r.values["k"] == sum(1 for s, m, k in rows if s == sid and m == sem and k == "其他")
        assert r.values["scan"] == sum(1 for s, _, _ in rows if s == sid)


# ------------------------------------------------------------ problems at run time

def test_runtime_error_becomes_one_diagnostic_per_place():
    rules = load("""\
        rules:
          - {id: x, citation: "1", for_each: {s: students}, assert: param.one_month < param.thirty_days}
          - {id: y, citation: "1", for_each: {s: students}, assert: true}
        """)
    diags: list = []
    results = evaluate(rules, RECORDS, AS_OF, PARAMS, CONSTANTS, diagnostics=diags)
    assert [r.rule for r in results] == ["y", "y", "y"]
    [d] = diags
    assert d.code == "dsl-runtime"
    assert d.message.startswith("cannot compare 1 month with 30 days")
    assert "rule x, s=S1, and 2 more subjects" in d.message
    assert (d.span.line, d.span.column) == (2, 61)
    with pytest.raises(RulekitError):
        evaluate(rules, RECORDS, AS_OF, PARAMS, CONSTANTS)


def test_missing_parameter_value_is_a_diagnostic():
    rules = load(QUOTA)
    diags: list = []
    assert evaluate(rules, RECORDS, AS_OF, {}, CONSTANTS, diagnostics=diags) == ()
    assert "parameter course_outcome_quota has no usable value" in diags[0].message


def test_parameters_given_as_text_are_read():
    rules = load(QUOTA)
    a = evaluate(rules, RECORDS, AS_OF, {"course_outcome_quota": "2"}, {})
    b = evaluate(rules, RECORDS, AS_OF, PARAMS, {})
    assert a == b


def test_rules_are_compiled_once_and_reused():
    rules = load(QUOTA)
    evaluate(rules, RECORDS, AS_OF, PARAMS, CONSTANTS)
    compiled = rules[0].cache["compiled"]
    evaluate(rules, RECORDS, D(2025, 1, 1), PARAMS, CONSTANTS)
    assert rules[0].cache["compiled"] is compiled


def test_the_evaluator_never_uses_eval_or_exec():
    src = Path(run_module.__file__).parent
    for path in src.glob("*.py"):
        text = path.read_text("utf-8")
        assert "eval(" not in text.replace("evaluate(", "") and "exec(" not in text, path.name


# ------------------------------------------------------------ explain

def test_explain_lists_sub_expression_values():
    rules = load(QUOTA)
    results = evaluate(rules, RECORDS, AS_OF, PARAMS, CONSTANTS)
    failing = next(r for r in results if r.status == "fail")
    steps = explain(rules[0], failing, RECORDS, AS_OF, PARAMS, CONSTANTS)
    assert steps == [
        ("count(o in course_outcomes where o.student == student.id and o.semester == semester)", 3),
        ("n", 3),
        ("param.course_outcome_quota", 2),
        ("n <= param.course_outcome_quota", False),
    ]


def test_explain_unknown_subject():
    rules = load(QUOTA)
    with pytest.raises(RulekitError):
        explain(rules[0], {"student": "S9", "semester": "113-1"}, RECORDS, AS_OF, PARAMS, CONSTANTS)


# ------------------------------------------------------------ the regulation's shapes

def test_working_group_meets_once_per_semester():
    results = run("""\
        rules:
          - id: working-group-meets
            citation: 三
            for_each: {semester: semesters}
            let:
              meetings_held: count(m in meetings where m.kind == "working_group" and semester_of(m.date) == semester)
            assert: meetings_held >= 1
            due: semester.end
        """)
    assert [(r.subject["semester"], r.status) for r in results] == [
        ("112-1", "pass"), ("112-2", "fail"), ("113-1", "pass"), ("113-2", "pending")]


def test_deemed_confirmed_with_default_unless():
    records = recordset(
        students=(student("S1"), student("S2"), student("S3")),
        confirmations=({"student": "S1", "semester": Semester(113, 1), "status": "confirmed", "on": D(2025, 2, 3)},
                       {"student": "S2", "semester": Semester(113, 1), "status": "disputed", "on": D(2025, 2, 4)}),
        windows=({"semester": Semester(113, 1), "kind": "confirmation", "start": D(2025, 2, 1), "end": D(2025, 2, 5)},),
    )
    rules = """\
        rules:
          - id: deemed-confirmed
            citation: 四.段2
            for_each: {student: students}
            let:
              window: first(w in windows where w.semester == semester("113-1") and w.kind == "confirmation")
              answer: first(c in confirmations where c.student == student.id and c.semester == semester("113-1"))
              state: |
                default "unanswered"
                unless answer != null then answer.status
                unless window != null and as_of > window.end then "deemed_confirmed"
            assert: state != "disputed"
            message: "{student.id}: {state}"
        """
    during = by_subject(run(rules, records=records, as_of=D(2025, 2, 4)))
    after = by_subject(run(rules, records=records, as_of=D(2025, 2, 6)))
    assert [during[(s,)].message for s in ("S1", "S2", "S3")] == \
        ["S1: confirmed", "S2: disputed", "S3: unanswered"]
    assert [after[(s,)].message for s in ("S1", "S2", "S3")] == \
        ["S1: confirmed", "S2: disputed", "S3: deemed_confirmed"]
    assert after[("S2",)].status == "fail" and after[("S3",)].values["window"] == "113-1 confirmation"


# ------------------------------------------------------------ a second, unrelated regulation

class Shelf:
    """A records source that is not a RecordSet: anything with .get(entity) -> Table."""

    def __init__(self, **tables):
        self.tables = {k: Table(k, tuple(v)) for k, v in tables.items()}

    def get(self, entity):
        return self.tables.get(entity, Table(entity))


LIBRARY_ENTITIES = {
    "members": {"id": "string", "joined": "date"},
    "loans": {"card": "string", "book": "string", "out": "date", "back": "date?"},
}
LIBRARY = """\
    rules:
      - id: loan-limit
        citation: 第3條
        for_each: {member: members}
        let:
          open: count(l in loans where l.card == member.id and l.back == null)
        assert: open <= param.max_open
        message: {fail: "{member} has {open} books out"}
      - id: returned-in-time
        citation: 第5條
        severity: warning
        for_each: {loan: loans}
        assert: loan.back != null and loan.back - loan.out <= param.loan_period
        due: loan.out + param.loan_period
    """


def test_a_second_regulation_with_its_own_entities_and_params():
    rules = load(LIBRARY, param_types={"max_open": "int", "loan_period": "duration"},
                 const_types={}, entities=LIBRARY_ENTITIES)
    shelf = Shelf(
        members=[{"id": "M1", "joined": D(2024, 1, 1)}, {"id": "M2", "joined": D(2024, 1, 1)}],
        loans=[{"card": "M1", "book": "B1", "out": D(2024, 5, 1), "back": None},
               {"card": "M1", "book": "B2", "out": D(2024, 5, 20), "back": None},
               {"card": "M2", "book": "B3", "out": D(2024, 5, 1), "back": D(2024, 5, 10)}],
    )
    results = evaluate(rules, shelf, D(2024, 6, 1), {"max_open": 1, "loan_period": "3 weeks"}, {})
    assert [(r.rule, *r.subject.values(), r.status, r.severity) for r in results] == [
        ("loan-limit", "M1", "fail", "error"), ("loan-limit", "M2", "pass", "error"),
        ("returned-in-time", "M1 B1", "fail", "warning"),
        ("returned-in-time", "M1 B2", "pending", "warning"),
        ("returned-in-time", "M2 B3", "pass", "warning"),
    ]
    assert results[0].message == "M1 has 2 books out"


def test_any_other_failure_is_a_diagnostic_at_the_rule_field():
    rules = load("""\
        rules:
          - id: ancient
            citation: "1"
            for_each: {s: students}
            assert: semester_of(s.enrolled_on - 800 years) == semester("113-1")
        """)
    diags: list = []
    assert evaluate(rules, RECORDS, AS_OF, PARAMS, CONSTANTS, diagnostics=diags) == ()
    [d] = diags
    assert d.code == "dsl-runtime" and d.message.startswith("cannot evaluate: academic year -688 is out of range")
    assert d.message.endswith("(rule ancient, s=S1, and 2 more subjects)")
    assert (d.span.line, d.span.column) == (5, 13)


def test_the_reference_examples_evaluate_as_documented():
    from test_dsl_rules import _doc_rule_blocks
    *_, meets, confirmed = _doc_rule_blocks()
    held = evaluate(load(meets, param_types={"working_group_meetings": "int"}), RECORDS, AS_OF,
                    {"working_group_meetings": 1}, {})
    assert [(r.subject["semester"], r.status) for r in held] == [
        ("112-1", "pass"), ("112-2", "fail"), ("113-1", "pass"), ("113-2", "pending")]
    assert held[1].message == "112-2 工作小組召開 0 次會議,少於 1 次"
    records = recordset(
        students=(student("S1"), student("S2"), student("S3")),
        confirmations=({"student": "S1", "semester": Semester(113, 1), "status": "confirmed", "on": D(2025, 2, 3)},
                       {"student": "S2", "semester": Semester(113, 1), "status": "disputed", "on": D(2025, 2, 3)}),
        windows=({"semester": Semester(113, 1), "kind": "confirmation", "start": D(2025, 2, 1), "end": D(2025, 2, 5)},),
    )
    during = by_subject(evaluate(load(confirmed), records, D(2025, 2, 4), {}, {}))
    after = by_subject(evaluate(load(confirmed), records, D(2025, 2, 6), {}, {}))
    assert [during[(s, "113-1")].status for s in ("S1", "S2", "S3")] == ["pass", "pending", "pending"]
    assert [after[(s, "113-1")].status for s in ("S1", "S2", "S3")] == ["pass", "fail", "pass"]
    assert after[("S3", "113-1")].values["state"] == "deemed_confirmed"
    assert after[("S2", "113-1")].message == "S2 113-1 資料狀態:disputed"
