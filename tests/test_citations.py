"""Citation suggestions in the policy's own numbering, and help that speaks no school's
numbering (issue 13, item 6).

The oracle spells numbers itself (a table of numerals written here), so a citation can
be typed in Arabic, full-width or Chinese digits and must lead back to the one real
citation with those numbers, and never to a look-alike with other numbers.
"""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.cli import main
from rulekit.policy.citations import suggest_citation

SMALL = "零一二三四五六七八九"
FORMAL = "零壹貳參肆伍陸柒捌玖"


def chinese(n: int, digits: str = SMALL) -> str:
    tens, units = divmod(n, 10)
    ten = "拾" if digits is FORMAL else "十"
    if tens == 0:
        return digits[units]
    return ("" if tens == 1 else digits[tens]) + ten + (digits[units] if units else "")


SPELLINGS = {
    "arabic": str,
    "fullwidth": lambda n: "".join(chr(ord("０") + int(d)) for d in str(n)),
    "chinese": chinese,
    "formal": lambda n: chinese(n, FORMAL),
}
BRACKETS = {"none": "{}", "ascii": "({})", "fullwidth": "（{}）"}


def spell(numbers, styles, brackets) -> str:
    return ".".join(BRACKETS[b].format(SPELLINGS[s](n)) for n, s, b in zip(numbers, styles, brackets))


LEVEL = st.tuples(st.integers(1, 39), st.sampled_from(sorted(SPELLINGS)), st.sampled_from(sorted(BRACKETS)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(LEVEL, LEVEL), min_size=1, max_size=3))
def test_any_spelling_of_the_numbers_finds_the_real_citation(levels):
    numbers = [real[0] for real, _ in levels]
    real = spell(numbers, [r[1] for r, _ in levels], [r[2] for r, _ in levels])
    typed = spell(numbers, [t[1] for _, t in levels], [t[2] for _, t in levels])
    decoy = spell([n + 1 for n in numbers], [r[1] for r, _ in levels], [r[2] for r, _ in levels])
    hint = suggest_citation(typed, [real, decoy])
    assert hint == f"did you mean {real}?"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9), st.sets(st.integers(1, 20), min_size=1, max_size=8), st.integers(1, 20),
       st.sampled_from(sorted(SPELLINGS)), st.sampled_from(sorted(SPELLINGS)))
def test_a_missing_item_points_at_its_parent_never_at_a_look_alike(top, items, wanted, style, typed_style):
    parent = SPELLINGS["formal"](top)
    known = [parent] + [f"{parent}.{SPELLINGS[style](i)}" for i in items]
    typed = f"{parent}.({SPELLINGS[typed_style](wanted)})"
    hint = suggest_citation(typed, known)
    if wanted in items:
        assert hint == f"did you mean {parent}.{SPELLINGS[style](wanted)}?"
    else:
        assert hint.startswith(f"did you mean {parent}? it has ")


@pytest.mark.parametrize("typed,known,hint", [
    ("4.(3)", ["四", "四.(三)", "四.(四)"], "did you mean 四.(三)?"),
    ("肆.３", ["肆", "肆.3", "肆.9"], "did you mean 肆.3?"),
    ("肆.(七)", ["肆", "肆.(七)", "肆.9"], "did you mean 肆.(七)?"),
    ("肆.(七)", ["肆", "肆.1", "肆.9"], "did you mean 肆? it has 肆.1、肆.9"),
    ("四.段9", ["四", "四.(一)", "四.段1", "四.段2"], "did you mean 四? it has 四.段1、四.段2"),
    ("附錶.8", ["附表", "附表.8", "附表.9"], "did you mean 附表.8?"),
    ("第3條", ["第一條", "第三條"], "did you mean 第三條?"),
    ("四.(三)x", ["四", "四.(三)", "四.(四)"], "did you mean 四.(三)?"),
    ("4.3", ["第四條", "第四條.第三項", "第三條"], "did you mean 第四條.第三項?"),
    ("九.(一)", ["一", "二"], ""),  # nothing close: the caller shows the policy's own examples
])
def test_suggestions(typed, known, hint):
    assert suggest_citation(typed, known) == hint


def run(*args):
    return CliRunner().invoke(main, list(args))


FIRST_SCHOOL = re.compile(r"[一二三四五六七八九十]\.\(|\([一二三四五六七八九十]\)|附表\.\d|段\d|任課教師|註冊組|七 人員")


@pytest.mark.parametrize("command", ["who", "duties", "handover", "show", "check", "validate", "test",
                                     "diff", "amend"])
def test_help_speaks_no_school_numbering(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert not FIRST_SCHOOL.search(result.output), result.output


def test_who_hint_and_show_hint_come_from_the_policy_in_use():
    other = "tests/fixtures/other_school/regulation.yaml"
    result = run("who", "--policy", other)
    assert "e.g. rulekit who 平臺帳號管理 --absent 設備組長" in result.output
    result = run("show", "--policy", other, "hello")
    assert result.exit_code == 2
    [hint] = [line for line in result.output.splitlines() if "hint:" in line]
    assert "第" in hint and not FIRST_SCHOOL.search(hint)
    result = run("show", "--policy", other, "第3條")
    assert "did you mean 第三條?" in result.output
