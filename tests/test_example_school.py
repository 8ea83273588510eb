"""examples/school: a small school whose records exercise every rule of the policy.

The intended failures (and, at an earlier date, the pending results) are data in
examples/school/expected.yaml; README.md's tables list the same cases. Rules with a
single subject (the school, one semester) get their failing case from a variant: a copy
of the school with one change, made in tmp_path.
The table and Markdown reports are golden files (tests/golden/check/); UPDATE_GOLDEN=1
rewrites them.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from golden_util import assert_golden, golden_for

from rulekit.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy" / "regulation.yaml"
SCHOOL = ROOT / "examples" / "school"
EXPECTED = yaml.safe_load((SCHOOL / "expected.yaml").read_text(encoding="utf-8"))
MAIN, EARLIER = EXPECTED["main"], EXPECTED["earlier"]
NATIONAL_ID = re.compile(r"[A-Z][12489A-D][0-9]{8}")


def run(*args: str, records: Path = SCHOOL, policy: Path = POLICY):
    result = CliRunner().invoke(main, ["check", str(records), "--policy", str(policy), *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def run_json(*args: str, records: Path = SCHOOL, policy: Path = POLICY) -> tuple[dict, int]:
    result = run("--format", "json", *args, records=records, policy=policy)
    return json.loads(result.stdout), result.exit_code


def subject(r: dict) -> str:
    return " ".join(str(v) for v in r["subject"].values())


def with_status(data: dict, status: str) -> set[tuple[str, str]]:
    return {(r["rule"], subject(r)) for r in data["results"] if r["status"] == status}


def pairs(entries: list[dict]) -> set[tuple[str, str]]:
    out = set()
    for e in entries:
        for s in e.get("subjects") or [e["subject"]]:
            out.add((e["rule"], str(s)))
    return out


def policy_rule_ids() -> list[str]:
    doc = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    return [r["id"] for r in doc["rules"]]


def national_ids() -> dict[str, str]:
    """學號 -> 身分證字號, from students.csv."""
    with open(SCHOOL / "students.csv", encoding="utf-8") as fh:
        return {row["學號"]: row["身分證字號"] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def main_run() -> tuple[dict, int]:
    return run_json("--as-of", str(MAIN["as_of"]))


# ------------------------------------------------------------------ the main date

def test_failures_are_exactly_the_documented_ones(main_run):
    data, code = main_run
    assert data["findings"] == [], "the example's records must load without findings"
    assert with_status(data, "fail") == pairs(MAIN["fail"])
    assert code == 1


def test_nothing_is_pending_at_the_main_date(main_run):
    data, _ = main_run
    assert with_status(data, "pending") == set()


def test_every_rule_of_the_policy_is_exercised(main_run):
    data, _ = main_run
    seen = Counter(r["rule"] for r in data["results"])
    assert [rid for rid in policy_rule_ids() if not seen[rid]] == []


def test_every_rule_passes_somewhere(main_run):
    data, _ = main_run
    passing = {r["rule"] for r in data["results"] if r["status"] == "pass"}
    assert [rid for rid in policy_rule_ids() if rid not in passing] == []


def test_rules_that_cannot_fail_do_not(main_run):
    data, _ = main_run
    assert not {rule for rule, _ in with_status(data, "fail")} & set(MAIN["cannot_fail"])


def test_fail_on_never_exits_0():
    assert run("--as-of", str(MAIN["as_of"]), "--fail-on", "never").exit_code == 0


def test_table_golden(golden_lang):
    result = run("--as-of", str(MAIN["as_of"]))
    assert result.exit_code == 1
    assert_golden(golden_for("check/school.txt", golden_lang), result.stdout)


def test_markdown_golden(golden_lang):
    result = run("--as-of", str(MAIN["as_of"]), "--format", "markdown")
    assert result.exit_code == 1
    assert_golden(golden_for("check/school.md", golden_lang), result.stdout)


def test_readme_command_as_written(monkeypatch, zh_default):
    """The command in README.md, run from the repository root, prints the golden table."""
    readme = (SCHOOL / "README.md").read_text(encoding="utf-8")
    assert MAIN["command"] in readme and EARLIER["command"] in readme
    monkeypatch.chdir(ROOT)
    args = MAIN["command"].split()[1:]  # without "rulekit"
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert_golden("check/school.txt", result.stdout)


def test_readme_tables_match_expected():
    """Every (rule, subject) of expected.yaml is a row of README.md, and no other failure is."""
    readme = (SCHOOL / "README.md").read_text(encoding="utf-8")
    rows = set()
    for line in readme.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3 and cells[0] in policy_rule_ids():
            rows.add((cells[0], cells[1]))
    # a pending entry with many subjects is one row of README.md, naming the first
    shown = pairs(MAIN["fail"]) | {(e["rule"], str((e.get("subjects") or [e.get("subject")])[0]))
                                   for e in EARLIER["pending"]}
    assert shown <= rows
    assert rows - pairs(MAIN["fail"]) - pairs(EARLIER["pending"]) == VARIANT_FAILURES


# ------------------------------------------------------------------ the earlier date

def test_pending_at_the_earlier_date():
    data, code = run_json("--as-of", str(EARLIER["as_of"]))
    assert with_status(data, "pending") == pairs(EARLIER["pending"])
    assert with_status(data, "fail") == pairs(EARLIER["fail"])
    assert code == 1  # the failures without a due date are failures already


# failures of the main date about records dated after the earlier one (set aside then)
LATER_RECORDS = {("course-outcome-quota", "1120105 113-1"), ("course-outcome-in-window", "CO113-018"),
                 ("multi-performance-quota", "1120203 113"), ("course-outcome-certified", "CO113-010"),
                 ("course-outcome-certified", "CO113-027"), ("course-outcome-certified", "CO113-032"),
                 ("dispute-handled", "1110202 113-1")}


def test_each_main_failure_was_pending_or_failing_earlier():
    earlier = pairs(EARLIER["pending"]) | pairs(EARLIER["fail"])
    assert pairs(MAIN["fail"]) - LATER_RECORDS <= earlier
    assert not LATER_RECORDS & earlier


def _dated_after(day) -> int:
    """Rows of the example's CSVs whose kind's `dated_by` field (policy/records.yaml) is after
    `day`: counted from the files, not by rulekit."""
    from rulekit.calendar import parse_date

    declared = yaml.safe_load((ROOT / "policy" / "records.yaml").read_text(encoding="utf-8"))["entities"]
    limit = parse_date(str(day))
    n = 0
    for kind, entity in declared.items():
        field, path = entity.get("dated_by"), SCHOOL / f"{kind}.csv"
        if field and path.exists():
            # PyYAML reads an unquoted key `on:` as True (YAML 1.1); rulekit reads it as text
            spec = entity["fields"].get(field) or entity["fields"].get(field == "on" or field)
            headers = [field, spec.get("name"), *spec.get("headers", [])]  # a column may be headed in Chinese
            with path.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    value = next((row[h] for h in headers if row.get(h)), None)
                    n += bool(value) and parse_date(value) > limit
    return n


def test_as_of_sets_aside_later_records_and_says_how_many():
    data, _ = run_json("--as-of", str(EARLIER["as_of"]))
    [note] = [f for f in data["findings"] if f["code"] == "after-as-of"]
    assert note["message"] == f"{_dated_after(EARLIER['as_of'])} records dated after the evaluation date were set aside"
    data, _ = run_json("--as-of", str(MAIN["as_of"]))
    assert not [f for f in data["findings"] if f["code"] == "after-as-of"]


# ------------------------------------------------------------------ --rule and --explain

def test_rule_filter():
    data, code = run_json("--as-of", str(MAIN["as_of"]), "--rule", "course-outcome-quota")
    assert {r["rule"] for r in data["results"]} == {"course-outcome-quota"}
    assert with_status(data, "fail") == {("course-outcome-quota", "1120105 113-1")}
    assert code == 1
    data, code = run_json("--as-of", str(MAIN["as_of"]), "--rule", "working-group-seats",
                          "--rule", "grade3-submission")
    assert [(r["rule"], r["status"]) for r in data["results"]] == [
        ("working-group-seats", "pass"), ("grade3-submission", "pass")]
    assert code == 0


def test_unknown_rule_is_a_usage_error():
    result = run("--as-of", str(MAIN["as_of"]), "--rule", "course-outcome-quotas")
    assert result.exit_code == 2
    assert "course-outcome-quota" in result.output  # the suggestion


def test_explain_one_failure():
    result = run("--as-of", str(MAIN["as_of"]), "--rule", "course-outcome-quota", "--explain")
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "count(o in course_outcomes where o.student == student.id and o.semester == semester) = 7" in lines
    assert "uploaded = 7" in lines
    assert "param.course_outcome_quota = 6" in lines
    assert any(line.startswith("uploaded <= param.course_outcome_quota = ") and
               line.endswith(("False", "false")) for line in lines)
    assert any(line.startswith("[四.(三)] = 學生自主登錄") and "至多六件" in line for line in lines)
    assert result.exit_code == 1


def test_explain_json_one_failure():
    data, _ = run_json("--as-of", str(MAIN["as_of"]), "--rule", "dispute-handled", "--explain")
    failing = [r for r in data["results"] if r["status"] == "fail"]
    assert [subject(r) for r in failing] == ["1110202 113-1"]
    explained = {e["expression"]: e["value"] for e in failing[0]["explain"]}
    assert explained["handler"] == "T009"
    assert explained["by_office"] is False
    assert explained["[四.段4]"].endswith("由教務處依其權責,妥為處置。")
    assert all("explain" not in r for r in data["results"] if r["status"] != "fail")


# ------------------------------------------------------------------ personal data

@pytest.mark.parametrize("args", [
    ("--format", "json"), ("--format", "json", "--explain"), (), ("--explain",), ("--all",),
    ("--format", "markdown"), ("--format", "markdown", "--all"),
])
@pytest.mark.parametrize("as_of", [MAIN["as_of"], EARLIER["as_of"]])
def test_no_national_id_in_any_output(args, as_of):
    ids = list(national_ids().values())
    assert len(ids) == 30 and all(NATIONAL_ID.fullmatch(i) for i in ids)
    result = run("--as-of", str(as_of), *args)
    out = result.output
    assert [i for i in ids if i in out] == []
    assert NATIONAL_ID.search(out) is None


def test_national_ids_are_valid():
    codes = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))
    for nid in national_ids().values():
        a, b = divmod(codes[nid[0]], 10)
        digits = [int(c) for c in nid[1:]]
        total = a + 9 * b + sum(d * w for d, w in zip(digits, [8, 7, 6, 5, 4, 3, 2, 1, 1]))
        assert total % 10 == 0, "a national ID of students.csv fails the checksum"


# ------------------------------------------------------------------ variants: failing cases
# for rules with a single subject in the example (the school; grade 3 of 112-2), and for
# the national-id check: a copy of the school with one realistic change.

VARIANT_FAILURES = {
    ("working-group-seats", "school"),
    ("working-group-member-seat", "導師 鄭惠如"),
    ("grade3-submission", "112-2"),
    ("basic-data-national-id", "1130101"),
}


def variant(tmp_path: Path, file: str, old: str, new: str) -> Path:
    school = tmp_path / "school"
    shutil.copytree(SCHOOL, school)
    path = school / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return school


def extra_failures(data: dict) -> set[tuple[str, str]]:
    return with_status(data, "fail") - pairs(MAIN["fail"])


def test_variant_seat_written_as_the_role(tmp_path):
    """The export names the 導師代表 seat by the member's role, 導師: 12 seats filled."""
    school = variant(tmp_path, "working_group.csv", "導師代表,鄭惠如", "導師,鄭惠如")
    data, _ = run_json("--as-of", str(MAIN["as_of"]), records=school)
    assert extra_failures(data) == {("working-group-seats", "school"),
                                    ("working-group-member-seat", "導師 鄭惠如")}
    seats = next(r for r in data["results"] if r["rule"] == "working-group-seats")
    assert seats["values"] == {"filled": 12, "members": 13, "missing": ["導師代表"]}
    assert seats["message"].endswith(";缺:導師代表")


