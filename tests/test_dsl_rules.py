"""Loading rule entries: keys, scopes, templates, and DSL positions inside the YAML file."""
from __future__ import annotations

import textwrap

import jsonschema
import pytest

from rulekit.diagnostics import render
from rulekit.dsl import ast as A
from rulekit.dsl import types as T
from rulekit.policy.rules import RULE_ENTRY_SCHEMA, load_rules
from rulekit.sourceyaml import load_text

PARAMS = {"course_outcome_quota": "int", "confirmation_period_min": "duration"}
CONSTANTS = {"working_group_seats": "list[string]"}


def load(yaml_text: str, name: str = "p.yaml"):
    doc = load_text(textwrap.dedent(yaml_text), name)
    rules, diags = load_rules(doc, PARAMS, CONSTANTS)
    return doc, rules, diags


GOOD = """\
rules:
  - id: outcome-quota
    citation: 四.(三)
    title: {zh: 課程學習成果每學期至多六件, en: At most six}
    severity: warning
    for_each: {student: students, semester: semesters}
    where: student.grade >= 1
    when: student.enrolled_on <= semester.end
    let:
      n: count(o in course_outcomes where o.student == student.id and o.semester == semester)
      over: n - param.course_outcome_quota
    assert: n <= param.course_outcome_quota
    due: semester.end
    message:
      fail: "{student.id} 於 {semester} 上傳 {n} 件"
      not_applicable: "{student.id} 未在學"
"""


def test_good_rule_loads_with_everything_parsed():
    _, rules, diags = load(GOOD)
    assert diags == []
    [r] = rules
    assert (r.id, r.citation, r.severity, r.title_text("zh")) == \
        ("outcome-quota", "四.(三)", "warning", "課程學習成果每學期至多六件")
    assert r.title_text() == "At most six"  # the suite reads English (tests/conftest.py): the title's en
    assert r.for_each == (("student", "students"), ("semester", "semesters"))
    assert [name for name, _ in r.lets] == ["n", "over"]
    assert r.assert_ == A.Compare("<=", A.Var("n"), A.Param("course_outcome_quota"))
    assert r.due == A.Field(A.Var("semester"), "end")
    assert r.var_types["over"] == T.T_INT
    assert r.message("fail").parts[0] == A.Field(A.Var("student"), "id")
    assert r.message("pass") is None
    assert r.path == ("rules", 0)


def test_yaml_scalars_that_are_not_text_are_expressions():
    _, rules, diags = load("""\
        rules:
          - {id: always, citation: "1", for_each: {school: school}, assert: true}
        """)
    assert diags == [] and rules[0].assert_ == A.BoolLit(True)
    assert rules[0].citation == "1"


def test_plain_message_applies_to_pass_fail_and_pending():
    _, [r], _ = load("""\
        rules:
          - {id: a, citation: "1", for_each: {school: school}, assert: true, message: "ok"}
        """)
    assert [s for s, _ in r.messages] == ["pass", "fail", "pending"]


def test_template_braces_and_strings_inside_placeholders():
    _, [r], diags = load("""\
        rules:
          - id: a
            citation: "1"
            for_each: {school: school}
            assert: true
            message: '{{literal}} {if true then "}" else "x"} end'
        """)
    assert diags == []
    parts = r.message("pass").parts
    assert parts[0] == "{literal} "
    assert parts[1] == A.If(A.BoolLit(True), A.StrLit("}"), A.StrLit("x"))
    assert parts[2] == " end"


def test_unicode_variable_names_are_allowed():
    _, rules, diags = load("""\
        rules:
          - {id: a, citation: "1", for_each: {學生: students}, assert: 學生.grade >= 1}
        """)
    assert diags == [] and rules[0].for_each == (("學生", "students"),)


def test_every_problem_of_every_rule_is_reported():
    _, rules, diags = load("""\
        rules:
          - {id: a, citation: "1", for_each: {s: students}, assert: s.nme == 1}
          - {id: b, citation: "1", for_each: {s: students}, assert: s.grade >}
          - {id: c, citation: "1", for_each: {s: students}, assert: s.grade > 1}
        """)
    assert [d.code for d in diags] == ["dsl-unknown-field", "dsl-syntax"]
    assert [r.id for r in rules] == ["c"]


def test_reserved_and_clashing_names():
    _, _, diags = load("""\
        rules:
          - id: a
            citation: "1"
            for_each: {param: students, s: students}
            let: {s: "1", count: "2"}
            assert: true
        """)
    assert [d.code for d in diags] == ["rule-bad-name", "rule-bad-name", "rule-bad-name"]


def test_no_rules_key_is_not_an_error():
    doc = load_text("format: 1\n", "p.yaml")
    assert load_rules(doc, {}, {}) == ((), [])


def test_rules_must_be_a_list():
    _, _, [d] = load("rules: {a: 1}\n")
    assert d.code == "rule-bad-value"


# ------------------------------------------------------------ positions in the file

