"""Small commands import only what they use (issue 17, item 6): `who` with the compiled policy
cached reads no DSL text (no lark) and runs no engine (no DuckDB, sqlglot, PySpark); a JSON
report draws no table (no tabulate). `who` rebuilds the cached policy without its rules (no DSL
module, no YAML reader), and measures its answer's plain text without wcwidth."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("lark", "duckdb", "sqlglot", "pyspark")


def imported(tmp_path, *args, whole: bool = False) -> set[str]:
    """The top-level packages (every module, if `whole`) a whole `rulekit ARGS` process
    imported (second run: cache warm)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("RULEKIT_NO_CACHE", None)
    names = "sys.modules" if whole else "{m.split('.')[0] for m in sys.modules}"
    code = ("import sys; from rulekit.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"sys.stderr.write('MODULES ' + ' '.join(sorted({names})))")
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, encoding="utf-8")
    line = proc.stderr.rsplit("MODULES ", 1)[-1]
    assert proc.stdout or "-o" in args, proc.stderr  # a command that ran prints, unless to a file
    return set(line.split())


def test_who_imports_no_parser_and_no_engine(tmp_path):
    modules = imported(tmp_path, "who", "課程認證")
    assert "rulekit" in modules and "click" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def at_start() -> set[str]:
    """What the interpreter itself has imported before rulekit runs (site, .pth files)."""
    code = "import sys; print(' '.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


# Not needed to answer `who` from the cache: the rules' modules (a policy without its rules is
# read), the YAML reader (the policy is only hashed), wcwidth (the answer is plain CJK and
# ASCII), and standard modules only other paths use.
NOT_FOR_WHO = ("yaml", "wcwidth", "rulekit.sourceyaml", "rulekit.dsl", "rulekit.dsl.ast", "rulekit.dsl.checker",
               "rulekit.policy.rules", "rulekit.policy.rule", "difflib", "pathlib", "shutil", "tempfile")


def test_who_reads_the_cached_policy_without_its_rules_or_a_yaml_reader(tmp_path):
    modules = imported(tmp_path, "who", "課程認證", whole=True)
    assert "rulekit.policy.cache" in modules and "rulekit.people.responsibility" in modules
    assert not modules & (set(NOT_FOR_WHO) - at_start()), sorted(modules & set(NOT_FOR_WHO))
    assert not {m for m in modules if m.startswith("rulekit.dsl")}


def test_who_as_json_draws_no_table(tmp_path):
    modules = imported(tmp_path, "who", "課程認證", "--format", "json")
    assert "tabulate" not in modules and not modules & set(HEAVY)


def test_a_json_check_in_python_imports_no_table_and_no_engine(tmp_path):
    modules = imported(tmp_path, "check", "examples/school", "--as-of", "2025-01-31", "--format", "json",
                       "--engine", "python")
    assert not modules & {"tabulate", "duckdb", "sqlglot", "pyspark"}


def test_only_a_workbook_report_imports_the_workbook_writer(tmp_path):
    """The probe sees imports at all: `-o report.xlsx` needs xlsxwriter, the table does not."""
    args = ("check", "examples/school", "--as-of", "2025-01-31")
    assert "xlsxwriter" in imported(tmp_path, *args, "-o", str(tmp_path / "report.xlsx"))
    assert "xlsxwriter" not in imported(tmp_path, *args)


def test_a_command_that_reads_rules_still_gets_them_from_the_cache(tmp_path):
    """The probe sees the difference: `show` lists an article's rules, so it rebuilds them."""
    modules = imported(tmp_path, "show", "四", "--as-of", "2025-03-01", whole=True)
    assert "rulekit.dsl.ast" in modules and "rulekit.policy.rule" in modules
    assert "lark" not in modules  # rebuilt from the cache, not parsed


def test_the_cache_without_rules_is_the_policy_with_rules_left_out(tmp_path, monkeypatch):
    from rulekit.policy import cache
    from rulekit.policy.load import load_policy, require_history

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    policy = "policy/regulation.yaml"
    fresh = load_policy(policy).history
    require_history(policy)  # a miss: writes the entry
    key = cache.key_of(policy, Path(policy).read_bytes())
    full, without = cache.load(key), cache.load(key, rules=False)
    assert full == fresh and all(p.rules for p in full.versions)
    assert [p.rules for p in without.versions] == [()] * len(fresh.versions)
    assert without == replace(fresh, versions=tuple(replace(p, rules=()) for p in fresh.versions))
    assert [p.records for p in without.versions] == [p.records for p in fresh.versions]
    assert require_history(policy, rules=False) == without


def test_plain_text_is_measured_as_wcwidth_measures_it():
    """display_width counts printable ASCII, ✓, ✗, CJK ideographs, CJK punctuation and fullwidth
    forms itself (so that drawing a `who` answer needs no wcwidth): each of them as wcwidth does,
    and text mixing them as wcswidth does; any other text is still wcwidth's to measure."""
    from wcwidth import wcswidth, wcwidth

    from rulekit.diagnostics import _plain_width, display_width

    plain = [chr(c) for c in range(0x110000) if _plain_width(chr(c)) is not None]
    assert len(plain) > 20000 and "課" in plain and "、" in plain and "✓" in plain
    assert [c for c in plain if _plain_width(c) != wcwidth(c)] == []
    rng = random.Random(17)
    for _ in range(500):
        text = "".join(rng.choice(plain) for _ in range(rng.randrange(1, 12)))
        assert display_width(text) == wcswidth(text), text
    for text in ("e\u0301", "\u302a課", "😀", "a\tb", "\u200b", "ﾊﾝｶｸ", "\u3000\u303f"):
        assert _plain_width(text) is None
        width = wcswidth(text)  # a control character makes it -1: then it is left out
        assert display_width(text) == (width if width >= 0 else wcswidth("".join(c for c in text if wcwidth(c) >= 0)))
