"""What rulekit promises about untrusted input, personal data and the files it touches.

docs/security.md states the guarantees; this file tests those that the bad-input
matrix (tests/bad_input/) and the fuzz tests (tests/test_fuzz_inputs.py) do not:

- no code from the inputs: the source calls no eval/exec/compile, no unsafe YAML
  loader, no pickle, no shell; the rules language cannot reach Python attributes;

- limits: each limit is the documented number, input just inside it is read, input
  just beyond it gives the documented message;
- personal data: the example school (examples/school) through every command and
  output format leaves no full national ID in any output or written file, and
  `--show-personal-data` reveals them where they appear;
- read-only: check, who, diff, validate, show, duties, handover (and test) leave
  their input files byte-identical, with the same modification time;
- atomic writes: `-o` replaces the report in one step; an interrupted write leaves
  the old report intact and no temporary file behind;
- determinism and provenance: `check --format json` names the policy's SHA-256 and
  the amendment in force; the same command gives byte-identical output, also in
  another process with another hash seed (check, diff and who, as JSON).
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import yaml
from click.testing import CliRunner

import rulekit.atomic as atomic_module
from rulekit.calendar import chinese_numeral
from rulekit import sourceyaml
from rulekit.atomic import write_atomic
from rulekit.cli import main
from rulekit.diagnostics import RulekitError, UsageError
from rulekit.dsl import parser as dsl_parser
from rulekit.personal import is_valid_national_id
from rulekit.records import load_records
from rulekit.records import validate as records_validate
from rulekit.sourceyaml import load_file, load_text, read_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "policy" / "regulation.yaml"
EXAMPLE_SCHOOL = ROOT / "examples" / "school"
AS_OF = "2025-03-31"


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def run_cli(*argv: str, expect: tuple = (0, 1)):
    result = _runner().invoke(main, [str(a) for a in argv])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in expect, f"rulekit {' '.join(map(str, argv))} -> {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    return result


def has_command(name: str) -> bool:
    return name in main.commands


# ================================================================== no code from the inputs

_DYNAMIC = {"eval", "exec", "compile", "__import__", "breakpoint", "input"}
_UNSAFE_YAML = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all", "Loader",
                "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader", "Unpickler"}
_UNSAFE_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}


def _problems_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _DYNAMIC:
                found.append(f"{where}: {func.id}()")
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and (func.value.id, func.attr) in {("os", "system"), ("os", "popen"), ("os", "execv")}:
                found.append(f"{where}: os.{func.attr}()")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{where}: shell=")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml" \
                and node.attr in _UNSAFE_YAML:
            found.append(f"{where}: yaml.{node.attr}")
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names if a.name.split(".")[0] in _UNSAFE_MODULES]
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _UNSAFE_MODULES:
            found.append(f"{where}: from {node.module} import")
    return found


def test_the_source_runs_no_code_from_its_inputs():
    """No eval/exec/compile, no unsafe YAML loader, no pickle, no shell anywhere in src/rulekit."""
    sources = sorted((ROOT / "src" / "rulekit").rglob("*.py"))
    assert len(sources) > 20
    problems = [p for path in sources for p in _problems_in(path)]
    assert problems == []


@pytest.mark.parametrize("expr", ["as_of.__class__", "student.__dict__", "semester.next.__init__",
                                  '"x".__class__', "param.__class__", "policy.__globals__"])
def test_rules_cannot_reach_python_attributes(expr):
    from rulekit.policy.rules import load_rules

    doc = load_text(yaml.safe_dump({"rules": [{"id": "probe", "citation": "1",
                                               "for_each": {"student": "students", "semester": "semesters"},
                                               "let": {"v": expr}, "assert": "true"}]}), "probe.yaml")
    rules, diags = load_rules(doc, {}, {})
    assert rules == () or not rules
    assert [d.code for d in diags] in (["dsl-unknown-field"], ["dsl-unknown-param"], ["dsl-unknown-constant"])


# ================================================================== limits

def test_limits_are_the_documented_numbers():
    """docs/security.md lists these; a change here must change the document."""
    assert sourceyaml.MAX_FILE_BYTES == 10 * 1024 * 1024
    assert sourceyaml.MAX_DEPTH == 64
    assert dsl_parser.MAX_EXPRESSION_CHARS == 5000
    assert dsl_parser.MAX_NESTING == 100
    assert records_validate.MAX_PROBLEMS_PER_FILE == 1000
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for number in ("10 MB", "10485760", "64", "5,000", "100", "1,000"):
        assert number in doc, number


def test_file_size_limit(tmp_path):
    limit = sourceyaml.MAX_FILE_BYTES
    at_limit = tmp_path / "at-limit.yaml"
    at_limit.write_bytes(b"# " + b"x" * (limit - 3) + b"\n")
    assert len(read_text(str(at_limit))) == limit  # exactly the limit is read
    over = tmp_path / "over.yaml"
    over.write_bytes(b"# " + b"x" * (limit - 2) + b"\n")
    with pytest.raises(RulekitError) as err:
        read_text(str(over))
    [d] = err.value.diagnostics
    assert d.code == "file-too-large"
    assert d.message == f"{over} is {limit + 1} bytes, more than the limit of {limit}"
    assert d.hint == "split the file, or check that it is the right one"
    # the same through the command (policy) and for records
    result = run_cli("validate", over, expect=(1,))
    assert f"{over}: error[file-too-large]: {over} is {limit + 1} bytes" in result.stdout
    records = tmp_path / "records.yaml"
    shutil.copy(over, records)
    result = run_cli("check", records, "--policy", SHIPPED, "--as-of", AS_OF, expect=(2,))  # unusable input
    assert f"error[file-too-large]: {records} is {limit + 1} bytes, more than the limit of {limit}" in result.stderr



def test_file_size_limit_counts_what_is_read_not_what_stat_says(monkeypatch):
    """A file whose `stat` size is 0 but which holds more (as /proc files do) is still too large."""
    proc = Path("/proc/self/status")
    if not proc.is_file() or proc.stat().st_size != 0:
        pytest.skip("needs Linux's /proc, whose files report size 0")
    monkeypatch.setattr(sourceyaml, "MAX_FILE_BYTES", 100)
    with pytest.raises(RulekitError) as err:
        read_text(str(proc))
    [d] = err.value.diagnostics
    assert d.code == "file-too-large"
    assert d.message == f"{proc} is 101 bytes, more than the limit of 100"  # what was read: limit + 1

def test_yaml_nesting_limit():
    depth = sourceyaml.MAX_DEPTH
    assert load_text("[" * depth + "]" * depth).data is not None  # 64 levels are read
    with pytest.raises(RulekitError) as err:
        load_text("[" * (depth + 1) + "]" * (depth + 1), "deep.yaml")
    [d] = err.value.diagnostics
    assert (d.code, d.message) == ("too-deep", "nesting deeper than 64 levels")
    assert (d.span.line, d.span.column) == (1, depth + 1)  # the first `[` too many
    assert d.hint.startswith("flatten the structure")
    # far beyond (the C composer would recurse once per level): the same finding, quickly
    with pytest.raises(RulekitError) as err:
        load_text("a:\n  b: " + "[" * 200_000 + "]" * 200_000, "deeper.yaml")
    assert err.value.diagnostics[0].code == "too-deep"


def test_yaml_nesting_limit_applies_to_records(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text("students:\n  - id: S001\n    name: " + "[" * 70 + "]" * 70 + "\n", encoding="utf-8")
    with pytest.raises(RulekitError) as err:
        load_records(str(path))
    assert [d.code for d in err.value.diagnostics] == ["too-deep"]
    assert err.value.diagnostics[0].message == "nesting deeper than 64 levels"


def test_dsl_length_limit():
    limit = dsl_parser.MAX_EXPRESSION_CHARS
    text = '"' + "a" * (limit - 2) + '"'  # a text literal: long, not nested
    node, diags = dsl_parser.parse_expr(text)
    assert diags == [] and node is not None
    node, diags = dsl_parser.parse_expr(text + " ")
    [d] = diags
    assert node is None and d.code == "dsl-too-large"
    assert d.message == f"the expression is {limit + 1} characters long, more than the limit of {limit}"
    assert d.hint == "split it into several `let` values"


def test_dsl_nesting_limit():
    node, diags = dsl_parser.parse_expr("not " * 90 + "true")
    assert diags == [] and node is not None
    node, diags = dsl_parser.parse_expr("not " * 101 + "true")
    [d] = diags
    assert node is None and d.code == "dsl-too-deep"
    assert d.message == f"the expression nests more than {dsl_parser.MAX_NESTING} levels deep"
    assert d.hint == "split it into several `let` values"
    # parentheses alone do not nest the expression
    node, diags = dsl_parser.parse_expr("(" * 1000 + "true" + ")" * 1000)
    assert diags == [] and node is not None


def test_records_list_at_most_1000_findings_per_file(tmp_path):
    folder = tmp_path / "school"
    folder.mkdir()
    rows = "".join(f"S{i:04d},某生,A123456789,七,101,113.08.01\n" for i in range(1, 1501))
    (folder / "students.csv").write_text("學號,姓名,身分證字號,年級,班級,入學日期\n" + rows, encoding="utf-8")
    with pytest.raises(RulekitError) as err:
        load_records(str(folder))
    diags = err.value.diagnostics
    assert sum(d.code == "wrong-type" for d in diags) == 1000
    [more] = [d for d in diags if d.code == "too-many-problems"]
    assert more.message == "only the first 1000 problems in this file are listed; 500 rows have more"
    assert more.hint == "fix the listed problems (often one cause) and run again"


def test_json_nesting(tmp_path):
    """JSON records: nesting is bounded by Python's recursion limit; beyond it, a finding."""
    deep = tmp_path / "deep.json"
    deep.write_text('{"students": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(RulekitError) as err:
        load_records(str(deep))
    [d] = err.value.diagnostics
    assert (d.code, d.message, d.span.line, d.span.column) == ("too-deep", "the JSON is nested too deeply to read", 1, 1)
    lines = tmp_path / "jsonl"
    lines.mkdir()
    (lines / "students.jsonl").write_text('{"id": "S1", "name": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
                                          encoding="utf-8")
    with pytest.raises(RulekitError) as err:
        load_records(str(lines))
    assert [d.code for d in err.value.diagnostics] == ["too-deep"]
    # nesting well within the limit is an ordinary wrong value, not a crash
    shallow = tmp_path / "shallow.json"
    shallow.write_text('{"students": [{"id": "S1", "name": ' + "[" * 50 + "]" * 50 + "}]}", encoding="utf-8")
    with pytest.raises(RulekitError) as err:
        load_records(str(shallow))
    assert "wrong-type" in {d.code for d in err.value.diagnostics}


# ================================================================== personal data

OWN_STUDENTS = """\
學號,姓名,身分證字號,年級,班級,入學日期,離校日期,畢業日期
1130101,王小明,A123456789,1,101,113.08.01,,
1130102,李小華,F131104093,1,101,113.08.01,,
1120101,張小美,B223456788,2,201,112.08.01,,
"""
OWN_STAFF = """\
職員編號,姓名,職稱,狀態,離職日期,可協助認證
T001,王振興,校長,active,,
T008,蔡宗翰,註冊組長,active,,
T010,楊雅婷,註冊組幹事,active,,
T012,鄭惠如,任課教師、導師,active,,
"""
OWN_COURSES = """\
課程代碼,課程名稱,學期,任課教師,學分,課程計畫
C11301,國語文,113-1,T012,4,Y
"""


@pytest.fixture
def school(tmp_path) -> Path:
    """A copy of examples/school (or, while it does not exist yet, a small school of our own)."""
    target = tmp_path / "school"
    if (EXAMPLE_SCHOOL / "students.csv").exists():
        shutil.copytree(EXAMPLE_SCHOOL, target, ignore=shutil.ignore_patterns("*.yaml", "*.md", ".*"))
    else:
        target.mkdir()
        (target / "students.csv").write_text(OWN_STUDENTS, encoding="utf-8")
        (target / "staff.csv").write_text(OWN_STAFF, encoding="utf-8")
        (target / "courses.csv").write_text(OWN_COURSES, encoding="utf-8")
    return target


def national_ids(folder: Path) -> list[str]:
    ids = [row["national_id"] for row in load_records(str(folder)).get("students").rows]
    assert ids and all(re.fullmatch(r"[A-Z][0-9A-D][0-9]{8}", i) for i in ids), "the school's IDs look wrong"
    return ids


def roster_from_staff(folder: Path, path: Path) -> Path:
    """A roster YAML made from the school's staff records."""
    staff = []
    for row in load_records(str(folder)).get("staff").rows:
        person = {"id": row["id"], "name": row["name"], "roles": list(row["roles"]), "status": row["status"]}
        if row.get("departed_on"):
            person["departed_on"] = row["departed_on"].isoformat()
        if row.get("can_assist") is not None:
            person["can_assist"] = row["can_assist"]
        staff.append(person)
    path.write_text(yaml.safe_dump({"staff": staff}, allow_unicode=True), encoding="utf-8")
    return path


def amended_copy(path: Path) -> Path:
    """The shipped policy with its course-outcome quota raised: a NEW for `rulekit diff`."""
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index("\n  course_outcome_quota:\n")
    value = re.compile(r"\n    value: (\d+)\n").search(text, start)
    old, new = int(value.group(1)), int(value.group(1)) + 2
    text = text[:value.start()] + f"\n    value: {new}\n" + text[value.end():]
    # the words move with the number (a value alone is error[quote-disagrees])
    text = text.replace(f"至多{chinese_numeral(old)}件", f"至多{chinese_numeral(new)}件")
    path.write_text(text, encoding="utf-8")
    return path


def every_command(school: Path, tmp: Path) -> list[tuple]:
    """(argv, files the command writes) for every command and output format over `school`."""
    policy = str(SHIPPED)
    roster = roster_from_staff(school, tmp / "roster.yaml")
    new = amended_copy(tmp / "amended.yaml")
    records = load_records(str(school))
    course = records.get("courses").rows[0]["id"]
    person = records.get("staff").rows[1]["name"]
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    commands = [
        (["validate", policy, "--roster", school, "--as-of", AS_OF], []),
        (["validate", policy, "--roster", roster, "--format", "json"], []),
        (["show", "四.(一)", "--policy", policy], []),
        (["show", "附表", "--policy", policy, "--format", "json"], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--all"], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--format", "json"], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--format", "markdown", "--all"], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--explain"], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--format", "json", "--explain"], []),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "-o", out / "check.txt"], [out / "check.txt"]),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--format", "json", "--explain",
          "-o", out / "check.json"], [out / "check.json"]),
        (["check", school, "--policy", policy, "--as-of", AS_OF, "--format", "markdown", "-o", out / "check.md"],
         [out / "check.md"]),
        (["who", "課程認證", "--policy", policy, "--records", school, "--course", course, "--as-of", AS_OF], []),
        (["who", "課程認證", "--policy", policy, "--records", school, "--course", course, "--as-of", AS_OF,
          "--format", "json"], []),
        (["who", "校管理者", "--policy", policy, "--roster", roster, "--as-of", AS_OF], []),
        (["who", "--list", "--policy", policy], []),
        (["duties", "註冊組長", "--policy", policy, "--roster", roster], []),
        (["duties", person, "--policy", policy, "--roster", school, "--format", "json"], []),
        (["handover", person, "--policy", policy, "--roster", roster, "--on", AS_OF], []),
        (["handover", person, "--policy", policy, "--roster", roster, "--on", AS_OF, "--format", "json"], []),
        (["diff", policy, new, "--records", school, "--roster", roster, "--as-of", AS_OF], []),
        (["diff", policy, new, "--records", school, "--as-of", AS_OF, "--format", "json"], []),
        (["diff", policy, new, "--records", school, "--as-of", AS_OF, "--format", "markdown",
          "-o", out / "diff.md"], [out / "diff.md"]),
    ]
    if has_command("test"):
        commands.append((["test", ROOT / "policy" / "tests", "--policy", policy], []))
    return commands


