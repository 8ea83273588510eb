"""Table-driven tests of invalid policies.

Each row edits the text of the shipped `policy/regulation.yaml`, writes the result
to a temporary file, and states the exact errors `rulekit validate` must report:
code, message, line and column, field and hint. Positions are not hard-coded: `At`
finds them in the edited text (the line and column of a needle), so the rows keep
working when the regulation itself is amended above the edited place.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from rulekit.cli import main
from rulekit.diagnostics import UsageError
from rulekit.policy.validate import Report, validate_paths
from rulekit.policytest import strict_findings_of

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "policy" / "regulation.yaml"
TEXT = SHIPPED.read_text(encoding="utf-8")

CONFLICT = "known-conflict"  # the shipped policy lists its disagreements under known_conflicts
UNLISTED = "responsibility-conflict"
TAG_HINT = "remove the `!` tag; rulekit files use plain YAML values only"
DUP_HINT = "merge the two entries; the second would silently erase the first"
YAML_HINT = "check indentation and that every `key: value` has a space after the colon"


# ------------------------------------------------------------------ edits

@dataclass(frozen=True)
class Replace:
    """Replace `old`, which must occur exactly once, by `new`."""

    old: str
    new: str

    def apply(self, text: str) -> str:
        n = text.count(self.old)
        assert n == 1, f"edit target occurs {n} times in the policy: {self.old!r}"
        return text.replace(self.old, self.new)


@dataclass(frozen=True)
class InsertAfter:
    """Insert `lines` after the line containing `anchor` (which must occur once)."""

    anchor: str
    lines: str

    def apply(self, text: str) -> str:
        n = text.count(self.anchor)
        assert n == 1, f"anchor occurs {n} times in the policy: {self.anchor!r}"
        end = text.index("\n", text.index(self.anchor)) + 1
        return text[:end] + self.lines + text[end:]


@dataclass(frozen=True)
class Whole:
    """Replace the whole file."""

    new: str

    def apply(self, text: str) -> str:
        return self.new


@dataclass(frozen=True)
class At:
    """1-based (line, column) of the `nth` occurrence of `needle`, moved on by `shift` characters."""

    needle: str
    nth: int = 1
    shift: int = 0

    def resolve(self, text: str) -> tuple[int, int]:
        pos = -1
        for _ in range(self.nth):
            pos = text.find(self.needle, pos + 1)
            assert pos >= 0, f"{self.needle!r} (occurrence {self.nth}) is not in the edited text"
        pos += self.shift
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return line, column


@dataclass(frozen=True)
class Finding:
    code: str
    message: str  # may use {path} (the edited file) and {NAME} for the line of refs[NAME]
    at: At
    field: str = ""
    hint: str = ""
    refs: tuple[tuple[str, At], ...] = ()

    def expected(self, text: str, path: str) -> tuple:
        names = {name: at.resolve(text)[0] for name, at in self.refs}
        line, column = self.at.resolve(text)
        return (self.code, self.message.format(path=path, **names), line, column, self.field, self.hint)


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple
    findings: tuple[Finding, ...]
    exit_code: int = 1

    def text(self) -> str:
        text = TEXT
        for edit in self.edits:
            text = edit.apply(text)
        return text


def actual(diags) -> list[tuple]:
    return [(d.code, d.message, d.span.line, d.span.column, d.field, d.hint) for d in diags]


def errors(report: Report) -> list:
    return [d for d in report.diagnostics if d.is_error]


# ------------------------------------------------------------------ the table

CHAIN_課程認證 = "    課程認證: [任課教師, 教學組長]"
QUOTA = "    value: 6\n"
QUOTA_BOUND = "    bound: at_most\n    per: semester\n    subject: student\n"

CASES = [
    # --- what the YAML loader refuses (the run stops at the first file-level problem)
    Case("duplicate key in chains",
         (InsertAfter(CHAIN_課程認證, "    課程認證: [教學組長]\n"),),
         (Finding("duplicate-key", "duplicate key 課程認證 (first at line {first})", At("課程認證: [教學組長]"),
                  hint=DUP_HINT, refs=(("first", At(CHAIN_課程認證.strip())),)),)),
    Case("duplicate key in a flow mapping",
         (Replace("    校長: {en: Principal}", "    校長: {en: Principal, en: Head}"),),
         (Finding("duplicate-key", "duplicate key en (first at line {first})", At("en: Head"),
                  hint=DUP_HINT, refs=(("first", At("校長: {en: Principal, en: Head}")),)),)),
    Case("unsafe tag on a scalar",
         (Replace("  title_en: Supp", "  title_en: !!python/object:os.system Supp"),),
         (Finding("yaml-tag", "tag !!python/object:os.system is not allowed", At("!!python"),
                  hint=TAG_HINT),)),
    Case("unsafe tag on a mapping",
         (Replace("  implements:\n", "  implements: !!python/object/apply:os.system\n"),),
         (Finding("yaml-tag", "tag !!python/object/apply:os.system is not allowed",
                  At("!!python"), hint=TAG_HINT),)),
    Case("local tag",
         (Replace("  title_en: Supp", "  title_en: !secret Supp"),),
         (Finding("yaml-tag", "tag !secret is not allowed", At("!secret"), hint=TAG_HINT),)),
    Case("merge key",
         (Replace("    - {seat: 校長, role: 校長}", "    - {seat: 校長, role: 校長, <<: {seat: x}}"),),
         (Finding("yaml-merge", "merge keys (<<) are not allowed", At("<<"), hint="write the keys out in full"),)),
    Case("tab indentation",
         (Replace("  title_en: Supp", "\ttitle_en: Supp"),),
         (Finding("yaml-syntax", "invalid YAML: found a tab character that violates indentation", At("\ttitle_en"),
                  hint="YAML does not allow tabs for indentation; use spaces"),)),
    Case("malformed YAML: unclosed flow list",
         (Replace("format: rulekit/policy@1\n", "format: [rulekit/policy@1\n"),),
         (Finding("yaml-syntax", "invalid YAML: did not find expected ',' or ']'", At("\nmetadata:", shift=9),
                  hint=YAML_HINT),)),
    Case("a key that is not text",
         (Replace("    校長: {en: Principal}", "    ~: {en: Principal}"),),
         (Finding("yaml-key", "a key must be plain text", At("~: {en"), hint="quote the key"),)),
    Case("empty file", (Whole(""),),
         (Finding("empty-file", "{path} is empty", At(""), hint="a policy file starts with `format:` and `metadata:`"),)),
    Case("file with only a comment", (Whole("# 學生學習歷程檔案作業補充規定\n"),),
         (Finding("empty-file", "{path} is empty", At("#"), hint="a policy file starts with `format:` and `metadata:`"),)),

    # --- the schema
    Case("unknown key with did-you-mean",
         (Replace("教務主任: {en: Director of Academic Affairs, unit: 教務處}",
                  "教務主任: {en: Director of Academic Affairs, unti: 教務處}"),),
         (Finding("unknown-key", "unknown key unti in organization.roles.教務主任", At("unti"), field="unti",
                  hint="did you mean unit?"),)),
    Case("unknown metadata key",
         (Replace("  title_en: Supp", "  titel_en: Supp"),),
         (Finding("unknown-key", "unknown key titel_en in metadata", At("titel_en"), field="titel_en",
                  hint="did you mean title_en?"),)),
    Case("missing required key (working_group.size)",
         (Replace("  size: 13\n", ""),),
         (Finding("missing-key", "working_group is missing the key size", At("\nworking_group:", shift=1),
                  field="size", hint="add `size:`; see docs/policy-format.md"),)),
    Case("missing required top-level key (format)",
         (Replace("format: rulekit/policy@1\n", ""),),
         (Finding("missing-key", "(top level) is missing the key format", At("\nmetadata:", shift=1),
                  field="format", hint="add `format:`; see docs/policy-format.md"),)),
    Case("wrong format version",
         (Replace("format: rulekit/policy@1", "format: rulekit/policy@2"),),
         (Finding("not-allowed", "format is 'rulekit/policy@2', not one of the allowed values", At("rulekit/policy@2"),
                  field="format", hint="did you mean rulekit/policy@1? allowed: rulekit/policy@1"),)),
    Case("wrong type: quoted number",
         (Replace(QUOTA, QUOTA.replace("value: 6", 'value: "6"')),),
         (Finding("wrong-type", "parameters.course_outcome_quota.value must be a whole number, not the text '6'",
                  At('"6"'), field="value", hint="write the number without quotes or units, e.g. 6"),)),
    Case("wrong type: text where a list is expected",
         (Replace(CHAIN_課程認證, "    課程認證: 任課教師"),),
         (Finding("wrong-type", "substitutes.chains.課程認證 must be a list, not the text '任課教師'",
                  At("課程認證: 任課教師", shift=len("課程認證: ")), field="課程認證",
                  hint="write a list as [a, b] or as lines starting with `- `"),
          Finding("teacher-provision", "the teacher provisions (七.(二).1) apply to 課程認證, whose chain does not start with 任課教師",
                  At("    task: 課程認證\n    role: 任課教師", shift=4), field="task",
                  hint="teacher_provisions.task must name a chain whose 承辦人 is teacher_provisions.role"))),
    Case("amendment date that is not text in ROC form",
         (Replace('  - date: "112.08.29"', "  - date: 2023-08-29"),),
         (Finding("bad-format", "amendments.2.date is '2023-08-29', which has the wrong form", At("2023-08-29"),
                  field="date", hint="ROC date such as 113.01.19"),)),
    Case("bad enum: bound atmost",
         (Replace(QUOTA_BOUND, QUOTA_BOUND.replace("at_most", "atmost")),),
         (Finding("not-allowed", "parameters.course_outcome_quota.bound is 'atmost', not one of the allowed values",
                  At("atmost"), field="bound", hint="did you mean at_most? allowed: at_most, at_least, exactly"),)),
    Case("negative count",
         (Replace(QUOTA, QUOTA.replace("value: 6", "value: -1")),),
         (Finding("schema", "parameters.course_outcome_quota.value: -1 is less than the minimum of 0", At("value: -1", shift=7),
                  field="value"),)),
    Case("parameter without a unit",
         (Replace("    value: 10\n    unit: 項\n", "    value: 10\n"),),
         (Finding("missing-key", "parameters.multi_performance_quota is missing the key unit",
                  At("  multi_performance_quota:", shift=2), field="unit",
                  hint="add `unit:`; see docs/policy-format.md"),)),
    Case("parameter with an unknown type",
         (Replace("  retention_after_graduation:\n    type: duration", "  retention_after_graduation:\n    type: period"),),
         (Finding("not-allowed",
                  "parameters.retention_after_graduation has type 'period', not one of count, duration, frequency, list, date, size",
                  At("type: period", shift=6), field="type", hint="every parameter is a count, a duration, a frequency, a list, a date or a size"),)),
    Case("parameter type misspelt",
         (Replace("  retention_after_graduation:\n    type: duration", "  retention_after_graduation:\n    type: durration"),),
         (Finding("not-allowed",
                  "parameters.retention_after_graduation has type 'durration', not one of count, duration, frequency, list, date, size",
                  At("type: durration", shift=6), field="type", hint="did you mean duration?"),)),
    Case("empty substitute chain",
         (Replace(CHAIN_課程認證, "    課程認證: []"),),
         (Finding("schema", "substitutes.chains.課程認證: [] should be non-empty", At("課程認證: []", shift=6),
                  field="課程認證"),
          Finding("teacher-provision", "the teacher provisions (七.(二).1) apply to 課程認證, whose chain does not start with 任課教師",
                  At("    task: 課程認證\n    role: 任課教師", shift=4), field="task",
                  hint="teacher_provisions.task must name a chain whose 承辦人 is teacher_provisions.role"))),

    # --- semantic checks
    Case("undeclared role in a chain",
         (Replace("    課程成果: [課務組長, 註冊組長]", "    課程成果: [課務組長, 註冊組長x]"),),
         (Finding("unknown-role", "role 註冊組長x is not declared", At("註冊組長x"), field="課程成果",
                  hint="did you mean 註冊組長?"),)),
    Case("undeclared role with no near name",
         (Replace("    課程成果: [課務組長, 註冊組長]", "    課程成果: [課務組長, 護理師]"),),
         (Finding("unknown-role", "role 護理師 is not declared", At("護理師"), field="課程成果",
                  hint="declare 護理師 under organization.roles first"),)),
    Case("undeclared office of a section",
         (Replace("訓育組: {en: Student Activities Section, office: 學務處}",
                  "訓育組: {en: Student Activities Section, office: 學務室}"),),
         (Finding("unknown-office", "office 學務室 is not declared", At("學務室"), field="office",
                  hint="did you mean 學務處?"),)),
    Case("undeclared unit of a role",
         (Replace("訓育組幹事: {en: Clerk of the Student Activities Section, unit: 訓育組}",
                  "訓育組幹事: {en: Clerk of the Student Activities Section, unit: 體育組}"),),
         (Finding("unknown-unit", "unit 體育組 is not declared", At("體育組"), field="unit",
                  hint="did you mean 訓育組?"),)),
    Case("undeclared held_by role",
         (Replace("held_by: 輔導主任,", "held_by: 輔導主任x,"),),
         (Finding("unknown-role", "role 輔導主任x is not declared", At("輔導主任x"), field="held_by",
                  hint="did you mean 輔導主任?"),)),
    Case("undeclared role of a working-group seat",
         (Replace("    - {seat: 校長, role: 校長}", "    - {seat: 校長, role: 校長x}"),),
         (Finding("unknown-role", "role 校長x is not declared", At("校長x"), field="role", hint="did you mean 校長?"),)),
    Case("undeclared party in a duty row",
         (Replace("      administration: [學務處]\n      remarks: \"學生擔任",
                  "      administration: [學物處]\n      remarks: \"學生擔任"),),
         (Finding("unknown-party", "學物處 is not a declared role, office, section or body", At("學物處"),
                  field="administration", hint="did you mean 學務處?"),
          # 班級幹部 says 附表.11 names 學務處, which the edited row no longer prints
          Finding("statement-mismatch", "task 班級幹部 says 附表.11 names 學務處, but that row names 學物處",
                  At("{citation: 附表.11, parties: [學務處]}", shift=len("{citation: 附表.11, parties: [")),
                  field="parties", hint="copy the parties from the row's columns"))),
    Case("task statement naming a party its duty row does not print",
         (Replace("      - {citation: 附表.7, parties: [註冊組]}", "      - {citation: 附表.7, parties: [課務組]}"),),
         (Finding("statement-mismatch", "task 成績修課 says 附表.7 names 課務組, but that row names 教務處, 註冊組",
                  At("{citation: 附表.7, parties: [課務組]}", shift=len("{citation: 附表.7, parties: [")), field="parties",
                  hint="copy the parties from the row's columns"),)),
    Case("citation that does not exist",
         (Replace("    citation: 四.(三)\n    quote: \"至多六件\"", "    citation: 四.(九)\n    quote: \"至多六件\""),),
         (Finding("unknown-citation", "citation 四.(九) does not exist in this regulation", At("四.(九)"),
                  field="citation", hint="did you mean 四? it has 四.(一)、四.(二)、四.(三)、四.(四)"),)),
    Case("also_cited a duty row that does not exist",
         (Replace("    also_cited: [附表.10]", "    also_cited: [附表.20]"),),
         (Finding("unknown-citation", "citation 附表.20 does not exist in this regulation", At("附表.20"),
                  field="citation", hint="did you mean 附表? it has 附表.1、附表.2、附表.3 … 附表.19"),)),
    Case("chain with a repeated role (cycle)",
         (Replace("    修課: [註冊組長, 註冊組幹事]", "    修課: [註冊組長, 註冊組幹事, 註冊組長]"),),
         (Finding("chain-repeat", "substitute chain 修課 names 註冊組長 twice (places 1 and 3), which makes a cycle",
                  At("註冊組幹事, 註冊組長]", shift=len("註冊組幹事, ")), field="修課",
                  hint="each role appears once; remove the later one or pick another substitute"),)),
    Case("chain for a task that is not declared",
         (InsertAfter(CHAIN_課程認證, "    課程認正: [任課教師]\n"),),
         (Finding("unknown-task", "substitute chain 課程認正 has no entry under tasks", At("課程認正"),
                  field="課程認正", hint="did you mean 課程認證?"),)),
    Case("alias naming two tasks",
         (Replace("    aliases: [研習, 專業研習]", "    aliases: [研習, 專業研習, 帳號管理]"),),
         (Finding("duplicate-alias", "alias 帳號管理 of 教師研習 already names 校管理者", At("帳號管理]", nth=2),
                  field="aliases", hint="an alias must lead to exactly one task"),)),
    Case("amendment date that does not exist",
         (Replace('  - date: "112.08.29"', '  - date: "113.02.30"'),),
         (Finding("bad-date", "amendment date 113.02.30 is not a valid date: February 113 (2024) has 29 days",
                  At('"113.02.30"'), field="date", hint="the last day of that month is 113.02.29"),)),
    Case("amendments out of order",
         (Replace('  - date: "112.08.29"', '  - date: "110.08.29"'),),
         (Finding("amendment-order", "amendment 110.08.29 is not after the one before it (111.08.29)",
                  At('"110.08.29"'), field="date", hint="list amendments oldest first, each on a later date"),)),
    Case("misspelt time zone",
         (Replace("time_zone: Asia/Taipei", "time_zone: Asia/Taipe"),),
         (Finding("unknown-time-zone", "time zone Asia/Taipe is not known", At("Asia/Taipe\n"), field="time_zone",
                  hint="did you mean Asia/Taipei?"),)),
    Case("time zone written as a path",
         (Replace("time_zone: Asia/Taipei", "time_zone: /etc/localtime"),),
         (Finding("unknown-time-zone", "time zone /etc/localtime is not known", At("/etc/localtime"),
                  field="time_zone", hint="use an IANA time zone name such as Asia/Taipei"),)),
    Case("time zone as a number",
         (Replace("time_zone: Asia/Taipei", "time_zone: 8"),),
         (Finding("wrong-type", "time_zone must be text, not the number 8", At("8\n\namendments"), field="time_zone",
                  hint="quote the value if it looks like a number or date"),)),
    Case("working group seat count differs from size",
         (Replace("  size: 13\n", "  size: 12\n"),),
         (Finding("working-group-size", "the working group has 13 seats but size says 12", At("12\n  convener"),
                  field="size", hint="三 lists the seats one by one"),)),
    Case("working group meetings name an undeclared parameter",
         (Replace("  meeting_frequency: working_group_meetings", "  meeting_frequency: working_group_meeting"),),
         (Finding("unknown-parameter", "parameter working_group_meeting is not declared",
                  At("working_group_meeting\n"), field="meeting_frequency", hint="did you mean working_group_meetings?"),)),
    Case("duplicate provision id",
         (Replace("          - id: 四.(三).2\n", "          - id: 四.(三).1\n"),),
         (Finding("duplicate-citation", "citation id 四.(三).1 is used twice", At("四.(三).1\n", nth=2),
                  field="id", hint="each provision needs its own id"),
          # the task citing 四.(三).2 now cites nothing
          Finding("unknown-citation", "citation 四.(三).2 does not exist in this regulation", At("四.(三).2"),
                  field="citation", hint="did you mean 四.(三)? it has 四.(三).1"),
          # and so do the known_conflicts entries naming it
          *(Finding("unknown-citation", "citation 四.(三).2 does not exist in this regulation", At(f"[四.(三).2, {other}]"),
                    field="citation", hint="did you mean 四.(三)? it has 四.(三).1") for other in ("七.(一)", "附表.8", "附表.9")))),
    Case("provision id not under its parent",
         (Replace("          - id: 四.(二).3\n", "          - id: 四.(三).3\n"),),
         (Finding("citation-numbering", "四.(三).3 is listed under 四.(二) but its id does not start with 四.(二).",
                  At("四.(三).3"), field="id", hint="write it as 四.(二).<number>"),
          Finding("unknown-citation", "citation 四.(二).3 does not exist in this regulation", At("四.(二).3"),
                  field="citation", hint="did you mean 四.(二)? it has 四.(二).1、四.(二).2"))),
    Case("teacher provision pointing at the wrong chain",
         (Replace("    task: 課程認證\n    role: 任課教師", "    task: 課程成果\n    role: 任課教師"),),
         (Finding("teacher-provision", "the teacher provisions (七.(二).1) apply to 課程成果, whose chain does not start with 任課教師",
                  At("    task: 課程成果\n    role: 任課教師", shift=4), field="task",
                  hint="teacher_provisions.task must name a chain whose 承辦人 is teacher_provisions.role"),)),
    # --- names spelt one way (policy/names.py)
    Case("a role spelt with the Kangxi radical is a duplicate once normalised",
         (InsertAfter("    校長: {en: Principal}", "    校\u2fa7: {en: Head}\n"),),
         (Finding("duplicate-name", "role 校長 is declared twice: '校長' and '校\u2fa7' are the same name once "
                  "normalised (NFKC)", At("校\u2fa7: {en: Head}"), field="role", hint="remove one, or write both as 校長"),)),
    Case("a role spelt with a zero-width space is a duplicate once normalised",
         (InsertAfter("    導師: {en: Homeroom teacher, per: class}", "    導師\u200b: {en: Tutor}\n"),),
         (Finding("duplicate-name", "role 導師 is declared twice: '導師' and '導師\\u200b' are the same name once "
                  "normalised (NFKC)", At("導師\u200b: {en: Tutor}"), field="role", hint="remove one, or write both as 導師"),)),
]

# Known bugs in source files this test does not own; see the reason of each.
ALIAS = Replace("    - {seat: 校長, role: 校長}\n", "    - &head {seat: 校長, role: 校長}\n    - *head\n")
ALIAS_HINT = "write the value out in full; aliases hide what an entry says"

FIXED = [  # once strict xfails: bugs found by these rows and since fixed
    pytest.param(
        Case("anchor and alias",
             (ALIAS,),
             (Finding("yaml-alias", "YAML alias *head is not allowed in rulekit files", At("*head"),
                      hint=ALIAS_HINT),))),
    pytest.param(
        Case("scalar anchor and alias",
             (Replace("    - {seat: 校長, role: 校長}", "    - {seat: &head 校長, role: *head}"),),
             (Finding("yaml-alias", "YAML alias *head is not allowed in rulekit files", At("*head"),
                      hint=ALIAS_HINT),))),
    pytest.param(
        Case("size true",
             (Replace("  size: 13\n", "  size: true\n"),),
             (Finding("wrong-type", "working_group.size must be a whole number, not true/false", At("size: true", shift=6),
                      field="size", hint="write the number without quotes or units, e.g. 6"),))),
    pytest.param(
        Case("parameter without a type",
             (Replace("  retention_after_graduation:\n    type: duration\n", "  retention_after_graduation:\n"),),
             (Finding("missing-key", "parameters.retention_after_graduation is missing the key type",
                      At("  retention_after_graduation:", shift=2), field="type",
                      hint="add `type:`; see docs/policy-format.md"),))),
    pytest.param(
        Case("frequency written with value instead of times",
             (Replace("  working_group_meetings:\n    type: frequency\n    times: 1\n",
                      "  working_group_meetings:\n    type: frequency\n    value: 1\n"),),
             (Finding("missing-key", "parameters.working_group_meetings is missing the key times",
                      At("  working_group_meetings:", shift=2), field="times", hint="add `times:`; see docs/policy-format.md"),
              Finding("unknown-key", "unknown key value in parameters.working_group_meetings", At("value: 1\n    per"),
                      field="value", hint="allowed keys: also_cited, bound, citation, label, per, quote, times, type")))),
    pytest.param(
        Case("section without an office",
             (Replace("    教學組: {en: Instruction Section, office: 教務處}", "    教學組: {en: Instruction Section}"),),
             (Finding("missing-key", "organization.sections.教學組 is missing the key office", At("教學組: {en"),
                      field="office", hint="add `office:`; see docs/policy-format.md"),))),
    pytest.param(
        Case("body citing a citation that does not exist",
             (Replace("external: true, citation: 八}", "external: true, citation: 八x}"),),
             (Finding("unknown-citation", "citation 八x does not exist in this regulation", At("八x"),
                      field="citation", hint="did you mean 八?"),))),
]


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "regulation.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result


def test_the_table_has_unique_names():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES + FIXED, ids=lambda c: c.name)
def test_invalid_policy(case: Case, tmp_path):
    text = case.text()
    path = _write(tmp_path, text)
    report = validate_paths([path])
    assert actual(errors(report)) == [f.expected(text, path) for f in case.findings]
    assert all(d.span.file == path for d in report.diagnostics)
    result = _cli("validate", path)
    assert result.exit_code == case.exit_code, result.output
    assert f"{path}: invalid ({len(case.findings)} errors, " in result.output


def test_duplicate_key_is_reported_where_pyyaml_would_erase(tmp_path):
    text = InsertAfter(CHAIN_課程認證, "    課程認證: [教學組長]\n").apply(TEXT)
    # plain PyYAML keeps only the second entry: the 承辦人 任課教師 silently disappears
    assert yaml.safe_load(text)["substitutes"]["chains"]["課程認證"] == ["教學組長"]
    path = _write(tmp_path, text)
    [finding] = validate_paths([path]).diagnostics
    assert finding.code == "duplicate-key"
    # and no command answers from the half-erased file
    assert _cli("show", "七.(一)", "--policy", path).exit_code == 2
    assert _cli("validate", path).exit_code == 1


def test_alias_is_refused(tmp_path):
    """An alias stops the file, and the finding points at the `*head` alias itself."""
    text = ALIAS.apply(TEXT)
    path = _write(tmp_path, text)
    [d] = validate_paths([path]).diagnostics
    assert (d.code, d.message, d.hint) == ("yaml-alias", "YAML alias *head is not allowed in rulekit files",
                                           ALIAS_HINT)
    assert d.span.line == At("*head").resolve(text)[0]
    assert _cli("validate", path).exit_code == 1


def test_rendered_finding_shows_the_line_a_caret_and_the_hint(tmp_path):
    text = Replace("    課程成果: [課務組長, 註冊組長]", "    課程成果: [課務組長, 註冊組長x]").apply(TEXT)
    path = _write(tmp_path, text)
    line, col = At("註冊組長x").resolve(text)
    result = _cli("validate", path)
    assert result.exit_code == 1
    out = result.output.splitlines()
    head = f"{path}:{line}:{col}: error[unknown-role] [課程成果]: role 註冊組長x is not declared"
    i = out.index(head)
    assert out[i + 1] == f"{line:>5} |     課程成果: [課務組長, 註冊組長x]"
    # 註冊組長x is 4 wide characters and one narrow: 9 columns, after `    課程成果: [課務組長, `,
    # which is 4 + 2*4 + 3 + 2*4 + 2 = 25 columns
    assert out[i + 2] == "      | " + " " * 25 + "^" * 9
    assert out[i + 3] == "  hint: did you mean 註冊組長?"
    assert out[-1].startswith(f"{path}: invalid (1 errors, ")


# ------------------------------------------------------------------ several errors in one run

# Independent edits (no two touch the same entry). Not "wrong type: quoted number": a parameter
# whose value is not a number is left out of the model, so its citation is not checked then.
SEVERAL = [c for c in CASES if c.name in {
    "unknown key with did-you-mean",
    "undeclared office of a section",
    "amendment date that does not exist",
    "working group seat count differs from size",
    "undeclared role in a chain",
    "undeclared party in a duty row",
    "citation that does not exist",
    "bad enum: bound atmost",
    "chain with a repeated role (cycle)",
    "teacher provision pointing at the wrong chain",
}]


def _several(tmp_path) -> tuple[str, str, list[tuple]]:
    text = TEXT
    for case in SEVERAL:
        for edit in case.edits:
            text = edit.apply(text)
    path = _write(tmp_path, text)
    expected = [f.expected(text, path) for case in SEVERAL for f in case.findings]
    return text, path, sorted(expected, key=lambda e: (e[2], e[3]))


def test_several_errors_are_all_reported_in_one_run_sorted_by_line(tmp_path):
    assert len(SEVERAL) == 10
    _, path, expected = _several(tmp_path)
    assert len(expected) == 11
    report = validate_paths([path])
    found = actual(errors(report))
    assert found == expected
    lines = [(d.span.line, d.span.column) for d in report.diagnostics]
    assert lines == sorted(lines)  # warnings are interleaved by line too
    result = _cli("validate", path)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"{path}: invalid (11 errors, {len(report.diagnostics) - 11} warnings)"
    headlines = [ln for ln in result.output.splitlines() if ": error[" in ln]
    assert len(headlines) == 11
    assert [int(h[len(path) + 1:].split(":")[0]) for h in headlines] == [e[2] for e in expected]


def test_json_format_lists_the_same_findings(tmp_path):
    _, path, expected = _several(tmp_path)
    report = validate_paths([path])
    result = _cli("validate", "--format", "json", path)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert isinstance(data, list)
    assert data == [d.to_json() for d in report.diagnostics]
    errors_json = [(d["code"], d["message"], d["line"], d["column"], d["field"] or "", d["hint"] or "")
                   for d in data if d["severity"] == "error"]
    assert errors_json == expected
    assert set(data[0]) == {"file", "line", "column", "row", "severity", "code", "field", "message", "hint"}
    assert all(d["file"] == path and d["row"] is None for d in data)


def test_json_format_of_a_file_that_is_not_yaml(tmp_path):
    path = _write(tmp_path, "format: [rulekit/policy@1\nmetadata:\n")
    result = _cli("validate", "--format", "json", path)
    assert result.exit_code == 1
    [finding] = json.loads(result.output)
    assert finding["code"] == "yaml-syntax" and finding["severity"] == "error" and finding["line"] == 2


def test_every_file_is_reported_in_one_run(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _write(tmp_path / "a", Replace("  size: 13\n", "  size: 12\n").apply(TEXT))
    b = _write(tmp_path / "b", "")
    report = validate_paths([a, b])
    assert [(d.span.file, d.code) for d in errors(report)] == sorted([(a, "working-group-size"), (b, "empty-file")])
    assert _cli("validate", a, b).exit_code == 1


# ------------------------------------------------------------------ usage errors: exit 2

def test_missing_file_exits_2(tmp_path):
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(UsageError) as exc:
        validate_paths([path])
    [d] = exc.value.diagnostics
    assert (d.code, d.message, d.hint) == ("file-not-found", f"policy file {path} does not exist",
                                           "check the path and spelling")
    result = _cli("validate", path)
    assert result.exit_code == 2
    assert f"{path}: error[file-not-found]: policy file {path} does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_directory_exits_2(tmp_path):
    with pytest.raises(UsageError) as exc:
        validate_paths([str(tmp_path)])
    [d] = exc.value.diagnostics
    assert (d.code, d.message, d.hint) == ("is-a-directory", f"{tmp_path} is a directory, expected a policy file",
                                           "name the YAML file inside it")
    result = _cli("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "error[is-a-directory]" in result.stderr


def test_file_that_is_not_utf8_exits_1(tmp_path):
    path = tmp_path / "big5.yaml"
    path.write_bytes("format: rulekit/policy@1\ntitle: 學生\n".encode("big5"))
    result = _cli("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:2:1: error[encoding]: {path} is not UTF-8" in result.output
    [d] = validate_paths([str(path)]).diagnostics
    assert (d.code, d.span.line, d.hint) == ("encoding", 2, "save the file as UTF-8 (Big5 files must be converted)")


# ------------------------------------------------------------------ the shipped policy

def _shipped_conflicts() -> list:
    return [d for d in validate_paths([str(SHIPPED)]).diagnostics if d.code == CONFLICT]


def test_shipped_policy_is_valid_with_conflict_warnings_only():
    report = validate_paths([str(SHIPPED)])
    assert errors(report) == []
    assert report.diagnostics, "the shipped regulation disagrees with itself in several places"
    assert {(d.code, d.severity) for d in report.diagnostics} == {(CONFLICT, "warning")}
    assert all(d.hint and len(d.related) == 2 for d in report.diagnostics)  # the hint is the entry's note
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 0  # conflicts need an amendment, not a test
    assert report.exit_code(warnings_as_errors=True) == 1
    assert validate_paths([str(SHIPPED)], extra_checks=(strict_findings_of,)) == report  # every rule has a case, no case file is broken


def test_report_exit_code_semantics():
    from rulekit.diagnostics import Diagnostic, Span

    conflict = Report((Diagnostic(CONFLICT, "x", Span("p"), "warning"),))
    unlisted = Report((Diagnostic(UNLISTED, "x", Span("p"), "warning"),))
    unheld = Report((Diagnostic("unheld-role", "x", Span("p"), "warning"),))
    error = Report((Diagnostic("untested-rule", "x", Span("p")),))

    def codes(report: Report) -> list[int]:
        return [report.exit_code(), report.exit_code(strict=True), report.exit_code(warnings_as_errors=True)]

    assert codes(conflict) == [0, 0, 1] and codes(unheld) == [0, 1, 1] and codes(error) == [1, 1, 1]
    assert codes(unlisted) == [0, 1, 1]  # a new disagreement fails --strict until amended or listed
    assert Report(()).exit_code(strict=True, warnings_as_errors=True) == 0


def test_shipped_warning_teacher_workshop():
    [d] = [d for d in _shipped_conflicts() if d.field == "教師研習"]
    assert d.message == "教師研習: 五.(二) names 課務組 but 附表.17 names 教學組、課務組 (known, awaiting an amendment)"
    assert d.related == ("五.(二)", "附表.17")
    assert (d.span.line, d.span.column) == At("{citation: 附表.17, parties: [教學組, 課務組]}").resolve(TEXT)


def test_shipped_warning_course_outcomes_text_vs_substitute_list():
    found = {d.message: d for d in _shipped_conflicts() if d.field == "課程成果"}
    d = found["課程成果: 四.(三).2 names 教學組、課務組、實習處 but 七.(一) names 課務組長 (known, awaiting an amendment)"]
    assert d.related == ("四.(三).2", "七.(一)")
    # placed on the 承辦人 of the 七.(一) chain
    assert (d.span.line, d.span.column) == At("課務組長, 註冊組長]").resolve(TEXT)
    # 附表.8 (學科) and 附表.9 (實作作品) have different scopes: compared with the text, not each other
    assert not any("附表.8 names 教學組 but 附表.9" in m for m in found)


def test_cli_on_shipped_policy_exits_0_and_lists_the_warnings():
    result = _cli("validate", str(SHIPPED))
    assert result.exit_code == 0, result.output
    n = len(_shipped_conflicts())
    assert result.output.splitlines()[-1] == f"{SHIPPED}: valid (0 errors, {n} warnings)"
    assert "warning[known-conflict] [教師研習]: 教師研習: 五.(二) names 課務組 but 附表.17 names 教學組、課務組" \
        in result.output
    assert "warning[known-conflict] [課程成果]: 課程成果: 四.(三).2 names 教學組、課務組、實習處 but " \
           "七.(一) names 課務組長" in result.output
    assert "error[" not in result.output


def test_cli_json_on_shipped_policy():
    result = _cli("validate", "--format", "json", str(SHIPPED))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert len(data) == len(_shipped_conflicts())
    assert {d["severity"] for d in data} == {"warning"}
    assert {"code": CONFLICT, "field": "教師研習",
            "message": "教師研習: 五.(二) names 課務組 but 附表.17 names 教學組、課務組 (known, awaiting an amendment)"}.items() <= \
        next(d for d in data if d["field"] == "教師研習").items()


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_strict_keeps_conflicts_as_warnings_and_warnings_as_errors_fails_on_them(fmt):
    """The conflicts are in the regulation's own text; only an amendment removes them, so
    --strict (errors, rules without a test case) passes them; --warnings-as-errors does not."""
    assert _cli("validate", "--format", fmt, str(SHIPPED)).exit_code == 0
    assert _cli("validate", "--strict", "--format", fmt, str(SHIPPED)).exit_code == 0
    assert _cli("validate", "--warnings-as-errors", "--format", fmt, str(SHIPPED)).exit_code == 1


def test_strict_without_warnings_exits_0(tmp_path):
    """A policy whose tasks name nobody inconsistently has no warnings: --strict passes it."""
    text = TEXT.split("\ntasks:\n")[0] + "\n"
    after = TEXT.split("\nparameters:\n")[1]
    after = after.split("\nknown_conflicts:\n")[0] + "\nrecords:\n" + after.split("\nrecords:\n")[1]
    path = _write(tmp_path, text + "parameters:\n" + after)
    report = validate_paths([path])
    assert report.diagnostics == ()
    assert _cli("validate", "--strict", path).exit_code == 0
    assert _cli("validate", "--warnings-as-errors", path).exit_code == 0


def test_policy_with_rules_gives_findings_not_a_crash(tmp_path):
    """`rules:` is read by the DSL (docs/dsl.md); whatever it finds, it is findings and exit 0 or 1."""
    pytest.importorskip("rulekit.policy.rules")
    path = _write(tmp_path, TEXT + "\nrules:\n  - {id: x}\n")
    assert isinstance(validate_paths([path]), Report)
    assert _cli("validate", path).exit_code in (0, 1)


def test_deeply_nested_flow_collections_are_an_error_not_a_crash(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", "from rulekit.cli import main; main()", "validate", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    assert "error[" in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
