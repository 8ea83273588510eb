"""The records a policy declares (issue 13): declaration files, lenient loading, blanks,
labels, the template, docs/records.md, missing kinds and people named by role or office."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit.cli import main
from rulekit.diagnostics import RulekitError, UsageError
from rulekit.policy import require_valid
from rulekit.policy.load import load_policy
from rulekit.records import load_records
from rulekit.records.declaration import (Declaration, EntityDecl, FieldDecl, entity_of_stem, format_label,
                                         json_schema)
from rulekit.records.template import write_template

ROOT = Path(__file__).resolve().parents[1]
POLICY_PATH = ROOT / "policy" / "regulation.yaml"
POLICY = require_valid(str(POLICY_PATH))
DECL = POLICY.records
SCHOOL = ROOT / "examples" / "school"
OTHER = ROOT / "tests" / "fixtures" / "other_school"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


# ------------------------------------------------------------------ the declaration

def test_the_first_schools_records_are_declared_in_yaml():
    """Every kind of record of the first school comes from policy/records.yaml, with headers."""
    assert DECL.sources == (str(ROOT / "policy" / "records.yaml"),) or DECL.sources[0].endswith("policy/records.yaml")
    assert len(DECL.entities) == 16
    students = DECL.entity("students")
    assert students.key == "id" and students.field("national_id").personal
    assert students.field("national_id").aliases == ("身分證字號", "身分證號", "身分證明號碼")
    assert json_schema(DECL)["$defs"]["students"]["required"] == [
        "id", "name", "national_id", "grade", "class", "enrolled_on"]


def test_file_stems_and_sheet_names_map_through_one_function():
    assert entity_of_stem(DECL, "學生資料") == entity_of_stem(DECL, "學生") == "students"
    assert entity_of_stem(DECL, "ｓｔｕｄｅｎｔｓ") == "students"  # spelt as keys are read
    assert entity_of_stem(DECL, "學生們") is None


def _policy_with(tmp_path, records_block: str) -> Path:
    text = POLICY_PATH.read_text(encoding="utf-8")
    start = text.index("\nrecords:\n")
    end = text.index("\n# The checks the regulation implies")
    path = tmp_path / "regulation.yaml"
    path.write_text(text[:start] + "\n" + records_block + text[end:], encoding="utf-8")
    shutil.copy(ROOT / "policy" / "records.yaml", tmp_path / "records.yaml")
    return path


def test_values_for_an_undeclared_field_is_an_error_with_did_you_mean(tmp_path):
    path = _policy_with(tmp_path, "records:\n  include: records.yaml\n  values:\n"
                                  "    course_outcomes.zzz: [pdf]\n    meetings.knd: [working_group]\n")
    found = [d for d in load_policy(str(path)).diagnostics if d.code == "unknown-field"]
    assert [(d.message, d.hint, d.is_error) for d in found] == [
        ("records.values names course_outcomes.zzz, which is not a declared field",
         "declare the field under records: entities: first", True),
        ("records.values names meetings.knd, which is not a declared field", "did you mean meetings.kind?", True)]
    assert all(d.span.file == str(path) and d.span.line > 0 for d in found)


def test_a_policy_adds_a_collection_and_a_field_in_yaml_only(tmp_path):
    path = _policy_with(tmp_path, """records:
  include: records.yaml
  entities:
    paper_notices:
      name: 紙本通知
      key: id
      fields:
        id: {type: string, required: true, name: 編號}
        sent_on: {type: date, name: 發送日期}
    students:
      fields:
        seat: {type: int, name: 座號}
        name: {headers: [學生姓名]}