def test_variant_late_grade3_submission(tmp_path):
    school = variant(tmp_path, "submissions.csv", "112-2,2024-06-18,T008,grade3",
                     "112-2,2024-06-24,T008,grade3")
    data, _ = run_json("--as-of", str(MAIN["as_of"]), records=school)
    assert extra_failures(data) == {("grade3-submission", "112-2")}


def test_variant_mistyped_national_id(tmp_path):
    """One digit mistyped: the check finds it, and the number is still never printed."""
    if "basic-data-national-id" not in policy_rule_ids():
        pytest.skip("the policy has no national-id rule")
    good = national_ids()["1130101"]
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    school = variant(tmp_path, "students.csv", good, bad)
    result = run("--as-of", str(MAIN["as_of"]), "--format", "json", "--explain", records=school)
    data = json.loads(result.stdout)
    assert extra_failures(data) == {("basic-data-national-id", "1130101")}
    assert bad not in result.output and good not in result.output
    assert NATIONAL_ID.search(result.output) is None


# ------------------------------------------------------------------ known rule defects
# Each would change a result of this example if the rule were right; see README.md.

def test_student_who_left_before_the_semester_is_not_asked_to_confirm(main_run):
    data, _ = main_run
    r = next(r for r in data["results"]
             if r["rule"] == "confirmation-state" and subject(r) == "1120205 113-1")
    assert r["status"] == "not_applicable"


