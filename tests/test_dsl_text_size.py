"""Text tests, sizes and list-valued aggregates in the DSL (issue 13, item 3).

Oracles are written here, apart from the engine: a text built from a list of
characters has that many characters; a prefix glued to a rest starts the text;
a size is its number times a factor from the table below, not units.parse_size.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.dsl import ast as A
from rulekit.dsl import parse, parse_expr, unparse
from test_dsl_checker import check as check_parsed
from test_evaluator import value_of

# characters that need no escaping inside "..." in YAML single quotes
CHARS = st.sampled_from(list("ab學生代表 .c-"))
TEXTS = st.lists(CHARS, max_size=12).map("".join)
FACTOR = {"B": 1, "KB": 1024, "MB": 1024 * 1024, "GB": 1024 ** 3, "KiB": 1024, "MiB": 1024 * 1024}


@settings(max_examples=40, deadline=None)
@given(st.lists(CHARS, max_size=12))
def test_len_of_a_text_is_its_number_of_characters(chars):
    assert value_of(f'len("{"".join(chars)}")') == len(chars)


@settings(max_examples=40, deadline=None)
@given(TEXTS, TEXTS)
def test_startswith_and_endswith_agree_with_slicing(text, part):
    head, tail = text[:len(part)], text[len(text) - len(part):] if part else ""
    assert value_of(f'startswith("{text}", "{part}")') is (head == part)
    assert value_of(f'endswith("{text}", "{part}")') is (tail == part)
    assert value_of(f'startswith("{part}{text}", "{part}")') is True


@settings(max_examples=40, deadline=None)
@given(TEXTS, TEXTS, TEXTS)
def test_in_finds_a_text_within_a_text(before, part, after):
    whole = before + part + after
    assert value_of(f'"{part}" in "{whole}"') is True
    found = any(before[i:i + len(part)] == part for i in range(len(before) - len(part) + 1))
    assert value_of(f'"{part}" in "{before}"') is found
    assert value_of(f'"{part}" not in "{before}"') is (not found)


@pytest.mark.parametrize("expr,expected", [
    # docs/dsl.md §4: functions of null are null, `in` with a missing side is false
    ('len(first(s in students where s.id == "S9").id)', None),
    ('startswith(first(s in students where s.id == "S9").id, "S")', None),
    ('"S" in first(s in students where s.id == "S9").id', False),
    ('"S" not in first(s in students where s.id == "S9").id', True),
    ('first(s in students where s.id == "S9").id in "S1 S2"', False),
    ('count(s in students where startswith(s.id, "S") and "2" in s.id)', 1),
    ('len(policy.working_group_seats)', 3),
    ('text(first(s in students where s.id == "S9").left_on)', None),
    ('"第" + text(3) + "點"', "第3點"),
])
def test_text_values_and_null(expr, expected):
    assert value_of(expr) == expected


def check(text, want_bool=False):
    """(type, findings) of a text: the parser's findings when it does not parse."""
    node, findings = parse_expr(text)
    return (None, findings) if node is None else check_parsed(text, want_bool)


SIZES = st.tuples(st.integers(0, 4096), st.sampled_from(sorted(FACTOR)), st.sampled_from(["", " "]))


@settings(max_examples=60, deadline=None)
@given(SIZES, SIZES)
def test_sizes_compare_by_their_bytes(a, b):
    (na, ua, sa), (nb, ub, sb) = a, b
    left, right = f"{na}{sa}{ua}", f"{nb}{sb}{ub}"
    bytes_a, bytes_b = na * FACTOR[ua], nb * FACTOR[ub]
    assert value_of(f"{left} < {right}") is (bytes_a < bytes_b)
    assert value_of(f"{left} == {right}") is (bytes_a == bytes_b)
    # shown in a message as the largest unit that is exact, so it reads back to the same bytes
    assert parse(unparse(parse(left))) == A.SizeLit(bytes_a)


def test_size_values_and_messages():
    assert value_of("4 MB == 4194304 B") is True
    assert value_of("10MB - 4 MB") == "6 MB"
    assert value_of("sum(x for x in [1 MB, 512 KB])") == "1.5 MB"
    assert value_of("max(x for x in [1 MB, 3 KB])") == "1 MB"
    assert value_of('join([4 MB, 1536 B], ", ")') == "4 MB, 1.5 KB"
    assert value_of("1.5 GB") == "1.5 GB"