def _all_output(argv, written, extra=()) -> str:
    result = run_cli(*extra, *argv, expect=(0, 1))
    texts = [result.stdout, result.stderr] + [Path(f).read_text(encoding="utf-8") for f in written]
    return "\n".join(texts)


def test_no_full_national_id_in_any_output(school, tmp_path):
    ids = national_ids(school)
    seen = []
    for argv, written in every_command(school, tmp_path):
        text = _all_output(argv, written)
        leaked = [i for i in ids if i in text]
        assert not leaked, f"rulekit {argv[0]} {argv[1]} printed or wrote {leaked}"
        seen.append(argv[0])
    assert {"validate", "show", "check", "who", "duties", "handover", "diff"} <= set(seen)


def _break_checksum(school: Path) -> tuple[str, str]:
    """Change one student's ID so that its checksum fails: rule 四.(一) then shows it in --explain."""
    path = school / "students.csv"
    text = path.read_text(encoding="utf-8-sig")
    original = next(i for i in national_ids(school) if is_valid_national_id(i))
    broken = original[:-1] + str((int(original[-1]) + 1) % 10)
    path.write_text(text.replace(original, broken, 1), encoding="utf-8")
    return original, broken


def test_show_personal_data_reveals_the_ids_where_they_appear(school, tmp_path):
    original, broken = _break_checksum(school)
    masked = broken[:-4] + "****"
    argv = ["check", school, "--policy", SHIPPED, "--as-of", AS_OF, "--format", "json", "--explain",
            "--rule", "basic-data-national-id"]
    hidden = run_cli(*argv, expect=(1,)).stdout
    assert masked in hidden and broken not in hidden
    shown = run_cli("--show-personal-data", *argv, expect=(1,)).stdout
    data = json.loads(shown)
    values = [e["value"] for r in data["results"] for e in r.get("explain", [])]
    assert broken in values
    # the same for a report written with -o, and for the table
    out = tmp_path / "report.json"
    run_cli("--show-personal-data", *argv, "-o", out, expect=(1,))
    assert broken in out.read_text(encoding="utf-8")
    out_masked = tmp_path / "report-masked.json"
    run_cli(*argv, "-o", out_masked, expect=(1,))
    assert broken not in out_masked.read_text(encoding="utf-8") and masked in out_masked.read_text(encoding="utf-8")
    table_argv = ["check", school, "--policy", SHIPPED, "--as-of", AS_OF, "--explain", "--rule",
                  "basic-data-national-id"]
    assert broken in run_cli("--show-personal-data", *table_argv, expect=(1,)).stdout
    table = run_cli(*table_argv, expect=(1,)).stdout
    assert masked in table and broken not in table


