"""Type checker: inferred types, and every error with its message, hint and span."""
from __future__ import annotations

import pytest

from rulekit.dsl import Checker, parse
from rulekit.dsl import types as T
from rulekit.dsl.ast import walk
from rulekit.records import entity_types

PARAMS = {"course_outcome_quota": "int", "grace": "duration"}
CONSTANTS = {"working_group_seats": "list[string]"}
SCOPE = {"student": T.record("students"), "semester": T.T_SEMESTER, "n": T.T_INT,
         "year": T.T_AY, "m": T.record("meetings")}


def check(text, want_bool=False, role="assert"):
    c = Checker(entity_types(), PARAMS, CONSTANTS)
    t = c.check(parse(text), SCOPE, role=role, want_bool=want_bool).type
    return t, c.diagnostics


TYPES = [
    ("1 + 2", "int"),
    ('"x"', "string"),
    ("as_of", "date"),
    ("2024-01-19 + 3 days", "date"),
    ("as_of - student.enrolled_on", "duration"),
    ("student.left_on", "date?"),
    ("student.left_on + param.grace", "date?"),
    ("semester.end", "date"),
    ("semester.academic_year.start", "date"),
    ("year.semesters", "list[semester]"),
    ('semester("113-1").next', "semester"),
    ("semester_of(as_of)", "semester"),
    ("academic_year_of(semester)", "academic_year"),
    ("academic_year(113)", "academic_year"),
    ("days(semester.start, semester.end)", "int"),
    ("len(policy.working_group_seats)", "int"),
    ("is_null(student.left_on)", "bool"),
    ("param.course_outcome_quota", "int"),
    ("param.grace", "duration"),
    ("policy.working_group_seats", "list[string]"),
    ("[1, 2]", "list[int]"),
    ("[]", "list[any]"),
    ("if n > 1 then student.left_on else null", "date?"),
    ("if n > 1 then 1 else 2", "int"),
    ("default 1 unless n > 2 then 2", "int"),
    ("count(o in course_outcomes)", "int"),
    ("exists(o in course_outcomes where o.student == student.id)", "bool"),
    ("first(w in windows where w.semester == semester)", "record(windows)?"),
    ("first(w in windows where w.semester == semester).end", "date?"),
    ("all(s in policy.working_group_seats satisfy exists(w in working_group where w.role == s))", "bool"),
    ("sum(c.credits for c in courses)", "int"),
    ("max(m.date for m in meetings)", "date?"),
    ("min(o.certified_on - o.uploaded_on for o in course_outcomes)", "duration?"),
    ("course_outcomes", "list[record(course_outcomes)]"),
    ("m.date", "date"),
    ("student.left_on == null", "bool"),
    ('"教務主任" in policy.working_group_seats', "bool"),
    ('m.kind not in ["working_group"]', "bool"),
    ("-n", "int"),
    ("not (n > 1)", "bool"),
]


@pytest.mark.parametrize("text,expected", TYPES, ids=[t[0] for t in TYPES])
def test_inferred_types(text, expected):
    t, diags = check(text)
    assert diags == []
    assert str(t) == expected


