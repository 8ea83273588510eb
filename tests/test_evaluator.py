"""Evaluator: every construct, the three-valued outcomes, domains, index joins, errors, explain."""
from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.calendar import AcademicYear, Duration, Semester
from rulekit.diagnostics import RulekitError
from rulekit.evaluator import evaluate, explain
from rulekit.evaluator import run as run_module
from rulekit.records import RecordSet, Table, entity_types
from rulekit.policy.rules import load_rules
from rulekit.sourceyaml import load_text

D = datetime.date
AS_OF = D(2025, 3, 1)  # semester 113-2
PARAMS = {"course_outcome_quota": 2, "confirmation_period_min": Duration(3, "days"),
          "one_month": Duration(1, "months"), "thirty_days": Duration(30, "days")}
PARAM_TYPES = {"course_outcome_quota": "int", "confirmation_period_min": "duration",
               "one_month": "duration", "thirty_days": "duration"}
CONSTANTS = {"working_group_seats": ["召集人", "執行秘書", "教務主任"]}
CONST_TYPES = {"working_group_seats": "list[string]"}


def table(entity: str, *rows: dict) -> Table:
    fields = entity_types()[entity]
    return Table(entity, tuple({f: row.get(f) for f in fields} for row in rows))


def recordset(**tables: tuple) -> RecordSet:
    return RecordSet({name: table(name, *rows) for name, rows in tables.items()}, "memory")


def student(sid, enrolled=D(2023, 8, 1), left=None, grade=1):
    return {"id": sid, "name": "某生", "national_id": "A123456789", "grade": grade,
            "class": "101", "enrolled_on": enrolled, "left_on": left}


def outcome(oid, sid, sem, kind="書面報告", uploaded=D(2024, 9, 1), certified=None):
    return {"id": oid, "student": sid, "course": "C1", "semester": Semester.parse(sem),
            "kind": kind, "uploaded_on": uploaded, "certified_on": certified}


RECORDS = recordset(
    students=(student("S1"), student("S2", left=D(2024, 1, 10)), student("S3", enrolled=D(2024, 8, 1))),
    course_outcomes=(outcome("O1", "S1", "113-1"), outcome("O2", "S1", "113-1"),
                     outcome("O3", "S1", "113-1", kind="其他"), outcome("O4", "S3", "113-1"),
                     outcome("O5", "S1", "112-2", certified=D(2024, 3, 1))),
    meetings=({"kind": "working_group", "date": D(2024, 9, 10), "organizer": "教務處"},
              {"kind": "working_group", "date": D(2023, 10, 1), "organizer": "教務處"},
              {"kind": "parent_briefing", "date": D(2024, 10, 5), "organizer": "輔導室"}),
    working_group=({"role": "召集人", "person": "甲"}, {"role": "教務主任", "person": "乙"}),
)


def load(yaml_text: str, param_types=PARAM_TYPES, const_types=CONST_TYPES, entities=None):
    doc = load_text(textwrap.dedent(yaml_text), "p.yaml")
    rules, diags = load_rules(doc, param_types, const_types, entities)
    assert diags == [], diags
    return rules


def run(yaml_text: str, records=RECORDS, as_of=AS_OF, params=PARAMS, constants=CONSTANTS, **kw):
    return evaluate(load(yaml_text, **kw), records, as_of, params, constants)


def value_of(expr: str):
    [r] = run(f"""\
        rules:
          - id: probe
            citation: "1"
            for_each: {{school: school}}
            let: {{v: '{expr}'}}
            assert: true
        """)
    return r.values["v"]


# ------------------------------------------------------------ every construct

