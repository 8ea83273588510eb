"""Fuzzing every input rulekit reads: the only outcomes are a result or rulekit's own findings.

Strategies:

- DSL text: token soup from the grammar's keywords, operators, names and literals,
  and random valid-ish expressions built from the grammar's productions. Each
  text is put into a rule (in `let`, `assert`, `where`, `when`, `due` or a
  message placeholder), loaded (parse + type check) and, when it loads, evaluated
  over a small school;
- records documents: random YAML and JSON (known and unknown entities and fields,
  values of every type, dates that do not exist, ID-like text), random CSV files
  (random headers and aliases, ragged rows, quotes, separators, several
  encodings) and random bytes; loaded, reference-checked and checked against the
  shipped policy's rules;
- policy documents: the shipped policy with its `rules:` damaged (expressions,
  `for_each`, messages, severities, keys). tests/test_policy_fuzz.py damages every
  other part of the policy and is not repeated here.

Property: a library call returns a value or raises `RulekitError` (UsageError is
one); a command exits 0, 1 or 2 and prints no traceback. Never another exception.
A rule that loads may still meet a value it cannot compute at run time, but only
as a `dsl-runtime` finding in rulekit's words: a message with Python's own
(`'<' not supported between ... 'NoneType'`) is a crash the evaluator's catch-all
hid, and fails the test.

And a blow-up guard: expressions nested 30-90 deep (`not not ... x`,
`(1 + (2 + ...))`, nested aggregates, nested `if`) parse, check and evaluate in
under a second each.

The default run takes well under a minute. A longer run (see docs/security.md):

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz_inputs.py
"""
from __future__ import annotations

import codecs
import datetime as dt
import itertools
import json
import os
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rulekit.calendar import Duration
from rulekit.evaluator.check import run_check
from rulekit.cli import main
from rulekit.diagnostics import Diagnostic, RulekitError, Span
from rulekit.dsl.ast import KEYWORDS
from rulekit.dsl.parser import parse_expr
from rulekit.evaluator import evaluate
from rulekit.policy import require_valid
from rulekit.policy.load import load_policy_text
from rulekit.records import check_references, load_records
from rulekit.records.model import entity_infos
from rulekit.policy.rules import load_rules
from rulekit.sourceyaml import load_file, load_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "policy" / "regulation.yaml"
POLICY = require_valid(str(SHIPPED))
POLICY_DATA = load_file(str(SHIPPED)).data
AS_OF = dt.date(2025, 3, 31)

LONG = os.environ.get("HYPOTHESIS_PROFILE", "") == "long"
_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
           HealthCheck.function_scoped_fixture]


def fuzz(examples: int) -> settings:
    """`examples` per test in the default run; with HYPOTHESIS_PROFILE=long 25 times as many,
    up to the long profile's max_examples (tests/conftest.py)."""
    if LONG:
        examples = min(settings.get_profile("long").max_examples, examples * 25)
    return settings(max_examples=examples, deadline=None, suppress_health_check=_HEALTH)


# ------------------------------------------------------------------ a small school