def _shift_id_into_date(school: Path) -> str:
    """A row whose columns slipped: the national ID ends up in the enrolment-date column."""
    path = school / "students.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    id_col = next(i for i, h in enumerate(header) if h in ("身分證字號", "national_id", "身分證號", "身分證明號碼"))
    date_col = next(i for i, h in enumerate(header) if h in ("入學日期", "enrolled_on"))
    cells = lines[1].split(",")
    national_id = cells[id_col]
    cells[date_col], cells[id_col] = national_id, ""
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return national_id


def test_an_id_in_a_record_error_is_masked(school):
    national_id = _shift_id_into_date(school)
    result = run_cli("check", school, "--policy", SHIPPED, "--as-of", AS_OF, "--format", "json", expect=(2,))
    assert national_id not in result.output
    assert f"{national_id[:-4]}**** is not a recognised date" in result.stderr


def test_show_personal_data_reveals_an_id_in_a_record_error(school):
    national_id = _shift_id_into_date(school)
    result = run_cli("--show-personal-data", "check", school, "--policy", SHIPPED, "--as-of", AS_OF,
                     "--format", "json", expect=(2,))
    assert f"{national_id} is not a recognised date" in result.stderr


RECORDS_WITH_IDS_ASTRAY = """\
students:
  - {id: S1, name: 王, national_id: A123456789, grade: B234567890, class: "101", enrolled_on: 113.08.01}
  - {id: S2, name: 李, national_id: F131104093, grade: 1, class: "101", enrolled_on: C123456780}
staff:
  - {id: T1, name: 陳, roles: [導師], status: D123456781}
"""
A_REFERENCE_TO_AN_ID = """\
students:
  - {id: S1, name: 王, national_id: A123456789, grade: 1, class: "101", enrolled_on: 113.08.01}
consultations:
  - {student: E123456782, consultant: S1, date: 113.10.01}
"""


