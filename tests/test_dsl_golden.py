"""Golden tests: the exact rendered diagnostics for DSL parse, type and entry errors.

Each tests/golden/dsl/NAME.yaml is loaded as a policy; the rendered findings and
the ids of the rules that loaded must equal NAME.txt (in zh-TW, the default) and
NAME.en.txt (in English). To accept new output:

    UPDATE_GOLDEN=1 pytest tests/test_dsl_golden.py
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from rulekit.diagnostics import render_all
from rulekit.policy.rules import load_rules
from rulekit.sourceyaml import load_text

GOLDEN = Path(__file__).parent / "golden" / "dsl"
CASES = sorted(GOLDEN.glob("*.yaml"))
PARAMS = {"course_outcome_quota": "int", "multi_performance_quota": "int",
          "confirmation_period_min": "duration"}
CONSTANTS = {"working_group_seats": "list[string]"}


def rendered(path: Path) -> str:
    doc = load_text(path.read_text("utf-8"), path.name)
    rules, diags = load_rules(doc, PARAMS, CONSTANTS)
    body = render_all(diags, {path.name: list(doc.lines)})
    loaded = ", ".join(r.id for r in rules) or "(none)"
    return f"{body}\n--\nloaded: {loaded}\n"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path, golden_lang):
    expected_file = path.with_suffix(".txt" if golden_lang == "zh" else f".{golden_lang}.txt")
    actual = rendered(path)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_file.write_text(actual, "utf-8")
    assert expected_file.exists(), f"run UPDATE_GOLDEN=1 pytest {__file__} to create {expected_file.name}"
    assert actual == expected_file.read_text("utf-8")


def test_there_are_golden_cases():
    assert len(CASES) >= 3