SCHOOL_YAML = """\
students:
  - {id: S001, name: 王小明, national_id: A123456789, grade: 1, class: "101", enrolled_on: 113.08.01}
  - {id: S002, name: 李小華, national_id: B234567890, grade: 2, class: "201", enrolled_on: 2023-08-01,
     left_on: 2024-03-01}
  - {id: S003, name: 張小美, national_id: C123456780, grade: 3, class: "301", enrolled_on: 2022-08-01}
staff:
  - {id: T001, name: 陳老師, roles: [任課教師, 導師], status: active}
  - {id: T002, name: 林組長, roles: [註冊組長], status: departed, departed_on: 2025-01-31, can_assist: true}
courses:
  - {id: C001, name: 數學, semester: 113-1, teacher: T001, credits: 4, in_course_plan: true}
course_outcomes:
  - {id: O001, student: S001, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: 2024-10-15}
  - {id: O002, student: S001, course: C001, semester: 113-1, kind: 實作作品, uploaded_on: 2024-11-15,
     certified_on: 2024-11-20, certified_by: T001}
  - {id: O003, student: S003, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: 2024-12-01}
meetings:
  - {kind: working_group, date: 2024-09-10, organizer: 輔導室}
windows:
  - {semester: 113-1, kind: outcome_upload, start: 2024-09-01, end: 2025-01-10}
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-inputs")


@pytest.fixture(scope="module")
def school(workdir):
    path = workdir / "school.yaml"
    path.write_text(SCHOOL_YAML, encoding="utf-8")
    return load_records(str(path))


_counter = itertools.count()


def fresh(workdir: Path) -> Path:
    """A new empty folder for one example (hypothesis runs many examples per test)."""
    path = workdir / f"ex{next(_counter)}"
    path.mkdir()
    return path


# ------------------------------------------------------------------ DSL strategies

PARAM_TYPES = {"course_outcome_quota": "int", "confirmation_period_min": "duration"}
PARAMS = {"course_outcome_quota": 6, "confirmation_period_min": Duration(3, "days")}
CONST_TYPES = {"working_group_seats": "list[string]"}
CONSTANTS = {"working_group_seats": ["校長", "教務主任", "家長代表"]}

NAMES = ["student", "semester", "as_of", "x", "o", "n", "students", "course_outcomes", "courses", "staff",
         "meetings", "windows", "semesters", "academic_years", "param", "policy", "semester_of",
         "academic_year_of", "start", "end", "days", "len", "is_null", "valid_national_id", "date",
         "academic_year", "id", "grade", "enrolled_on", "left_on", "national_id", "roles", "uploaded_on",
         "course_outcome_quota", "working_group_seats", "學生", "_", "__class__", "__dict__", "__globals__"]
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "+", "-", "(", ")", "[", "]", ",", ".", "=", "*", "/", "&&",
             "'", '"', "{", "}", ":", "#", "\\", "!", "|"]
LITERALS = ["0", "1", "6", "-1", "99999999999999999999", '"書面報告"', '""', '"\\"', '"a\\nb"', "2024-01-19",
            "2024-02-30", "0000-00-00", "3 days", "1 month", "0 years", "2 weeks", 'date("113.01.19")',
            'date("113.02.30")', 'semester("113-1")', 'semester("113-3")', "academic_year(113)", "null",
            "true", "false", "\t", "\n", "\u3000", "\ufeff", "\x00", "é", "𠀀"]
TOKENS = sorted(KEYWORDS) + NAMES + OPERATORS + LITERALS

TOKEN_SOUP = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map(" ".join)

ATOMS = st.sampled_from([
    "1", "0", "6", "-3", '"書面報告"', '"113-1"', "true", "false", "null", "2024-09-01", "3 days", "1 month",
    "as_of", "student", "student.id", "student.grade", "student.enrolled_on", "student.left_on",
    "student.national_id", "semester", "semester.start", "semester.end", "semester.next", "param.course_outcome_quota",
    "param.confirmation_period_min", "policy.working_group_seats", '["a", "b"]', "[1, 2, 3]", "[]",
    'date("113.01.19")', 'semester("113-2")', "academic_year(113)", "semester_of(as_of)",
    "student.enrolled_on.year",
    # month ends, leap days and month durations: where calendar arithmetic goes wrong
    "2024-02-29", "2023-02-28", "2024-01-31", "2024-07-31", "2024-08-31", 'date("113.02.29")', "6 months",
    "12 months", "1 year", "(student.enrolled_on + 1 month)", "(2024-01-31 + 1 month)",
])


def _extend(inner):
    two = st.tuples(inner, inner)
    three = st.tuples(inner, inner, inner)
    return st.one_of(
        two.map(lambda p: f"({p[0]} + {p[1]})"),
        two.map(lambda p: f"({p[0]} - {p[1]})"),
        inner.map(lambda a: f"-({a})"),
        st.tuples(inner, st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]), inner)
          .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        two.map(lambda p: f"({p[0]} and {p[1]})"),
        two.map(lambda p: f"({p[0]} or {p[1]})"),
        inner.map(lambda a: f"not ({a})"),
        three.map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        three.map(lambda t: f"(default {t[0]} unless {t[1]} then {t[2]})"),
        inner.map(lambda a: f"count(o in course_outcomes where o.student == student.id and {a})"),
        inner.map(lambda a: f"exists(s in students where {a})"),
        inner.map(lambda a: f"first(o in course_outcomes where {a})"),
        two.map(lambda p: f"all(x in [1, 2] where {p[0]} satisfy {p[1]})"),
        inner.map(lambda a: f"sum({a} for x in [1, 2, 3])"),
        inner.map(lambda a: f"min({a} for o in course_outcomes)"),
        inner.map(lambda a: f"max({a} for s in students where s.grade > 1)"),
        st.tuples(st.sampled_from(["len", "is_null", "semester_of", "academic_year_of", "start", "end",
                                   "valid_national_id", "days"]), st.lists(inner, min_size=0, max_size=3))
          .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, st.sampled_from(["id", "start", "end", "year", "month", "day", "next", "prev",
                                          "amount", "unit", "nope"])).map(lambda t: f"({t[0]}).{t[1]}"),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    )


VALID_ISH = st.recursive(ATOMS, _extend, max_leaves=12)
DSL_TEXT = st.one_of(TOKEN_SOUP, VALID_ISH)

SLOTS = ("let", "assert", "where", "when", "due", "message")


def rule_document(expr: str, slot: str) -> str:
    rule = {"id": "fuzz", "citation": "1", "for_each": {"student": "students", "semester": "semesters"},
            "assert": "true"}
    if slot == "let":
        rule["let"] = {"v": expr}
    elif slot == "message":
        rule["message"] = "value: {" + expr.replace("{", "(").replace("}", ")") + "}"
    else:
        rule[slot] = expr
    return yaml.safe_dump({"rules": [rule]}, allow_unicode=True, sort_keys=False)


# What Python says when an operation meets a value it does not handle. A run-time finding
# carrying these words is a crash the evaluator's catch-all turned into a message.
PYTHON_TEXT = ("NoneType", "not supported between", "has no attribute", "Traceback")


def assert_runtime_findings(found) -> None:
    """A rule that loads may still meet values it cannot compute, but only as a `dsl-runtime`
    finding in rulekit's own words; any other code, or a raw Python message, is a bug."""
    for d in found:
        assert isinstance(d, Diagnostic) and d.code == "dsl-runtime", d
        assert d.message and not any(text in d.message for text in PYTHON_TEXT), d.message