@pytest.mark.parametrize("text, messages", [
    (RECORDS_WITH_IDS_ASTRAY, ["grade must be a whole number, got text 'B234567890'",
                               "C123456780 is not a recognised date",
                               "status 'D123456781' is not one of the allowed values"]),
    (A_REFERENCE_TO_AN_ID, ["student E123456782 is not an id in students"]),
])
@pytest.mark.parametrize("name", ["records.yaml", "records.json"])
def test_ids_in_record_findings_are_masked_on_output_and_shown_with_the_flag(tmp_path, name, text, messages):
    """Each kind of record finding (wrong type, bad date, enum, unknown reference) holds the ID
    as written; the output masks it, and --show-personal-data prints it."""
    path = tmp_path / name
    path.write_text(text if name.endswith(".yaml") else json.dumps(yaml.safe_load(text), ensure_ascii=False),
                    encoding="utf-8")
    argv = ["check", path, "--policy", SHIPPED, "--as-of", AS_OF]
    # 2: a cell that cannot be read; 3: a row left out for its unknown reference (exit codes, issue 15)
    hidden = run_cli(*argv, expect=(2, 3))
    shown = run_cli("--show-personal-data", *argv, expect=(hidden.exit_code,))
    for message in messages:
        national_id = re.search(r"[A-Z][0-9]{9}", message).group(0)
        masked = message.replace(national_id, national_id[:-4] + "****")
        assert masked in hidden.stdout + hidden.stderr and national_id not in hidden.stdout + hidden.stderr
        assert message in shown.stdout + shown.stderr


