"""Grammar, parser and printer: table-driven cases and the parse/unparse round trip."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.diagnostics import RulekitError, render
from rulekit.dsl import ast as A
from rulekit.dsl import parse, parse_expr, unparse
from rulekit.dsl.source import SourceMap

# ------------------------------------------------------------ AST strategy

_AVOID = A.KEYWORDS | A.RESERVED | {"date", "semester"}

names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
    st.sampled_from(["學生", "件數", "student", "semester", "o", "x"]),
).filter(lambda s: s not in _AVOID)

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)

leaves = st.one_of(
    st.builds(A.IntLit, st.integers(min_value=0, max_value=10 ** 18 - 1)),
    st.builds(A.StrLit, texts),
    st.builds(A.BoolLit, st.booleans()),
    st.just(A.NullLit()),
    st.builds(A.DateLit, st.sampled_from(["2024-01-19", "113.01.19", "113/1/19", "113年1月19日"])),
    st.builds(A.SemesterLit, st.sampled_from(["113-1", "112-2", "113上"])),
    st.builds(A.DurationLit, st.integers(min_value=0, max_value=400), st.sampled_from(A.DURATION_UNITS)),
    st.builds(A.SizeLit, st.one_of(st.integers(0, 1024 ** 5), st.sampled_from([1536, 4 * 1024 ** 2, 10 ** 6]))),
    st.builds(A.Var, names),
    st.builds(A.Param, names),
    st.builds(A.Const, names),
)


def _tuple(children, lo=0, hi=3):
    return st.lists(children, min_size=lo, max_size=hi).map(tuple)


def _aggregate(children):
    where = st.none() | children
    return st.one_of(
        st.builds(A.Aggregate, st.sampled_from(A.QUANTIFIERS), names, children, where, st.none()),
        st.builds(A.Aggregate, st.just("all"), names, children, where, children),
        st.builds(A.Aggregate, st.sampled_from(A.FOLDS), names, children, where, children),
    )


def _compound(children):
    return st.one_of(
        st.builds(A.Field, children, names),
        st.builds(A.Call, names, _tuple(children)),
        st.builds(A.ListLit, _tuple(children)),
        st.builds(A.Unary, st.sampled_from(["not", "-"]), children),
        st.builds(A.BinOp, st.sampled_from(["and", "or", "+", "-"]), children, children),
        st.builds(A.Compare, st.sampled_from(A.COMPARE_OPS + ("in", "not in")), children, children),
        st.builds(A.If, children, children, children),
        st.builds(A.Default, children, _tuple(st.builds(A.Unless, children, children), 1, 3)),
        _aggregate(children),
    )


exprs = st.recursive(leaves, _compound, max_leaves=25)


V, I, S = A.Var, A.IntLit, A.StrLit


def F(obj, *names):
    for n in names:
        obj = A.Field(obj, n)
    return obj


CASES = [
    ("42", I(42)),
    ('"課程學習成果"', S("課程學習成果")),
    (r'"a \"b\" \\ c"', S('a "b" \\ c')),
    ("true", A.BoolLit(True)),
    ("null", A.NullLit()),
    ("2024-01-19", A.DateLit("2024-01-19")),
    ('date("113.01.19")', A.DateLit("113.01.19")),
    ('semester("113-1")', A.SemesterLit("113-1")),
    ("3 days", A.DurationLit(3, "days")),
    ("1 month", A.DurationLit(1, "months")),
    ("2   weeks", A.DurationLit(2, "weeks")),
    ("5 years", A.DurationLit(5, "years")),
    ("as_of", V("as_of")),
    ("student.id", F(V("student"), "id")),
    ("semester.academic_year.start", F(V("semester"), "academic_year", "start")),
    ("param.course_outcome_quota", A.Param("course_outcome_quota")),
    ("policy.working_group_seats", A.Const("working_group_seats")),
    ("m.date", F(V("m"), "date")),  # `date` is a name, not a keyword
    ("counter", V("counter")),
    ("學生.入學日期", F(V("學生"), "入學日期")),
    ("a + b - c", A.BinOp("-", A.BinOp("+", V("a"), V("b")), V("c"))),
    ("a - (b - c)", A.BinOp("-", V("a"), A.BinOp("-", V("b"), V("c")))),
    ("x - 3 days", A.BinOp("-", V("x"), A.DurationLit(3, "days"))),
    ("-n", A.Unary("-", V("n"))),
    ("a or b and c", A.BinOp("or", V("a"), A.BinOp("and", V("b"), V("c")))),
    ("not a and b", A.BinOp("and", A.Unary("not", V("a")), V("b"))),
    ("not a == b", A.Unary("not", A.Compare("==", V("a"), V("b")))),
    ("a <= b + 1", A.Compare("<=", V("a"), A.BinOp("+", V("b"), I(1)))),
    ('k in ["a", "b"]', A.Compare("in", V("k"), A.ListLit((S("a"), S("b"))))),
    ("k not in policy.seats", A.Compare("not in", V("k"), A.Const("seats"))),
    ("[]", A.ListLit(())),
    ("f()", A.Call("f", ())),
    ("days(a, b)", A.Call("days", (V("a"), V("b")))),
    ("if a then 1 else 2 + 3", A.If(V("a"), I(1), A.BinOp("+", I(2), I(3)))),
    ("default 1 unless a then 2 unless b then 3",
     A.Default(I(1), (A.Unless(V("a"), I(2)), A.Unless(V("b"), I(3))))),
    ("count(o in course_outcomes)", A.Aggregate("count", "o", V("course_outcomes"))),
    ("exists(c in confirmations where c.student == s)",
     A.Aggregate("exists", "c", V("confirmations"),
                 A.Compare("==", F(V("c"), "student"), V("s")))),
    ("first(w in windows where w.kind == \"x\").end",
     F(A.Aggregate("first", "w", V("windows"), A.Compare("==", F(V("w"), "kind"), S("x"))), "end")),
    ("all(s in policy.seats satisfy s != \"\")",
     A.Aggregate("all", "s", A.Const("seats"), None, A.Compare("!=", V("s"), S("")))),
    ("all(s in xs where a satisfy b)", A.Aggregate("all", "s", V("xs"), V("a"), V("b"))),
    ("sum(c.credits for c in courses where c.in_course_plan)",
     A.Aggregate("sum", "c", V("courses"), F(V("c"), "in_course_plan"), F(V("c"), "credits"))),
    ("max(m.date for m in meetings)", A.Aggregate("max", "m", V("meetings"), None, F(V("m"), "date"))),
    ("a # a comment\n  and b", A.BinOp("and", V("a"), V("b"))),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_parse_cases(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_unparse_cases_round_trip(text, expected):
    assert parse(unparse(expected)) == expected


def test_unparse_is_canonical():
    assert unparse(parse("(a)+ ( b )")) == "a + b"
    assert unparse(parse('date("2024-01-19")')) == "2024-01-19"
    assert unparse(parse("(a or b) and c")) == "(a or b) and c"
    assert unparse(parse("(if a then b else c).d")) == "(if a then b else c).d"
    assert unparse(A.DurationLit(1, "days")) == "1 day"


@given(exprs)
@settings(max_examples=400, deadline=None)
def test_round_trip_property(expr):
    text = unparse(expr)
    assert parse(text) == expr, text


ERRORS = [
    # text, message fragment, column
    ("a == ", "the expression ends too early; expected an expression", 5),
    ("a = b", "unexpected character `=`", 3),
    ("count(x in c where)", "unexpected `)`; expected an expression", 19),
    ("a < b < c", "unexpected `<`", 7),
    ("if a then b", "expected `else`", 12),
    ("'x'", "unexpected character `'`", 1),
    ("count + 1", "unexpected `+`; expected `(`", 7),
    ("x.count", "unexpected `count`; expected a name", 3),  # keywords are never names
    ("count(if in c)", "unexpected `if`; expected a name", 7),
    ("a and or", "unexpected `or`; expected an expression", 7),
    ("m.date", None, None),  # date is a name, not a keyword
    ("f(a,,b)", "unexpected `,`", 5),
    ("all(x in c where p)", "unexpected `)`; expected `satisfy`", 19),
]


@pytest.mark.parametrize("text,fragment,column", ERRORS, ids=[e[0] for e in ERRORS])
def test_syntax_errors(text, fragment, column):
    node, diags = parse_expr(text)
    if fragment is None:
        assert node is not None and diags == []
        return
    assert node is None
    [d] = diags
    assert d.code == "dsl-syntax"
    assert fragment in d.message
    assert d.span.column == column


def test_syntax_error_hints():
    assert "==" in parse_expr("a = b")[1][0].hint
    assert "do not chain" in parse_expr("a < b < c")[1][0].hint
    assert "double quotes" in parse_expr("'x'")[1][0].hint
    assert "keyword" in parse_expr("count(if in c)")[1][0].hint
    assert "`and`" in parse_expr("a && b")[1][0].hint


def test_parse_raises_rulekit_error():
    with pytest.raises(RulekitError) as info:
        parse("a and")
    assert info.value.diagnostics[0].code == "dsl-syntax"


def test_empty_expression():
    node, [d] = parse_expr("   ")
    assert node is None and "empty" in d.message


def test_spans_point_at_sub_expressions():
    e = parse("n <= param.quota and student.enrolled_on > 3")
    right = e.right
    assert (right.span.line, right.span.column, right.span.end_column) == (1, 22, 45)
    assert (right.left.span.column, right.left.span.end_column) == (22, 41)
    assert (e.left.right.span.column, e.left.right.span.end_column) == (6, 17)


def test_spans_on_second_line_of_text():
    e = parse("a and\n  count(x in c)")
    assert (e.right.span.line, e.right.span.column) == (2, 3)


def test_spans_mapped_into_a_file():
    lines = ["rules:", "  - assert: |", "      n <= 1 and", "        x > 学"]
    src = SourceMap.for_scalar(lines, _span(2, 13), "n <= 1 and\n  x > 学\n")
    node, _ = parse_expr("n <= 1 and\n  x > 学\n", src)
    assert (node.right.span.line, node.right.span.column, node.right.span.end_column) == (4, 9, 14)
    out = render(__import__("rulekit.diagnostics", fromlist=["Diagnostic"]).Diagnostic(
        "x", "m", node.right.right.span), {"f.yaml": lines})
    assert out.splitlines()[-1] == "      |             ^^"


def _span(line, col):
    from rulekit.diagnostics import Span
    return Span("f.yaml", line, col)
