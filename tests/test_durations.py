"""Durations have one algebra (docs/dsl.md, "Durations"), checked against an oracle written here.

The oracle models a duration as days, months or a date difference (its two
dates) and finds "date + n months" by walking the calendar one day at a time,
not by the month arithmetic of rulekit.calendar. Every property runs DSL text
through the whole engine (parse, type check, compile, evaluate), in the forms
a regulation editor writes: inline, through a `let`, with the date difference
on either side, inside lists.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.calendar import Duration
from rulekit.evaluator import evaluate
from rulekit.policy.rules import load_rules
from rulekit.records import RecordSet
from rulekit.sourceyaml import load_text

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 3, 1)
EMPTY = RecordSet({}, "memory")
SLOTS = 4
PARAM_TYPES = {f"{p}{i}": t for i in range(SLOTS) for p, t in (("a", "date"), ("b", "date"), ("u", "duration"))}
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
OPS = tuple(FLIP)


# ----------------------------------------------------------------- the oracle

@dataclass(frozen=True)
class Days:
    n: int
    unit: str = "days"  # or "weeks"


@dataclass(frozen=True)
class Months:
    n: int
    unit: str = "months"  # or "years"


@dataclass(frozen=True)
class Span:
    """later - earlier, written in the DSL as a difference of two dates."""
    earlier: dt.date
    later: dt.date


def month_number(d: dt.date) -> int:
    return d.year * 12 + d.month


def walk_months(d: dt.date, k: int) -> dt.date:
    """d + k calendar months: walk day by day into the k-th month on, then to d's day of the
    month, or that month's last day when it is shorter."""
    target = month_number(d) + k
    one = dt.timedelta(days=1 if k >= 0 else -1)
    x = d
    while month_number(x) != target:
        x += one
    if k > 0:  # x is the target month's first day
        while x.day < d.day and month_number(x + one) == target:
            x += one
    elif k < 0:  # x is the target month's last day
        while x.day > d.day:
            x += one
    return x


def in_days(v) -> int | None:
    if isinstance(v, Days):
        return v.n * (7 if v.unit == "weeks" else 1)
    if isinstance(v, Span):
        return (v.later - v.earlier).days
    return 0 if v.n == 0 else None


def in_months(v) -> int | None:
    if isinstance(v, Months):
        return v.n * (12 if v.unit == "years" else 1)
    return 0 if in_days(v) == 0 and not isinstance(v, Span) else None


def sign(n: int) -> int:
    return (n > 0) - (n < 0)


def oracle_order(x, y) -> int | None:
    """-1, 0, 1, or None when a number of days without dates meets a number of months."""
    if in_days(x) is not None and in_days(y) is not None:
        return sign(in_days(x) - in_days(y))
    if in_months(x) is not None and in_months(y) is not None:
        return sign(in_months(x) - in_months(y))
    if isinstance(x, Span):
        return sign((x.later - walk_months(x.earlier, in_months(y))).days)
    if isinstance(y, Span):
        return -oracle_order(y, x)
    return None


def oracle_holds(op: str, x, y):
    """True/False, or None when the DSL must report the comparison as an error."""
    r = oracle_order(x, y)
    if op in ("==", "!="):
        return (r == 0) == (op == "==")  # undefined: not equal
    if r is None:
        return None
    return {"<": r < 0, "<=": r <= 0, ">": r > 0, ">=": r >= 0}[op]


def negated(v):
    if isinstance(v, Span):
        return Span(v.later, v.earlier)
    return type(v)(-v.n, v.unit)


def oracle_sum(x, y):
    """x + y as a model value, or None when days meet months; a difference plus days keeps its dates."""
    if isinstance(y, Span) and not isinstance(x, Span):
        x, y = y, x
    if isinstance(x, Span) and not isinstance(y, Span):
        if in_days(y) is not None:
            return Span(x.earlier, x.later + dt.timedelta(days=in_days(y)))
        return y if in_days(x) == 0 else None
    if in_days(x) is not None and in_days(y) is not None:  # two differences: a total, no dates
        return Days(in_days(x) + in_days(y))
    if in_months(x) is not None and in_months(y) is not None:
        return Months(in_months(x) + in_months(y))
    return None