# ================================================================== read-only

def snapshot(folder: Path) -> dict:
    """Every file under `folder`: its bytes' SHA-256, size and modification time (ns)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size,
                                                   st.st_mtime_ns)
    return out


@pytest.fixture
def inputs(tmp_path, school) -> dict:
    """Input files in one folder, with an old modification time so that any rewrite would show."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "policy").mkdir()
    shutil.copy(SHIPPED, root / "policy" / "regulation.yaml")
    if (ROOT / "policy" / "tests").is_dir():
        shutil.copytree(ROOT / "policy" / "tests", root / "policy" / "tests")
    shutil.move(str(school), root / "school")
    roster_from_staff(root / "school", root / "roster.yaml")
    amended_copy(root / "amended.yaml")
    for path in root.rglob("*"):
        os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))  # 2001-09-09
    return {"root": root, "policy": root / "policy" / "regulation.yaml", "school": root / "school",
            "roster": root / "roster.yaml", "new": root / "amended.yaml"}


def read_only_commands(p: dict) -> list[list]:
    records = load_records(str(p["school"]))
    course = records.get("courses").rows[0]["id"]
    person = records.get("staff").rows[1]["name"]
    commands = [
        ["validate", p["policy"]],
        ["validate", p["policy"], p["new"], "--roster", p["roster"], "--format", "json"],
        ["check", p["school"], "--policy", p["policy"], "--as-of", AS_OF],
        ["check", p["school"], "--policy", p["policy"], "--as-of", AS_OF, "--format", "json", "--explain"],
        ["who", "課程認證", "--policy", p["policy"], "--records", p["school"], "--course", course, "--as-of", AS_OF],
        ["who", "校管理者", "--policy", p["policy"], "--roster", p["roster"], "--as-of", AS_OF, "--format", "json"],
        ["diff", p["policy"], p["new"], "--records", p["school"], "--roster", p["roster"], "--as-of", AS_OF],
        ["diff", p["policy"], p["new"], "--format", "json"],
        ["show", "四.(三)", "--policy", p["policy"]],
        ["duties", "註冊組長", "--policy", p["policy"], "--roster", p["roster"]],
        ["handover", person, "--policy", p["policy"], "--roster", p["roster"], "--on", AS_OF],
    ]
    if has_command("test") and (p["root"] / "policy" / "tests").is_dir():
        commands.append(["test", p["root"] / "policy" / "tests", "--policy", p["policy"]])
    return commands


