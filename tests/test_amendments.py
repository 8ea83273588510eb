"""Amendments as dated data (docs/amendments.md, policy/history.py, `rulekit amend`).

The policy file keeps its history: a dated value holds each amendment's value, a list
entry may be in force `since`/`until` an amendment, every date stays answerable, and
every existing test case keeps its meaning after an amendment.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.calendar import to_roc
from rulekit.cli import main
from rulekit.policy import load_policy
from rulekit.policy.history import snapshot
from rulekit.policy.load import load_policy_text
from rulekit.policy.versions import version_on
from rulekit.sourceyaml import load_text

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy" / "regulation.yaml"
SCHOOL = ROOT / "examples" / "school"
EXAMPLE = ROOT / "examples" / "amendment"
ON = "114.01.17"


def run(*args, cwd=None):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the policy and its test cases, as an editor would amend on a branch."""
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    return tmp_path / "policy" / "regulation.yaml"


def amend(policy: Path, *args) -> object:
    return run("amend", "--policy", policy, "--on", ON, "--meeting", "113學年度第2次校務會議", *args)


def outcomes_file(tmp: Path, semester: str, n: int, day: str) -> Path:
    records = {
        "students": [{"id": "S001", "name": "王小明", "national_id": "A123456789", "grade": 2, "class": "201",
                      "enrolled_on": "112.08.30"}],
        "course_outcomes": [{"id": f"O{i}", "student": "S001", "course": "C001", "semester": semester,
                             "kind": "書面報告", "uploaded_on": day} for i in range(n)],
    }
    path = tmp / f"records-{semester}-{n}.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    return path


