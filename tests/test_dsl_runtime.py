"""No run-time type errors after a clean load (issue 18).

What the checker accepts, the evaluator computes: null is carried through every
operator as docs/dsl.md §4 says, yes/no positions take only yes/no values, and
whatever still fails at run time is a `dsl-runtime` finding in words, naming the
rule, the subject and the record -- never Python's own message.

The properties generate expressions from a small grammar (numbers, null, lists
empty or not, first/count/exists/all/sum/min/max, a record collection with a
field that may be null, arithmetic, comparisons, and/or/not, if). For those the
checker accepts, the value the evaluator gives is compared with `oracle`, a
separate interpreter of the documented rules written for this test.
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


# ------------------------------------------------------------ lists and records

@pytest.mark.parametrize("text,holds", [
    ("[first(x in []) + 1] == [null]", True),
    ("[1 + 0] == [1]", True),
    ("[1 + 0] != [1]", False),
    ("first(x in items) in []", False),
    ("first(x in items) in [first(y in items where y.k > 0)]", True),
    ("[1 + 0] in [[1], [2]]", True),
    ("[1 + 0] not in [[1], [2]]", False),
])
def test_lists_and_records_are_compared_and_found_by_their_items(text, holds):
    results, found = run(rule(**{"assert": text}))
    assert found == []
    assert [r.status for r in results] == ["pass" if holds else "fail"]


def test_records_inside_lists_of_lists_are_shown_by_id_and_a_missing_one_as_null():
    results, found = run(rule(let={"v": "[items, [first(x in items where x.k > 9)]]"},
                              message="{[items, [first(x in items where x.k > 9)]]}"))
    assert found == []
    assert results[0].values == {"v": [["I1", "I2", "I3"], [None]]}  # ids only: no other field
    assert results[0].message == "I1, I2, I3, —"


# ------------------------------------------------------------ the properties

class Undefined(Exception):
    """The documented rules give this expression no meaning (the checker must reject it)."""


def truthy(v):
    """A yes/no position: null counts as false; anything but a bool has no meaning."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    raise Undefined("not yes/no")


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if is_int(a) and is_int(b) or isinstance(a, bool) and isinstance(b, bool) \
            or isinstance(a, dict) and isinstance(b, dict):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    raise Undefined("== of different kinds")


def oracle(t, env: dict):
    """The value of expression tree t under docs/dsl.md: null propagates through + - and
    fields and functions; ordering with null is false; yes/no positions take null as false."""
    kind, args = t[0], t[1:]
    if kind in ("int", "bool"):
        return args[0]
    if kind == "null":
        return None
    if kind == "list":
        return [oracle(c, env) for c in args[0]]
    if kind == "var":
        if args[0] not in env:
            raise Undefined("unbound")
        return env[args[0]]
    if kind == "items":
        return [dict(r) for r in ITEMS]
    if kind == "bin":
        a, b = oracle(args[1], env), oracle(args[2], env)
        if a is None or b is None:
            return None
        if not (is_int(a) and is_int(b)):
            raise Undefined("arithmetic on non-numbers")
        return a + b if args[0] == "+" else a - b
    if kind == "neg":
        a = oracle(args[0], env)
        if a is not None and not is_int(a):
            raise Undefined("negating a non-number")
        return None if a is None else -a
    if kind == "not":
        return not truthy(oracle(args[0], env))
    if kind == "logic":
        a, b = truthy(oracle(args[1], env)), truthy(oracle(args[2], env))
        return (a and b) if args[0] == "and" else (a or b)
    if kind == "cmp":
        return compare(args[0], oracle(args[1], env), oracle(args[2], env))
    if kind == "in":
        item, container = oracle(args[1], env), oracle(args[2], env)
        if container is not None and not isinstance(container, list):
            raise Undefined("in a non-list")
        found = container is not None and any(same(item, x) for x in container)
        return found if args[0] == "in" else not found
    if kind == "if":
        c, a, b = truthy(oracle(args[0], env)), oracle(args[1], env), oracle(args[2], env)
        return a if c else b
    if kind == "field":
        record = oracle(args[0], env)
        if record is not None and not isinstance(record, dict):
            raise Undefined("field of a non-record")
        return None if record is None else record[args[1]]
    if kind == "call":
        a = oracle(args[1], env)
        if args[0] == "is_null":
            return a is None
        if a is not None and not isinstance(a, list):
            raise Undefined("len of a non-list")
        return None if a is None else len(a)
    if kind == "agg":
        return aggregate(*args, env)
    raise AssertionError(kind)