def load_and_evaluate(text: str, records) -> None:
    """Parse, check and evaluate; the only exception allowed is RulekitError."""
    try:
        doc = load_text(text, "fuzz.yaml")
    except RulekitError:
        return
    rules, diags = load_rules(doc, PARAM_TYPES, CONST_TYPES)
    assert all(isinstance(d, Diagnostic) and d.code and d.message for d in diags)
    if diags or not rules:
        return
    found: list[Diagnostic] = []
    results = evaluate(rules, records, AS_OF, PARAMS, CONSTANTS, diagnostics=found)
    assert all(r.status in ("pass", "fail", "pending", "not_applicable") for r in results)
    assert_runtime_findings(found)


@fuzz(300)
@given(text=DSL_TEXT)
def test_dsl_text_parses_or_gives_a_finding(text):
    node, diags = parse_expr(text)
    assert (node is None) == bool(diags)
    assert all(d.code.startswith("dsl-") and d.message for d in diags)


# Always tried, whatever the random draw: nulls (S001 has no left_on, two outcomes no
# certified_on), months beside days, month ends and leap days.
KNOWN_HARD = [
    ("student.left_on < as_of", "assert"),
    ("(student.left_on - student.enrolled_on) > 3 days", "assert"),
    ("days(student.enrolled_on, student.left_on) > 0", "assert"),
    ("min(o.certified_on for o in course_outcomes) < as_of", "assert"),
    ("max(x for x in [1 month, 3 days]) == null", "assert"),
    ("1 month < 3 days", "assert"),
    ("(1 month + 3 days) == null", "let"),
    ("(2024-01-31 + 1 month) == 2024-02-29", "assert"),
    ('(date("113.02.29") + 1 year) > as_of', "when"),
    ("(semester.end + 1 month)", "due"),
    ("student.left_on + 1 month", "message"),
]


