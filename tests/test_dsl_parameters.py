"""List, date and size parameters (issue 13, item 3): declared in the policy, typed for
the rules, shown as the policy writes them, and refused with a located finding when
their value cannot be read."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rulekit.evaluator.check import run_check
from rulekit.policy.load import load_policy_text
from rulekit.records.load import load_records

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "policy" / "regulation.yaml").read_text("utf-8")
RECORDS = ROOT / "tests" / "fixtures" / "records" / "school.yaml"

PARAMS = """\
parameters:
  allowed_formats:
    type: list
    value: [pdf, jpg, png]
    citation: 三
    quote: "合計13人組成"
  upload_limit:
    type: size
    value: 4 MB
    bound: at_most
    citation: 三
    quote: "合計13人組成"
  media_limit:
    type: size
    value: 10MB
    citation: 三
    quote: "合計13人組成"
  first_day:
    type: date
    value: "114.02.10"
    citation: 三
    quote: "合計13人組成"
"""

RULE = """\
rules:
  - id: probe-params
    citation: 三
    for_each: {school: school}
    assert: |
      ASSERT
    message: "{join(param.allowed_formats, \\"/\\")} {param.upload_limit} {param.media_limit} {param.first_day}"
"""


def policy_with(assertion: str = "true", params: str = PARAMS):
    text = BASE.replace("parameters:\n", params, 1).replace("rules:\n", RULE.replace("ASSERT", assertion), 1)
    return load_policy_text(text, "p.yaml"), text


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_list_date_and_size_parameters_reach_the_rules():
    loaded, _ = policy_with('"pdf" in param.allowed_formats and "mp3" not in param.allowed_formats '
                            "and param.upload_limit == 4194304 B and param.upload_limit < param.media_limit "
                            "and param.first_day == 2025-02-10 and len(param.allowed_formats) == 3")
    assert loaded.ok, [str(d) for d in loaded.diagnostics if d.severity == "error"]
    p = loaded.policy.parameters
    assert (p["allowed_formats"].value, p["upload_limit"].value, p["media_limit"].value, p["first_day"].value) == \
        (("pdf", "jpg", "png"), 4 * 1024 * 1024, 10 * 1024 * 1024, dt.date(2025, 2, 10))
    report = run_check(loaded.policy, load_records(RECORDS), dt.date(2025, 3, 1), rule_ids=("probe-params",))
    [result] = report.results
    assert result.status == "pass"
    assert result.message == "pdf/jpg/png 4 MB 10 MB 2025-02-10"


def test_parameters_are_described_as_written():
    loaded, _ = policy_with()
    p = loaded.policy.parameters
    assert p["allowed_formats"].describe() == "allowed_formats = [pdf, jpg, png]"
    assert p["upload_limit"].describe() == "upload_limit = 4 MB (at most)"  # the bound in words, as other parameters
    assert p["first_day"].describe() == "first_day = 2025-02-10"


@pytest.mark.parametrize("assertion,message", [
    ("param.upload_limit <= 4", "cannot compare size with int"),
    ("param.first_day < 3", "cannot compare date with int"),
    ("param.allowed_formats == 3", "cannot compare list[string] with int"),
    ("param.upload_limt <= 4 MB", "unknown parameter param.upload_limt"),
])
def test_parameters_are_type_checked(assertion, message):
    loaded, text = policy_with(assertion)
    [d] = [d for d in loaded.diagnostics if d.severity == "error"]
    assert d.message == message and d.span.line == line_of(text, "      " + assertion)
    if "upload_limt" in assertion:
        assert d.hint == "did you mean upload_limit?"


@pytest.mark.parametrize("old,new,code,message,hint", [
    ('value: "114.02.10"', 'value: "114.02.30"', "invalid-date", "114.02.30 is not a valid date", "114.02.28"),
    ("value: 4 MB", "value: 4 XB", "invalid-size", "'XB' is not a unit of size", "4 MB"),
    ("value: 4 MB", "value: 1.2345 B", "invalid-size", "not a whole number of bytes", "4 MB"),
    ("value: [pdf, jpg, png]", "value: [pdf, 3]", "wrong-type", "parameters.allowed_formats.value.1 must be text", ""),
    ("value: [pdf, jpg, png]", "value: pdf", "wrong-type", "parameters.allowed_formats.value must be a list", "[a, b]"),
])
def test_unreadable_values_are_located_findings(old, new, code, message, hint):
    loaded, text = policy_with(params=PARAMS.replace(old, new, 1))
    [d] = [d for d in loaded.diagnostics if d.severity == "error"]
    assert (d.code, d.span.line) == (code, line_of(text, new))
    assert message in d.message and hint in d.hint
