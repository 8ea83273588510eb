"""Traditional Chinese by default, English on request (docs/i18n.md).

The catalogue is checked against the source (every message the code marks has a zh_TW
translation with the same placeholders, and the shipped .mo is the .po compiled); the
CLI is checked for the language it speaks (default, --lang, RULEKIT_LANG, an unknown
language); the golden files, which hold the default output, are scanned for English.
"""
from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from rulekit import i18n
from rulekit.calendar.durations import Duration
from rulekit.cli import main
from rulekit.diagnostics import display_width
from rulekit.evaluator.values import display
from rulekit.i18n import catalog

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
SCHOOL = str(ROOT / "examples" / "school")
GOLDEN = ROOT / "tests" / "golden"
AS_OF = "2025-02-01"


@pytest.fixture(autouse=True)
def _fresh_language():
    i18n.set_language(None)
    yield
    i18n.set_language(None)


def invoke(*args, env=None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    return result


# ------------------------------------------------------------------ the catalogue

def test_every_message_in_the_source_has_a_zh_tw_translation():
    """Extracted from the source with Babel, as `python -m rulekit.i18n.catalog update` does:
    a message added without a translation fails here, by name."""
    missing = catalog.missing("zh_TW")
    assert not missing, ("messages without a zh_TW translation (run `python -m rulekit.i18n.catalog update`, "
                         "translate them in " + str(catalog.po_path("zh_TW")) + "):\n"
                         + "\n".join(f"  {m!r}" for m in missing))


def test_translations_keep_the_placeholders_of_their_message():
    bad = catalog.placeholder_mismatches("zh_TW")
    assert not bad, "translations whose {placeholders} differ from the message's:\n" + "\n".join(bad)


def test_placeholder_reader_on_known_messages():
    assert catalog.fields("{path} is {size:>5} bytes, {n!r}") == {"path", "size", "n"}
    assert catalog.fields("write }} for a literal brace") == set()
    assert catalog.fields("e.g. {{task: {task}}}") == {"task"}


def test_shipped_mo_is_the_po_compiled():
    """The .mo the package ships is what the .po says now (not a stale compile)."""
    po = catalog.load("zh_TW")
    shipped = gettext.GNUTranslations(io.BytesIO(catalog.mo_path("zh_TW").read_bytes()))
    fresh = gettext.GNUTranslations(io.BytesIO(catalog.compile_bytes(po)))
    # the header ("" entry) names the Babel that wrote it; the messages are what must agree
    assert {k: v for k, v in shipped._catalog.items() if k != ""} == {k: v for k, v in fresh._catalog.items() if k != ""}
    assert shipped.plural(5) == fresh.plural(5) == 0  # zh_TW: one form
    translated = [m for m in po if m.id and m.string and not m.fuzzy]
    assert len(translated) > 500  # the catalogue is the whole program's, not a sample


def test_the_runtime_reads_the_catalogue_with_the_standard_library_only():
    zh = i18n.translations("zh_TW")
    assert isinstance(zh, gettext.GNUTranslations)
    assert zh.gettext("{shown} is not a recognised date") == "{shown} 不是可辨識的日期"
    assert zh.ngettext("{n} day", "{n} days", 5) == "{n} 日"


# ------------------------------------------------------------------ choosing the language

@pytest.mark.parametrize("spelling", ["zh", "zh-TW", "zh_TW", "ZH-tw", " zh-Hant "])
def test_chinese_spellings(spelling):
    assert i18n.normalize_language(spelling) == "zh_TW"


@pytest.mark.parametrize("spelling", ["en", "EN", "en-US", "en_GB"])
def test_english_spellings(spelling):
    assert i18n.normalize_language(spelling) == "en"


@given(st.text(max_size=12).filter(lambda s: s.strip().lower() not in {
    "zh", "zh-tw", "zh_tw", "zh-hant", "zh-hant-tw", "en", "en-us", "en_us", "en-gb", "en_gb"}))
def test_anything_else_is_an_unknown_language(value):
    with pytest.raises(i18n.UnknownLanguage):
        i18n.normalize_language(value)


def test_default_is_chinese_and_the_environment_can_choose_english(monkeypatch):
    monkeypatch.delenv("RULEKIT_LANG", raising=False)
    assert i18n.language() == "zh_TW" and i18n._("pass") == "符合"
    monkeypatch.setenv("RULEKIT_LANG", "en")
    assert i18n.language() == "en" and i18n._("pass") == "pass"
    i18n.set_language("zh-TW")  # an explicit choice wins over the environment
    assert i18n._("pass") == "符合"


def test_durations_read_in_the_chosen_language(monkeypatch):
    monkeypatch.delenv("RULEKIT_LANG", raising=False)
    assert display(Duration(3, "days")) == "3 日"
    assert display(Duration(2, "weeks")) == "2 週"
    assert display(Duration(1, "months")) == "1 個月"
    i18n.set_language("en")
    assert display(Duration(1, "days")) == "1 day"
    assert display(Duration(3, "days")) == "3 days"
    assert display(Duration(5, "years")) == "5 years"


def test_policy_titles_follow_the_language(monkeypatch):
    from rulekit.policy.load import require_valid

    policy = require_valid(POLICY)
    bilingual = [r for r in policy.rules if isinstance(r.title, dict) and r.title.get("en") and r.title.get("zh")]
    assert bilingual, "the shipped policy has rules titled {zh: ..., en: ...}"
    rule = bilingual[0]
    monkeypatch.delenv("RULEKIT_LANG", raising=False)
    assert rule.title_text() == rule.title["zh"]
    i18n.set_language("en")
    assert rule.title_text() == rule.title["en"]


# records dated after --as-of are set aside with a warning, counted as a record finding
SUMMARY_ZH = re.compile(r"^不符合 \d+,尚未到期 \d+,符合 \d+,不適用 \d+(,資料問題 \d+)?$", re.M)
SUMMARY_EN = re.compile(r"^\d+ fail, \d+ pending, \d+ pass, \d+ not applicable(, \d+ record findings?)?$", re.M)


def test_cli_speaks_chinese_by_default():
    result = invoke("check", SCHOOL, "--as-of", AS_OF, "--policy", POLICY, env={"RULEKIT_LANG": None})
    assert result.exit_code == 1
    assert SUMMARY_ZH.search(result.stdout) and not SUMMARY_EN.search(result.stdout)
    assert "規則" in result.stdout and "不符合" in result.stdout and "檢核日 2025-02-01" in result.stdout


@pytest.mark.parametrize("args, env", [
    (["--lang", "en", "check"], {"RULEKIT_LANG": None}),           # on the group
    (["check", "--lang", "en"], {"RULEKIT_LANG": None}),           # on the command
    (["check"], {"RULEKIT_LANG": "en"}),                           # from the environment
    (["--lang", "zh", "check", "--lang", "en"], {"RULEKIT_LANG": None}),  # the command's own wins
])
def test_cli_speaks_english_on_request(args, env):
    result = invoke(*args, SCHOOL, "--as-of", AS_OF, "--policy", POLICY, env=env)
    assert result.exit_code == 1
    assert SUMMARY_EN.search(result.stdout) and not SUMMARY_ZH.search(result.stdout)
    assert "as of 2025-02-01" in result.stdout


def test_lang_zh_over_an_english_environment():
    result = invoke("--lang", "zh-TW", "check", SCHOOL, "--as-of", AS_OF, "--policy", POLICY,
                    env={"RULEKIT_LANG": "en"})
    assert SUMMARY_ZH.search(result.stdout)


def test_one_invocation_does_not_leave_its_language_to_the_next():
    first = invoke("--lang", "en", "check", SCHOOL, "--as-of", AS_OF, "--policy", POLICY, env={"RULEKIT_LANG": None})
    second = invoke("check", SCHOOL, "--as-of", AS_OF, "--policy", POLICY, env={"RULEKIT_LANG": None})
    assert SUMMARY_EN.search(first.stdout) and SUMMARY_ZH.search(second.stdout)


@pytest.mark.parametrize("args, env", [
    (["--lang", "fr", "check", SCHOOL], {}),
    (["check", SCHOOL, "--lang", "klingon"], {}),
    (["check", SCHOOL], {"RULEKIT_LANG": "de"}),
])
def test_an_unknown_language_is_a_clean_usage_error(args, env):
    result = invoke(*args, env=env)
    assert result.exit_code == 2
    assert "zh-TW, en" in result.output and "Traceback" not in result.output


def test_help_follows_the_language():
    zh = invoke("check", "--help", env={"RULEKIT_LANG": None})
    en = invoke("--lang", "en", "check", "--help")
    assert "檢核日期" in zh.output and "Evaluation date" not in zh.output
    assert "Evaluation date" in en.output and "檢核日期" not in en.output
    group = invoke("--lang", "en", "--help")
    assert "a school regulation as data" in group.output


def _codes(text: str) -> list[tuple[str, str]]:
    """What CI and docs match on: the place (FILE:LINE:COL; a CSV's `row N` is worded in the
    language) and the severity[code] of every finding."""
    return [(re.sub(r":(row \d+|第 \d+ 列)$", ":ROW", place), code)
            for place, code in re.findall(r"^(.*?): ((?:error|warning)\[[\w-]+\])", text, re.M)]


def test_error_codes_and_places_are_the_same_in_both_languages(tmp_path):
    (tmp_path / "students.csv").write_text("id,name,class\nS1,王,101\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text((GOLDEN / "dsl" / "type_errors.yaml").read_text("utf-8"), encoding="utf-8")
    for args in (["check", "--as-of", "2024/99/99", SCHOOL], ["validate", str(bad)]):
        zh = invoke(*args, env={"RULEKIT_LANG": None})
        en = invoke(*args, "--lang", "en")
        assert zh.exit_code == en.exit_code != 0
        zh_codes, en_codes = _codes(zh.output), _codes(en.output)
        assert zh_codes and zh_codes == en_codes
        assert zh.output != en.output  # and the messages around them are not the same words


# ------------------------------------------------------------------ the golden files are Chinese

CODE = re.compile(r"\b(?:error|warning)\[[\w-]+\]")
PATH = re.compile(r"[\w./<>~-]*\.(?:yaml|yml|csv|jsonl?|md|txt)\b")
TAG = re.compile(r"</?\w+/?>")  # <br> in a Markdown cell
# an English word: letters only, not part of an id (CO001, S001) or of a kebab-case rule id
WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z_]*[A-Za-z](?![\w-])")
# the DSL's own words (types, literals, keywords) and the two severities a rule may declare
DSL_WORDS = {"int", "string", "bool", "date", "duration", "semester", "academic_year", "record", "list",
             "null", "true", "false", "error", "warning"}


def _vocabulary() -> set[str]:
    """Words that may stay English in Chinese output: data the output is about. From the
    policies, the values (rule ids, DSL expressions, field names), not the keys (which
    include status names like fail and pending) nor the `en:` translations of names; from
    the golden inputs, keys and values (a misspelt key is quoted back)."""
    words: set[str] = set(DSL_WORDS)

    def walk(node, keys: bool):
        if isinstance(node, dict):
            for k, v in node.items():
                if keys:
                    words.update(WORD.findall(str(k)))
                if k != "en":
                    walk(v, keys)
        elif isinstance(node, list):
            for v in node:
                walk(v, keys)
        elif isinstance(node, str):
            words.update(WORD.findall(node))

    for path in (ROOT / "policy" / "regulation.yaml", ROOT / "examples" / "amendment" / "regulation.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        walk(data, keys=False)
        for section in ("parameters", "constants"):  # their names are ids, written as keys
            words.update(w for name in data.get(section) or {} for w in WORD.findall(str(name)))
    for path in GOLDEN.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text("utf-8")), keys=True)
    return words


