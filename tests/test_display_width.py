"""One measure of terminal columns (rulekit.diagnostics.display_width, on wcwidth) for the
caret under a finding, the wrapping text table and the policy test report.

The expected widths are counted by hand: a CJK character or a fullwidth form takes two
columns, an emoji two, a combining mark none, a control character none.
"""
from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from rulekit.diagnostics import Diagnostic, Span, display_width, render
from rulekit.report.policytest import render_coverage
from rulekit.report.text_table import text_table

# (text, columns), counted by hand
PIECES = [
    ("a", 1), ("註", 2), ("冊組長", 6), ("𠀀", 2),            # ASCII, CJK (BMP and beyond)
    ("e\u0301", 1), ("課\u0301", 2), ("a\u0300\u0323", 1),    # combining marks
    ("😀", 2), ("🎉", 2),                                      # emoji
    ("Ａ", 2), ("１２", 4), ("（", 2), ("\u3000", 2),          # fullwidth forms, ideographic space
    ("ｱ", 1),                                                   # halfwidth katakana
    ("\x07", 0), ("\t", 0), ("\x7f", 0), ("\u200b", 0),         # control characters, zero-width space
]


def test_each_piece_has_the_width_counted_by_hand():
    assert [display_width(text) for text, _ in PIECES] == [width for _, width in PIECES]
    assert display_width("") == 0


@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_widths_add_up_across_pieces(pieces):
    assert display_width("".join(t for t, _ in pieces)) == sum(w for _, w in pieces)


def test_the_caret_stands_under_the_span_after_combining_marks_emoji_and_fullwidth_forms():
    line = "名e\u0301😀Ａ\x07: 註冊組長x"
    column = line.index("註") + 1  # 1-based, in characters
    d = Diagnostic("unknown-role", "role 註冊組長x is not declared", Span("p.yaml", 3, column, 3, column + 5))
    caret = render(d, {"p.yaml": ["", "", line]}).splitlines()[2]
    # before the span: 名 2, é 1, 😀 2, Ａ 2, BEL 0, ':' 1, ' ' 1 = 9 columns; the span 註冊組長x = 9
    assert caret == "      | " + " " * 9 + "^" * 9


def test_the_text_table_pads_by_display_width():
    table = text_table(["name", "n"], [["e\u0301te\u0301", "1"], ["a\x07b", "2"], ["註冊", "3"]], [10, 5])
    assert table.splitlines() == [
        "name  n",
        "----  -",
        "e\u0301te\u0301   1",   # 3 columns + 1 pad + 2 between
        "a\x07b    2",           # 2 columns
        "註冊  3",               # 4 columns
    ]


def test_the_policy_test_coverage_aligns_by_display_width():
    cov = SimpleNamespace(
        rules={"r\u0301": {"citation": "四.(三)", "statuses": ["pass"], "cases": 1},
               "rule-2": {"citation": "Ａ", "statuses": [], "cases": 0}},
        citations={"四.(三)": 1},
        chains={"課程認證": {"present": 1, "absent": 1}, "e\u0301x": {"present": 0, "absent": 1}},
        untested_rules=(), unexercised_citations=())
    lines = render_coverage(cov)
    # rule ids 6 columns wide (r + a combining accent is 1), citations 7 (四.(三); Ａ is 2)
    assert "    r\u0301" + " " * 5 + "  四.(三)  " + "pass".ljust(30) + " 1 case(s)" in lines
    assert "    rule-2" + "  Ａ" + " " * 5 + "  " + "—".ljust(30) + " 0 case(s)" in lines
    assert "    課程認證  present 1  absent 1" in lines
    assert "    e\u0301x" + " " * 6 + "  present 0  absent 1" in lines