CONSTRUCTS = [
    ("1 + 2 - 4", -1),
    ("-(2)", -2),
    ('"課程" == "課程"', True),
    ("2024-01-31 + 1 month", "2024-02-29"),
    ("2024-03-01 - 2024-02-01", "29 days"),
    ("2024-02-01 - 2024-03-01", "-29 days"),
    ('date("113.01.19")', "2024-01-19"),
    ('date("113年1月19日") + 2 weeks', "2024-02-02"),
    ("as_of", "2025-03-01"),
    ("3 days + 1 week", "10 days"),
    ('semester("113-1").end', "2025-01-31"),
    ('semester("113-1").next', "113-2"),
    ('semester("113-1").academic_year', "113"),
    ("semester_of(2024-09-01)", "113-1"),
    ("academic_year_of(2025-03-01)", "113"),
    ("academic_year(112).semesters", ["112-1", "112-2"]),
    ('start(semester("112-2"))', "2024-02-01"),
    ("end(academic_year(112))", "2024-07-31"),
    ("days(2024-01-01, 2024-01-31)", 31),
    ("len(policy.working_group_seats)", 3),
    ('"教務主任" in policy.working_group_seats', True),
    ('"校長" not in policy.working_group_seats', True),
    ("is_null(null)", True),
    ("if 1 > 2 then 10 else 20", 20),
    ("default 0 unless false then 1 unless true then 2 unless true then 3", 2),
    ("default 0 unless false then 1", 0),
    ("count(o in course_outcomes)", 5),
    ('count(o in course_outcomes where o.student == "S1" and o.kind == "書面報告")', 3),
    ('exists(s in students where s.id == "S9")', False),
    ('first(s in students where s.enrolled_on > 2024-01-01).id', "S3"),
    ('first(s in students where s.id == "S9")', None),
    ('first(s in students where s.id == "S9").left_on', None),
    ('first(s in students where s.id == "S2")', "S2"),
    ("all(s in policy.working_group_seats satisfy exists(w in working_group where w.role == s))", False),
    ('all(s in policy.working_group_seats where s != "執行秘書" '
     'satisfy exists(w in working_group where w.role == s))', True),
    ("sum(s.grade for s in students)", 3),
    ('sum(o.certified_on - o.uploaded_on for o in course_outcomes where o.certified_on != null)',
     "-184 days"),
    ("min(s.enrolled_on for s in students)", "2023-08-01"),
    ("max(m.date for m in meetings where m.kind == \"working_group\")", "2024-09-10"),
    ('max(m.date for m in meetings where m.kind == "student_training")', None),
    ("[1, 2, 3]", [1, 2, 3]),
    ('[first(s in students).id, "x"] == ["S1", "x"]', True),
    ('[first(s in students).id] != ["S1"]', False),
    ('[first(s in students).id] in [["S2"], ["S1"]]', True),
    ("count(x in [1, 2, 3] where x >= 2)", 2),
    ('[first(s in students).id, "x"]', ["S1", "x"]),
    ('count(x in [first(s in students).left_on, 2024-01-01] where x == null)', 1),
    ("param.confirmation_period_min", "3 days"),
    ("param.one_month", "1 month"),
]