def _with_known_hard(test):
    for text, slot in KNOWN_HARD:
        test = example(text=text, slot=slot)(test)
    return test


@fuzz(200)
@given(text=DSL_TEXT, slot=st.sampled_from(SLOTS))
@_with_known_hard
def test_dsl_text_in_a_rule_checks_and_evaluates_or_gives_findings(school, text, slot):
    load_and_evaluate(rule_document(text, slot), school)


def test_the_fuzz_helper_refuses_python_errors_and_other_codes():
    where = Span("fuzz.yaml", 1, 1)
    assert_runtime_findings([Diagnostic("dsl-runtime", "cannot compare 1 month with 3 days: a month has no "
                                        "fixed number of days (rule fuzz)", where)])
    for bad in (Diagnostic("dsl-runtime", "cannot evaluate: '<' not supported between instances of 'NoneType' "
                           "and 'datetime.date' (rule fuzz)", where),
                Diagnostic("dsl-runtime", "cannot evaluate: 'NoneType' object has no attribute 'year'", where),
                Diagnostic("unknown-value", "kind 'x' is not one of the values the policy knows", where)):
        with pytest.raises(AssertionError):
            assert_runtime_findings([bad])


# ------------------------------------------------------------------ blow-up guard

def _nested(kind: str, depth: int) -> str:
    if kind == "not":
        return "not " * depth + "(student.grade > 0)"
    if kind == "plus":
        return "(1 + " * depth + "1" + ")" * depth + " > 0"
    if kind == "if":
        return "if true then " * depth + "true" + " else false" * depth
    if kind == "exists":
        text = "student.grade > 0"
        for i in range(depth):
            text = f"exists(s{i} in students where {text})"
        return text
    if kind == "sum":  # over a one-item list: linear, whatever the depth
        text = "1"
        for i in range(depth):
            text = f"sum({text} for x{i} in [1])"
        return f"{text} == 1"
    raise AssertionError(kind)


@pytest.mark.parametrize("depth", [30, 60, 90])
@pytest.mark.parametrize("kind", ["not", "plus", "if", "exists", "sum"])
def test_deeply_nested_expressions_stay_fast(school, kind, depth):
    expr = _nested(kind, depth)
    parse_expr("1 + 1")  # the grammar is compiled once; do not time that
    text = rule_document(expr, "assert")
    started = time.perf_counter()
    node, diags = parse_expr(expr)
    assert diags == [] and node is not None, diags
    rules, diags = load_rules(load_text(text, "deep.yaml"), PARAM_TYPES, CONST_TYPES)
    assert diags == [], diags
    results = evaluate(rules, school, AS_OF, PARAMS, CONSTANTS)
    elapsed = time.perf_counter() - started
    assert results and {r.status for r in results} <= {"pass", "fail", "pending", "not_applicable"}
    assert elapsed < 1.0, f"{kind} nested {depth} deep took {elapsed:.2f} s to parse, check and evaluate"


# ------------------------------------------------------------------ records strategies

ENTITIES = sorted(entity_infos())
FIELDS = sorted({name for infos in entity_infos().values() for name in infos})
ALIASES = sorted({a for infos in entity_infos().values() for info in infos.values() for a in info.aliases})

TRICKY_TEXT = st.sampled_from([
    "113.02.30", "2024-13-01", "113-3", "113上", "113學年度第1學期", "113年1月19日", "1130119", "0", "-1",
    "A123456789", "A123456788", "S001", "T001", "C001", "O001", "active", "departed", "是", "否", "Y", "✓",
    "working_group", "outcome_upload", "校內", "", " ", "\t", "null", "~", "NaN", "1e309", "9" * 40,
    "課程成果", "註冊組長", "=cmd|' /C calc'!A0", "<script>", "\u202e", "\x00", "𠀀",
])
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    TRICKY_TEXT, st.text(max_size=12), st.dates().map(str),
)
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=5)), inner, max_size=3)), max_leaves=6)


@st.composite
def record(draw, entity: str):
    infos = entity_infos().get(entity, {})
    rec = {}
    for name in draw(st.lists(st.sampled_from(sorted(infos) or FIELDS), max_size=8, unique=True)):
        rec[name] = draw(VALUE)
    if draw(st.booleans()):
        rec[draw(st.sampled_from(FIELDS + ALIASES + ["", "id "]))] = draw(VALUE)
    return rec


