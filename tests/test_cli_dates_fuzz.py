"""--as-of as anyone might type it: a date read, or a usage error naming the option, never a crash."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.cli import main

POLICY = str(Path(__file__).resolve().parents[1] / "policy" / "regulation.yaml")
FIRST, LAST = dt.date(1912, 1, 1), dt.date(9899, 12, 31)  # the range docs/security.md promises

TYPED = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(0, 99999), st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda y, m, d: f"{y}.{m:02d}.{d:02d}", st.integers(0, 999), st.integers(0, 13), st.integers(0, 32)),
    st.text(alphabet="0123456789-./年月日民國 ", max_size=14),
)


@settings(max_examples=60, deadline=None)
@given(TYPED)
def test_who_as_of_is_read_or_refused_cleanly(text):
    result = CliRunner().invoke(main, ["who", "課程認證", "--policy", POLICY, "--as-of", text])
    output = result.output
    assert "Traceback" not in output and "internal error" not in output, output
    assert result.exit_code in (0, 2), output
    if result.exit_code == 2:
        assert "error[" in output and "hint: " in output, output
        assert "<command line>" in output or POLICY in output, output


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_an_iso_as_of_outside_the_range_is_a_usage_error_naming_it(day):
    text = day.isoformat()
    result = CliRunner().invoke(main, ["show", "四.(三)", "--policy", POLICY, "--as-of", text])
    if FIRST <= day <= LAST:
        assert "bad-date" not in result.output
    else:
        assert result.exit_code == 2
        assert f"<command line>: error[bad-date]: --as-of: {text} is " in result.output
        assert "rulekit reads dates from 1912-01-01 (ROC year 1) to 9899-12-31" in result.output \
            or "did you mean" in result.output