ERRORS = [
    # text, code, message, hint fragment, (column, end column) of the span
    ("count(x in courses_outcomes where x.student == student.id) > 0", "dsl-unknown-collection",
     "unknown collection courses_outcomes", "did you mean course_outcomes?", (12, 28)),
    ("student.enrolled_on > 3", "dsl-type", "cannot compare date with int", "duration", (1, 24)),
    ("student.enroled_on == null", "dsl-unknown-field", "a students record has no field enroled_on",
     "did you mean enrolled_on?", (1, 19)),
    ('semester == "113-1"', "dsl-type", "cannot compare semester with string",
     'semester("113-1")', (1, 20)),
    ('student.enrolled_on < "113.01.19"', "dsl-type", "cannot compare date with string",
     'date("113.01.19")', (1, 34)),
    ("nn > 1", "dsl-unknown-variable", "unknown name nn", "did you mean n?", (1, 3)),
    ("param.course_outcome_qouta > 1", "dsl-unknown-param", "unknown parameter param.course_outcome_qouta",
     "did you mean course_outcome_quota?", (1, 27)),
    ("len(policy.seats) > 1", "dsl-unknown-constant", "unknown policy constant policy.seats", "", (5, 17)),
    ("n", "dsl-not-bool", "assert must be true or false, but this is int", "compare it", (1, 2)),
    ("count(o in course_outcomes where o.kind) > 1", "dsl-not-bool",
     "where must be true or false, but this is string", "", (34, 40)),
    ("n + 3 days > 1", "dsl-type", "cannot add duration to int", "unit", (1, 11)),
    ("as_of + 3 > as_of", "dsl-type", "cannot add int to date", "x + 3 days", (1, 10)),
    ("param.grace > 3", "dsl-type", "cannot compare duration with int", "3 days", (1, 16)),
    ("m.organizer == student", "dsl-type", "cannot compare string with record(students)", ".id", (1, 23)),
    ("if n > 1 then 1 else \"a\"", "dsl-type", "the branches of if give different types: int and string", "", (1, 25)),
    ("frobnicate(n) > 1", "dsl-unknown-function", "unknown function frobnicate", "functions:", (1, 14)),
    ("days(as_of) > 1", "dsl-arity", "days takes 2 arguments, not 1", "", (1, 12)),
    ('semester_of("113.01.19") == semester', "dsl-type", "semester_of takes date, not string",
     'date("113.01.19")', (13, 24)),
    ('date("113.02.30") < as_of', "dsl-bad-literal", "113.02.30 is not a valid date: February 113 (2024) has 29 days",
     "113.02.29", (1, 18)),
    ('semester("113-3") == semester', "dsl-bad-literal", "113-3 is not a semester: the term must be 1 (上) or 2 (下)",
     "", (1, 18)),
    ("student.left_on < null", "dsl-type", "null cannot be compared with <", "x == null", (1, 23)),
    ("n in 3", "dsl-type", "`in` needs a list or a text on its right, not int", "exists", (6, 7)),
    ("count(x in n) > 1", "dsl-type", "cannot go through int: it is not a collection", "", (12, 13)),
    ("sum(m.kind for m in meetings) > 1", "dsl-type", "sum needs int or duration or size values, not string", "", (5, 11)),
    ("semester.begin < as_of", "dsl-unknown-field", "a semester has no field begin", "did you mean end?", (1, 15)),
    ("semester.qqq < as_of", "dsl-unknown-field", "a semester has no field qqq", "its fields are id, start", (1, 13)),
    ("student < student", "dsl-type", "record values have no order, so < does not apply", "", (1, 18)),
]


@pytest.mark.parametrize("text,code,message,hint,cols", ERRORS, ids=[e[0] for e in ERRORS])
def test_type_errors(text, code, message, hint, cols):
    _, diags = check(text, want_bool=True)
    assert [d.code for d in diags] == [code]
    d = diags[0]
    assert d.message == message
    assert hint in d.hint
    assert (d.span.column, d.span.end_column) == cols


def test_all_errors_in_one_expression_are_reported():
    _, diags = check("student.nme == 1 and count(x in coures) > 0 and param.nope > 1", want_bool=True)
    assert [d.code for d in diags] == ["dsl-unknown-field", "dsl-unknown-collection", "dsl-unknown-param"]


def test_binder_scopes_only_inside_its_aggregate():
    _, diags = check("count(o in course_outcomes) > 0 and o.kind == \"x\"", want_bool=True)
    assert [(d.code, d.message) for d in diags] == [("dsl-unknown-variable", "unknown name o")]


def test_types_are_recorded_on_every_node():
    c = Checker(entity_types(), PARAMS, CONSTANTS)
    e = parse("count(o in course_outcomes where o.semester == semester) <= param.course_outcome_quota")
    typed = c.check(e, SCOPE, want_bool=True)
    assert typed == e and e.type is None  # a typed copy: equal, the parsed tree untouched
    assert str(typed.type) == "bool"
    assert str(typed.left.type) == "int"
    assert str(typed.left.source.type) == "list[record(course_outcomes)]"
    assert str(typed.left.where.left.type) == "semester"
    assert str(typed.right.type) == "int"
    assert all(node.type is not None for node in walk(typed))


def test_custom_entities_and_types():
    c = Checker({"books": {"isbn": "string", "due": "date?"}}, {"loan": "duration"}, {})
    t = c.check(parse("first(b in books where b.isbn == \"1\").due + param.loan"), {}).type
    assert str(t) == "date?" and c.diagnostics == []


def test_academic_year_literal_is_validated():
    _, [d] = check("academic_year(0) == year", want_bool=True)
    assert d.code == "dsl-bad-literal" and "out of range" in d.message
    _, [d] = check("academic_year(n) == year", want_bool=True)
    assert d.message == "academic_year(...) takes a number"