@st.composite
def records_document(draw):
    doc = {}
    for entity in draw(st.lists(st.one_of(st.sampled_from(ENTITIES), st.text(min_size=1, max_size=8)),
                                min_size=0, max_size=4, unique=True)):
        doc[entity] = draw(st.one_of(st.lists(record(entity), max_size=4), VALUE))
    return draw(st.one_of(st.just(doc), VALUE))


def load_and_check(path: str, encoding: str | None = None) -> None:
    """load_records, check_references, run_check: values or RulekitError, nothing else."""
    try:
        records = load_records(path, encoding=encoding)
    except RulekitError as exc:
        assert exc.diagnostics and all(isinstance(d, Diagnostic) for d in exc.diagnostics)
        return
    for d in check_references(records):
        assert isinstance(d, Diagnostic)
    try:
        report = run_check(POLICY, records, AS_OF)
    except RulekitError as exc:
        assert_runtime_findings(exc.diagnostics)
        return
    assert all(r.status in ("pass", "fail", "pending", "not_applicable", "not_determinable") for r in report.results)


def _dump(doc, form: str) -> bytes:
    if form == "json":
        return json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
    if form == "jsonl":
        lines = doc if isinstance(doc, list) else [doc]
        return "\n".join(json.dumps(x, ensure_ascii=False, default=str) for x in lines).encode("utf-8")
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


@fuzz(120)
@given(doc=records_document(), form=st.sampled_from(["yaml", "json", "jsonl"]), entity=st.sampled_from(ENTITIES))
def test_records_documents_load_or_give_findings(workdir, doc, form, entity):
    folder = fresh(workdir)
    if form == "jsonl":
        path = folder / f"{entity}.jsonl"
        path.write_bytes(_dump(doc.get(entity, doc) if isinstance(doc, dict) else doc, form))
        load_and_check(str(folder))
    else:
        path = folder / f"records.{form}"
        path.write_bytes(_dump(doc, form))
        load_and_check(str(path))


CELL = st.one_of(TRICKY_TEXT, st.text(alphabet='ab學號,"\n\r ;、1-.', max_size=8), st.integers(-5, 2000).map(str))


@st.composite
def csv_file(draw, entity: str):
    infos = entity_infos()[entity]
    labels = [label for name, info in infos.items() for label in (name, *info.aliases)]
    header = draw(st.lists(st.one_of(st.sampled_from(labels), st.text(max_size=4)), min_size=0, max_size=9))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 2), max_size=6))

    def line(cells):
        out = []
        for c in cells:
            quote = draw(st.sampled_from(["plain", "quoted", "broken"]))
            out.append(c if quote == "plain" else f'"{c}"' if quote == "quoted" else f'"{c}')
        return ",".join(out)

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(line(r) for r in [header, *rows]) + draw(st.sampled_from(["", newline]))


@fuzz(120)
@given(data=st.data())
def test_csv_files_load_or_give_findings(workdir, data):
    folder = fresh(workdir)
    for entity in data.draw(st.lists(st.sampled_from(ENTITIES), min_size=1, max_size=3, unique=True)):
        text = data.draw(csv_file(entity))
        codec = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "big5", "utf-16", "latin-1"]))
        raw = text.encode(codec, "replace") if codec != "utf-8-sig" else codecs.BOM_UTF8 + text.encode("utf-8")
        (folder / f"{entity}.csv").write_bytes(raw)
    encoding = data.draw(st.sampled_from([None, None, "utf-8", "big5", "cp950", "utf-16"]))
    load_and_check(str(folder), encoding)


@fuzz(80)
@given(raw=st.binary(max_size=300), name=st.sampled_from(["records.yaml", "records.json", "students.csv",
                                                          "students.jsonl", "staff.csv"]))
def test_random_bytes_give_findings(workdir, raw, name):
    folder = fresh(workdir)
    (folder / name).write_bytes(raw)
    load_and_check(str(folder / name) if not name.endswith((".csv", ".jsonl")) else str(folder))


