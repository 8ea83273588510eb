"""No run-time type errors after a clean load (issue 18).

What the checker accepts, the evaluator computes: null is carried through every
operator as docs/dsl.md §4 says, yes/no positions take only yes/no values, and
whatever still fails at run time is a `dsl-runtime` finding in words, naming the
rule, the subject and the record -- never Python's own message.
"""
from __future__ import annotations

import datetime
import json
import re
import textwrap
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rulekit.dsl import Checker, parse
from rulekit.dsl.ast import walk
from rulekit.evaluator import evaluate
from rulekit.evaluator.compile import compile_rule
from rulekit.policy.rules import load_rules
from rulekit.records import Table
from rulekit.sourceyaml import load_text

AS_OF = datetime.date(2025, 3, 1)
ENTITIES = {"items": {"id": "string", "k": "int", "n": "int?", "d": "date?"}}
ITEMS = ({"id": "I1", "k": 1, "n": None, "d": None},
         {"id": "I2", "k": 3, "n": 4, "d": datetime.date(2024, 9, 1)},
         {"id": "I3", "k": 5, "n": 2, "d": datetime.date(2025, 2, 28)})
PARAMS = {"month": "duration", "quota": "int"}
PARAM_VALUES = {"month": "1 month", "quota": 2}
# Python's own words: none of them may reach a user
PYTHON_TEXT = re.compile(r"NoneType|not supported between|has no attribute|unsupported operand|"
                         r"unhashable|object is not|can only concatenate|[A-Z][a-z]+Error|"
                         r"Traceback|date value out of range|(?<!academic )year -?\d+ is out of range|"
                         r"int too large|takes \d+ positional")


class Shelf:
    """Records: one table of items (or the tables given)."""

    def __init__(self, rows=ITEMS, entity="items"):
        self.tables = {entity: Table(entity, tuple(rows))}

    def get(self, entity):
        return self.tables.get(entity, Table(entity))


def load(body: str, entities=ENTITIES):
    text = "rules:\n" + textwrap.indent(textwrap.dedent(body), "  ")
    _LAST[0] = text
    doc = load_text(text, "p.yaml")
    return load_rules(doc, PARAMS, {}, entities)


def run(body: str, rows=ITEMS):
    rules, diags = load(body)
    assert diags == [], diags
    found: list = []
    results = evaluate(rules, Shelf(rows), AS_OF, PARAM_VALUES, {}, diagnostics=found)
    return results, found


