"""Every table command fits the terminal (issue 15 item 5): no line wider than COLUMNS,
counted with wcwidth (a Chinese character takes two columns). Before, `who --list`
reached 134 columns, `diff` 144 and `duties` 275 whatever the terminal."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

from rulekit.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
AMENDED = str(ROOT / "examples" / "amendment" / "regulation.yaml")
SCHOOL = str(ROOT / "examples" / "school")

COMMANDS = {
    "who --list": ["who", "--list", "--policy", POLICY],
    "who, every substitute absent": ["who", "校管理者", "--absent", "註冊組長", "--absent", "教務主任",
                                     "--policy", POLICY, "--as-of", "2025-03-01"],
    "duties": ["duties", "註冊組幹事", "--policy", POLICY, "--as-of", "2025-03-01"],
    "duties of a director": ["duties", "教務主任", "--policy", POLICY, "--as-of", "2025-03-01"],
    "diff": ["diff", POLICY, AMENDED],
    "check": ["check", SCHOOL, "--policy", POLICY, "--as-of", "2025-03-01"],
}


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_line_is_wider_than_the_terminal(name, columns):
    result = CliRunner().invoke(main, COMMANDS[name], env={"COLUMNS": str(columns)})
    assert result.exit_code in (0, 1), result.output
    assert result.stdout.strip()
    # a finding's line stays whole (FILE:LINE:COL: error[code] ..., what scripts read), however wide
    too_wide = [line for line in result.stdout.splitlines() if wcswidth(line) > columns
                and not re.search(r": (error|warning)\[[\w-]+\]", line)]
    assert too_wide == []