def test_commands_leave_their_inputs_untouched(inputs):
    before = snapshot(inputs["root"])
    assert len(before) >= 5
    ran = []
    for argv in read_only_commands(inputs):
        run_cli(*argv, expect=(0, 1))
        after = snapshot(inputs["root"])
        assert after == before, f"rulekit {argv[0]} changed its inputs: " + str(
            {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)})
        ran.append(argv[0])
    assert {"check", "who", "diff", "validate"} <= set(ran)


def test_commands_leave_their_inputs_untouched_on_bad_input(inputs):
    """Also when they fail half-way: bad records, a bad policy."""
    with open(inputs["school"] / "students.csv", "a", encoding="utf-8") as fh:
        fh.write("1139999,某生,A123456789,一,101,113.02.30,,\n")
    text = inputs["policy"].read_text(encoding="utf-8")
    bad_policy = inputs["root"] / "bad.yaml"
    bad_policy.write_text(text.replace("format: rulekit/policy@1", "format: rulekit/policy@9", 1), encoding="utf-8")
    for path in inputs["root"].rglob("*"):
        os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = snapshot(inputs["root"])
    run_cli("check", inputs["school"], "--policy", inputs["policy"], "--as-of", AS_OF, expect=(2,))
    run_cli("validate", bad_policy, expect=(1,))
    run_cli("diff", inputs["policy"], bad_policy, expect=(2,))
    run_cli("who", "課程認證", "--policy", bad_policy, expect=(2,))
    assert snapshot(inputs["root"]) == before


# ================================================================== atomic writes

def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".rulekit-") or p.suffix == ".tmp")


def _check_argv(school: Path, out: Path, *extra) -> list:
    return ["check", school, "--policy", SHIPPED, "--as-of", AS_OF, *extra, "-o", out]