def test_a_size_is_checked_for_what_it_is():
    assert [d.code for d in check("4 MB < 3", want_bool=True)[1]] == ["dsl-type"]
    [d] = check("4 MB < 3", want_bool=True)[1]
    assert d.message == "cannot compare size with int" and "4 MB" in d.hint
    [d] = check("4 MB + 1 day")[1]
    assert d.message == "cannot add duration to size"
    [d] = check("1.2345 B > 0 B", want_bool=True)[1]
    assert d.code == "dsl-bad-literal" and "whole number of bytes" in d.message and d.hint


def test_numbers_up_to_18_digits_and_sizes_up_to_1024_tb():
    assert value_of("123456789012345678") == 123456789012345678
    [d] = check("1234567890123456789 > 0", want_bool=True)[1]
    assert d.code == "dsl-bad-literal" and "19 digits, more than the 18" in d.message
    [d] = check("1025 TB > 0 B", want_bool=True)[1]
    assert d.code == "dsl-bad-literal" and "1024 TB" in d.message
    [d] = check("as_of + 1234567 days > as_of", want_bool=True)[1]
    assert "more than the 6" in d.message  # durations keep 6 digits: 999,999 days is 2,700 years


@pytest.mark.parametrize("expr,message,hint", [
    ('startwith("ab", "a")', "unknown function startwith", "did you mean startswith?"),
    ('lenght("ab")', "unknown function lenght", "did you mean len?"),
    ('joint(["a"], ",")', "unknown function joint", "did you mean join?"),
    ('startswith(3, "a")', "startswith takes string, not int", ""),
    ("len(3)", "len takes list or string, not int", ""),
    ('join("ab", ",")', "join takes list, not string", ""),
    ('"a" + 3', "cannot add int to string", "text(x)"),
    ('3 in "abc"', "cannot look for int in a text", "text(x)"),
])
def test_misspelt_and_mistyped_text_functions(expr, message, hint):
    [d] = check(expr)[1]
    assert d.message == message and hint in d.hint


def test_list_aggregate_keeps_the_items_that_pass_in_order():
    assert value_of('list(s for s in policy.working_group_seats where s != "執行秘書")') == ["召集人", "教務主任"]
    assert value_of("list(s.id for s in students where s.left_on == null)") == ["S1", "S3"]
    assert value_of("list(s.left_on for s in students)") == ["2024-01-10"]  # null values left out
    assert value_of('join(list(s for s in students where s.id == "S9"), "、")') == ""
    assert value_of('join(list(s for s in students), "/")') == "S1/S2/S3"  # records by their id
    # through the index (o.student == a value) and by the full scan: the same items, in file order
    assert value_of('list(o.id for o in course_outcomes where o.student == "S1")') == ["O1", "O2", "O3", "O5"]
    assert value_of('list(o.id for o in course_outcomes where startswith(o.student, "S1"))') == \
        ["O1", "O2", "O3", "O5"]


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXTS, max_size=6), st.sampled_from(["、", ", ", ""]))
def test_join_of_list_agrees_with_a_plain_filter(items, sep):
    literal = "[" + ", ".join(f'"{t}"' for t in items) + "]"
    kept = [t for t in items if t != ""]
    assert value_of(f'join(list(x for x in {literal} where x != ""), "{sep}")') == sep.join(kept)
    assert value_of(f'len(list(x for x in {literal} where x != ""))') == len(kept)


def test_list_aggregate_type_and_printing():
    expr = parse('join(list(u + "(" + text(d) + ")" for u in units where u != ""), "、")')
    assert parse(unparse(expr)) == expr
    assert "list" in A.KEYWORDS
    [d] = check("list(x for x in 3)")[1]
    assert d.code == "dsl-type"


def test_a_misspelt_list_aggregate_says_which_aggregates_take_a_value():
    [d] = check("lst(s for s in policy.working_group_seats)")[1]
    assert d.code == "dsl-syntax" and "sum, min, max and list" in d.hint
