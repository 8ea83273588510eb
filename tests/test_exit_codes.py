"""Issue 15 item 8: one exit-code scheme, documented once and kept by every command.

0 all pass, 1 rules fail, 2 wrong usage or unusable input, 3 records partly unusable.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli import main
from rulekit.cli.common import EXIT_CODES
from rulekit.i18n import _

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
SCHOOL = str(ROOT / "examples" / "school")
STAFF = str(ROOT / "examples" / "school" / "staff.csv")
AS_OF = "113.12.01"


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output and "rulekit: internal error" not in result.output, result.output
    return result


@pytest.fixture
def school(tmp_path):
    folder = tmp_path / "school"
    shutil.copytree(SCHOOL, folder)
    return folder


def _replace_first_cell(csv: Path, value: str, row: int = 1) -> None:
    lines = csv.read_text(encoding="utf-8").splitlines()
    cells = lines[row].split(",")
    cells[0] = value
    lines[row] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def broken_policy(tmp_path):
    text = Path(POLICY).read_text(encoding="utf-8").replace("    修課: [註冊組長, 註冊組幹事]", "    修課: [註冊組長x]")
    path = tmp_path / "policy" / "regulation.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_docs_and_help_show_the_one_table():
    doc = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", doc, flags=re.M)
    assert [(int(c), m.replace("\\|", "|")) for c, m in rows] == list(EXIT_CODES)
    shown = " ".join(run("--help").output.split())
    for code, meaning in EXIT_CODES:
        assert f"{code} {_(meaning)}" in shown


# ------------------------------------------------------------------------------- check

@pytest.mark.parametrize("rule, code", [("course-in-plan", 0), ("parent-briefing", 1)])
def test_check_passes_with_0_and_fails_with_1(rule, code):
    assert run("check", SCHOOL, "--policy", POLICY, "--as-of", AS_OF, "--rule", rule).exit_code == code


def test_check_with_unreadable_records_is_2_not_1(school):
    """Issue 15: 'check exits 1 both when rules fail and when the records cannot be read'."""
    windows = school / "windows.csv"
    windows.write_text(windows.read_text(encoding="utf-8").replace("113.02.16", "113.02.30", 1), encoding="utf-8")
    result = run("check", str(school), "--policy", POLICY, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "error[invalid-date]" in result.stderr


@pytest.mark.parametrize("args", [("--rule", "no-such-rule"), ("--as-of", "113.02.30"), ("--format", "pdf")])
def test_check_used_wrongly_is_2(args):
    assert run("check", SCHOOL, "--policy", POLICY, "--as-of", AS_OF, *args).exit_code == 2


def test_check_with_an_unusable_policy_is_2(broken_policy):
    assert run("check", SCHOOL, "--policy", broken_policy, "--as-of", AS_OF).exit_code == 2


@pytest.mark.parametrize("rule, fail_on", [("course-in-plan", "error"), ("parent-briefing", "error"),
                                           (None, "never")])
def test_check_with_records_partly_unusable_is_3_whatever_the_rules_say(school, rule, fail_on):
    _replace_first_cell(school / "confirmations.csv", "S999")  # a confirmation of no student
    rules = ("--rule", rule) if rule else ()
    result = run("check", str(school), "--policy", POLICY, "--as-of", AS_OF, "--fail-on", fail_on, *rules)
    assert result.exit_code == 3
    assert "S999" in result.output


# ---------------------------------------------------------------------------- validate, test

def test_validate_0_1_2(broken_policy):
    assert run("validate", POLICY).exit_code == 0
    assert run("validate", broken_policy).exit_code == 1
    assert run("validate", POLICY, "--format", "pdf").exit_code == 2


def test_policy_tests_0_and_2(broken_policy):
    assert run("test", "--policy", POLICY).exit_code == 0
    assert run("test", "--policy", broken_policy).exit_code == 2


def test_a_failing_policy_test_case_is_1(tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    case = tmp_path / "policy" / "tests" / "confirmation.yaml"
    text = case.read_text(encoding="utf-8")
    assert "status: fail, message: 只有 2 日" in text
    case.write_text(text.replace("status: fail, message: 只有 2 日", "status: pass, message: 只有 2 日"), encoding="utf-8")
    assert run("test", "--policy", str(tmp_path / "policy" / "regulation.yaml")).exit_code == 1


# ----------------------------------------------------------- who, duties, handover, show, diff

@pytest.mark.parametrize("args", [
    ("who", "課程認證"), ("duties", "註冊組幹事"), ("handover", "T010", "--roster", STAFF), ("show", "三"),
    ("diff", POLICY, POLICY), ("deadlines", SCHOOL),
])
def test_answering_commands_end_with_0(args):
    result = run(*args, *(("--policy", POLICY, "--as-of", AS_OF) if args[0] != "diff" else ()))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [
    ("who", "不存在的工作"), ("duties", "不存在的職稱"), ("handover", "T999", "--roster", STAFF), ("show", "九十九"),
    ("who", "課程認證", "--as-of", "9/1/2024"), ("deadlines", SCHOOL, "--from", "113.13.01"),
])
def test_answering_commands_used_wrongly_end_with_2(args):
    result = run(*args, "--policy", POLICY)
    assert result.exit_code == 2, result.output
    assert "error[" in result.stderr


@pytest.mark.parametrize("command", [("who", "課程認證"), ("duties", "註冊組幹事"), ("show", "三"),
                                     ("deadlines", SCHOOL)])
def test_an_unusable_policy_is_2_for_every_command(broken_policy, command):
    assert run(*command, "--policy", broken_policy).exit_code == 2


def test_deadlines_with_records_partly_unusable_is_3(school):
    _replace_first_cell(school / "confirmations.csv", "S999")
    assert run("deadlines", str(school), "--policy", POLICY, "--as-of", AS_OF).exit_code == 3


def test_diff_used_wrongly_is_2(broken_policy):
    assert run("diff", POLICY).exit_code == 2
    assert run("diff", POLICY, broken_policy).exit_code == 2