# ------------------------------------------------------------------ policy documents: damaged rules

RULE_KEYS = ["id", "citation", "title", "description", "severity", "for_each", "where", "when", "let", "assert",
             "due", "message", "asert", "for-each", "messages"]


@st.composite
def damaged_rules(draw):
    rules = json.loads(json.dumps(POLICY_DATA["rules"], ensure_ascii=False))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(rules) - 1))
        rule = rules[i]
        what = draw(st.sampled_from(["expression", "let", "for_each", "message", "severity", "key", "drop",
                                     "duplicate", "retype"]))
        if what == "expression" or not isinstance(rule, dict):
            if isinstance(rule, dict):
                rule[draw(st.sampled_from(["assert", "where", "when", "due"]))] = draw(DSL_TEXT)
        elif what == "let":
            rule["let"] = draw(st.dictionaries(st.sampled_from(["n", "v", "window", "as_of", "student", "if"]),
                                               DSL_TEXT, max_size=3))
        elif what == "for_each":
            rule["for_each"] = draw(st.dictionaries(
                st.sampled_from(["student", "semester", "s", "x", "school", "not"]),
                st.sampled_from(ENTITIES + ["semesters", "academic_years", "school", "studnets", "policy.roles"]),
                max_size=3))
        elif what == "message":
            text = draw(st.one_of(st.text(alphabet="{}ab .", max_size=12), DSL_TEXT.map(lambda e: "{" + e + "}")))
            rule["message"] = draw(st.sampled_from([text, {"fail": text}, {"not_applicable": text}, [text]]))
        elif what == "severity":
            rule["severity"] = draw(st.sampled_from(["error", "warning", "info", "", 1, None]))
        elif what == "key":
            rule[draw(st.sampled_from(RULE_KEYS))] = draw(st.one_of(DSL_TEXT, VALUE))
        elif what == "drop":
            rule.pop(draw(st.sampled_from(RULE_KEYS)), None)
        elif what == "duplicate":
            rules.insert(i, json.loads(json.dumps(rule, ensure_ascii=False)))
        elif what == "retype":
            rules[i] = draw(st.sampled_from([[rule], json.dumps(rule, ensure_ascii=False), None, 3]))
    return rules


@fuzz(40)
@given(rules=damaged_rules())
def test_policy_with_damaged_rules_gives_findings(school, rules):
    data = dict(POLICY_DATA)
    data["rules"] = rules
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    try:
        loaded = load_policy_text(text, "damaged.yaml")
    except RulekitError:
        return
    assert all(isinstance(d, Diagnostic) and d.code for d in loaded.diagnostics)
    if loaded.ok:
        try:
            report = run_check(loaded.policy, school, AS_OF)
        except RulekitError as exc:
            assert_runtime_findings(exc.diagnostics)
            return
        assert all(r.status in ("pass", "fail", "pending", "not_applicable", "not_determinable") for r in report.results)
        assert {r.rule for r in report.results} <= {r.id for r in loaded.policy.rules}


# ------------------------------------------------------------------ end to end, through the command

def _cli(argv):
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2, 3), (result.exit_code, result.output[-2000:])
    assert "internal error" not in result.output, result.output[-2000:]
    assert not any(text in result.output for text in PYTHON_TEXT), result.output[-2000:]
    return result


@fuzz(12)
@given(doc=records_document(), expr=VALID_ISH, form=st.sampled_from(["yaml", "json"]))
def test_commands_exit_0_1_or_2(workdir, doc, expr, form):
    folder = fresh(workdir)
    path = folder / f"records.{form}"
    path.write_bytes(_dump(doc, form))
    _cli(["check", str(path), "--policy", str(SHIPPED), "--as-of", AS_OF.isoformat(), "--format", "json"])
    policy = dict(POLICY_DATA)
    policy["rules"] = [{"id": "fuzz", "citation": "四", "for_each": {"student": "students"}, "assert": expr}]
    policy_path = folder / "regulation.yaml"
    policy_path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _cli(["validate", str(policy_path)])
    _cli(["check", str(path), "--policy", str(policy_path), "--as-of", AS_OF.isoformat()])