""")
    decl = require_valid(str(path)).records
    assert decl.entity("paper_notices").field("sent_on").zh == "發送日期"
    assert decl.entity("students").field("seat").type == "int"
    assert decl.entity("students").field("name").aliases == ("姓名", "學生姓名")  # extended, not replaced


def test_redeclaring_a_field_with_a_type_is_an_error(tmp_path):
    path = _policy_with(tmp_path, "records:\n  include: records.yaml\n  entities:\n    students:\n"
                                  "      fields:\n        name: {type: int}\n")
    [d] = [d for d in load_policy(str(path)).diagnostics if d.code == "duplicate-field"]
    assert d.message == "students.name is declared already" and d.span.line > 0


def test_a_personal_field_in_a_label_is_refused(tmp_path):
    path = _policy_with(tmp_path, "records:\n  include: records.yaml\n  entities:\n    visitors:\n"
                                  "      label: '{id} {national_id}'\n      fields:\n"
                                  "        id: string\n        national_id: {type: string, personal: true}\n")
    [d] = [d for d in load_policy(str(path)).diagnostics if d.code == "personal-label"]
    assert "national_id" in d.message and d.is_error


def test_a_missing_include_is_located(tmp_path):
    path = _policy_with(tmp_path, "records:\n  include: nowhere.yaml\n")
    found = [d for d in load_policy(str(path)).diagnostics if d.is_error]
    assert found and all("nowhere.yaml" in d.span.file or "nowhere.yaml" in d.message for d in found[:1])


# ------------------------------------------------------------------ lenient loading

def test_unknown_columns_are_one_warning_per_file_and_the_rows_load(tmp_path):
    (tmp_path / "staff.csv").write_text("id,name,roles,status,分機,備註,\nT1,張,導師,active,123,x,y\n", "utf-8")
    records = load_records(tmp_path, DECL)
    assert records.get("staff").rows[0]["name"] == "張"
    [w] = records.warnings
    assert (w.code, w.severity, w.span.row) == ("ignored-columns", "warning", 1)
    assert w.message == "staff in this file has fields that are not declared, ignored: 分機, 備註, (column 7)"


def test_an_optional_field_is_optional(tmp_path):
    """Only declared requirements are required: a course outcome without certification loads."""
    (tmp_path / "r.yaml").write_text(
        "course_outcomes:\n  - {id: O1, student: S1, course: C1, semester: 113-1, kind: x, uploaded_on: 113.09.01}\n",
        "utf-8")
    [row] = load_records(tmp_path / "r.yaml", DECL).get("course_outcomes").rows
    assert row["certified_on"] is None and row["certified_by"] is None


BLANKS = st.text(alphabet=" \t\u3000", max_size=4)


@settings(max_examples=40, deadline=None)
@given(blank=BLANKS, fmt=st.sampled_from(["yaml", "json", "jsonl", "csv"]))
def test_blank_text_is_a_missing_value_in_every_format(tmp_path_factory, blank, fmt):
    """Oracle: a value is missing exactly when stripping it leaves nothing (a CSV cell is stripped too)."""
    folder = tmp_path_factory.mktemp("blank")
    row = {"student": "S1", "consultant": "T1", "date": "113.10.01", "time": "10:00", "place": blank,
           "content": "選課"}
    if fmt == "csv":
        with open(folder / "consultations.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(list(row))
            writer.writerow(list(row.values()))
        path = folder
    elif fmt == "jsonl":
        path = folder / "consultations.jsonl"
        path.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    elif fmt == "json":
        path = folder / "r.json"
        path.write_text(json.dumps({"consultations": [row]}, ensure_ascii=False), "utf-8")
    else:
        path = folder / "r.yaml"
        path.write_text("consultations:\n  - " + json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    [got] = load_records(path, DECL).get("consultations").rows
    assert got["place"] is None and blank.strip() == ""
    assert got["content"] == "選課"


def test_a_blank_place_fails_the_consultation_record_check(tmp_path):
    """四.(二): 'date, time, place and content': a place of spaces, saved to JSON Lines, is no place."""
    shutil.copytree(SCHOOL, tmp_path / "school")
    path = tmp_path / "school" / "consultations.csv"
    fields = DECL.entity("consultations").fields
    name_of = {alias: f.name for f in fields for alias in (f.name, *f.aliases)}
    rows = [{name_of[k]: v for k, v in r.items() if v.strip()} for r in csv.DictReader(path.open(encoding="utf-8-sig"))]
    target = next(r for r in rows if len(r) == len(fields))
    target["place"] = "   "
    path.unlink()
    (tmp_path / "school" / "consultations.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    target = [target["student"]]
    result = run("check", tmp_path / "school", "--as-of", "2025-03-31", "--format", "json",
                 "--rule", "consultation-record-complete")
    failing = [r for r in json.loads(result.stdout)["results"] if r["status"] == "fail"]
    assert any(target[0] in json.dumps(r["subject"], ensure_ascii=False) for r in failing)


# ------------------------------------------------------------------ labels

def _label_oracle(template: str, row: dict, personal: set) -> str:
    """Written apart from format_label: fill each {field}, drop a part whose value is absent,
    and brackets left empty."""
    out, i = "", 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            name = template[i + 1:j]
            value = row.get(name)
            out += "" if value in (None, "") or name in personal else str(value)
            i = j + 1
        else:
            out += template[i]
            i += 1
    out = out.replace("()", "").replace("( )", "")
    while "(-" in out or "-)" in out:
        out = out.replace("(-", "(").replace("-)", ")")
    out = out.replace("()", "")
    return " ".join(out.split())


@settings(max_examples=200, deadline=None)
@given(values=st.fixed_dictionaries({k: st.one_of(st.none(), st.just(""), st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True))
                                     for k in ("id", "name", "class", "seat", "national_id")}))
def test_label_skips_absent_fields_and_never_shows_a_personal_one(values):
    decl = Declaration((EntityDecl("students", label="{id} {name} ({class}-{seat}) {national_id}", fields=(
        FieldDecl("id"), FieldDecl("name"), FieldDecl("class"), FieldDecl("seat"),
        FieldDecl("national_id", personal=True))),))
    got = format_label(decl, "students", values)
    expected = _label_oracle("{id} {name} ({class}-{seat}) {national_id}", values, {"national_id"})
    assert got == (expected or None)
    if values["national_id"]:
        assert values["national_id"] not in (got or "").split() or values["national_id"] in (
            values["id"], values["name"], values["class"], values["seat"])


def test_the_json_report_carries_each_record_subjects_label():
    result = run("check", SCHOOL, "--as-of", "2025-03-31", "--format", "json", "--rule", "course-outcome-quota",
                 "--rule", "course-outcome-in-window")
    results = json.loads(result.stdout)["results"]
    by_rule = {r["rule"]: r for r in results}
    outcome = by_rule["course-outcome-in-window"]
    assert outcome["subject_label"].startswith(outcome["subject"]["outcome"] + " ")
    quota = by_rule["course-outcome-quota"]  # a student and a semester: the student's label
    assert quota["subject_label"].startswith(quota["subject"]["student"] + " ")


# ------------------------------------------------------------------ template and docs

def test_template_writes_declared_headers_and_an_example_row_that_loads(tmp_path):
    written = write_template(DECL, str(tmp_path / "t"))
    assert len(written) == len(DECL.entities)
    with open(tmp_path / "t" / "學生.csv", encoding="utf-8-sig") as fh:
        header, example = list(csv.reader(fh))
    assert header == [f.zh for f in DECL.entity("students").fields]
    records = load_records(tmp_path / "t", DECL)  # the example rows are valid records
    assert sorted(records.tables) == sorted(DECL.names())
    assert all(len(t.rows) == 1 for t in records.tables.values())


def test_template_refuses_to_overwrite(tmp_path):
    (tmp_path / "學生.csv").write_text("mine", "utf-8")
    with pytest.raises(UsageError) as err:
        write_template(DECL, str(tmp_path))
    assert [d.code for d in err.value.diagnostics] == ["file-exists"]
    assert (tmp_path / "學生.csv").read_text("utf-8") == "mine" and len(list(tmp_path.iterdir())) == 1
    result = run("template", tmp_path)
    assert result.exit_code == 2 and "error[file-exists]" in result.output


def test_docs_records_md_is_current():
    result = run("docs", "records")
    assert result.exit_code == 0
    assert (ROOT / "docs" / "records.md").read_text("utf-8") == result.stdout, \
        "regenerate it: rulekit --lang en docs records > docs/records.md"


# ------------------------------------------------------------------ partial records (issue 15.9)

def test_one_file_says_which_kinds_are_missing_and_rules_needing_them_are_not_determinable():
    result = run("check", SCHOOL / "students.csv", "--as-of", "2025-03-31", "--format", "json")
    data = json.loads(result.stdout)
    [note] = [f for f in data["findings"] if f["code"] == "missing-records"]
    assert "working_group" in note["message"] and note["severity"] == "warning"
    by_rule = {}
    for r in data["results"]:
        by_rule.setdefault(r["rule"], set()).add(r["status"])
    assert by_rule["working-group-seats"] == {"not_determinable"}  # not 「已指派 0 席」
    assert "fail" not in by_rule.get("retention-after-graduation", set())
    assert by_rule["basic-data-national-id"] <= {"pass", "fail"}  # reads students alone: judged
    assert data["summary"]["not_determinable"] >= 1


def test_a_complete_folder_has_no_missing_kinds():
    data = json.loads(run("check", SCHOOL, "--as-of", "2025-03-31", "--format", "json").stdout)
    assert not [f for f in data["findings"] if f["code"] == "missing-records"]
    assert "not_determinable" not in data["summary"]


# ------------------------------------------------------------------ people in records

def _with_dispute_handler(tmp_path, handler: str) -> Path:
    shutil.copytree(SCHOOL, tmp_path / "school")
    path = tmp_path / "school" / "confirmations.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    col = next(i for i, h in enumerate(rows[0]) if h in ("handled_by", "處理者"))
    status = next(i for i, h in enumerate(rows[0]) if h in ("status", "狀態"))
    for r in rows[1:]:
        if r[status] == "disputed":
            r[col] = handler
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return tmp_path / "school"


@pytest.mark.parametrize("handler, status", [("教務處", "pass"), ("註冊組", "pass"), ("註冊組長", "pass"),
                                             ("學務處", "fail")])
def test_a_dispute_handled_by_an_office_its_section_or_role_counts_for_the_office(tmp_path, handler, status):
    school = _with_dispute_handler(tmp_path, handler)
    data = json.loads(run("check", school, "--as-of", "2025-03-31", "--format", "json",
                          "--rule", "dispute-handled").stdout)
    assert {r["status"] for r in data["results"]} == {status}
    assert not [f for f in data["findings"] if f["code"] == "unknown-reference"]


def test_a_person_who_is_no_staff_role_or_unit_is_an_error(tmp_path):
    school = _with_dispute_handler(tmp_path, "教物處")
    data = json.loads(run("check", school, "--as-of", "2025-03-31", "--format", "json",
                          "--rule", "dispute-handled").stdout)
    found = [f for f in data["findings"] if f["code"] == "unknown-reference"]
    assert found and all(d["message"] == "handled_by 教物處 is no staff id, role or unit"
                         and d["hint"] == "did you mean 教務處?" for d in found)
    assert all(d["row"] and d["file"].endswith("confirmations.csv") for d in found)


# ------------------------------------------------------------------ the course teacher, generically

def test_who_finds_the_course_teacher_from_the_declaration_without_the_teacher_block(tmp_path):
    text = (OTHER / "regulation.yaml").read_text("utf-8")
    start = text.index("  teacher_provisions:")
    end = text.index("\n", text.index("\n  ", text.index("cannot_assist", start)) + 1)
    rest = text[end:]
    while rest.startswith("      ") or rest.startswith("    "):  # the block's remaining lines
        rest = rest[rest.index("\n") + 1:]
    policy = tmp_path / "regulation.yaml"
    policy.write_text(text[:start] + rest, "utf-8")
    assert "teacher_provisions" not in policy.read_text("utf-8")
    result = run("who", "成果認證", "--course", "C2", "--records", OTHER / "records.yaml",
                 "--roster", OTHER / "roster.yaml", "--as-of", "2024-12-01", "--policy", policy, "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert data["responsible"] == {"role": "任課教師", "person": "李老師 (T02)", "via": "primary"}


def test_who_course_without_a_declared_doer_says_what_to_declare(tmp_path):
    result = run("who", "註冊組業務", "--course", "C1", "--records", SCHOOL)
    assert result.exit_code == 2


# ------------------------------------------------------------------ a school with other names altogether

THIRD = ROOT / "tests" / "fixtures" / "third_school"


def test_a_school_whose_kinds_and_fields_are_named_in_chinese_runs_check():
    result = run("check", THIRD / "records", "--policy", THIRD / "regulation.yaml", "--as-of", "2025-03-15",
                 "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    fails = {(r["rule"], r["subject_label"]) for r in data["results"] if r["status"] == "fail"}
    assert fails == {("outcome-cap", "A01 林小花 (101-1)"), ("upload-size", "R02 A01")}
    labels = {r["subject_label"] for r in data["results"] if r["rule"] == "outcome-cap"}
    assert "A02 陳大山 (101)" in labels  # no seat: the part is left out cleanly
    # 學生名冊.csv is 學生 by its declared file name; its export carries a column nobody declared
    assert [(f["code"], f["message"]) for f in data["findings"]] == [
        ("ignored-columns", "學生 in this file has fields that are not declared, ignored: 家長電話")]
    sizes = {r["subject"]["o"].split()[0] for r in data["results"] if r["rule"] == "upload-size"}
    assert sizes == {"R01", "R02", "R04"}  # R03 has no size, R05 a blank one: not judged


def test_the_third_schools_template_uses_its_own_names(tmp_path):
    decl = require_valid(str(THIRD / "regulation.yaml")).records
    written = sorted(Path(p).name for p in write_template(decl, str(tmp_path)))
    assert written == sorted(["學生.csv", "學習成果.csv", "作業期間.csv", "會議紀錄.csv"])
    assert load_records(tmp_path, decl).get("學生").rows[0]["學號"] == "A01"


def test_a_file_without_a_column_a_rule_reads_makes_its_rows_not_determinable(tmp_path):
    """四.(二) reads a consultation's place: an export without that column cannot pass or fail."""
    shutil.copytree(SCHOOL, tmp_path / "school")
    path = tmp_path / "school" / "consultations.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    place = next(i for i, h in enumerate(rows[0]) if h in ("place", "地點"))
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([r[:place] + r[place + 1:] for r in rows])
    data = json.loads(run("check", tmp_path / "school", "--as-of", "2025-03-31", "--format", "json",
                          "--rule", "consultation-record-complete").stdout)
    results = data["results"]
    assert results and {r["status"] for r in results} == {"not_determinable"}
    assert results[0]["message"] == (f"cannot be determined: {path}:row 2 has no place "
                                     "(the file has no such column)")


def test_a_cached_policy_is_not_used_once_its_declaration_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    path = _policy_with(tmp_path, "records:\n  include: records.yaml\n")
    from rulekit.policy.load import require_history
    assert require_history(str(path)).latest.records.entity("students").field("seat") is None
    assert require_history(str(path)).latest.records.entity("students") is not None  # from the cache
    declaration = tmp_path / "records.yaml"
    text = declaration.read_text("utf-8")
    declaration.write_text(text.replace("      graduated_on:", "      seat: {type: int, name: 座號}\n      graduated_on:", 1),
                           "utf-8")
    assert require_history(str(path)).latest.records.entity("students").field("seat").zh == "座號"