@pytest.mark.parametrize("expr,expected", CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_constructs(expr, expected):
    assert value_of(expr) == expected


def test_null_comparisons_are_false_and_null_equals_null():
    assert value_of('first(s in students where s.id == "S1").left_on < 2030-01-01') is False
    assert value_of('first(s in students where s.id == "S1").left_on >= 2000-01-01') is False
    assert value_of('not (first(s in students where s.id == "S1").left_on < 2030-01-01)') is True
    assert value_of('first(s in students where s.id == "S1").left_on == null') is True
    assert value_of('first(s in students where s.id == "S2").left_on != null') is True
    assert value_of('count(s in students where s.left_on + 1 day > 2000-01-01)') == 1


def test_date_minus_date_within_a_month_compares_by_calendar():
    # 2024-01-31 + 1 month = 2024-02-29: 29 days later is within, 30 days later is not
    assert value_of("2024-02-29 - 2024-01-31 <= param.one_month") is True
    assert value_of("2024-03-01 - 2024-01-31 <= param.one_month") is False
    assert value_of("2024-03-01 - 2024-01-31 <= param.thirty_days") is True


# ------------------------------------------------------------ outcomes

QUOTA = """\
    rules:
      - id: outcome-quota
        citation: 四.(三)
        title: {zh: 課程學習成果每學期至多二件}
        for_each: {student: students, semester: semesters}
        when: student.enrolled_on <= semester.end and (student.left_on == null or student.left_on >= semester.start)
        let:
          n: count(o in course_outcomes where o.student == student.id and o.semester == semester)
        assert: n <= param.course_outcome_quota
        due: semester.end
        message:
          fail: "{student.id} 於 {semester} 上傳 {n} 件,超過 {param.course_outcome_quota} 件"
          not_applicable: "{student.id} 於 {semester} 不在學"
    """


def by_subject(results):
    return {tuple(r.subject.values()): r for r in results}


def test_three_valued_outcomes_and_messages():
    out = by_subject(run(QUOTA))
    assert out[("S1", "113-1")].status == "fail"
    assert out[("S1", "113-1")].message == "S1 於 113-1 上傳 3 件,超過 2 件"
    assert out[("S1", "113-1")].values == {"n": 3}
    assert out[("S1", "112-2")].status == "pass" and out[("S1", "112-2")].message == ""
    assert out[("S2", "113-1")].status == "not_applicable"  # left in January 2024
    assert out[("S2", "113-1")].message == "S2 於 113-1 不在學" and out[("S2", "113-1")].values == {}
    assert out[("S3", "112-2")].status == "not_applicable"  # not yet enrolled
    assert out[("S3", "113-1")].status == "pass"
    assert {r.severity for r in out.values()} == {"error"}
    assert {r.citation for r in out.values()} == {"四.(三)"}


def test_pending_before_due_and_fail_after():
    rules = """\
        rules:
          - id: certified
            citation: 四.(三).1
            title: 成果須經認證
            for_each: {o: course_outcomes}
            assert: o.certified_on != null
            due: o.semester.end + 7 days
        """
    early = by_subject(run(rules, as_of=D(2025, 1, 20)))
    assert early[("O1",)].status == "pending"  # 113-1 ends 2025-01-31, due 2025-02-07
    assert early[("O1",)].message == "成果須經認證"  # the title when no message is given
    assert early[("O5",)].status == "pass"
    on_the_day = by_subject(run(rules, as_of=D(2025, 2, 7)))
    assert on_the_day[("O1",)].status == "pending"  # due is the last day to act
    late = by_subject(run(rules, as_of=D(2025, 2, 8)))
    assert late[("O1",)].status == "fail"


def test_null_due_is_fail():
    [r] = [r for r in run("""\
        rules:
          - id: x
            citation: "1"
            for_each: {s: students}
            where: s.id == "S1"
            assert: false
            due: s.left_on
        """)]
    assert r.status == "fail"


def test_where_filters_subjects_out_entirely():
    results = run("""\
        rules:
          - {id: x, citation: "1", for_each: {s: students}, where: s.grade == 1 and s.id != "S2", assert: true}
        """)
    assert [r.subject for r in results] == [{"s": "S1"}, {"s": "S3"}]


def test_results_ordered_by_rule_then_subject():
    results = run("""\
        rules:
          - {id: b, citation: "1", for_each: {s: students}, assert: true}
          - {id: a, citation: "1", for_each: {y: academic_years, s: students}, assert: true}
        """)
    assert [(r.rule, *r.subject.values()) for r in results] == [
        ("b", "S1"), ("b", "S2"), ("b", "S3"),
        ("a", "112", "S1"), ("a", "112", "S2"), ("a", "112", "S3"),
        ("a", "113", "S1"), ("a", "113", "S2"), ("a", "113", "S3"),
    ]


def test_domains_run_from_the_earliest_of_the_given_fields_to_as_of():
    ctx = run_module.Context(RECORDS, AS_OF, entity_types())
    fields = (("course_outcomes", "semester"), ("meetings", "date"))
    assert [s.id for s in ctx.semesters(fields)] == ["112-1", "112-2", "113-1", "113-2"]
    assert [s.id for s in ctx.semesters(fields[:1])] == ["112-2", "113-1", "113-2"]
    assert [y.id for y in ctx.academic_years(fields)] == ["112", "113"]
    assert [s.id for s in ctx.semesters(())] == ["113-2"]
    empty = run_module.Context(recordset(), D(2024, 9, 1), entity_types())
    assert [s.id for s in empty.semesters(fields)] == ["113-1"]


PERIODS = """\
    rules:
      - {id: meetings, citation: "1", for_each: {semester: semesters},
         assert: 'count(m in meetings where semester_of(m.date) == semester) >= 0'}
      - {id: outcomes, citation: "1", for_each: {semester: semesters},
         assert: 'count(o in course_outcomes where o.semester == semester) >= 0'}
      - {id: lookup, citation: "1", for_each: {semester: semesters},
         assert: 'exists(s in staff where s.id == "T1" and "教務主任" in s.roles)'}
      - {id: students, citation: "1", for_each: {student: students, semester: semesters}, assert: true}
      - {id: staff, citation: "1", for_each: {member: staff, year: academic_years}, assert: true}
    """


def test_a_rules_period_starts_at_the_records_it_is_about():
    # T1 left in 1990 (78-2): only a rule about the staff themselves reaches back to it
    records = recordset(
        students=(student("S1", left=D(2024, 1, 10)), student("S2", enrolled=D(2024, 8, 1))),
        course_outcomes=(outcome("O1", "S1", "113-1"), outcome("O2", "S1", "112-2")),
        meetings=({"kind": "working_group", "date": D(2023, 10, 1), "organizer": "教務處"},),
        staff=({"id": "T1", "name": "甲", "roles": ["教務主任"], "status": "departed",
                "departed_on": D(1990, 6, 30), "can_assist": False},))
    periods: dict = {}
    for r in run(PERIODS, records=records):
        periods.setdefault(r.rule, []).append(r.subject.get("semester") or r.subject.get("year"))
    assert periods["meetings"] == ["112-1", "112-2", "113-1", "113-2"]  # 2023-10-01
    assert periods["outcomes"] == ["112-2", "113-1", "113-2"]
    assert periods["lookup"] == ["113-2"]  # reads no date: only the semester of as_of
    assert periods["students"] == ["112-1", "112-2", "113-1", "113-2"] * 2  # S1 enrolled 2023-08-01
    assert periods["staff"] == [str(y) for y in range(78, 114)]


def test_records_without_id_are_named_by_their_key_fields():
    results = run("""\
        rules:
          - id: x
            citation: "1"
            for_each: {m: meetings}
            assert: m.kind == "working_group"
            message: "{m} / {m.date}"
        """)
    assert [(r.subject["m"], r.status, r.message) for r in results] == [
        ("working_group 2024-09-10", "pass", "working_group 2024-09-10 / 2024-09-10"),
        ("working_group 2023-10-01", "pass", "working_group 2023-10-01 / 2023-10-01"),
        ("parent_briefing 2024-10-05", "fail", "parent_briefing 2024-10-05 / 2024-10-05"),
    ]


def test_let_values_are_json_and_records_never_leak_personal_fields():
    [r] = [r for r in run("""\
        rules:
          - id: x
            citation: "1"
            for_each: {s: students}
            where: s.id == "S1"
            let:
              me: first(t in students where t.id == s.id)
              when: s.enrolled_on
              sem: semester_of(s.enrolled_on)
              gap: as_of - s.enrolled_on
              ids: policy.working_group_seats
            assert: true
        """)]
    assert r.values == {"me": "S1", "when": "2023-08-01", "sem": "112-1", "gap": "578 days",
                        "ids": ["召集人", "執行秘書", "教務主任"]}