def test_freshman_who_left_in_august_needs_no_notice_for_the_previous_semester(tmp_path):
    school = variant(tmp_path, "students.csv", "1130206,羅語彤,",
                     "1130207,鍾欣妤,B200000004,1,102,113.08.01,113.08.26,\n1130206,羅語彤,")
    data, _ = run_json("--as-of", str(MAIN["as_of"]), records=school)
    r = next(r for r in data["results"]
             if r["rule"] == "mail-notice-for-leavers" and subject(r) == "1130207 112-2")
    assert r["status"] == "not_applicable"


# ------------------------------------------------------------------ the period of a rule

def test_a_staff_member_who_left_in_1990_changes_no_semester_rule(tmp_path):
    """A rule's semesters start from the records it is about, not from any date at all: a
    departure in 1990 (79.06.30) must not add semesters 78-2 ... 109-2 to the rules that
    only look staff up by id. With the policy's `where`s, and without them (then every
    semester of a rule's period is a result, so a longer period would show)."""
    old = variant(tmp_path / "old", "staff.csv", "T019,邱淑貞,任課教師,on_leave,,",
                  "T019,邱淑貞,任課教師,on_leave,,\nT020,劉文雄,任課教師,departed,079.06.30,")
    text = POLICY.read_text(encoding="utf-8")
    unfiltered = tmp_path / "regulation.yaml"
    unfiltered.write_text(re.sub(r"(?m)^    where: .*\n", "", text), encoding="utf-8")
    ids = [r["id"] for r in yaml.safe_load(text)["rules"]
           if {"semesters", "academic_years"} & set(r["for_each"].values())]
    assert len(ids) >= 10
    for policy in (POLICY, unfiltered):
        outcomes = []
        for records in (SCHOOL, old):
            data, _ = run_json("--as-of", str(MAIN["as_of"]), records=records, policy=policy)
            outcomes.append(([(r["rule"], subject(r), r["status"]) for r in data["results"] if r["rule"] in ids],
                             data["findings"]))
        assert outcomes[0] == outcomes[1], policy
        assert {rule for rule, _, _ in outcomes[0][0]} == set(ids)


