"""The JSON report is written in pieces: the same bytes as one json.dumps of the whole report,
each piece ending at a line end (so that masking IDs piece by piece masks them all)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli import main
from rulekit.evaluator.check import explain_result, run_check
from rulekit.policy.load import require_history
from rulekit.policy.versions import version_on
from rulekit.records import load_records
from rulekit.report.check import iter_json, render_json, to_json

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = ROOT / "examples" / "school"
AS_OF = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def report():
    history = require_history(str(ROOT / "policy" / "regulation.yaml"))
    return run_check(version_on(history, AS_OF), load_records(str(SCHOOL)), AS_OF, history=history)


@pytest.mark.parametrize("size", [1, 100, 4096, 1 << 16, 1 << 30])
def test_the_pieces_are_the_whole_report(report, size):
    pieces = list(iter_json(report, None, size))
    # the oracle: the report as one dict, dumped at once as before streaming
    assert "".join(pieces) == json.dumps(to_json(report), ensure_ascii=False, indent=2, default=str)
    assert all(p.endswith("\n") for p in pieces[:-1])
    if size <= 4096:
        assert len(pieces) > 10 and max(map(len, pieces[:-1])) < size + 4096


def test_explanations_stream_too(report):
    history = require_history(str(ROOT / "policy" / "regulation.yaml"))
    data = load_records(str(SCHOOL))
    failing = [r for r in report.results if r.status == "fail"][:3]
    explanations = {id(r): explain_result(report.policy, data, AS_OF, r) for r in failing}
    assert explanations and history
    whole = json.dumps(to_json(report, explanations), ensure_ascii=False, indent=2, default=str)
    assert render_json(report, explanations) == whole
    assert '"explain"' in whole


def test_stdout_and_output_file_get_the_same_bytes(tmp_path):
    out = tmp_path / "report.json"
    args = ["check", str(SCHOOL), "--as-of", AS_OF.isoformat(), "--format", "json"]
    printed = CliRunner().invoke(main, args)
    written = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert printed.exit_code == written.exit_code == 1
    assert out.read_text(encoding="utf-8") == printed.stdout
    assert json.loads(printed.stdout)["summary"]["fail"] > 0
    assert not list(tmp_path.glob(".rulekit-*"))  # the temporary file was renamed, not left