def quota_results(policy: Path, records: Path, as_of: str) -> list[dict]:
    result = run("check", records, "--policy", policy, "--as-of", as_of, "--rule", "course-outcome-quota",
                 "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["results"]


# ------------------------------------------------------------------ the editor's whole loop

def test_the_amendment_loop_of_the_issue(copy, tmp_path):
    before_text = copy.read_text(encoding="utf-8")
    result = amend(copy, "--set", "course_outcome_quota=8")
    assert result.exit_code == 0, result.output
    text = copy.read_text(encoding="utf-8")
    assert "至多八件" in text and "至多六件" in text  # both texts kept: one file, its history

    # the old limit is still tested, the new one is not: --strict says so, located at the value
    strict = run("validate", "--strict", copy)
    assert strict.exit_code == 1
    assert "error[untested-amendment]" in strict.output and "course_outcome_quota" in strict.output

    # every case that passed before still passes: each is judged under the text of its own date
    assert run("test", "--policy", copy, copy.parent / "tests").exit_code == 0

    # cases at the new limit, for a semester that began after the amendment
    new_cases = (EXAMPLE / "tests" / "amended.yaml").read_text(encoding="utf-8")
    keep = new_cases.split("  - name: 修正後確認期間五日")[0]  # the quota cases only
    (copy.parent / "tests" / "amended.yaml").write_text(keep, encoding="utf-8")
    assert run("validate", "--strict", copy).exit_code == 0
    tested = run("test", "--policy", copy, copy.parent / "tests")
    assert tested.exit_code == 0 and tested.stdout.rstrip().endswith("88 passed, 0 failed"), tested.stdout

    # the example school's 113-1 quota is still judged at six
    school = run("check", SCHOOL, "--policy", copy, "--as-of", "2025-03-31", "--rule", "course-outcome-quota",
                 "--format", "json")
    fails = [r for r in json.loads(school.stdout)["results"] if r["status"] == "fail"]
    assert [r["subject"]["semester"] for r in fails] == ["113-1"] and "超過 6 件" in fails[0]["message"]

    # a semester that began after it: eight pass, nine fail
    eight = quota_results(copy, outcomes_file(tmp_path, "113-2", 8, "114.03.10"), "114.07.31")
    nine = quota_results(copy, outcomes_file(tmp_path, "113-2", 9, "114.03.10"), "114.07.31")
    assert [r["status"] for r in eight] == ["pass"] and [r["status"] for r in nine] == ["fail"]
    assert "超過 8 件" in nine[0]["message"] and nine[0]["in_force_since"] == ON

    # the 對照表 of one file at two dates: 至多六件 → 至多八件, 說明 in Chinese only
    md = run("diff", "--from", "113.01.19", "--to", ON, copy, "--format", "markdown")
    assert md.exit_code == 0, md.output
    assert "至多<u>八</u>件" in md.stdout and "至多<u>六</u>件" in md.stdout
    notes = [line.rsplit(" | ", 1)[-1] for line in md.stdout.splitlines() if line.startswith("| 四")]
    assert notes and not any(re.search(r"[A-Za-z_]{2,}", re.sub(r"</?\w+>", "", n)) for n in notes), notes

    # everything the amendment did not touch is as it was, comments included
    removed = set(before_text.splitlines()) - set(text.splitlines())
    assert all(("至多六件" in line or "value: 6" in line) for line in removed), removed
    assert [c for c in before_text.splitlines() if c.lstrip().startswith("#")] == \
        [c for c in text.splitlines() if c.lstrip().startswith("#")]


def test_a_check_spanning_the_amendment_judges_each_semester_by_its_own_text(copy, tmp_path):
    assert amend(copy, "--set", "course_outcome_quota=8").exit_code == 0
    records = {
        "students": [{"id": "S001", "name": "王小明", "national_id": "A123456789", "grade": 2, "class": "201",
                      "enrolled_on": "112.08.30"}],
        "course_outcomes": [{"id": f"{s}-{i}", "student": "S001", "course": "C001", "semester": s,
                             "kind": "書面報告", "uploaded_on": day}
                            for s, day in (("113-1", "113.10.01"), ("113-2", "114.03.10")) for i in range(7)],
    }
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    results = {r["subject"]["semester"]: r for r in quota_results(copy, path, "114.07.31")}
    assert (results["113-1"]["status"], results["113-1"]["in_force_since"]) == ("fail", "113.01.19")
    assert (results["113-2"]["status"], results["113-2"]["in_force_since"]) == ("pass", ON)
    table = run("check", path, "--policy", copy, "--as-of", "114.07.31", "--rule", "course-outcome-quota")
    heading = table.stdout.replace("\n", " ")  # the heading wraps to the terminal's width
    assert "under the text in force since 113.01.19" in heading and f"in force since {ON}" in heading


def test_as_of_answers_from_the_text_in_force_then(copy):
    assert amend(copy, "--set", "course_outcome_quota=8").exit_code == 0
    before = run("show", "四.(三)", "--policy", copy, "--as-of", "113.12.31")
    after = run("show", "四.(三)", "--policy", copy, "--as-of", ON)
    assert "至多六件" in before.stdout and "至多八件" not in before.stdout
    assert "至多八件" in after.stdout
    refused = run("show", "四.(三)", "--policy", copy, "--as-of", "113.01.18")
    assert refused.exit_code == 2 and "error[not-encoded]" in refused.stderr
    for command in (["who", "課程認證"], ["duties", "註冊組長"]):
        assert run(*command, "--policy", copy, "--as-of", "113.06.01").exit_code == 0
        assert run(*command, "--policy", copy, "--as-of", "113.01.18").exit_code == 2


def test_amend_rewrites_a_duration_the_way_the_text_writes_it(copy):
    result = amend(copy, "--set", "confirmation_period_min=5 days")
    assert result.exit_code == 0, result.output
    new = version_on(load_policy(str(copy)).history, dt.date(2025, 1, 17))
    assert "不得少於五日" in new.provisions["四.段2"].text
    assert new.parameters["confirmation_period_min"].value == 5


@pytest.mark.parametrize("args, code, words", [
    (["--set", "course_outcom_quota=8"], "unknown-parameter", "did you mean course_outcome_quota?"),
    (["--set", "course_outcome_quota=六"], "no-change", "it is 6 already"),
    (["--set", "course_outcome_quota=many"], "bad-value", "not a number"),
    (["--set", "confirmation_period_min=5 weeks"], "bad-value", "counted in days"),
    (["--set", "certification_frequency=2"], "wording-not-found", "cannot find 1"),
    (["--set", "course_outcome_quota"], "usage", "expected NAME=VALUE"),
    (["--text", "四.(九)=新的文字"], "unknown-citation", "no provision of that id"),
    ([], "amend", "nothing to amend"),
])
def test_amend_refuses_what_it_cannot_do_and_writes_nothing(copy, args, code, words):
    before = copy.read_bytes()
    result = amend(copy, *args)
    assert result.exit_code == 2, result.output
    assert f"error[{code}]" in result.stderr and words in result.stderr, result.stderr
    assert copy.read_bytes() == before


def test_dry_run_prints_the_table_and_writes_nothing(copy, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that the changed words stay on one line
    before = copy.read_bytes()
    result = amend(copy, "--set", "course_outcome_quota=8", "--dry-run")
    assert result.exit_code == 0 and "至多[八]件" in result.stdout and "(dry run" in result.stdout
    assert copy.read_bytes() == before


def test_amendments_come_in_date_order(copy):
    assert amend(copy, "--set", "course_outcome_quota=8").exit_code == 0
    late = run("amend", "--policy", copy, "--on", "113.12.01", "--set", "course_outcome_quota=9")
    assert late.exit_code == 2 and "error[amend-order]" in late.stderr
    again = run("amend", "--policy", copy, "--on", "114.08.01", "--set", "course_outcome_quota=9")
    assert again.exit_code == 0, again.output
    history = load_policy(str(copy)).history
    assert [p.parameters["course_outcome_quota"].value for p in history.versions] == [6, 8, 9]
    assert "至多九件" in version_on(history, dt.date(2025, 8, 1)).provisions["四.(三)"].text


# ------------------------------------------------------------------ text and value agree

def test_changing_only_the_value_of_a_quoted_parameter_is_an_error(tmp_path):
    text = POLICY.read_text(encoding="utf-8").replace(
        "  course_outcome_quota:\n    type: count\n    value: 6", "  course_outcome_quota:\n    type: count\n    value: 8")
    assert "value: 8" in text
    path = tmp_path / "regulation.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 1
    assert "error[quote-disagrees]" in result.stdout and "「至多六件」 says 六 (6)" in result.stdout


def test_a_literal_number_that_repeats_a_parameter_is_a_warning(tmp_path):
    text = POLICY.read_text(encoding="utf-8").replace("至多{param.course_outcome_quota:zh}件", "至多六件")
    path = tmp_path / "regulation.yaml"
    path.write_text(text, encoding="utf-8")
    found = [d for d in load_policy(str(path)).diagnostics if d.code == "literal-number"]
    assert len(found) == 1 and "param.course_outcome_quota" in found[0].message
    assert "{param.course_outcome_quota:zh}件" in found[0].hint


def test_titles_take_their_numbers_from_the_parameters():
    rule = next(r for r in load_policy(str(POLICY)).policy.rules if r.id == "course-outcome-quota")
    assert rule.title["zh"] == "課程學習成果每學期至多六件"
    assert rule.title["en"] == "At most 6 course outcomes per student per semester"


# ------------------------------------------------------------------ dated values, by hand

HEAD = """format: rulekit/policy@1
metadata: {title: 測試規定, school: 測試高中}
amendments:
  - {date: "113.01.19", kind: 增訂}
  - {date: "114.01.17", kind: 修正}
organization:
  offices: {教務處: {en: Academic Affairs}}
  sections: {}
  roles: {教務主任: {en: Dean, unit: 教務處}}
articles:
  - id: 一
    text: TEXT
"""


def policy_text(article_text: str, extra: str = "") -> str:
    return HEAD.replace("TEXT", article_text) + extra


def test_a_dated_text_gives_each_version_its_words():
    loaded = load_policy_text(policy_text('{"113.01.19": "舊文字", "114.01.17": "新文字"}'), "p.yaml")
    assert loaded.ok, [d.headline() for d in loaded.diagnostics]
    assert [p.provisions["一"].text for p in loaded.history.versions] == ["舊文字", "新文字"]
    assert version_on(loaded.history, dt.date(2025, 1, 16)).provisions["一"].text == "舊文字"
    assert version_on(loaded.history, dt.date(2025, 1, 17)).provisions["一"].text == "新文字"


@pytest.mark.parametrize("value, code, line", [
    ('{"113.01.19": "舊", "114.02.01": "新"}', "unknown-amendment-date", 12),
    ('{"113.01.19": "舊", "113/1/19": "新"}', "duplicate-date", 12),
])
def test_history_findings_are_located(value, code, line):
    loaded = load_policy_text(policy_text(value), "p.yaml")
    found = [d for d in loaded.diagnostics if d.code == code]
    assert found and (found[0].span.line, found[0].span.column) == (line, 30), [d.headline() for d in loaded.diagnostics]


def test_a_date_before_the_encoded_text_is_an_error():
    text = policy_text('{"113.01.19": "舊", "114.01.17": "新"}').replace(
        "metadata: {title: 測試規定, school: 測試高中}",
        'metadata: {title: 測試規定, school: 測試高中, encoded_from: "114.01.17"}')
    found = [d.code for d in load_policy_text(text, "p.yaml").diagnostics]
    assert "before-encoded-text" in found


def test_an_error_in_an_old_version_points_at_its_line():
    text = policy_text("文字", """parameters:
  quota:
    type: count
    unit: 件
    bound: at_most
    citation: 一
    quote: 文字
    value: {"113.01.19": "six", "114.01.17": 8}
""")
    loaded = load_policy_text(text, "p.yaml")
    bad = [d for d in loaded.diagnostics if d.is_error]
    # only the 113.01.19 version is wrong, and the finding is at the value written for it
    assert [(d.code, d.span.line, d.span.column) for d in bad] == [("wrong-type", 20, 26)], \
        [d.headline() for d in bad]


def test_a_list_entry_is_there_only_in_its_period():
    text = policy_text("文字", """rules:
  - id: new-rule
    citation: 一
    since: "114.01.17"
    for_each: {student: students}
    assert: true
""").replace("school: 測試高中}", 'school: 測試高中, encoded_from: "113.01.19"}')
    loaded = load_policy_text(text, "p.yaml")
    assert loaded.ok, [d.headline() for d in loaded.diagnostics]
    assert [[r.id for r in p.rules] for p in loaded.history.versions] == [[], ["new-rule"]]


ROC_DAYS = st.dates(dt.date(2024, 1, 19), dt.date(2030, 12, 31))


@settings(max_examples=60, deadline=None)
@given(days=st.lists(ROC_DAYS, min_size=1, max_size=5, unique=True), values=st.data(), ask=ROC_DAYS)
def test_a_dated_value_is_the_one_under_the_latest_date_on_or_before_the_day(days, values, ask):
    days = sorted(days)
    chosen = {d: values.draw(st.one_of(st.none(), st.integers(0, 99)), label=str(d)) for d in days}
    body = "{" + ", ".join(f'"{to_roc(d)}": {"null" if v is None else v}' for d, v in chosen.items()) + "}"
    doc = load_text(f"x: {body}\n", "p.yaml")
    got = snapshot(doc, ask).data.get("x", "absent")
    # the oracle: walk the dates one by one
    expected = "absent"
    for d in days:
        if d <= ask:
            expected = "absent" if chosen[d] is None else chosen[d]
    assert got == expected


# ------------------------------------------------------------------ policy test cases

def test_a_refused_default_date_is_one_error_not_two(tmp_path):
    cases = tmp_path / "tests"
    cases.mkdir()
    (cases / "c.yaml").write_text("""defaults:
  as_of: "112.01.01"
cases:
  - name: 一個案例
    expect:
      results:
        - {rule: course-outcome-quota, status: pass}
""", encoding="utf-8")
    result = run("test", "--policy", POLICY, cases)
    assert result.exit_code == 1
    assert "error[not-encoded]" in result.output and "error[refused-default]" in result.output
    assert "needs `as_of`" not in result.output  # the contradictory second error is gone


# ------------------------------------------------------------------ the shipped example

def test_the_example_amendment_is_current(tmp_path):
    """examples/amendment/ is what make_example.py makes from today's policy/."""
    out = tmp_path / "example"
    subprocess.run([sys.executable, str(EXAMPLE / "make_example.py"), str(out)], check=True)
    for made in sorted(p for p in out.rglob("*") if p.is_file()):
        shipped = EXAMPLE / made.relative_to(out)
        assert shipped.read_bytes() == made.read_bytes(), f"run python examples/amendment/make_example.py ({shipped})"


def test_the_example_amendment_validates_and_its_cases_pass():
    assert run("validate", "--strict", EXAMPLE / "regulation.yaml").exit_code == 0
    result = run("test", "--policy", EXAMPLE / "regulation.yaml", EXAMPLE / "tests")
    assert result.exit_code == 0, result.stdout