def compare(op, a, b):
    if op == "==":
        return same(a, b)
    if op == "!=":
        return not same(a, b)
    if a is None or b is None:
        return False
    if not (is_int(a) and is_int(b)):
        raise Undefined("no order")
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def aggregate(op, var, source, where, body, env):
    items = oracle(source, env)
    if items is not None and not isinstance(items, list):
        raise Undefined("not a collection")
    kept = [x for x in (items or []) if where is None or truthy(oracle(where, {**env, var: x}))]
    if op == "first":
        return kept[0] if kept else None
    if op == "count":
        return len(kept)
    if op == "exists":
        return bool(kept)
    if op == "all":
        return all(truthy(oracle(body, {**env, var: x})) for x in kept)
    values = [v for v in (oracle(body, {**env, var: x}) for x in kept) if v is not None]
    if not all(is_int(v) for v in values):
        raise Undefined("sum/min/max of non-numbers")
    if op == "sum":
        return sum(values)
    return (min if op == "min" else max)(values) if values else None


def render(t) -> str:
    """DSL text of tree t, every compound in parentheses."""
    kind, args = t[0], t[1:]
    if kind == "int":
        return str(args[0])
    if kind == "bool":
        return "true" if args[0] else "false"
    if kind == "null":
        return "null"
    if kind == "list":
        return "[" + ", ".join(render(c) for c in args[0]) + "]"
    if kind == "var":
        return args[0]
    if kind == "items":
        return "items"
    if kind in ("bin", "logic", "cmp", "in"):
        return f"({render(args[1])} {args[0]} {render(args[2])})"
    if kind == "neg":
        return f"(-{render(args[0])})"
    if kind == "not":
        return f"(not {render(args[0])})"
    if kind == "if":
        return f"(if {render(args[0])} then {render(args[1])} else {render(args[2])})"
    if kind == "field":
        return f"({render(args[0])}).{args[1]}"
    if kind == "call":
        return f"{args[0]}({render(args[1])})"
    op, var, source, where, body = args
    cond = f" where {render(where)}" if where is not None else ""
    if op == "all":
        return f"all({var} in ({render(source)}){cond} satisfy {render(body)})"
    if op in ("sum", "min", "max"):
        return f"{op}({render(body)} for {var} in ({render(source)}){cond})"
    return f"{op}({var} in ({render(source)}){cond})"


LEAVES = st.one_of(
    st.integers(-3, 5).map(lambda k: ("int", k)),
    st.just(("null",)), st.booleans().map(lambda b: ("bool", b)),
    st.just(("list", ())), st.just(("items",)),
    st.sampled_from(["x", "y"]).map(lambda v: ("var", v)),
)


def _compound(sub):
    opt = st.one_of(st.none(), sub)
    return st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(["+", "-"]), sub, sub),
        st.tuples(st.just("neg"), sub), st.tuples(st.just("not"), sub),
        st.tuples(st.just("logic"), st.sampled_from(["and", "or"]), sub, sub),
        st.tuples(st.just("cmp"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), sub, sub),
        st.tuples(st.just("in"), st.sampled_from(["in", "not in"]), sub, sub),
        st.tuples(st.just("if"), sub, sub, sub),
        st.tuples(st.just("list"), st.lists(sub, min_size=1, max_size=3).map(tuple)),
        st.tuples(st.just("field"), sub, st.sampled_from(["k", "n"])),
        st.tuples(st.just("call"), st.sampled_from(["len", "is_null"]), sub),
        st.tuples(st.just("agg"), st.sampled_from(["first", "count", "exists"]), st.sampled_from(["x", "y"]),
                  sub, opt, st.none()),
        st.tuples(st.just("agg"), st.sampled_from(["all", "sum", "min", "max"]), st.sampled_from(["x", "y"]),
                  sub, opt, sub),
    )


ANY_SHAPE = st.recursive(LEAVES, _compound, max_leaves=12)  # mostly ill-typed: the checker's side
KINDS = ("int", "bool", "ints", "rec", "recs")
ELEM = {"ints": "int", "recs": "rec"}
VARS = st.sampled_from(["x", "y"])


def _items(d, sub, kind: str, most: int) -> tuple:
    return tuple(sub(kind) for _ in range(d(st.integers(0, most))))