def test_type_error_in_block_literal_points_at_file_line_and_column():
    doc, _, [d] = load("""\
        rules:
          - id: late
            citation: 四.(三)
            for_each: {student: students}
            assert: |
              student.grade >= 1 and
                student.enrolled_on > 3
        """)
    assert d.message == "cannot compare date with int"
    assert (d.span.line, d.span.column, d.span.end_line, d.span.end_column) == (7, 9, 7, 32)
    assert render(d, {"p.yaml": list(doc.lines)}).splitlines()[1:3] == [
        "    7 |         student.enrolled_on > 3",
        "      |         ^^^^^^^^^^^^^^^^^^^^^^^",
    ]


def test_block_strip_literal_with_cjk_and_caret_under_sub_expression():
    doc, _, [d] = load("""\
        rules:
          - id: late
            citation: 四.(三)
            for_each: {student: students}
            assert: |-
              "學生" == student.name and student.gradee > 1
        """)
    assert (d.span.line, d.span.column) == (6, 32)
    caret = render(d, {"p.yaml": list(doc.lines)}).splitlines()[2]
    assert caret == "      | " + " " * 33 + "^" * len("student.gradee")


def test_plain_scalar_folded_over_lines():
    _, _, [d] = load("""\
        rules:
          - id: late
            citation: 四.(三)
            for_each: {student: students}
            assert: student.grade >= 1 and
              student.nme == "x"
        """)
    assert (d.span.line, d.span.column, d.span.end_column) == (6, 7, 18)


def test_quoted_scalar():
    _, _, [d] = load("""\
        rules:
          - {id: late, citation: "1", for_each: {s: students}, assert: "s.grade > s.nme"}
        """)
    assert (d.span.line, d.span.column, d.span.end_column) == (2, 75, 80)


def test_folded_block_falls_back_to_the_scalar_start():
    _, _, [d] = load("""\
        rules:
          - id: late
            citation: 四.(三)
            for_each: {student: students}
            assert: >
              student.grade >= 1 and student.nme == "x"
        """)
    assert (d.span.line, d.span.column) == (5, 13)


# ------------------------------------------------------------ the JSON schema fragment

def test_entry_schema_accepts_a_good_entry():
    doc = load_text(GOOD, "p.yaml")
    jsonschema.validate(doc.data["rules"][0], RULE_ENTRY_SCHEMA)


@pytest.mark.parametrize("bad", [
    {"id": "Bad_Id", "citation": "1", "for_each": {"s": "students"}, "assert": "true"},
    {"id": "a", "citation": "1", "for_each": {"s": "students"}},
    {"id": "a", "citation": "1", "for_each": {"s": "students"}, "assert": "true", "asert": "x"},
    {"id": "a", "citation": "1", "for_each": {"s": "students"}, "assert": "true", "severity": "fatal"},
    {"id": "a", "citation": "1", "for_each": {"s": "students"}, "assert": "true", "message": {"fial": "x"}},
])
def test_entry_schema_rejects_bad_entries(bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, RULE_ENTRY_SCHEMA)


# ------------------------------------------------------------ docs/dsl.md stays true

def _doc_rule_blocks():
    from pathlib import Path
    text = (Path(__file__).parent.parent / "docs" / "dsl.md").read_text("utf-8")
    blocks = text.split("```yaml\n")[1:]
    return [b.split("```")[0] for b in blocks if b.startswith("rules:")]


@pytest.mark.parametrize("block", _doc_rule_blocks())
def test_every_example_in_the_reference_loads_cleanly(block):
    doc = load_text(block, "dsl.md")
    rules, diags = load_rules(doc, {"course_outcome_quota": "int", "working_group_meetings": "int",
                                    "unit_check_lead_time": "duration"},
                              {**CONSTANTS, "duty_units": "list[string]"})
    assert diags == [] and len(rules) >= 1


def test_the_reference_has_three_complete_examples_the_intro_and_list():
    assert len(_doc_rule_blocks()) == 5


# ------------------------------------------------------------ robustness

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=12),
                     st.sampled_from(["students", "semesters", "school", "n <= 1", "true",
                                      "count(o in course_outcomes) > 0", "{n}", "s.grade"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["s", "n", "fail", "zh", "x"]), inner,
                                                 max_size=3)), max_leaves=8)
_entries = st.dictionaries(st.sampled_from(list(RULE_ENTRY_SCHEMA["properties"]) + ["asert"]), _values,
                           max_size=8)


@given(st.lists(st.one_of(_entries, _values), max_size=3))
@settings(max_examples=300, deadline=None)
def test_any_rules_data_gives_diagnostics_not_exceptions(entries):
    import yaml
    text = yaml.safe_dump({"rules": entries}, allow_unicode=True)
    try:
        doc = load_text(text, "fuzz.yaml")
    except Exception:  # the YAML layer may refuse odd data (e.g. tags); not ours to test
        return
    rules, diags = load_rules(doc, PARAMS, CONSTANTS)
    assert all(d.span.file == "fuzz.yaml" for d in diags)
    assert len(rules) <= len(entries)
