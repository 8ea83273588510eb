"""Golden files: expected command output kept under tests/golden/, reviewed like code.

    from golden_util import assert_golden
    assert_golden("show/七.(一).txt", result.stdout)

Golden tests run twice (the `golden_lang` fixture of conftest.py): the file itself holds
the default, zh-TW output, and `<name>.en.<ext>` the English one (`--lang en`).

Run the tests with UPDATE_GOLDEN=1 to (re)write the files, then review the diff in git.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_for(name: str, lang: str) -> str:
    """The golden file of `name` in `lang`: zh (the default output) is `name` itself, English
    is `name` with `.en` before its extension (check/school.txt -> check/school.en.txt)."""
    if lang == "zh":
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot else f"{name}.{lang}"


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
