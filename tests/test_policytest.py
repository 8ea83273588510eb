"""Policy test cases (policy/tests/*.yaml), `rulekit test`, and `validate --strict` / `--format github`.

The shipped cases must pass; an amendment that changes an answer (quota 6 -> 7, the
課程認證 chain reordered) must fail them with the case, the article and expected vs
actual; case files with mistakes give located findings with suggestions.
"""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli import main
from rulekit.policy import load_policy
from rulekit.policytest import (CONFLICT_CODE, load_case_file, run_paths, strict_findings, untested_rules,
                                validate_exit_code)

ROOT = Path(__file__).resolve().parents[1]
POLICY_PATH = ROOT / "policy" / "regulation.yaml"
TESTS_DIR = ROOT / "policy" / "tests"
LOADED = load_policy(str(POLICY_PATH))
POLICY = LOADED.policy
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def cli(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result


def copy_policy(tmp_path: Path, edit=None) -> tuple[Path, Path]:
    """policy/ (regulation and tests) copied to tmp_path, the regulation's text edited by `edit`."""
    folder = tmp_path / "policy"
    shutil.copytree(TESTS_DIR, folder / "tests")
    text = POLICY_PATH.read_text(encoding="utf-8")
    if edit:
        text = edit(text)
    (folder / "regulation.yaml").write_text(text, encoding="utf-8")
    return folder / "regulation.yaml", folder / "tests"


def replace_once(old: str, new: str):
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        return text.replace(old, new)
    return edit


def quota_seven(text: str) -> str:
    """The quota of 四.(三) amended to seven: its value, and the words of the article and quote with it."""
    text = replace_once("    value: 6\n", "    value: 7\n")(text)
    assert text.count("至多六件") == 2  # the article and the parameter's quote
    return text.replace("至多六件", "至多七件")


def write_cases(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    return hits[nth - 1]


# ------------------------------------------------------------------ the shipped cases

@pytest.fixture(scope="module")
def shipped_run():
    return run_paths(POLICY, [str(TESTS_DIR)], LOADED.document)


def test_shipped_cases_pass(shipped_run):
    bad = [(r.file, r.line, r.name, r.status, [v.actual for v in r.failures], [d.headline() for d in r.diagnostics])
           for r in shipped_run.results if r.status != "passed"]
    assert bad == []
    assert shipped_run.passed == len(shipped_run.results) >= 60


def test_cli_on_shipped_cases_ends_with_the_summary_line(shipped_run):
    result = cli("test", TESTS_DIR, "--policy", POLICY_PATH)
    assert result.exit_code == 0, result.output
    last = result.output.splitlines()[-1]
    assert last == f"{len(shipped_run.results)} passed, 0 failed"
    assert SUMMARY.match(last)


def test_every_rule_has_a_passing_and_a_failing_case(shipped_run):
    cov = shipped_run.coverage()
    assert cov.untested_rules == ()
    assert set(cov.rules) == {r.id for r in POLICY.rules}
    for rid, info in cov.rules.items():
        assert "pass" in info["statuses"], rid
        if rid == "confirmation-state":  # 四.段4 deems a silent student to have confirmed: it cannot fail
            assert {"pending", "not_applicable"} <= set(info["statuses"])
        else:
            assert "fail" in info["statuses"], rid


def test_every_chain_with_its_primary_present_and_absent(shipped_run):
    chains = shipped_run.coverage().chains
    assert set(chains) == set(POLICY.substitutes.chains)
    assert all(n["present"] and n["absent"] for n in chains.values()), chains


def test_every_encoded_citation_is_exercised(shipped_run):
    cov = shipped_run.coverage()
    assert cov.unexercised_citations == ()
    for c in ("七.(一)", "七.(二).1", "七.(二).2", "七.(三)", "四.(三)", "附表.14"):
        assert cov.citations[c] >= 1, c


def test_teacher_provisions_both_ways_with_records(shipped_run):
    by_name = {r.name: r for r in shipped_run.results}
    can = by_name["七.(二).2 離職教師仍可協助認證者仍由其認證"].verdicts[0]
    cannot = by_name["七.(二).1 離職教師無法協助認證者由代理人認證"].verdicts[0]
    assert can.ok and "任課教師(周俊傑 (T002)) via primary" in can.actual and "七.(二).2" in can.citations
    assert cannot.ok and "教學組長(黃雅婷 (B001)) via substitute" in cannot.actual and "七.(二).1" in cannot.citations


def test_handover_of_a_person_with_several_roles(shipped_run):
    [r] = [r for r in shipped_run.results if r.name == "身兼註冊組長與任課教師者離職的交接"]
    [v] = r.verdicts
    assert v.ok and v.kind == "handover"
    assert "課程認證 (primary 任課教師) → 教學組長" in v.actual and "校管理者 (primary 註冊組長) → 教務主任" in v.actual


def test_coverage_lists_every_rule_as_exercised():
    result = cli("test", TESTS_DIR, "--policy", POLICY_PATH, "--coverage")
    assert result.exit_code == 0
    out = result.output
    n = len(POLICY.rules)
    assert f"rules: {n}/{n} exercised by a case" in out
    for rule in POLICY.rules:
        assert re.search(rf"^    {re.escape(rule.id)} .*pass", out, re.M), rule.id
    assert "not exercised: none" in out
    assert SUMMARY.match(out.splitlines()[-1])


def test_coverage_names_what_is_not_exercised(tmp_path):
    cases = write_cases(tmp_path, """
cases:
  - name: only the quota
    as_of: "114.02.15"
    expect:
      results:
        - {rule: course-outcome-quota, status: pass}
""")
    result = cli("test", cases, "--policy", POLICY_PATH, "--coverage", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1  # no outcome: the quota rule reports nothing, so the case fails
    cov = data["coverage"]
    assert "course-outcome-certified" in cov["untested_rules"] and "七.(二).1" in cov["unexercised_citations"]
    text = cli("test", cases, "--policy", POLICY_PATH, "--coverage").output
    assert "not exercised: rules " in text and "chains 校管理者 (present)" in text


# ------------------------------------------------------------------ amendments that change an answer

def test_quota_raised_to_seven_fails_the_quota_case(tmp_path):
    policy, tests = copy_policy(tmp_path, quota_seven)
    result = cli("test", tests, "--policy", policy)
    assert result.exit_code == 1
    out = result.output
    assert SUMMARY.match(out.splitlines()[-1]) and not out.splitlines()[-1].endswith(" 0 failed")
    quotas = tests / "quotas.yaml"
    case_line = line_of(quotas, "name: 課程學習成果七件超過上限")
    assert f"{quotas}:{case_line}: 課程學習成果七件超過上限" in out  # the case and where it is
    assert "[四.(三)] 課程學習成果:學生自主登錄" in out and "至多七件" in out  # the article
    assert "expected fail (不符合), message containing 「上傳 7 件」" in out
    assert "actual   S001 113-1: pass (符合) — S001 113-1 上傳 7 件" in out
    assert f"rule course-outcome-quota is at {policy}:" in out


def reorder_certification_chain(text: str) -> str:
    """課程認證: 教學組長 first. 七.(二) (teacher_provisions) only fits a chain led by 任課教師, so
    the amendment also drops it; left in, the policy is invalid (see the next test)."""
    text = replace_once("    課程認證: [任課教師, 教學組長]", "    課程認證: [教學組長, 任課教師]")(text)
    start = text.index("  teacher_provisions:\n")
    end = text.index("  student_provision:\n")
    return text[:start] + text[end:]


def test_chain_reordered_fails_the_certification_cases(tmp_path):
    policy, tests = copy_policy(tmp_path, reorder_certification_chain)
    result = cli("test", tests, "--policy", policy)
    assert result.exit_code == 1
    out = result.output
    people = tests / "people.yaml"
    case_line = line_of(people, "name: 任課教師不在由教學組長認證")
    assert f"{people}:{case_line}: 任課教師不在由教學組長認證" in out
    assert f"  {people}:{case_line + 3}: who 課程認證\n" in out
    assert "article  [七.(一)] 行政人員:由工作小組訂定代理人名單及代理順位等機制" in out
    assert "expected 任課教師 via primary\n    actual   教學組長 via primary" in out
    assert "expected 教學組長 via substitute\n    actual   教學組長 via primary" in out
    chain_line = line_of(policy, "課程認證: [教學組長, 任課教師]")
    assert f"note     chain 課程認證 (教學組長、任課教師) is at {policy}:{chain_line}" in out
    # the certification rule follows the chain too: its substitute is now 任課教師
    assert "代理人教學組長認證亦符合" in out and "七.(二).2 離職教師仍可協助認證者仍由其認證" in out
    last = out.splitlines()[-1]
    assert SUMMARY.match(last) and not last.endswith(" 0 failed")


def test_chain_reordered_without_adjusting_7_2_is_an_invalid_policy(tmp_path):
    policy, tests = copy_policy(tmp_path, replace_once("    課程認證: [任課教師, 教學組長]", "    課程認證: [教學組長, 任課教師]"))
    result = cli("test", tests, "--policy", policy)
    assert result.exit_code == 2  # the policy is unusable: no case ran
    assert "error[teacher-provision]" in result.output and " passed, " not in result.output


def test_broken_policy_in_json(tmp_path):
    policy, tests = copy_policy(tmp_path, quota_seven)
    data = json.loads(cli("test", tests, "--policy", policy, "--format", "json").stdout)
    assert data["summary"]["failed"] == 1 and data["summary"]["passed"] == data["summary"]["cases"] - 1
    [case] = [c for c in data["cases"] if c["status"] != "passed"]
    assert case["name"] == "課程學習成果七件超過上限" and case["status"] == "failed"
    bad = [e for e in case["expectations"] if not e["ok"]]
    assert {e["citation"] for e in bad} == {"四.(三)"}
    assert all("至多七件" in e["article"] and e["expected"].startswith("fail") for e in bad)


# ------------------------------------------------------------------ CI formats

def test_junit_shape(tmp_path):
    policy, tests = copy_policy(tmp_path, quota_seven)
    result = cli("test", tests, "--policy", policy, "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == len(list(tests.glob("*.yaml")))
    cases = root.findall("testsuite/testcase")
    assert int(root.get("tests")) == len(cases) == sum(int(s.get("tests")) for s in suites)
    assert root.get("failures") == "1" and root.get("errors") == "0"
    for s in suites:
        assert {"name", "tests", "failures", "errors", "time"} <= set(s.attrib)
    for c in cases:
        assert {"name", "classname", "time"} <= set(c.attrib)
        float(c.get("time"))
    [failed] = [c for c in cases if c.find("failure") is not None]
    assert failed.get("name") == "課程學習成果七件超過上限"
    assert failed.get("classname").endswith("policy.tests.quotas")
    assert failed.get("line") == str(line_of(tests / "quotas.yaml", "name: 課程學習成果七件超過上限"))
    failure = failed.find("failure")
    assert "expected fail" in failure.get("message") and "四.(三)" in failure.text


def test_junit_error_for_a_wrong_case(tmp_path):
    cases = write_cases(tmp_path, "cases:\n  - name: typo\n    expect:\n      who:\n        - {task: 課程認正, role: 教學組長}\n")
    root = ET.fromstring(cli("test", cases, "--policy", POLICY_PATH, "--format", "junit").stdout)
    [case] = root.iter("testcase")
    error = case.find("error")
    assert error is not None and error.get("type") == "unknown-task" and root.get("errors") == "1"


def test_github_annotations_carry_file_and_line(tmp_path):
    policy, tests = copy_policy(tmp_path, quota_seven)
    result = cli("test", tests, "--policy", policy, "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    errors = [l for l in lines if l.startswith("::error ")]
    assert errors
    quotas = tests / "quotas.yaml"
    for ann in errors:
        m = re.match(r"^::error file=([^,]+),line=(\d+),title=([^:]+)::(.*)$", ann)
        assert m, ann
        file, line = m.group(1), int(m.group(2))
        assert file == str(quotas)
        text = quotas.read_text(encoding="utf-8").splitlines()[line - 1]
        assert "course-outcome-quota" in text or "四.(三)" in text  # the failing expectation's own line
        assert m.group(3) == "rulekit test%3A 課程學習成果七件超過上限"
        assert "%0Aexpected: fail" in m.group(4) and "\n" not in m.group(4)
    assert SUMMARY.match(lines[-1])


def test_github_annotations_use_paths_relative_to_the_checkout(monkeypatch):
    from rulekit.report.github import annotation

    monkeypatch.chdir(ROOT)
    ann = annotation("error", "50% done\nnext", str(TESTS_DIR / "quotas.yaml"), 12, title="a: b, c")
    assert ann == "::error file=policy/tests/quotas.yaml,line=12,title=a%3A b%2C c::50%25 done%0Anext"


def test_validate_github_format_one_annotation_per_finding():
    from rulekit.policy.validate import validate_paths

    result = cli("validate", "--format", "github", POLICY_PATH)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    warnings = [l for l in lines if l.startswith("::warning ")]
    n = len(validate_paths([str(POLICY_PATH)]).diagnostics)
    assert len(warnings) == n > 0 and not any(l.startswith("::error") for l in lines)
    m = re.match(r"^::warning file=([^,]+),line=(\d+),", warnings[0])
    assert m and m.group(1).endswith("policy/regulation.yaml") and int(m.group(2)) > 0
    assert f"title=rulekit validate [{CONFLICT_CODE}]" in warnings[0]
    assert lines[-1].endswith(f"valid (0 errors, {n} warnings)")


def test_validate_github_format_errors(tmp_path):
    path = tmp_path / "regulation.yaml"
    path.write_text(POLICY_PATH.read_text(encoding="utf-8").replace("課程認證: [任課教師, 教學組長]",
                                                                    "課程認證: [任課教師, 教學組長x]"), encoding="utf-8")
    result = cli("validate", "--format", "github", path)
    assert result.exit_code == 1
    errors = [l for l in result.output.splitlines() if l.startswith("::error ")]
    assert errors and all(f"file={path}" in e for e in errors)
    line = line_of(path, "教學組長x]")
    assert any(f",line={line}," in e and "[unknown-role]" in e for e in errors)


# ------------------------------------------------------------------ validate --strict

def test_strict_passes_the_shipped_policy_with_its_conflict_warnings():
    result = cli("validate", "--strict", POLICY_PATH)
    assert result.exit_code == 0, result.output
    assert "untested-rule" not in result.output and "warning[known-conflict]" in result.output
    assert untested_rules(POLICY, str(TESTS_DIR)) == []


def test_strict_fails_on_a_rule_without_a_case(tmp_path):
    policy, tests = copy_policy(tmp_path)
    (tests / "quotas.yaml").unlink()  # the only cases of these rules
    only_there = {"working-group-seats", "working-group-member-seat", "course-outcome-quota", "multi-performance-quota"}
    expected = [r.id for r in POLICY.rules if r.id in only_there]
    assert [r.id for r in untested_rules(load_policy(str(policy)).policy, str(tests))] == expected
    assert cli("validate", policy).exit_code == 0  # without --strict, tests are not looked at
    result = cli("validate", "--strict", policy)
    assert result.exit_code == 1
    line = line_of(policy, "- id: course-outcome-quota")
    assert (f"{policy}:{line}:9: error[untested-rule] [course-outcome-quota]: rule course-outcome-quota (四.(三)) "
            f"has no test case in {tests}") in result.output
    assert "hint: add a case with `rule: course-outcome-quota` under expect: results:" in result.output
    from rulekit.policy.validate import validate_paths

    n = len(validate_paths([str(policy)]).diagnostics)
    assert result.output.splitlines()[-1] == f"{policy}: invalid ({len(expected)} errors, {n} warnings)"


def test_strict_skips_a_policy_without_a_tests_folder(tmp_path):
    path = tmp_path / "regulation.yaml"
    shutil.copy(POLICY_PATH, path)
    assert strict_findings(str(path)) == ([], {})
    assert cli("validate", "--strict", path).exit_code == 0


def test_strict_reports_broken_case_files(tmp_path):
    policy, tests = copy_policy(tmp_path)
    line = "    expect: {results: [{rule: course-outcome-quotta, status: fail}]}"
    bad = write_cases(tests, f"cases:\n  - name: x\n{line}\n", "zz-bad.yaml")
    result = cli("validate", "--strict", policy)
    assert result.exit_code == 1
    column = line.index("course-outcome-quotta") + 1
    assert f"{bad}:3:{column}: error[unknown-rule]: unknown rule course-outcome-quotta" in result.output
    assert "hint: did you mean course-outcome-quota?" in result.output


def test_warnings_as_errors_fails_on_the_conflicts():
    result = cli("validate", "--warnings-as-errors", POLICY_PATH)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].endswith("; fails --warnings-as-errors")


def test_validate_exit_code_semantics():
    from rulekit.diagnostics import Diagnostic, Span

    conflict = Diagnostic(CONFLICT_CODE, "x", Span("p"), "warning")
    unheld = Diagnostic("unheld-role", "x", Span("p"), "warning")
    error = Diagnostic("untested-rule", "x", Span("p"))
    assert validate_exit_code([conflict]) == 0
    assert validate_exit_code([conflict], strict=True) == 0
    assert validate_exit_code([conflict], warnings_as_errors=True) == 1
    assert validate_exit_code([unheld]) == 0 and validate_exit_code([unheld], strict=True) == 1
    assert validate_exit_code([error]) == 1


# ------------------------------------------------------------------ wrong case files

def run_file(tmp_path, text: str):
    path = write_cases(tmp_path, text)
    run = run_paths(POLICY, [str(path)], LOADED.document)
    return path, run


def findings(run) -> list[tuple]:
    return [(d.code, d.message, d.span.line, d.span.column, d.hint) for r in run.results for d in r.diagnostics]


def test_unknown_rule_with_did_you_mean(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: typo in the rule
    as_of: "114.02.15"
    expect:
      results:
        - {rule: course-outcome-quotta, status: fail}
""")
    assert findings(run) == [("unknown-rule", "unknown rule course-outcome-quotta", 6, 18,
                              "did you mean course-outcome-quota?")]
    [r] = run.results
    assert r.status == "error" and r.line == 2


def test_unknown_key_with_did_you_mean(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: typo in a key
    as_of: "114.02.15"
    expect:
      results:
        - {rule: course-outcome-quota, subjekt: {student: S001}, status: pass}
      whom:
        - {task: 課程認證, role: 教學組長}
""")
    assert findings(run) == [
        ("unknown-key", "unknown key subjekt in an expected result", 6, 40, "did you mean subject?"),
        ("unknown-key", "unknown key whom in expect", 7, 7, "did you mean who?"),
    ]


def test_bad_dates(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: month 13
    as_of: "114.13.01"
    expect:
      who:
        - {task: 課程認證, role: 任課教師}
  - name: before the text in force
    as_of: "112.01.01"
    expect:
      who:
        - {task: 課程認證, role: 任課教師, date: "2024-02-30"}
""")
    got = findings(run)
    date_col = '        - {task: 課程認證, role: 任課教師, date: "2024-02-30"}'.index('"2024') + 1
    assert [(c, line, col) for c, _, line, col, _ in got] == [("bad-date", 3, 12), ("not-encoded", 8, 12),
                                                              ("bad-date", 11, date_col)]
    assert got[0][1].startswith("as_of: ") and "13" in got[0][1]
    assert "113.01.19" in got[1][1]
    assert [r.status for r in run.results] == ["error", "error"]


def test_unknown_task_role_citation_status_and_subject(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: names the policy does not have
    as_of: "114.02.15"
    expect:
      who:
        - {task: 課程認正, role: 教學組長}
        - {task: 課程認證, role: 教學組常, via: substitut}
      results:
        - {citation: 四.(三)x, status: fail}
        - {rule: course-outcome-quota, subject: {studnet: S001}, status: failed}
        - {citation: 九, status: fail}
        - {rule: course-outcome-quota, citation: 四.(四).1, status: fail}
""")
    got = {(c, line): (m, h) for c, m, line, _, h in findings(run)}
    message, hint = got[("unknown-task", 6)]
    assert message == "unknown task 課程認正" and hint.startswith("did you mean 課程認證")
    message, hint = got[("unknown-role", 7)]
    assert message == "role 教學組常 is not a role or unit of the policy" and "教學組長" in hint
    assert got[("unknown-via", 7)] == ("unknown via substitut", "did you mean substitute?")
    assert got[("unknown-citation", 9)] == ("citation 四.(三)x is not in the regulation", "did you mean 四.(三)?")
    assert got[("unknown-subject", 10)] == ("studnet is not a subject of course-outcome-quota", "did you mean student?")
    assert got[("unknown-status", 10)] == ("unknown status failed", "did you mean fail?")
    assert got[("no-rule", 11)][0] == "no rule cites 九"
    assert got[("citation-mismatch", 12)][0] == "rule course-outcome-quota cites 四.(三), not 四.(四).1"


def test_missing_keys_and_shapes(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: no expect
  - expect: {who: [{task: 課程認證}]}
  - name: results without as_of
    expect:
      results: [{rule: course-outcome-quota, status: pass}]
  - name: dup
    expect: {who: [{task: 課程認證, role: 任課教師}]}
  - name: dup
    expect: {who: [{task: 課程認證, role: 任課教師}], handover: {person: T1}}
""")
    got = [(c, line, m) for c, m, line, _, _ in findings(run)]
    assert ("missing-key", 2, "a case needs `expect`") in got
    assert ("missing-key", 3, "a case needs `name`") in got
    assert ("missing-key", 3, "a who expectation needs the answer: `role`, `person`, `via` or `basis`") in got
    assert ("missing-key", 4, "a case with expected results needs `as_of` (the date they are checked on)") in got
    assert ("duplicate-case", 9, "a case named dup is already at line 7") in got
    assert ("case-shape", 10, "expect.handover must be a list, not a mapping") in got
    assert run.passed == 1 and run.failed == 4


def test_yaml_errors_are_one_failure_of_the_file(tmp_path):
    path, run = run_file(tmp_path, "cases:\n  - name: x\n    expect: {who: [{task: 課程認證, role: 任課教師}]\n")
    [r] = run.results
    assert r.status == "error" and r.name == str(path) and r.diagnostics[0].code == "yaml-syntax"
    result = cli("test", path, "--policy", POLICY_PATH)
    assert result.exit_code == 1 and result.output.splitlines()[-1] == "0 passed, 1 failed"


def test_not_a_case_file(tmp_path):
    path, run = run_file(tmp_path, "- name: x\n")
    [r] = run.results
    assert [(d.code, d.span.line) for d in r.diagnostics] == [("case-shape", 1)]


def test_record_errors_are_located_in_the_case_file(tmp_path):
    path, run = run_file(tmp_path, """\
defaults:
  as_of: "114.02.15"
cases:
  - name: bad records
    records:
      students:
        - {id: S001, name: 王小明, national_id: A123456789, grade: 2, class: "201", enrolled_on: "112.13.30"}
      course_outcomes:
        - {id: O1, student: S002, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
      studnets: []
    expect:
      results:
        - {rule: course-outcome-quota, status: pass}
""")
    got = [(c, line) for c, _, line, _, _ in findings(run)]
    assert ("unknown-entity", 10) in got and any(c != "unknown-entity" and line == 7 for c, line in got)
    assert run.results[0].status == "error"


def test_unknown_reference_in_records_is_an_error(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: outcome of a student who is not there
    as_of: "114.02.15"
    records:
      students:
        - {id: S001, name: 王小明, national_id: A123456789, grade: 2, class: "201", enrolled_on: "112.08.30"}
      course_outcomes:
        - {id: O1, student: S002, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
    expect:
      results:
        - {rule: course-outcome-quota, status: pass}
""")
    [r] = run.results
    assert r.status == "error" and any(d.span.line == 8 for d in r.diagnostics)


def test_unknown_absent_person_and_course(tmp_path):
    path, run = run_file(tmp_path, """\
defaults:
  as_of: "113.09.16"
  roster:
    staff:
      - {id: T010, name: 吳宗翰, roles: [註冊組長], status: active}
cases:
  - name: absent typo
    expect:
      who:
        - {task: 校管理者, absent: [吳宗瀚], role: 教務主任}
  - name: unknown course
    expect:
      who:
        - {task: 課程認證, course: C009, role: 任課教師}
  - name: unknown person
    expect:
      handover:
        - {person: T01, unassigned: []}
""")
    got = [(c, line, h) for c, _, line, _, h in findings(run)]
    assert ("unknown-absent", 10, "did you mean 吳宗翰?") in got
    assert ("unknown-course", 14, "add it under records: courses:") in got
    assert ("unknown-person", 18, "did you mean T010?") in got


def test_records_from_a_file_relative_to_the_case(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "school.yaml").write_text("""\
students:
  - {id: S001, name: 王小明, national_id: A123456789, grade: 2, class: "201", enrolled_on: "112.08.30"}
course_outcomes:
  - {id: O1, student: S001, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
""", encoding="utf-8")
    path, run = run_file(tmp_path, """\
cases:
  - name: from a file
    as_of: "114.02.15"
    records: data/school.yaml
    expect:
      results:
        - {rule: course-outcome-quota, subject: {student: S001, semester: 113-1}, status: pass, message: 上傳 1 件}
  - name: missing file
    as_of: "114.02.15"
    records: data/nothing.yaml
    expect:
      results:
        - {rule: course-outcome-quota, status: pass}
""")
    assert [r.status for r in run.results] == ["passed", "error"]
    assert findings(run)[0][:3] == ("file-not-found", f"records file data/nothing.yaml does not exist (looked for "
                                    f"{tmp_path / 'data' / 'nothing.yaml'})", 10)


def test_case_records_replace_the_defaults_entity_by_entity(tmp_path):
    path, run = run_file(tmp_path, """\
defaults:
  as_of: "114.02.15"
  records:
    students:
      - {id: S001, name: 王小明, national_id: A123456789, grade: 2, class: "201", enrolled_on: "112.08.30"}
    course_outcomes:
      - {id: O1, student: S001, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
cases:
  - name: defaults only
    expect:
      results:
        - {rule: course-outcome-quota, status: pass, message: 上傳 1 件}
  - name: outcomes replaced
    records:
      course_outcomes:
        - {id: O8, student: S001, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
        - {id: O9, student: S001, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
    expect:
      results:
        - {rule: course-outcome-quota, status: pass, message: 上傳 2 件}
""")
    assert [r.status for r in run.results] == ["passed", "passed"]


def test_citation_expectation_means_any_rule_of_that_article(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: one rule of 四.(三) fails, another passes
    as_of: "114.02.15"
    records:
      students:
        - {id: S001, name: 王小明, national_id: A123456789, grade: 2, class: "201", enrolled_on: "112.08.30"}
      course_outcomes:
        - {id: O1, student: S001, course: C001, semester: 113-1, kind: 書面報告, uploaded_on: "113.10.01"}
    expect:
      results:
        - {citation: 四.(三), status: pass}
        - {citation: 四.(三), status: fail}
        - {citation: 四.(三), status: pending}
""")
    [r] = run.results
    assert [v.ok for v in r.verdicts] == [True, True, False]


def test_rule_expectation_without_a_matching_subject_fails_and_says_what_was_reported(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: wrong student
    as_of: "114.02.15"
    records:
      students:
        - {id: S001, name: 王小明, national_id: A123456789, grade: 2, class: "201", enrolled_on: "112.08.30"}
    expect:
      results:
        - {rule: basic-data-national-id, subject: {student: S002}, status: pass}
""")
    [v] = run.results[0].verdicts
    assert not v.ok and v.actual == "no result for that subject; reported: basic-data-national-id S001 (pass)"


def test_usage_errors_exit_2(tmp_path):
    assert cli("test", tmp_path / "nothing", "--policy", POLICY_PATH).exit_code == 2
    assert cli("test", tmp_path, "--policy", POLICY_PATH).exit_code == 2  # no case files
    assert cli("test", TESTS_DIR, "--format", "xml").exit_code == 2


def test_load_case_file_keeps_positions():
    cf = load_case_file(str(TESTS_DIR / "people.yaml"), POLICY)
    assert cf.diagnostics == () and all(c.diagnostics == () for c in cf.cases)
    first = cf.cases[0]
    assert first.line == line_of(TESTS_DIR / "people.yaml", f"name: {first.name}")
    assert first.who[0].span.line == first.line + 3


def test_the_brief_example_of_a_handover_with_on(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: 退休組長的交接
    roster:
      staff:
        - {id: T010, name: 退休組長, roles: [註冊組長], status: active}
        - {id: A002, name: 陳美玲, roles: [教務主任], status: active}
        - {id: C001, name: 許雅雯, roles: [註冊組幹事], status: active}
        - {id: B003, name: 劉怡君, roles: [課務組長], status: active}
    expect:
      handover:
        - {person: T010, on: "114.01.31", tasks: {校管理者: 教務主任}, unassigned: []}
        - {person: T010, on: "114.01.31", tasks: {校管理者: 註冊組幹事, 自傳: 導師}}
""")
    [r] = run.results
    assert [v.ok for v in r.verdicts] == [True, False]
    assert r.verdicts[1].notes == ("校管理者 goes to 教務主任(陳美玲 (A002)) via substitute, not 註冊組幹事",
                                   "退休組長 (T010) does not carry 自傳")


def test_a_value_outside_the_policy_vocabulary_is_an_error_of_the_case(tmp_path):
    path, run = run_file(tmp_path, """\
cases:
  - name: window kind typo
    as_of: "114.02.15"
    records:
      windows:
        - {semester: 113-1, kind: outcome_uplaod, start: "113.09.01", end: "113.10.31"}
    expect:
      results:
        - {rule: working-group-meets, status: fail}
""")
    [r] = run.results
    assert r.status == "error"
    [d] = r.diagnostics
    assert (d.code, d.span.file, d.span.line) == ("unknown-value", str(path), 6)
    assert "outcome_upload" in d.hint