def test_output_file_is_written_whole(school, tmp_path):
    out = tmp_path / "report.txt"
    out.write_text("OLD REPORT\n", encoding="utf-8")
    printed = run_cli("check", school, "--policy", SHIPPED, "--as-of", AS_OF).stdout
    result = run_cli(*_check_argv(school, out))
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == printed
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_interrupted_write_keeps_the_old_report(school, tmp_path, monkeypatch, failing):
    out = tmp_path / "report.json"
    out.write_text('{"old": true}\n', encoding="utf-8")
    os.utime(out, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = snapshot(tmp_path)

    def interrupted(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_module.os, failing, interrupted)
    result = run_cli(*_check_argv(school, out, "--format", "json"), expect=(2,))
    assert f"error[unwritable]: cannot write {out}: No space left on device" in result.stderr
    assert "hint: check the folder's permissions" in result.stderr
    assert snapshot(tmp_path) == before  # the old report, byte for byte, and nothing else
    assert _temp_files(tmp_path) == []


def test_interrupted_diff_output_keeps_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "diff.md"
    out.write_text("old\n", encoding="utf-8")
    new = amended_copy(tmp_path / "amended.yaml")
    monkeypatch.setattr(atomic_module.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(5, "I/O error")))
    run_cli("diff", SHIPPED, new, "--format", "markdown", "-o", out, expect=(2,))
    assert out.read_text(encoding="utf-8") == "old\n"
    assert _temp_files(tmp_path) == []


def test_write_interrupted_by_the_user_leaves_no_temp_file(tmp_path, monkeypatch):
    """Ctrl-C between writing and renaming: the old file stays, the temporary file is removed."""
    out = tmp_path / "report.txt"
    out.write_text("old\n", encoding="utf-8")

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic_module.os, "replace", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(out), "new\n")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert _temp_files(tmp_path) == []


def test_write_atomic_refuses_a_missing_folder(tmp_path):
    with pytest.raises(UsageError) as err:
        write_atomic(str(tmp_path / "nope" / "report.txt"), "x")
    assert err.value.diagnostics[0].code == "no-folder"
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604], ids=oct)
def test_output_keeps_an_existing_reports_mode(school, tmp_path, mode):
    out = tmp_path / "report.txt"
    out.write_text("OLD REPORT\n", encoding="utf-8")
    out.chmod(mode)
    run_cli(*_check_argv(school, out))
    assert out.read_text(encoding="utf-8") != "OLD REPORT\n"
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_a_new_report_gets_the_mode_open_would_give(school, tmp_path):
    out = tmp_path / "report.txt"
    umask = os.umask(0o027)
    try:
        run_cli(*_check_argv(school, out))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # 0666 without the umask's bits, as `>` would


def test_a_folder_without_write_permission_is_a_usage_error(school, tmp_path, monkeypatch):
    """As the tests may run as root (who may write anywhere), the refusal is made by the system call."""
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic_module.tempfile, "mkstemp", denied)
    out = tmp_path / "report.txt"
    result = run_cli(*_check_argv(school, out), expect=(2,))
    assert f"{out}: error[unwritable]: cannot write {out}: Permission denied" in result.stderr
    assert "hint: check the folder's permissions" in result.stderr
    assert "internal error" not in result.output
    assert not out.exists()