def _english(text: str) -> set[str]:
    global VOCABULARY
    VOCABULARY = VOCABULARY or _vocabulary()
    found = set()
    for line in text.splitlines():
        if re.match(r"^\s+\d+ \| ", line) or line.startswith("loaded: "):
            continue  # a source line shown under its caret (the user's own text); the golden test's own footer
        rest = TAG.sub(" ", PATH.sub(" ", CODE.sub(" ", line)))
        found.update(w for w in WORD.findall(rest) if w not in VOCABULARY)
    return found


VOCABULARY = None
GOLDEN_ZH = sorted(p for p in GOLDEN.rglob("*") if p.is_file() and p.suffix != ".yaml" and ".en." not in p.name)


@pytest.mark.parametrize("path", GOLDEN_ZH, ids=[str(p.relative_to(GOLDEN)) for p in GOLDEN_ZH])
def test_golden_output_has_no_english_outside_codes_ids_paths_and_policy_data(path):
    english = _english(path.read_text("utf-8"))
    assert not english, f"English words in the zh-TW output {path.name}: {sorted(english)}"


def test_the_scan_finds_english():
    """The scan above is not vacuous: the English variants of the same outputs are caught."""
    assert {"pending", "subject", "applicable"} <= _english((GOLDEN / "check" / "school.en.txt").read_text("utf-8"))
    assert {"unknown", "did", "mean"} <= _english((GOLDEN / "dsl" / "entry_errors.en.txt").read_text("utf-8"))


# ------------------------------------------------------------------ Chinese tables still align

def _cells(line: str) -> list[str]:
    """The line as terminal columns: a wide character fills two."""
    out = []
    for ch in line:
        out.extend([ch] + [""] * (display_width(ch) - 1))
    return out


def test_chinese_tables_align_by_display_width():
    result = invoke("check", SCHOOL, "--as-of", AS_OF, "--policy", POLICY, env={"RULEKIT_LANG": None})
    lines = result.stdout.splitlines()
    checked = 0
    for i, line in enumerate(lines):
        if not re.fullmatch(r"-+(  -+)+", line):
            continue
        starts = [m.start() for m in re.finditer(r"-+", line)][1:]
        block = [lines[i - 1]]
        for row in lines[i + 1:]:
            if not row.strip() or row.startswith("…"):  # the end of the table, or the line counting rows left out
                break
            block.append(row)
        for text in block:  # every column starts after a two-column gap, in the header and every row
            cells = _cells(text)
            for start in starts:
                assert cells[start - 2:start] == [" ", " "], (line, text)
        checked += 1
    assert checked >= 5