def undated(v):
    return Days(in_days(v)) if isinstance(v, Span) else v


# ----------------------------------------------------------------- strategies

@st.composite
def dates(draw) -> dt.date:
    """Month ends, leap days and the days that clamp (29, 30, 31) come up often."""
    year, month = draw(st.integers(1999, 2030)), draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    day = draw(st.one_of(st.sampled_from([1, 28, 29, 30, 31, last]), st.integers(1, 31)))
    return dt.date(year, month, min(day, last))


@st.composite
def spans(draw) -> Span:
    """Often exactly k calendar months (or a day or two off), either way round."""
    earlier = draw(dates())
    if draw(st.booleans()):
        later = draw(dates())
    else:
        later = walk_months(earlier, draw(st.integers(-14, 14))) + dt.timedelta(days=draw(st.integers(-2, 2)))
    return Span(earlier, later)


def plain_days():
    return st.one_of(st.builds(Days, st.integers(-62, 62), st.just("days")),
                     st.builds(Days, st.integers(-9, 9), st.just("weeks")),
                     st.just(Days(0)))


def plain_months():
    return st.one_of(st.builds(Months, st.integers(-30, 30), st.just("months")),
                     st.builds(Months, st.integers(-3, 3), st.just("years")),
                     st.just(Months(0)))


def durations():
    return st.one_of(plain_days(), plain_months(), spans())


@st.composite
def pairs(draw, spans_too: bool = True):
    """Two durations, often of the same value or a day apart: a difference and the months or
    days it is close to, or one length in two units; in either order."""
    kind = draw(st.sampled_from(["any", "span-months", "span-days", "units"] if spans_too else ["any", "units"]))
    delta = draw(st.sampled_from([0, 0, -1, 1]))
    if kind == "any":
        some = durations() if spans_too else st.one_of(plain_days(), plain_months())
        x, y = draw(some), draw(some)
    elif kind == "span-months":
        y, start = draw(plain_months()), draw(dates())
        x = Span(start, walk_months(start, in_months(y)) + dt.timedelta(days=delta))
    elif kind == "span-days":
        y, start = draw(plain_days()), draw(dates())
        x = Span(start, start + dt.timedelta(days=in_days(y) + delta))
    else:
        n = draw(st.integers(-9, 9))
        x, y = draw(st.sampled_from([(Days(7 * n + delta), Days(n, "weeks")),
                                     (Months(12 * n + delta), Months(n, "years"))]))
    return (y, x) if draw(st.booleans()) else (x, y)


def written_pairs():
    """Pairs a literal can write: no dates, no sign."""
    return pairs(spans_too=False).map(lambda p: tuple(type(v)(abs(v.n), v.unit) for v in p))


# ----------------------------------------------------------------- running DSL text

@dataclass(frozen=True)
class Err:
    message: str
    hint: str


def slot(v, i: int, params: dict) -> str:
    """DSL text for model value v in parameter slot i; fills `params`."""
    if isinstance(v, Span):
        params[f"a{i}"], params[f"b{i}"] = v.earlier, v.later
        return f"param.b{i} - param.a{i}"
    params[f"u{i}"] = Duration(abs(v.n), v.unit)
    return f"param.u{i}" if v.n >= 0 else f"-param.u{i}"


def literal(v) -> str:
    return f"{v.n} {v.unit}"


@functools.lru_cache(maxsize=None)
def probe_rules(probes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]):
    entries = []
    for pid, lets in probes:
        let = ", ".join(f"{name}: '{expr}'" for name, expr in lets)
        entries.append(f"  - {{id: {pid}, citation: '1', for_each: {{school: school}}, "
                       f"let: {{{let}}}, assert: true}}")
    doc = load_text("rules:\n" + "\n".join(entries) + "\n", "probe.yaml")
    rules, diags = load_rules(doc, PARAM_TYPES, {})
    assert diags == [], diags
    return rules