IN = st.sampled_from(["in", "not in"])
EQ = st.sampled_from(["==", "!="])
# kind -> the compounds of that kind: f(draw, sub, agg) -> tree
FORMS = {
    "int": [lambda d, sub, agg: ("bin", d(st.sampled_from("+-")), sub("int"), sub("int")),
            lambda d, sub, agg: ("neg", sub("int")),
            lambda d, sub, agg: ("if", sub("bool"), sub("int"), sub("int")),
            lambda d, sub, agg: ("field", sub("rec"), d(st.sampled_from("kn"))),
            lambda d, sub, agg: ("call", "len", sub(d(st.sampled_from(["ints", "recs"])))),
            lambda d, sub, agg: agg("first", "ints"),
            lambda d, sub, agg: agg("count"),
            lambda d, sub, agg: agg(d(st.sampled_from(["sum", "min", "max"])), body="int")],
    "bool": [lambda d, sub, agg: ("cmp", d(st.sampled_from(["==", "!=", "<", "<=", ">", ">="])),
                                  sub("int"), sub("int")),
             lambda d, sub, agg: ("cmp", d(EQ), sub("ints"), sub("ints")),
             lambda d, sub, agg: ("cmp", d(EQ), sub("rec"), sub("rec")),
             lambda d, sub, agg: ("logic", d(st.sampled_from(["and", "or"])), sub("bool"), sub("bool")),
             lambda d, sub, agg: ("not", sub("bool")),
             lambda d, sub, agg: ("in", d(IN), sub("int"), sub("ints")),
             lambda d, sub, agg: ("in", d(IN), sub("rec"), sub("recs")),
             lambda d, sub, agg: ("in", d(IN), sub("ints"), ("list", _items(d, sub, "ints", 2))),
             lambda d, sub, agg: ("call", "is_null", sub(d(st.sampled_from(KINDS)))),
             lambda d, sub, agg: ("if", sub("bool"), sub("bool"), sub("bool")),
             lambda d, sub, agg: agg("exists"),
             lambda d, sub, agg: agg("all", body="bool")],
    "ints": [lambda d, sub, agg: ("list", _items(d, sub, "int", 3)),
             lambda d, sub, agg: ("if", sub("bool"), sub("ints"), sub("ints")),
             lambda d, sub, agg: ("agg", "first", "x", ("list", _items(d, sub, "ints", 2)), None, None)],
    "rec": [lambda d, sub, agg: agg("first", "recs"),
            lambda d, sub, agg: ("if", sub("bool"), sub("rec"), sub("rec"))],
    "recs": [lambda d, sub, agg: ("items",),
             lambda d, sub, agg: ("list", _items(d, sub, "rec", 2))],
}


@st.composite
def typed(draw, kind: str, scope: tuple = (), depth: int = 3):
    """An expression meant to have `kind` (one time in twelve another kind, so that some
    do not type-check), using the binders in scope ((name, kind), ...)."""
    if draw(st.integers(0, 11)) == 0:
        kind = draw(st.sampled_from(KINDS))
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(_leaf(kind, [v for v, k in scope if k == kind], scope))

    def sub(k, inner=scope):
        return draw(typed(k, inner, depth - 1))

    def agg(op, source=None, body=None):
        """count/exists/first/all/sum/min/max over a list of numbers or of records."""
        source = source or draw(st.sampled_from(["ints", "recs"]))
        var = draw(VARS)
        inner = tuple({**dict(scope), var: ELEM[source]}.items())
        where = sub("bool", inner) if draw(st.booleans()) else None
        if body == "int" and source == "recs":
            each = ("field", ("var", var), draw(st.sampled_from("kn")))
        else:
            each = sub(body, inner) if body else None
        return ("agg", op, var, sub(source), where, each)

    form = draw(st.sampled_from(FORMS[kind]))
    return form(draw, sub, agg)


# values that may be null, typed int? or bool? (or any), and null itself
NULL_INTS = (("null",), ("agg", "first", "x", ("list", ()), None, None),
             ("field", ("agg", "first", "x", ("items",), None, None), "n"),
             ("agg", "first", "x", ("list", (("null",), ("int", 2))), None, None))
NULL_BOOLS = (("agg", "first", "x", ("list", (("null",), ("bool", True))), None, None),
              ("agg", "first", "x", ("list", (("bool", False), ("null",))), None, None))


def _leaf(kind: str, names: list, scope: tuple):
    vars_ = [st.just(("var", v)) for v in names]
    if kind == "int":
        fields = [st.tuples(st.just("field"), st.just(("var", v)), st.sampled_from(["k", "n"]))
                  for v, k in dict(scope).items() if k == "rec"]
        return st.one_of([st.integers(-3, 5).map(lambda k: ("int", k)), st.sampled_from(NULL_INTS)]
                         + vars_ + fields)
    if kind == "bool":
        return st.one_of([st.booleans().map(lambda b: ("bool", b)), st.sampled_from(NULL_BOOLS)] + vars_)
    if kind == "ints":
        return st.one_of([st.lists(st.one_of(st.integers(-3, 5).map(lambda k: ("int", k)), st.just(("null",))),
                                   max_size=3).map(lambda items: ("list", tuple(items)))] + vars_)
    if kind == "rec":
        return st.one_of([st.just(("agg", "first", "x", ("items",), None, None))] + vars_)
    return st.just(("items",))


EXPRS = st.one_of(st.sampled_from(KINDS).flatmap(typed), ANY_SHAPE)
PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def json_of(v):
    """A value as Result.values shows it: records by id, lists as lists."""
    if isinstance(v, dict):
        return v["id"]
    if isinstance(v, list):
        return [json_of(x) for x in v]
    return v