# ------------------------------------------------------------------ one section per citation

def _ids_in_print_order(items) -> list[str]:
    """Article ids as the YAML lists them, each before its items; the duty table comes after."""
    out = []
    for item in items:
        out.append(item["id"])
        out += _ids_in_print_order(item.get("items", []))
    return out


def _sections(text: str, prefix: str = "") -> list[tuple[str, set[str]]]:
    """(citation, rule ids in its rows) of every section: a heading is the line after a blank one
    that starts with a citation; a row's first word (table) or cell (Markdown) is its rule id."""
    out: list[tuple[str, set[str]]] = []
    before = ""
    for line in text.splitlines():
        first = line[len(prefix):].split(" ")[0] if line.startswith(prefix) else ""
        if before == "" and first in CITATIONS:
            out.append((first, set()))
        elif out and (word := line.strip("| ").split(" ")[0]) in RULE_IDS:
            out[-1][1].add(word)
        before = line
    return out


POLICY_DATA = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
REGULATION_ORDER = _ids_in_print_order(POLICY_DATA["articles"]) + \
    [POLICY_DATA["duty_table"]["citation"]] + [row["id"] for row in POLICY_DATA["duty_table"]["rows"]]
CITATIONS = set(REGULATION_ORDER)
RULE_IDS = {r["id"] for r in POLICY_DATA["rules"]}


@pytest.fixture(scope="module")
def interleaved_policy(tmp_path_factory) -> Path:
    """The shipped policy with its rules reordered (odd places first, then even), so rules
    of one citation that were neighbours are now apart."""
    data = dict(POLICY_DATA)
    data["rules"] = POLICY_DATA["rules"][1::2] + POLICY_DATA["rules"][0::2]
    citations = [r["citation"] for r in data["rules"]]
    apart = [c for c in set(citations) if citations.count(c) > 1
             and max(i for i, x in enumerate(citations) if x == c) - min(i for i, x in enumerate(citations) if x == c)
             >= citations.count(c)]
    assert apart, "the reordering must separate some rules of one citation"
    path = tmp_path_factory.mktemp("interleaved") / "regulation.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt, prefix", [("table", ""), ("markdown", "## ")])
def test_one_section_per_citation_in_the_regulations_order(interleaved_policy, fmt, prefix):
    args = ["check", str(SCHOOL), "--policy", str(interleaved_policy), "--as-of", str(MAIN["as_of"])]
    data = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    rules_of: dict[str, set[str]] = {}
    for r in data["results"]:
        rules_of.setdefault(r["citation"], set()).add(r["rule"])
    result = CliRunner().invoke(main, [*args, "--format", fmt, "--all"])
    assert result.exit_code == 1, result.output
    assert _sections(result.stdout, prefix) == [(c, rules_of[c]) for c in REGULATION_ORDER if c in rules_of]
