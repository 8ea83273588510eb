"""Numbers at the edges: every number rulekit reads or computes has at most 18 digits.

The oracle is the digit count of the text the test wrote, not rulekit's own check."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.diagnostics import RulekitError
from rulekit.evaluator.values import EvalError, checked_arith
from rulekit.records.jsonfile import parse_document
from rulekit.sourceyaml import load_text

DIGITS = st.integers(min_value=1, max_value=6000)


def _number(n: int) -> str:
    return "7" * n


@settings(max_examples=40, deadline=None)
@given(DIGITS, st.booleans())
def test_a_yaml_number_is_read_up_to_18_digits_and_refused_after(n, negative):
    text = "-" * negative + _number(n)
    source = f"format: x\nvalue: {text}\n"
    if n <= 18:
        assert load_text(source, "p.yaml").data["value"] == int(text)
        return
    with pytest.raises(RulekitError) as info:
        load_text(source, "p.yaml")
    [d] = info.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("number-too-large", 2, len("value: ") + 1)
    assert d.message == f"the number has {n} digits, more than the 18 rulekit reads"


@settings(max_examples=40, deadline=None)
@given(DIGITS, st.integers(min_value=0, max_value=3))
def test_a_json_number_is_read_up_to_18_digits_and_located_after(n, line):
    text = '{"students": [' + "\n" * line + '{"id": "S1", "grade": ' + _number(n) + "}]}"
    if n <= 18:
        assert parse_document(text, "r.json").data["students"][0]["grade"] == int(_number(n))
        return
    with pytest.raises(RulekitError) as info:
        parse_document(text, "r.json")
    [d] = info.value.diagnostics
    assert (d.code, d.span.line) == ("number-too-large", 1 + line)
    assert d.span.column == (len('{"students": [{"id": "S1", "grade": ') + 1 if line == 0
                             else len('{"id": "S1", "grade": ') + 1)
    assert f"has {n} digits" in d.message


LIMIT = 999_999_999_999_999_999  # 18 nines, written out


@given(st.integers(min_value=-2 * LIMIT, max_value=2 * LIMIT), st.integers(min_value=-2 * LIMIT, max_value=2 * LIMIT),
       st.sampled_from([1, -1]))
def test_rule_arithmetic_refuses_results_past_18_digits(x, y, sign):
    exact = x + y if sign == 1 else x - y
    if abs(exact) <= LIMIT:
        assert checked_arith(sign)(x, y) == exact
    else:
        with pytest.raises(EvalError, match="more than 18 digits"):
            checked_arith(sign)(x, y)