def run(probes: dict[str, list[tuple[str, str]]], params: dict | None = None) -> dict:
    """Each probe's last `let` value, or an Err when computing it was a dsl-runtime finding."""
    rules = probe_rules(tuple((pid, tuple(lets)) for pid, lets in probes.items()))
    diags: list = []
    results = evaluate(rules, EMPTY, AS_OF, params or {}, {}, diagnostics=diags)
    out = {r.rule: r.values[list(r.values)[-1]] for r in results}
    for d in diags:
        assert d.code == "dsl-runtime" and d.span is not None, d
        out[re.search(r"\(rule ([^,)]+)", d.message).group(1)] = Err(d.message, d.hint)
    assert set(out) == set(probes)
    return out


def value_of(expr: str):
    return run({"probe": [("v", expr)]})["probe"]


def comparison_probes(x: str, y: str) -> dict:
    """Every operator in four forms: inline, through lets, and both with the sides swapped."""
    probes = {}
    for i, op in enumerate(OPS):
        probes[f"inline-{i}"] = [("v", f"{x} {op} {y}")]
        probes[f"let-{i}"] = [("l", x), ("r", y), ("v", f"l {op} r")]
        probes[f"swapped-{i}"] = [("v", f"{y} {FLIP[op]} {x}")]
        probes[f"swapped-let-{i}"] = [("l", x), ("r", y), ("v", f"r {FLIP[op]} l")]
    return probes


UNIT_FACTOR = {"day": ("days", 1), "week": ("days", 7), "month": ("months", 1), "year": ("months", 12)}


def amount_of(shown: str) -> tuple[str, int]:
    """("days", n) or ("months", n) from a shown duration ("-3 days", "1 year")."""
    n, unit = shown.split()
    kind, factor = UNIT_FACTOR[unit.rstrip("s")]
    return ("days", 0) if int(n) == 0 else (kind, int(n) * factor)


def oracle_amount(v) -> tuple[str, int]:
    return ("days", in_days(v)) if in_days(v) is not None else ("months", in_months(v))


# ----------------------------------------------------------------- the six reported symptoms

def test_a_week_is_seven_days_in_lists_too():
    assert value_of("7 days in [1 week]") is True
    assert value_of("[7 days] == [1 week]") is True
    assert value_of("12 months in [1 year]") is True


def test_durations_are_dict_keys_by_their_value():
    table = {Duration(7, "days"): "a week", Duration(1, "years"): "a year"}
    assert table[Duration(1, "weeks")] == "a week"
    assert table[Duration(12, "months")] == "a year"
    assert Duration(0, "days") == Duration(0, "months") and len({Duration(0, "days"), Duration(0, "years")}) == 1


def test_a_date_difference_of_exactly_one_month_equals_one_month():
    d = "2024-02-29 - 2024-01-29"
    assert [value_of(f"{d} {op} 1 month") for op in OPS] == [True, False, False, True, False, True]


def test_the_date_difference_may_be_on_the_right():
    assert value_of("1 month >= 2024-02-29 - 2024-01-29") is True
    assert value_of("1 month < 2024-03-01 - 2024-01-29") is True


def test_a_let_holding_a_date_difference_compares_with_months():
    out = run({"le": [("d", "2024-02-29 - 2024-01-29"), ("v", "d <= 1 month")],
               "gt": [("d", "2024-03-01 - 2024-01-31"), ("v", "d > 1 month")]})
    assert out == {"le": True, "gt": True}


def test_the_empty_sum_compares_with_any_unit():
    empty = "sum(x for x in [1 week] where x > 2 weeks)"
    assert value_of(empty) == "0 days"
    assert value_of(f"{empty} < 1 year") is True
    assert value_of(f"{empty} == 0 months") is True
    assert value_of(f"{empty} + 1 month") == "1 month"


def duration_examples() -> list[tuple[str, str]]:
    """(expression, value) rows of the examples table in docs/dsl.md, "Durations"."""
    text = (ROOT / "docs" / "dsl.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- duration-examples -->\n(.*?)<!-- /duration-examples -->", text, re.S)
    rows = [line.split("|")[1:3] for line in block.group(1).splitlines()[2:]] if block else []
    return [(expr.strip().strip("`"), value.strip()) for expr, value in rows]


def test_the_docs_say_adding_months_to_a_date_is_not_associative():
    examples = dict(duration_examples())
    assert "2024-01-31 + 1 month + 1 month" in examples, "docs/dsl.md has no duration examples"
    assert examples["2024-01-31 + 1 month + 1 month"] != examples["2024-01-31 + (1 month + 1 month)"]