def test_a_read_only_folder_is_a_usage_error(school, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write to a chmod 555 folder (root)")
        result = run_cli(*_check_argv(school, folder / "report.txt"), expect=(2,))
        assert "error[unwritable]" in result.stderr and "Permission denied" in result.stderr
    finally:
        folder.chmod(0o755)


# ================================================================== the compiled-policy cache

def test_an_edited_cache_entry_is_a_miss(school, tmp_path, monkeypatch):
    """An entry edited to say the quota is 0 must not change `check`'s answer: the answer is the
    policy file's, as policy_sha256 says, and the edited entry is replaced by a good one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    argv = ("check", school, "--policy", SHIPPED, "--as-of", AS_OF, "--format", "json", "--all")
    first = run_cli(*argv).stdout  # a miss: writes the entry
    [entry] = (tmp_path / "cache" / "rulekit").glob("policy-*.json")
    good = entry.read_bytes()
    quota = b'"name":"course_outcome_quota","type":"count","value":6,'
    assert quota in good, "the entry no longer holds the quota this way: update this test"
    entry.write_bytes(good.replace(quota, quota.replace(b"6,", b"0,")))
    assert run_cli(*argv).stdout == first
    assert entry.read_bytes() == good  # written again from the file
    assert run_cli(*argv).stdout == first  # and used


@pytest.fixture(scope="module")
def sealed_entry(tmp_path_factory):
    """(key, bytes) of the cache entry of a copy of the shipped policy, made once."""
    from rulekit.policy import cache
    from rulekit.policy.load import require_history

    folder = tmp_path_factory.mktemp("sealed")
    saved = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "RULEKIT_NO_CACHE")}
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
    os.environ.pop("RULEKIT_NO_CACHE", None)
    try:
        policy = folder / "regulation.yaml"
        policy.write_bytes(Path(SHIPPED).read_bytes())
        require_history(str(policy))
        key = cache.key_of(str(policy), policy.read_bytes())
        yield key, Path(cache._file(key)).read_bytes(), folder
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_of_a_cache_entry_is_a_miss(sealed_entry, monkeypatch, data):
    from rulekit.policy import cache

    key, good, folder = sealed_entry
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    at = data.draw(st.integers(0, len(good) - 1), label="offset")
    # a printable byte keeps the damage plausible: a digit in a number, a letter in a name
    byte = data.draw(st.integers(0x20, 0x7E).filter(lambda b: b != good[at]), label="byte")
    entry = Path(cache._file(key))
    entry.write_bytes(good[:at] + bytes([byte]) + good[at + 1:])
    try:
        assert cache.load(key) is None
    finally:
        entry.write_bytes(good)


def test_a_cache_entry_for_other_bytes_is_a_miss(tmp_path, monkeypatch):
    """An entry made for one policy's bytes, put where the entry of other bytes belongs (its key
    rewritten, sealed or not), is not trusted."""
    from rulekit.policy import cache
    from rulekit.policy.load import require_history

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    policy = tmp_path / "regulation.yaml"
    policy.write_bytes(Path(SHIPPED).read_bytes())
    key = cache.key_of(str(policy), policy.read_bytes())
    require_history(str(policy))
    made = Path(cache._file(key)).read_bytes()
    assert cache.load(key) is not None  # the entry is good for its own bytes
    other_key = cache.key_of(str(policy), policy.read_bytes() + b"# another file\n")
    moved = made.replace(key.encode(), other_key.encode())
    unsealed = json.loads(moved)
    unsealed.pop("digest", None)
    for forged in (moved, json.dumps(unsealed, ensure_ascii=False).encode("utf-8")):
        Path(cache._file(other_key)).write_bytes(forged)
        assert cache.load(other_key) is None


# ================================================================== determinism and provenance

def run_process(argv: list, seed: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-c", "from rulekit.cli import main; main()", *map(str, argv)],
                          capture_output=True, cwd=ROOT, env=env, timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    return proc.stdout


def test_check_json_names_the_policy_and_the_text_in_force(school):
    result = run_cli("check", school, "--policy", SHIPPED, "--as-of", AS_OF, "--format", "json")
    data = json.loads(result.stdout)
    assert data["policy_sha256"] == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert data["in_force_since"] == load_file(str(SHIPPED)).data["amendments"][-1]["date"]
    assert data["as_of"] == AS_OF
    assert re.fullmatch(r"[0-9a-f]{64}", data["policy_sha256"])


@pytest.mark.parametrize("command", ["check", "diff", "who"])
def test_same_command_same_bytes(school, tmp_path, command):
    roster = roster_from_staff(school, tmp_path / "roster.yaml")
    if command == "check":
        argv = ["check", school, "--policy", SHIPPED, "--as-of", AS_OF, "--format", "json", "--explain", "--all"]
    elif command == "diff":
        argv = ["diff", SHIPPED, amended_copy(tmp_path / "amended.yaml"), "--records", school, "--roster", roster,
                "--as-of", AS_OF, "--format", "json"]
    else:
        argv = ["who", "課程認證", "--policy", SHIPPED, "--roster", roster, "--absent", "任課教師",
                "--as-of", AS_OF, "--format", "json"]
    first = run_cli(*argv).stdout
    assert run_cli(*argv).stdout == first  # the same process, twice
    json.loads(first)
    # other processes, other hash seeds: set and dict orders must not leak into the output
    outputs = {run_process(argv, seed) for seed in ("0", "4242")}
    assert len(outputs) == 1
    assert outputs.pop().decode("utf-8") == first


def test_written_report_is_the_same_twice(school, tmp_path):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    run_cli(*_check_argv(school, one, "--format", "json"))
    run_cli(*_check_argv(school, two, "--format", "json"))
    assert one.read_bytes() == two.read_bytes()