def rule(**keys) -> str:
    """One school-wide rule entry with the given keys, each value a JSON (so YAML) string."""
    keys.setdefault("assert", "true")
    lines = ["- id: probe", '  citation: "1"', "  for_each: {school: school}"]
    for key, value in keys.items():
        if isinstance(value, dict):
            lines.append(f"  {key}:")
            lines += [f"    {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
        else:
            lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def spanned(span) -> str:
    """The text of a one-line span in the rule `rule()` writes (its line 5)."""
    assert span.line == span.end_line == 5
    return _LAST[0].splitlines()[span.line - 1][span.column - 1:span.end_column - 1]


_LAST: list = [""]  # the text load() read last


def type_of(text: str) -> str:
    c = Checker(ENTITIES, PARAMS, {})
    t = c.check(parse(text), {}).type
    assert c.diagnostics == [], c.diagnostics
    return str(t)


# ------------------------------------------------------------ types live on the nodes

def test_the_checker_puts_a_type_on_every_node_of_a_loaded_rule():
    rules, diags = load(rule(**{"let": {"v": "first(x in items where x.k > 1).n + 1"},
                                "assert": "v == null or v > param.quota", "message": "{v} / {as_of}"}))
    assert diags == []
    [r] = rules
    roots = [r.assert_, r.lets[0][1]] + [p for _, t in r.messages for p in t.parts if not isinstance(p, str)]
    assert all(node.type is not None for root in roots for node in walk(root))
    assert str(r.lets[0][1].type) == "int?" and str(r.lets[0][1].left.obj.source.type) == "list[record(items)]"


def test_the_compiler_refuses_a_node_without_a_type():
    rules, _ = load(rule(**{"assert": "count(x in items where x.k > 1) > 0"}))
    [r] = rules
    compile_rule(r)
    unchecked = replace(r, assert_=parse("count(x in items where x.k > 1) > 0"))
    with pytest.raises(AssertionError, match="not type-checked"):
        compile_rule(unchecked)
    partly = replace(r, assert_=replace(r.assert_, right=replace(r.assert_.right, type=None)))
    with pytest.raises(AssertionError, match="not type-checked: 0"):
        compile_rule(partly)


# ------------------------------------------------------------ may be null, through every operator

def test_first_of_an_empty_list_plus_one_compared_is_false_not_a_crash():
    results, found = run(rule(**{"assert": "first(x in []) + 1 > 0", "let": {"v": "first(x in []) + 1"}}))
    assert found == []
    assert [(r.status, r.values) for r in results] == [("fail", {"v": None})]


@pytest.mark.parametrize("text,holds", [
    ("(if true then first(x in []) else 3) + 1 > 0", False),
    ("count(y in [first(x in []), 1] where y > 0) == 1", True),
    ("not (first(x in []) - 1 <= 0)", True),
    ("first(x in items where x.k > 9).n + 1 > 0", False),
])
def test_what_may_be_null_evaluates_under_the_null_rules(text, holds):
    results, found = run(rule(**{"assert": text}))
    assert found == []
    assert [r.status for r in results] == ["pass" if holds else "fail"]


@pytest.mark.parametrize("text,expected", [
    ("first(x in []) + 1", "int?"),
    ("1 + first(x in [])", "int?"),
    ("first(x in []) - first(y in [])", "any"),
    ("as_of + first(x in [])", "date?"),  # only date + duration is a date: any must be a duration
    ("-first(x in [])", "any"),
    ("if 1 > 0 then first(x in []) else 3", "int?"),
    ("if 1 > 0 then 3 else first(x in [])", "int?"),
    ("first(x in items).n + 1", "int?"),
    ("first(x in items).k", "int?"),
    ("min(x.k for x in items) + 1", "int?"),
    ("len(first(x in [[1]]))", "int?"),
    ("sum(x.n for x in items)", "int"),
    ("[first(x in []), 1]", "list[int?]"),
    ("[1, first(x in [])]", "list[int?]"),
])
def test_may_be_null_is_kept_through_every_operator(text, expected):
    t = type_of(text)
    assert t == expected


def test_any_is_always_optional():
    from rulekit.dsl import types as T
    assert T.T_ANY.optional and T.parse_type("any").optional and T.Type(T.ANY).required().optional
    assert str(T.list_of(T.T_ANY)) == "list[any]"


# ------------------------------------------------------------ yes/no positions take yes/no values

@pytest.mark.parametrize("key", ["where", "when", "assert"])
@pytest.mark.parametrize("written", ["null", "'null'", "~", ""])
def test_null_where_yes_or_no_is_required_is_a_type_error_at_the_value(key, written):
    # YAML null (null, ~, nothing) and the DSL's null ('null') alike
    text = f'- id: probe\n  citation: "1"\n  for_each: {{school: school}}\n  {key}: {written}\n'
    if key != "assert":
        text += "  assert: true\n"
    rules, diags = load(text)
    assert rules == ()
    [d] = diags
    assert (d.code, d.message) == ("dsl-not-bool", f"{key} must be true or false, but this is null")
    value_column = 4 + len(key) + 3  # "    where: " and then the value
    assert d.span.line == 5 and value_column - 1 <= d.span.column <= value_column + 1
    assert "x == null" in d.hint


@pytest.mark.parametrize("text,role", [
    ("not null", "the operand of not"),
    ("if null then true else false", "the condition of if"),
    ("null and true", "each side of and"),
    ("count(x in items where null) > 0", "where"),
    ("all(x in items satisfy null)", "the condition after satisfy"),
    ("first(x in [])", "assert"),
])
def test_null_and_unknowable_values_are_not_yes_or_no(text, role):
    rules, diags = load(rule(**{"assert": text}))
    assert rules == () and [d.code for d in diags] == ["dsl-not-bool"]
    assert diags[0].message.startswith(f"{role} must be true or false, but this is ")
    assert diags[0].hint


def test_a_number_is_not_yes_or_no_in_where_and_when():
    _, diags = load(rule(where="1", when="first(x in items).k"))
    assert [(d.code, d.message) for d in diags] == [
        ("dsl-not-bool", "where must be true or false, but this is int"),
        ("dsl-not-bool", "when must be true or false, but this is int")]
    assert all("compare it" in d.hint for d in diags)


def test_a_bool_that_may_be_null_counts_as_false():
    rows = ({"id": "I1", "k": 1, "n": None, "d": None},)
    results, found = run(rule(**{"assert": "first(x in items where x.n > 0) == null or false",
                                 "when": "exists(x in items)"}), rows)
    assert found == [] and [r.status for r in results] == ["pass"]
    # a bool? in assert: null counts as false, so the rule fails instead of crashing
    entities = {"flags": {"id": "string", "ok": "bool?"}}
    doc = load_text("rules:\n" + textwrap.indent(rule(**{"assert": "first(f in flags).ok"}), "  "), "p.yaml")
    rules, diags = load_rules(doc, {}, {}, entities)
    assert diags == []
    out = evaluate(rules, Shelf(({"id": "F1", "ok": None},), "flags"), AS_OF, {}, {})
    assert [r.status for r in out] == ["fail"]


def test_due_null_is_a_type_error():
    _, [d] = load(rule(**{"assert": "false", "due": None}))
    assert (d.code, d.message) == ("dsl-type", "due must be a date, but this is null")
    assert "leave due out" in d.hint


def test_a_let_written_null_is_null_not_left_out():
    results, found = run(rule(**{"let": {"v": None}, "assert": "v == null"}))
    assert found == [] and [(r.status, r.values) for r in results] == [("pass", {"v": None})]
    _, [d] = load(rule(**{"let": {"v": None}, "assert": "v"}))
    assert d.message == "assert must be true or false, but this is null"


# ------------------------------------------------------------ failures in words

def test_a_failure_inside_an_aggregate_names_the_rule_the_subject_and_the_record():
    # records that break their own schema (k is an int): the rule cannot be computed for I2
    rows = ({"id": "I1", "k": 1, "n": None, "d": None}, {"id": "I2", "k": "many", "n": 4, "d": None})
    results, [d] = run(rule(**{"assert": "count(x in items where x.k > 1) == 0"}), rows)
    assert results == ()
    assert d.code == "dsl-runtime"
    assert d.message == "cannot evaluate `x.k > 1`: its values do not fit together " \
                        "(rule probe, school=school, items record I2)"
    assert spanned(d.span) == "x.k > 1"
    assert d.hint and not PYTHON_TEXT.search(d.message + d.hint)


def test_a_value_that_cannot_be_computed_names_its_record():
    results, [d] = run(rule(**{"assert": "exists(x in items where x.d != null and days(as_of, x.d) > 1)"}))
    assert results == ()
    assert d.code == "dsl-runtime" and d.message.endswith("(rule probe, school=school, items record I2)")
    assert d.message.startswith("period 2025-03-01..2024-09-01 ends before it starts")
    assert spanned(d.span) == "days(as_of, x.d)"


def test_a_failure_outside_aggregates_has_no_record():
    results, [d] = run(rule(**{"assert": "param.month < 30 days"}))
    assert d.message == "cannot compare 1 month with 30 days: a month has no fixed number of days " \
                        "(rule probe, school=school)"


def test_explaining_a_subject_that_cannot_be_evaluated_says_why_in_words():
    from rulekit.diagnostics import RulekitError
    from rulekit.evaluator import explain
    rows = ({"id": "I1", "k": "many", "n": None, "d": None},)
    rules, _ = load(rule(**{"let": {"big": "count(x in items where x.k > 1)"}, "assert": "big == 0"}))
    with pytest.raises(RulekitError) as raised:
        explain(rules[0], {"school": "school"}, Shelf(rows), AS_OF, PARAM_VALUES, {})
    [d] = raised.value.diagnostics
    assert d.code == "dsl-runtime" and d.message.endswith("(rule probe, school=school, items record I1)")
    assert not PYTHON_TEXT.search(d.message)


def test_a_date_beyond_the_calendar_is_said_in_words():
    results, [d] = run(rule(**{"assert": "as_of + 999999 weeks > as_of"}))
    assert results == () and d.code == "dsl-runtime"
    assert d.message == "cannot evaluate `as_of + 999999 weeks`: a date or number is out of range " \
                        "(rule probe, school=school)"
    assert spanned(d.span) == "as_of + 999999 weeks" and "9999" in d.hint


def test_a_failure_in_the_not_applicable_message_is_located():
    rows = ({"id": "I1", "k": "many", "n": None, "d": None},)
    results, [d] = run(rule(**{"when": "false", "message": {"not_applicable": "{count(x in items where x.k > 1)}"}}),
                       rows)
    assert results == () and d.message.startswith("cannot evaluate `x.k > 1`")
    assert d.message.endswith("(rule probe, school=school, items record I1)")