@pytest.mark.parametrize("expr, shown", duration_examples())
def test_every_example_in_the_docs_is_what_the_engine_says(expr, shown):
    expected = {"true": True, "false": False}.get(shown, shown)
    got = value_of(expr)
    if shown == "error":
        assert isinstance(got, Err) and got.hint, got
    else:
        assert got == expected


# ----------------------------------------------------------------- properties

@PROPS
@given(pairs())
def test_comparisons_agree_with_the_calendar_oracle_in_every_form(pair):
    x, y = pair
    params: dict = {}
    got = run(comparison_probes(slot(x, 0, params), slot(y, 1, params)), params)
    for i, op in enumerate(OPS):
        want = oracle_holds(op, x, y)
        for form in ("inline", "let", "swapped", "swapped-let"):
            value = got[f"{form}-{i}"]
            if want is None:
                assert isinstance(value, Err) and "a month has no fixed number of days" in value.message
                assert value.hint
            else:
                assert value is want, (form, op)


@PROPS
@given(pairs())
def test_exactly_one_of_less_equal_greater(pair):
    x, y = pair
    params: dict = {}
    got = run(comparison_probes(slot(x, 0, params), slot(y, 1, params)), params)
    value = {op: _answer(got[f"inline-{i}"]) for i, op in enumerate(OPS)}
    swapped = {op: _answer(got[f"swapped-{i}"]) for i, op in enumerate(OPS)}
    assert value == swapped  # x < y exactly when y > x, and so on
    assert value["!="] is (not value["=="])
    if value["<"] == "error":  # no order: all four orderings say so, and they are not equal
        assert all(value[op] == "error" for op in ("<", "<=", ">", ">="))
        assert value["=="] is False
    else:
        assert [value["<"], value["=="], value[">"]].count(True) == 1
        assert value["<="] is (value["<"] or value["=="])
        assert value[">="] is (value[">"] or value["=="])


def _answer(value):
    return "error" if isinstance(value, Err) else value


@PROPS
@given(pairs(), durations())
def test_in_and_list_equality_are_the_same_equality(pair, z):
    x, y = pair
    params: dict = {}
    sx, sy, sz = slot(x, 0, params), slot(y, 1, params), slot(z, 2, params)
    got = run({"eq": [("v", f"{sx} == {sy}")],
               "in": [("v", f"{sx} in [{sy}]")],
               "in-let": [("l", sx), ("r", sy), ("v", "l in [r]")],
               "not-in": [("v", f"{sx} not in [{sy}]")],
               "in-two": [("v", f"{sx} in [{sz}, {sy}]")],
               "lists": [("v", f"[{sx}] == [{sy}]")],
               "lists-let": [("l", sx), ("r", sy), ("v", "[l, l] != [r, r]")]}, params)
    equal = oracle_holds("==", x, y)
    assert got["eq"] is equal
    assert got["in"] is got["in-let"] is got["lists"] is equal
    assert got["not-in"] is got["lists-let"] is (not equal)
    assert got["in-two"] is (equal or oracle_holds("==", z, x))


@PROPS
@given(written_pairs())
def test_literals_in_constant_lists(pair):
    x, y = pair
    """The compiler turns a list of literals into a set: that set must use the same equality."""
    got = run({"in": [("v", f"{literal(x)} in [{literal(y)}, 5 years]")],
               "lists": [("v", f"[{literal(x)}] == [{literal(y)}]")]})
    equal = oracle_holds("==", x, y)
    assert got["lists"] is equal
    assert got["in"] is (equal or oracle_holds("==", x, Months(5, "years")))


@PROPS
@given(written_pairs())
def test_python_equality_and_hash_follow_the_value(pair):
    x, y = pair
    dx, dy = Duration(x.n, x.unit), Duration(y.n, y.unit)
    equal = oracle_holds("==", x, y)
    assert (dx == dy) is equal
    if equal:
        assert hash(dx) == hash(dy) and {dx: "found"}[dy] == "found"