def no_python_text(found) -> None:
    for d in found:
        assert d.code == "dsl-runtime", d
        assert not PYTHON_TEXT.search(d.message + " " + d.hint), d


@PROPERTY
@given(EXPRS)
def test_what_type_checks_evaluates_as_documented(tree):
    text = render(tree)
    rules, diags = load(rule(let={"v": text}, message="{" + text + "}"))
    if diags:  # ill-typed: reported when the policy loads, never evaluated
        assert all(d.code.startswith("dsl-") and d.hint is not None for d in diags)
        event("rejected by the checker")
        return
    event(f"type-checks as {rules[0].lets[0][1].type.base}")
    try:
        expected = oracle(tree, {})
    except Undefined as why:
        pytest.fail(f"the checker accepts {text}, which has no meaning ({why})")
    found: list = []
    results = evaluate(rules, Shelf(), AS_OF, PARAM_VALUES, {}, diagnostics=found)
    no_python_text(found)
    assert found == [], found
    [r] = results
    assert r.values == {"v": json_of(expected)}, text
    if rules[0].lets[0][1].type.name == "bool":
        check_yes_no_positions(text, truthy(expected))


def check_yes_no_positions(text: str, holds: bool) -> None:
    body = rule(**{"assert": text}) + rule(**{"where": text}).replace("probe", "in-where") + \
        rule(**{"when": text}).replace("probe", "in-when")
    results, found = run(body)
    assert found == []
    assert [(r.rule, r.status) for r in results] == \
        [("probe", "pass" if holds else "fail")] + ([("in-where", "pass")] if holds else []) + \
        [("in-when", "pass" if holds else "not_applicable")]


# dates, durations and semesters: values that can fail to compute (a month against days,
# days(end, start), a date before the first academic year); whatever type-checks is
# computed, or reported in words. Text is built by kind (date, dur, int, sem, bool),
# one time in ten of another kind.
TIME_LEAVES = {
    "date": ["as_of", "2024-01-31", "first(x in items).d", "first(x in [])", "semester_of(as_of).start"],
    "dur": ["1 month", "30 days", "2 weeks", "1 year", "param.month", "first(x in [])"],
    "int": ["0", "3", "null"],
    "sem": ['semester("113-1")', "semester_of(as_of)"],
    "bool": ["true", "x.d == null"],
}
TIME_KINDS = tuple(TIME_LEAVES)


# kind -> the forms of a compound of that kind: a template, and the kinds of its holes
TIME_FORMS = {
    "date": [("({} + {})", "date dur"), ("({} - {})", "date dur"), ("({} + {})", "dur date"),
             ("({}).end", "sem"), ("{}({} for x in items where x.d != null)", "agg date"),
             ("(if {} then {} else {})", "bool date date")],
    "dur": [("({} - {})", "date date"), ("({} + {})", "dur dur"), ("({} - {})", "dur dur"), ("(-{})", "dur"),
            ("{}({} for x in items where x.d != null)", "agg dur")],
    "int": [("days({}, {})", "date date"), ("({} - {})", "int int")],
    "sem": [("semester_of({})", "date"), ("({}).next", "sem")],
    "bool": [("({} < {})", "date date"), ("({} == {})", "date date"), ("({} >= {})", "dur dur"),
             ("({} != {})", "dur dur"), ("exists(x in items where x.d != null and x.d < {})", "date")],
}


@st.composite
def timed(draw, kind: str, depth: int = 3, in_items: bool = False):
    if draw(st.integers(0, 9)) == 0:
        kind = draw(st.sampled_from(TIME_KINDS))
    leaves = TIME_LEAVES[kind] + (["x.d"] if kind == "date" and in_items else [])
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(leaves))
    template, holes = draw(st.sampled_from(TIME_FORMS[kind]))
    parts = []
    for hole in holes.split():
        if hole == "agg":
            parts.append(draw(st.sampled_from(["min", "max"] + (["sum"] if kind == "dur" else []))))
            in_items = True  # the next hole is the aggregate's body: x is bound there
        else:
            parts.append(draw(timed(hole, depth - 1, in_items)))
    return template.format(*parts)


@PROPERTY
@given(st.sampled_from(TIME_KINDS).flatmap(timed))
def test_what_type_checks_is_computed_or_reported_in_words(text):
    rules, diags = load(rule(let={"v": text}, message="{" + text + "}"))
    if diags:
        event("rejected by the checker")
        return
    found: list = []
    results = evaluate(rules, Shelf(), AS_OF, PARAM_VALUES, {}, diagnostics=found)
    no_python_text(found)
    event("computed" if results else "reported: " + found[0].message.split(":")[0][:30])
    assert len(results) + len(found) == 1  # a result, or the finding that says why not
    for d in found:
        assert d.message.endswith("(rule probe, school=school)") or "items record I" in d.message
