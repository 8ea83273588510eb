"""Golden files: expected command output kept under tests/golden/, reviewed like code.

    from golden_util import assert_golden
    assert_golden("show/七.(一).txt", result.stdout)

Run the tests with UPDATE_GOLDEN=1 to (re)write the files, then review the diff in git.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, text: str) -> None:
    """Compare `text` with tests/golden/<name>; with UPDATE_GOLDEN=1 write it there instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"golden file {path} is missing: run the test with UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), text.splitlines(keepends=True),
                                            f"golden/{name}", "actual"))
        raise AssertionError(f"output differs from {path} (UPDATE_GOLDEN=1 to accept):\n{diff}")