@PROPS
@given(durations(), durations(), durations())
def test_adding_durations_agrees_with_the_oracle_and_is_associative(x, y, z):
    params: dict = {}
    sx, sy, sz = slot(x, 0, params), slot(y, 1, params), slot(z, 2, params)
    sx, sy, sz = f"({sx})", f"({sy})", f"({sz})"  # param.b0 - param.a0 + ... would be a date
    got = run({"xy": [("v", f"{sx} + {sy}")],
               "x-y": [("v", f"{sx} - {sy}")],
               "left": [("v", f"({sx} + {sy}) + {sz}")],
               "right": [("v", f"{sx} + ({sy} + {sz})")],
               "xy-vs-z": [("s", f"{sx} + {sy}"), ("v", f"s <= {sz}")]}, params)
    for pid, want in (("xy", oracle_sum(x, y)), ("x-y", oracle_sum(x, negated(y)))):
        if want is None:
            assert isinstance(got[pid], Err) and got[pid].hint
        else:
            assert amount_of(got[pid]) == oracle_amount(want)
    if not isinstance(got["left"], Err) and not isinstance(got["right"], Err):
        assert amount_of(got["left"]) == amount_of(got["right"])
    # a difference plus days keeps its dates: it still compares with months on the calendar
    xy = oracle_sum(x, y)
    if xy is not None:
        want = oracle_holds("<=", xy, z)
        assert isinstance(got["xy-vs-z"], Err) if want is None else got["xy-vs-z"] is want


@PROPS
@given(st.lists(durations(), max_size=SLOTS - 1), durations())
def test_sum_is_the_total_without_dates(items, m):
    params: dict = {}
    listed = ", ".join(slot(v, i, params) for i, v in enumerate(items))
    total = f"sum(x for x in [{listed}])" if items else "sum(x for x in [1 day] where x > 2 days)"
    bound = slot(m, SLOTS - 1, params)
    got = run({"total": [("v", total)], "against": [("s", total), ("v", f"s >= {bound}")]}, params)
    want = Days(0)
    for v in items:
        want = None if want is None else oracle_sum(want, v)
    if want is None:
        assert isinstance(got["total"], Err) and isinstance(got["against"], Err)
        return
    want = undated(want)
    assert amount_of(got["total"]) == oracle_amount(want)
    expected = oracle_holds(">=", want, m)
    assert isinstance(got["against"], Err) if expected is None else got["against"] is expected


def test_min_and_max_take_zero_with_either_kind_and_refuse_a_mix():
    assert value_of("max(x for x in [0 days, 2 months, 1 year])") == "1 year"
    assert value_of("min(x for x in [0 months, 2 weeks, 3 days])") == "0 months"
    mixed = value_of("max(x for x in [2024-02-29 - 2024-01-29, 1 month])")
    assert isinstance(mixed, Err) and "months together with durations in days" in mixed.message


def test_a_month_against_days_without_dates_is_a_located_finding_with_a_hint():
    rules_text = textwrap.dedent("""\
        rules:
          - id: r
            citation: "1"
            for_each: {school: school}
            assert: 30 days < 1 month
        """)
    rules, diags = load_rules(load_text(rules_text, "p.yaml"), {}, {})
    assert diags == []
    found: list = []
    evaluate(rules, EMPTY, AS_OF, {}, {}, diagnostics=found)
    [d] = found
    assert (d.code, d.span.line, d.span.column) == ("dsl-runtime", 5, 13)
    assert d.message.startswith("cannot compare 30 days with 1 month: a month has no fixed number of days")
    assert "x <= y + 1 month" in d.hint


def test_a_month_past_the_last_supported_date_is_a_finding_not_a_traceback():
    # dates are read up to 9899-12-31 (a literal 9999-12-15 is refused when the rule is checked):
    # months enough to walk past year 9999 still reach the run-time limit
    got = value_of("2024-05-01 - 9899-12-15 <= 999999 months")
    assert isinstance(got, Err) and "outside the supported dates" in got.message


@given(dates(), st.integers(-40, 40))
def test_the_oracle_walk_agrees_with_plain_month_arithmetic_on_easy_days(d, k):
    """Sanity of the oracle itself: days 1..28 exist in every month, so no clamping is involved."""
    day = min(d.day, 28)
    index = d.year * 12 + d.month - 1 + k
    assert walk_months(d.replace(day=day), k) == dt.date(index // 12, index % 12 + 1, day)
