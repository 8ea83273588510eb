import codecs
import datetime as dt
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from rulekit.calendar import AcademicYear, Semester
from rulekit.diagnostics import RulekitError, UsageError, render
from rulekit.records import (FieldType, RecordSet, Table, check_references, entity_types,
                             load_records, mask_personal)
from rulekit.records import validate as validate_module
from rulekit.records.model import TYPE_NAMES, default_declaration, entity_infos, records_schema
from rulekit.records.validate import _checks

FIXTURES = Path(__file__).parent / "fixtures" / "records"
D = dt.date


def problems(path, **kw):
    with pytest.raises(RulekitError) as info:
        load_records(path, **kw)
    assert not isinstance(info.value, UsageError)
    return list(info.value.diagnostics)


def summary(diags):
    return [(d.span.location(), d.code, d.field, d.message, d.hint) for d in diags]


def write(folder: Path, files: dict) -> Path:
    for name, text in files.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


# ------------------------------------------------------------------- schema, model

def test_schema_is_valid_and_aliases_are_unambiguous():
    schema = records_schema()
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == set(schema["$defs"])
    for entity, fields in entity_infos().items():
        labels = [label for name, info in fields.items() for label in (name, *info.aliases)]
        assert len(labels) == len(set(labels)), entity


def test_entity_types_are_derived_from_the_schema():
    types = entity_types()
    assert types["students"]["national_id"] == FieldType("string", True, True, None)
    assert types["students"]["enrolled_on"] == FieldType("date", True, False, None)
    assert types["students"]["left_on"] == FieldType("date", False, False, None)
    assert types["students"]["grade"] == FieldType("int", True, False, None)
    assert types["staff"]["roles"] == FieldType("list[string]", True, False, "policy.roles")
    assert types["staff"]["can_assist"] == FieldType("bool", False, False, None)
    assert types["courses"]["semester"].name == "semester"
    assert types["courses"]["teacher"].ref == "staff"
    assert types["multi_performances"]["academic_year"].name == "academic_year"
    assert {t.name for fields in types.values() for t in fields.values()} <= set(TYPE_NAMES)
    types["students"].clear()  # callers get a copy
    assert entity_types()["students"]


def test_mask_personal():
    assert mask_personal("A123456789") == "A12345****"
    assert mask_personal("1234") == "****"
    assert mask_personal("12") == "**"
    assert mask_personal(None) == ""


# ------------------------------------------------------------------- good input

def test_yaml_values_are_converted():
    records = load_records(FIXTURES / "school.yaml")
    assert isinstance(records, RecordSet)
    assert records.entities() == ["course_outcomes", "courses", "multi_performances", "staff", "students"]
    s1, s2 = records.get("students").rows
    assert s1 == {"id": "S001", "name": "王小明", "national_id": "A123456789", "grade": 1,
                  "class": "101", "enrolled_on": D(2024, 8, 1), "left_on": None, "graduated_on": None}
    assert s2["enrolled_on"] == D(2023, 8, 1) and s2["left_on"] == D(2024, 3, 1)
    staff = records.get("staff")
    assert staff.rows[0]["roles"] == ("導師", "教務主任") and staff.rows[0]["can_assist"] is True
    assert staff.rows[1]["can_assist"] is None
    outcome = records.get("course_outcomes").rows[0]
    assert outcome["semester"] == Semester(113, 1) and outcome["uploaded_on"] == D(2024, 10, 15)
    assert records.get("multi_performances").rows[0]["academic_year"] == AcademicYear(112)
    assert records.get("students").spans[1].location().endswith("school.yaml:9:5")
    assert records.get("students").span_of(1, "left_on").line == 15


def test_the_same_school_in_every_format():
    yaml_, json_, folder = (load_records(FIXTURES / name) for name in ("school.yaml", "school.json", "school"))
    assert yaml_.entities() == json_.entities() == folder.entities()
    for entity in yaml_.entities():
        assert yaml_.get(entity).rows == json_.get(entity).rows == folder.get(entity).rows, entity
    assert check_references(yaml_) == check_references(folder) == []


def test_record_set_and_table_api():
    records = load_records(FIXTURES / "school")
    assert records.source.endswith("school")
    empty = records.get("meetings")
    assert isinstance(empty, Table) and empty.entity == "meetings" and empty.rows == () and len(empty) == 0
    with pytest.raises(KeyError, match="did you mean students"):
        records.get("studnets")
    students = records.get("students")
    assert students.spans[0].location().endswith("students.csv:row 2")
    assert students.span_of(1, "left_on").column == 7
    assert students.column("id") == ("S001", "S002")
    assert all(set(row) == set(entity_types()["students"]) for row in students)
    assert "students" in records and "meetings" not in records


@pytest.mark.parametrize("encoding, bom, explicit", [
    ("utf-8", b"", None),
    ("utf-8", b"\xef\xbb\xbf", None),
    ("cp950", b"", None),  # Big5 as Windows writes it: fails as UTF-8, read as cp950
    ("big5", b"", "big5"),
    ("utf-16-le", b"\xff\xfe", None),
])
def test_csv_encodings(tmp_path, encoding, bom, explicit):
    text = (FIXTURES / "school" / "students.csv").read_text("utf-8").replace("\n", "\r\n")
    (tmp_path / "students.csv").write_bytes(bom + text.encode(encoding))
    rows = load_records(tmp_path, encoding=explicit).get("students").rows
    assert [r["name"] for r in rows] == ["王小明", "李小華"]
    assert rows[1]["left_on"] == D(2024, 3, 1)


def test_big5_fixture_really_fails_as_utf8():
    data = (FIXTURES / "school" / "students.csv").read_text("utf-8").encode("cp950")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_csv_details(tmp_path):
    write(tmp_path, {
        "staff.csv": "ID , Name,職務,狀態,可協助認證,\n"
                     "T1,\"張,三\",導師;組長 ， 教務主任,active,Yes,\n"
                     "\n"
                     ",,,,,\n"
                     "T2,\"多\n行\",導師,departed,✓,\n"
                     "T3, 李 ,導師,on_leave,否,,\n",
    })
    staff = load_records(tmp_path).get("staff")
    assert [r["name"] for r in staff] == ["張,三", "多\n行", "李"]
    assert staff.rows[0]["roles"] == ("導師", "組長", "教務主任")
    assert staff.rows[1]["roles"] == ("導師",)
    assert [r["can_assist"] for r in staff] == [True, True, False]
    assert [s.row for s in staff.spans] == [2, 5, 7]  # line numbers, counting the quoted line break


# ------------------------------------------------------------------- bad CSV

BAD_CSV = [
    ("unknown entity file", {"studnets.csv": "id\n"},
     [("studnets.csv", "unknown-entity", "", "studnets.csv does not name a kind of record",
       "did you mean students.csv?")]),
    ("unknown header", {"staff.csv": "id,name,roles,statsu\nT1,張,導師,active\n"},
     [("staff.csv:row 1", "ignored-columns", "", "staff in this file has fields that are not declared, "
       "ignored: statsu", "declare them in the policy's records to use them in rules"),
      ("staff.csv:row 1", "missing-column", "status", "no column for required field status",
       "statsu is not a field of this file and was ignored: did you mean status?")]),
    ("too few and too many columns", {"staff.csv": "id,name,roles,status\nT1,張,導師\nT2,李,導師,active,x\n"},
     [("staff.csv:row 2", "column-count", "", "row has 3 columns, the header has 4",
       "a value or a separating comma is missing"),
      ("staff.csv:row 3", "column-count", "", "row has 5 columns, the header has 4",
       "a value containing a comma must be in double quotes")]),
    ("invalid date", {"staff.csv": "id,name,roles,status,離職日期\nT1,張,導師,departed,113.02.30\n"},
     [("staff.csv:row 2", "invalid-date", "departed_on",
       "113.02.30 is not a valid date: February 113 (2024) has 29 days",
       "the last day of that month is 113.02.29")]),
    ("semester 113-3", {"courses.csv": "id,name,semester,teacher,credits,in_course_plan\nC1,數學,113-3,T1,2,是\n"},
     [("courses.csv:row 2", "invalid-semester", "semester",
       "113-3 is not a semester: the term must be 1 (上) or 2 (下)", "write it as 113-1 or 113-2")]),
    ("enum", {"staff.csv": "id,name,roles,status\nT1,張,導師,actve\n"},
     [("staff.csv:row 2", "invalid-value", "status", "status 'actve' is not one of the allowed values",
       "did you mean active? allowed: active, on_leave, departed")]),
    ("grade 4", {"students.csv": "學號,姓名,身分證字號,年級,班級,入學日期\nS1,王,A123456789,4,101,113.08.01\n"},
     [("students.csv:row 2", "out-of-range", "grade", "grade 4 is above the maximum 3",
       "grade must be between 1 and 3")]),
    ("missing required value", {"students.csv": "學號,姓名,身分證字號,年級,班級,入學日期\nS1,,A123456789,1,101,113.08.01\n"},
     [("students.csv:row 2", "missing-field", "name", "required field name is empty",
       "fill in the name column")]),
    ("not a number, not a boolean",
     {"courses.csv": "id,name,semester,teacher,credits,in_course_plan\nC1,數學,113-1,T1,two,maybe\n"},
     [("courses.csv:row 2", "wrong-type", "credits", "credits must be a whole number, got text 'two'",
       "write a whole number, e.g. 2"),
      ("courses.csv:row 2", "wrong-type", "in_course_plan", "in_course_plan must be true or false, got text 'maybe'",
       "write one of: true/false, yes/no, 是/否, Y/N, 1/0, ✓")]),
    ("duplicate column", {"staff.csv": "id,編號,name,roles,status\nT1,T1,張,導師,active\n"},
     [("staff.csv:row 1", "duplicate-column", "id", "column 編號 repeats column 1 (both are id)",
       "remove one of the two columns")]),
    ("empty file", {"staff.csv": "\n\n"},
     [("staff.csv", "empty-file", "", "staff.csv has no header row",
       "the first line names the columns, e.g. 學號,姓名,...")]),
    ("two files for one entity", {"staff.csv": "id,name,roles,status\n", "staff.jsonl": ""},
     [("staff.jsonl", "duplicate-entity", "", "staff records are given twice",
       "keep one of staff.csv and staff.jsonl")]),
    ("undecodable", {"staff.csv": b"id,name,roles,status\nT1,\xff\xfe,x,active\n"},
     [("staff.csv:row 2", "encoding", "",
       "cannot read the file as UTF-8 or Big5 (cp950): byte 0xff at offset 24",
       "name the file's encoding with --encoding (e.g. --encoding big5), or save it as UTF-8")]),
]


@pytest.mark.parametrize("files, expected", [case[1:] for case in BAD_CSV], ids=[case[0] for case in BAD_CSV])
def test_bad_csv(tmp_path, files, expected):
    write(tmp_path, files)
    found = summary(problems(tmp_path))
    expected = [(str(tmp_path / loc), *rest) for loc, *rest in expected]
    assert found == expected


def test_every_problem_of_a_folder_is_reported_at_once(tmp_path):
    write(tmp_path, {
        "studnets.csv": "id\n",
        "staff.csv": "id,name,roles,status,can_assist\nT1,張,;,actve,maybe\nT2,李\n",
        "courses.csv": "id,name,semester,teacher,credits,in_course_plan\nC1,數學,113-3,T1,-1,是\n",
    })
    found = [(os.path.basename(d.span.file), d.span.row, d.code, d.field) for d in problems(tmp_path)]
    assert found == [
        ("courses.csv", 2, "invalid-semester", "semester"),
        ("courses.csv", 2, "out-of-range", "credits"),
        ("staff.csv", 2, "missing-field", "roles"),
        ("staff.csv", 2, "invalid-value", "status"),
        ("staff.csv", 2, "wrong-type", "can_assist"),
        ("staff.csv", 3, "column-count", ""),
        ("studnets.csv", 0, "unknown-entity", ""),
    ]


def test_damaged_utf8_is_not_read_as_big5(tmp_path):
    data = codecs.BOM_UTF8 + "id,name,roles,status\nT1,張三,導師,active\nT2,".encode("utf-8") + b"\xe5\x91,x,active\n"
    write(tmp_path, {"staff.csv": data})
    [d] = problems(tmp_path)
    assert (d.message, d.span.row) == ("cannot read the file as UTF-8: byte 0xe5 at offset 51", 3)
    assert d.hint.startswith("the file looks like UTF-8 with a damaged byte there: fix it, or name")
    assert data[51] == 0xE5


def test_encoding_override(tmp_path):
    write(tmp_path, {"staff.csv": "id,name,roles,status\nT1,張,導師,active\n".encode("cp950")})
    [d] = problems(tmp_path, encoding="utf-8")
    assert (d.code, d.message, d.span.row) == (
        "encoding", "cannot read the file as utf-8: byte 0xb1 at offset 24", 2)
    with pytest.raises(UsageError, match="unknown encoding klingon"):
        load_records(tmp_path, encoding="klingon")


# ------------------------------------------------------------------- bad YAML / JSON

STUDENT = "{id: S1, name: 王, national_id: A123456789, grade: 1, class: '101', enrolled_on: 113.08.01"

BAD_YAML = [
    ("unknown entity", "studnets: []\n",
     [("1:1", "unknown-entity", "", "unknown entity studnets", "did you mean students?")]),
    ("grade 4", f"students:\n  - {STUDENT.replace('grade: 1', 'grade: 4')}}}\n",
     [("2:55", "out-of-range", "grade", "grade 4 is above the maximum 3", "grade must be between 1 and 3")]),
    ("missing required", "students:\n  - id: S1\n    name: 王\n",
     [("2:5", "missing-field", f, f"missing required field {f}", f"add {f}: to this record")
      for f in ("class", "enrolled_on", "grade", "national_id")]),
    ("yes is not a boolean", "staff:\n  - {id: T1, name: 張, roles: [導師], status: active, can_assist: yes}\n",
     [("2:64", "wrong-type", "can_assist", "can_assist must be true or false, got text 'yes'",
       "write true or false")]),
    ("ISO year 0113", f"students:\n  - {STUDENT.replace('113.08.01', '0113-08-01')}}}\n",
     [("2:85", "invalid-date", "enrolled_on",
       "0113-08-01 is in the year 113, before the ROC calendar began (1912-01-01)",
       "did you mean 113.08.01 (2024-08-01)?")]),
    ("two-digit ROC year", f"students:\n  - {STUDENT.replace('113.08.01', '13.08.01')}}}\n",
     [("2:85", "implausible-date", "enrolled_on", "13.08.01 has a two-digit year: it reads as ROC year 13 (1924)",
       "did you mean 113.08.01 (2024-08-01)? for ROC year 13 (1924) write 013.08.01")]),
    ("invalid date", f"students:\n  - {STUDENT.replace('113.08.01', '113.02.30')}}}\n",
     [("2:85", "invalid-date", "enrolled_on", "113.02.30 is not a valid date: February 113 (2024) has 29 days",
       "the last day of that month is 113.02.29")]),
    ("enum and list", "staff:\n  - id: T1\n    name: 張\n    roles: 導師\n    status: actve\n",
     [("4:12", "wrong-type", "roles", "roles must be a list, got text '導師'", "write a list, e.g. [a, b]"),
      ("5:13", "invalid-value", "status", "status 'actve' is not one of the allowed values",
       "did you mean active? allowed: active, on_leave, departed")]),
    ("semester", "windows:\n  - {semester: 113-3, kind: certification, start: 113.09.01, end: 113.09.30}\n",
     [("2:16", "invalid-semester", "semester", "113-3 is not a semester: the term must be 1 (上) or 2 (下)",
       "write it as 113-1 or 113-2")]),
    ("not a list, not a record", "staff: {}\nstudents:\n  - x\n",
     [("1:8", "not-a-list", "", "staff must be a list of records", "write each record as an item: - id: ..."),
      ("3:5", "not-a-record", "", "item 1 of students is not a record", "a record is a mapping of field: value")]),
    ("duplicate key", "students: []\nstudents: []\n",
     [("2:1", "duplicate-key", "", "duplicate key students (first at line 1)",
       "merge the two entries; the second would silently erase the first")]),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in BAD_YAML], ids=[c[0] for c in BAD_YAML])
def test_bad_yaml(tmp_path, text, expected):
    path = tmp_path / "records.yaml"
    path.write_text(text, "utf-8")
    assert summary(problems(path)) == [(f"{path}:{loc}", *rest) for loc, *rest in expected]


# ------------------------------------------------------------------- YAML scalars as written

AS_WRITTEN = """\
students:
  - {id: 0110101, name: 0700, national_id: A123456789, grade: 2, class: 101, enrolled_on: 1130801}
staff:
  - {id: 012, name: yes, roles: [1, on, 導師], status: active, can_assist: true}
  - {id: 1_000, name: 1e3, roles: [], status: active, can_assist: FALSE, departed_on: ~}
consultations:
  - {student: 0110101, consultant: 012, date: 113.10.01, time: 10:30, place: off, content: 0x1F}
courses:
  - {id: C1, name: .inf, semester: 113-1, teacher: 1_000, credits: "4", in_course_plan: True}
"""


@pytest.fixture(params=["events", "full loader"])
def yaml_reader(request, monkeypatch):
    """Records YAML through libyaml's events, or (as for a file with a tag) through sourceyaml."""
    if request.param == "full loader":
        from rulekit.records import load as load_module
        monkeypatch.setattr(load_module, "fast_document", lambda text, path: None)
    return request.param


def test_yaml_scalars_keep_the_text_written(tmp_path, yaml_reader):
    path = tmp_path / "records.yaml"
    path.write_text(AS_WRITTEN, encoding="utf-8")
    records = load_records(path)
    assert records.get("students").rows[0] == {
        "id": "0110101", "name": "0700", "national_id": "A123456789", "grade": 2, "class": "101",
        "enrolled_on": D(2024, 8, 1), "left_on": None, "graduated_on": None}
    assert records.get("staff").rows == (
        {"id": "012", "name": "yes", "roles": ("1", "on", "導師"), "status": "active", "departed_on": None,
         "can_assist": True},
        {"id": "1_000", "name": "1e3", "roles": (), "status": "active", "departed_on": None, "can_assist": False})
    assert records.get("consultations").rows[0] == {
        "student": "0110101", "consultant": "012", "date": D(2024, 10, 1), "time": "10:30", "place": "off",
        "content": "0x1F"}
    assert records.get("courses").rows[0]["name"] == ".inf" and records.get("courses").rows[0]["credits"] == 4
    assert records.get("courses").rows[0]["in_course_plan"] is True
    assert check_references(records) == []  # 0110101 and 012 name the records written so


# Texts YAML 1.1 reads as something else: octal, sexagesimal, underscored, hexadecimal and binary
# numbers, floats, booleans and nulls of other spellings, and timestamps.
YAML11_LOOKALIKES = st.one_of(
    st.from_regex(r"\A0[0-7]{1,10}\Z"), st.from_regex(r"\A[1-9][0-9]?(:[0-5][0-9]){1,2}\Z"),
    st.from_regex(r"\A[1-9](_?[0-9]){1,6}\Z"), st.from_regex(r"\A0x[0-9a-fA-F]{1,6}\Z"),
    st.from_regex(r"\A0b[01]{1,8}\Z"), st.from_regex(r"\A[0-9]{1,4}\.[0-9]{0,3}([eE][-+]?[0-9]{1,2})?\Z"),
    st.sampled_from(["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "true", "False",
                     ".inf", "-.Inf", ".nan", "2024-08-01", "0113-08-01"]),
)
DIGITS = st.text(alphabet=string.digits, min_size=1, max_size=12)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(ids=st.lists(st.one_of(DIGITS, YAML11_LOOKALIKES), min_size=1, max_size=4, unique=True),
       times=st.lists(st.one_of(DIGITS, YAML11_LOOKALIKES), min_size=1, max_size=4))
def test_any_id_or_time_written_unquoted_comes_back_as_the_same_text(tmp_path_factory, yaml_reader, ids, times):
    """The oracle is the text itself: what was written between `id: ` and the next comma."""
    path = tmp_path_factory.mktemp("yaml") / "records.yaml"
    students = "".join(f"  - {{id: {i}, name: x, national_id: A123456789, grade: 1, class: {i},"
                       f" enrolled_on: 2024-08-01}}\n" for i in ids)
    talks = "".join(f"  - {{student: {ids[k % len(ids)]}, consultant: {t}, date: 113.10.01, time: {t}}}\n"
                    for k, t in enumerate(times))
    path.write_text(f"students:\n{students}consultations:\n{talks}", encoding="utf-8")
    records = load_records(path)
    assert [(r["id"], r["class"]) for r in records.get("students")] == [(i, i) for i in ids]
    assert [(r["student"], r["consultant"], r["time"]) for r in records.get("consultations")] == [
        (ids[k % len(ids)], t, t) for k, t in enumerate(times)]
    assert [d for d in check_references(records) if d.is_error] == []  # each student is found by its id


@settings(max_examples=60, deadline=None)
@given(grade=st.integers(1, 3), credits=st.integers(0, 10**30), sign=st.sampled_from(["", "+", "0", "00"]))
def test_yaml_numbers_in_number_fields_are_the_numbers_written(tmp_path_factory, grade, credits, sign):
    """Leading zeros are decimal, as in YAML 1.2 (YAML 1.1 read 010 as 8)."""
    path = tmp_path_factory.mktemp("yaml") / "records.yaml"
    written = f"{sign}{credits}"
    path.write_text(f"students:\n  - {{id: S1, name: x, national_id: A123456789, grade: 0{grade}, class: x,"
                    f" enrolled_on: 2024-08-01}}\ncourses:\n  - {{id: C1, name: x, semester: 113-1, teacher: T,"
                    f" credits: {written}, in_course_plan: false}}\n", encoding="utf-8")
    records = load_records(path)
    assert records.get("students").rows[0]["grade"] == grade
    assert records.get("courses").rows[0]["credits"] == credits


def test_a_number_too_long_for_python_is_a_finding_not_a_crash(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text("courses:\n  - {id: C1, name: x, semester: 113-1, teacher: T, credits: " + "9" * 5000
                    + ", in_course_plan: false}\n", encoding="utf-8")
    [d] = problems(path)
    assert (d.code, d.field, d.span.location()) == ("wrong-type", "credits", f"{path}:2:61")
    assert d.message.startswith("credits must be a whole number, got text '999")


BAD_JSON = [
    ("duplicate key", "records.json",
     '{"staff": [\n  {"id": "T1", "name": "x", "id": "T2", "roles": [], "status": "active"}\n]}\n',
     [("2:29", "duplicate-key", "", "duplicate key id (first at line 2)",
       "merge the two entries; the second would silently erase the first")]),
    ("syntax", "records.json", '{"staff": [\n  {"id": "T1",}\n]}\n',
     [("2:15", "json-syntax", "", "invalid JSON: Expecting property name enclosed in double quotes",
       "check commas, quotes and brackets near this place")]),
    ("grade and name", "records.json",
     '{"students": [\n  {"id": "S1", "name": 7, "national_id": "A123456789",\n'
     '   "grade": 4, "class": "1", "enrolled_on": 1130801}\n]}\n',
     [("2:24", "wrong-type", "name", "name must be text, got the number 7", 'put it in quotes: "7"'),
      ("3:13", "out-of-range", "grade", "grade 4 is above the maximum 3", "grade must be between 1 and 3")]),
    ("unknown entity", "records.json", '{"stafff": []}',
     [("1:2", "unknown-entity", "", "unknown entity stafff", "did you mean staff?")]),
    ("jsonl", "staff.jsonl",
     '{"id": "T1", "name": "x", "roles": ["導師"], "status": "active"}\n\n'
     '{"id": "T2", "name": "y", "roles": ["導師", 3], "status": "active", "rank": 1}\n'
     '[]\n'
     '{"id": "T3", "id": "T4"}\n'
     '{"id": NaN}\n',
     [("", "ignored-columns", "", "staff in this file has fields that are not declared, ignored: rank",
       "declare them in the policy's records to use them in rules"),
      ("3:43", "wrong-type", "roles", "item 2 of roles must be text, got the number 3", 'put it in quotes: "3"'),
      ("4:1", "not-a-record", "", "line 4 is not a JSON object", 'each line holds one record: {"id": "...", ...}'),
      ("5:14", "duplicate-key", "", "duplicate key id (first at line 5)",
       "merge the two entries; the second would silently erase the first"),
      ("6:1", "json-syntax", "", "invalid JSON: NaN is not valid JSON",
       "JSON has no NaN or Infinity; write a number or leave the field out")]),
]


@pytest.mark.parametrize("name, text, expected", [c[1:] for c in BAD_JSON], ids=[c[0] for c in BAD_JSON])
def test_bad_json(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    assert summary(problems(path)) == [(f"{path}:{loc}" if loc else str(path), *rest) for loc, *rest in expected]


def test_empty_entities_and_null_fields(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("students:\nstaff:\n  - {id: T1, name: x, roles: [], status: active, can_assist: null}\n")
    records = load_records(path)
    assert records.entities() == ["staff", "students"] and records.get("students").rows == ()
    assert records.get("staff").rows[0]["can_assist"] is None and records.get("staff").rows[0]["roles"] == ()
    path.write_text("- students\n")
    [d] = problems(path)
    assert (d.code, d.message) == ("not-a-mapping", "a records file maps entity names to lists of records")


def test_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="do not exist"):
        load_records(tmp_path / "nope.yaml")
    (tmp_path / "records.txt").write_text("x")
    with pytest.raises(UsageError, match="cannot read records"):
        load_records(tmp_path / "records.txt")
    [d] = problems(tmp_path)  # a folder without .csv / .jsonl files
    assert d.code == "no-records"


def test_the_number_of_listed_problems_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(validate_module, "MAX_PROBLEMS_PER_FILE", 3)
    write(tmp_path, {"staff.csv": "id,name,roles,status\n" + "".join(f"T{i},x,y,bad\n" for i in range(10))})
    diags = problems(tmp_path)
    assert [d.code for d in diags] == ["too-many-problems"] + ["invalid-value"] * 3
    assert diags[0].message == "only the first 3 problems in this file are listed; 7 rows have more"


# ------------------------------------------------------------------- personal data

def test_record_findings_quote_an_id_as_written_and_never_a_personal_field(tmp_path):
    """Masking is the output's job (cli.common masks everything printed), so that
    --show-personal-data can show the ID; a field marked x-personal is never quoted at all."""
    nid = "A123456789"
    write(tmp_path, {
        "students.csv": "學號,姓名,身分證字號,年級,班級,入學日期,備註\n"
                        f"S1,王,{nid},9,101,113.02.30,\n"
                        f"S1,王,{nid},1,101\n",
        "staff.jsonl": f'{{"id": "T1", "name": "x", "roles": [], "status": "{nid}"}}\n',
    })
    (tmp_path / "records.json").write_text(
        f'{{"students": [{{"id": "S1", "national_id": 123456789, "grade": "{nid}", "class": "x",'
        f' "enrolled_on": "{nid}"}}]}}\n')
    diags = problems(tmp_path) + problems(tmp_path / "records.json")
    personal = next(d for d in diags if d.field == "national_id")
    assert (personal.message, personal.hint) == ("national_id must be text, got a number", "put the value in quotes")
    assert "123456789" not in render(personal) + repr(personal)
    shifted = {d.field: d for d in diags if d.field in ("status", "grade", "enrolled_on")}
    assert shifted["status"].message == f"status '{nid}' is not one of the allowed values"
    assert shifted["grade"].message == f"grade must be a whole number, got text '{nid}'"
    assert shifted["enrolled_on"].message == f"{nid} is not a recognised date"
    assert shifted["enrolled_on"].hint == "this looks like a national ID: check that the columns are in the right order"


def test_a_date_field_marked_personal_is_not_quoted_in_its_finding(tmp_path, monkeypatch):
    """No date field is x-personal today; the rule must hold when one is (the schema decides)."""
    import dataclasses
    info = entity_infos()["students"]["enrolled_on"]
    secret = dataclasses.replace(info, type=dataclasses.replace(info.type, personal=True))
    monkeypatch.setitem(entity_infos()["students"], "enrolled_on", secret)
    write(tmp_path, {"students.csv": "學號,姓名,身分證字號,年級,班級,入學日期\nS1,王,A123456789,1,101,1999x0101\n"})
    [d] = problems(tmp_path)
    assert (d.code, d.field, d.message) == ("invalid-date", "enrolled_on", "enrolled_on is not a valid date")
    assert "1999x0101" not in render(d)


# ------------------------------------------------------------------- references

def test_references_and_duplicate_ids(tmp_path):
    write(tmp_path, {
        "staff.csv": "id,name,roles,status\nT001,張,不存在的角色,active\nT002,李,導師,active\nT001,王,導師,active\n",
        "courses.csv": "id,name,semester,teacher,credits,in_course_plan\nC001,數學,113-1,T003,2,Y\n",
        "course_outcomes.csv": "id,student,course,semester,kind,uploaded_on,certified_by\n"
                               "O1,S001,C001,113-1,報告,113.10.01,T002\n",
    })
    found = summary(check_references(load_records(tmp_path)))
    base = str(tmp_path)
    assert found == [
        (f"{base}/course_outcomes.csv:row 2", "unchecked-reference", "student",
         "course_outcomes.student refers to students, but no students records were loaded",
         "load students records too so these references can be checked"),
        (f"{base}/courses.csv:row 2", "unknown-reference", "teacher", "teacher T003 is not an id in staff",
         "did you mean T002?"),
        (f"{base}/staff.csv:row 4", "duplicate-id", "id",
         f"staff id T001 is used more than once (first at {base}/staff.csv:row 2)",
         "ids must be unique: renumber or remove one record"),
    ]
    assert check_references(load_records(tmp_path))[0].severity == "warning"


def test_reference_hints_in_yaml_point_at_the_field(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("staff:\n  - {id: T001, name: 張, roles: [x], status: active}\n"
                    "courses:\n  - {id: C1, name: 數學, semester: 113-1, teacher: T01, credits: 1,"
                    " in_course_plan: false}\n")
    [d] = check_references(load_records(path))
    assert (d.span.location(), d.code, d.message, d.hint) == (
        f"{path}:4:50", "unknown-reference", "teacher T01 is not an id in staff", "did you mean T001?")


# ------------------------------------------------------------------- properties

SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
                    min_size=1, max_size=12).filter(lambda s: s == s.strip())
STUDENT_RECORDS = st.fixed_dictionaries({
    "id": st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=8),
    "name": SAFE_TEXT,
    "national_id": st.from_regex(r"[A-Z][12][0-9]{8}", fullmatch=True),
    "grade": st.integers(1, 3),
    "class": SAFE_TEXT,
    "enrolled_on": st.dates(D(1990, 1, 1), D(2100, 12, 31)),
    "left_on": st.none() | st.dates(D(1990, 1, 1), D(2100, 12, 31)),
    "graduated_on": st.none(),
})
# ROC years in three digits (079.01.01): in records a two-digit year is a finding (see below)
DATE_FORMS = [lambda d: d.isoformat(), lambda d: f"{d.year - 1911:03d}.{d.month:02d}.{d.day:02d}",
              lambda d: f"{d.year - 1911:03d}/{d.month}/{d.day}", lambda d: f"{d.year - 1911}年{d.month}月{d.day}日"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(records=st.lists(STUDENT_RECORDS, max_size=8), form=st.sampled_from(DATE_FORMS),
       encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_csv_round_trip(tmp_path_factory, records, form, encoding):
    import csv
    import io
    folder = tmp_path_factory.mktemp("rt")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["學號", "姓名", "身分證字號", "年級", "班級", "入學日期", "離校日期"])
    for r in records:
        writer.writerow([r["id"], r["name"], r["national_id"], r["grade"], r["class"],
                         form(r["enrolled_on"]), form(r["left_on"]) if r["left_on"] else ""])
    (folder / "students.csv").write_bytes(out.getvalue().encode(encoding))
    assert list(load_records(folder).get("students").rows) == records


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(day=st.dates(D(1921, 1, 1), D(2010, 12, 31)), sep=st.sampled_from("./-"))
def test_a_two_digit_roc_year_in_records_is_a_located_finding(tmp_path_factory, day, sep):
    """13.08.01 is ROC 13 (1924) to the date parser; in records it is asked about, not guessed."""
    roc = day.year - 1911
    folder = write(tmp_path_factory.mktemp("roc"), {
        "students.csv": f"學號,姓名,身分證字號,年級,班級,入學日期\nS1,王,A123456789,1,101,"
                        f"{roc}{sep}{day.month}{sep}{day.day:02d}\n"})
    [d] = problems(folder)
    assert (d.code, d.field, d.span.location()) == ("implausible-date", "enrolled_on", f"{folder}/students.csv:row 2")
    assert d.message.endswith(f"has a two-digit year: it reads as ROC year {roc} ({day.year})")
    assert d.hint.endswith(f"for ROC year {roc} ({day.year}) write {roc:03d}.{day.month:02d}.{day.day:02d}")
    try:
        later = day.replace(year=day.year + 100)
    except ValueError:  # 29 February of a year whose century later is not a leap year
        return
    offered = d.hint.startswith(f"did you mean {roc + 100}.{day.month:02d}.{day.day:02d} ({later.isoformat()})? ")
    assert offered == (roc <= 30)  # 民國1xx is offered up to 130 (2041); beyond, only the year as written


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "x", "active", "校內", "113-1", "A123456789", "1"]),
    lambda children: st.lists(children, max_size=3), max_leaves=5)


@settings(max_examples=300, deadline=None)
@given(entity=st.sampled_from(sorted(entity_infos())), data=st.data())
def test_fast_check_agrees_with_jsonschema(entity, data):
    """The compiled check only decides which rows jsonschema looks at: it must never
    pass a record jsonschema would fail (or fail one it would pass)."""
    fields = list(entity_infos()[entity]) + ["extra"]
    record = data.draw(st.dictionaries(st.sampled_from(fields), JSON_VALUES, max_size=len(fields)))
    record = {k: v for k, v in record.items() if v is not None}
    decl = default_declaration()
    checks = _checks(decl, entity)
    fast_ok = set(record) <= set(entity_infos()[entity]) and all(
        f in record for f, info in entity_infos()[entity].items() if info.type.required) and all(
        checks[f](v) for f, v in record.items() if f in checks)
    assert fast_ok == validate_module.validator(decl, entity).is_valid(record)


def test_a_large_csv_loads_quickly(tmp_path):
    """Guards the column-wise path: jsonschema on every row would take several seconds."""
    import time
    rows = "".join(f"S{i:06d},王{i % 97},A{100000000 + i},{i % 3 + 1},{300 + i % 20},11{i % 3}.09.0{1 + i % 5}\n"
                   for i in range(50_000))
    write(tmp_path, {"students.csv": "學號,姓名,身分證字號,年級,班級,入學日期\n" + rows})
    start = time.perf_counter()
    students = load_records(tmp_path).get("students")
    assert time.perf_counter() - start < 5
    assert len(students) == 50_000 and students.rows[-1]["enrolled_on"] == D(2022, 9, 5)
    assert students.spans[-1].row == 50_001 and len(students.spans) == 50_000


def test_suggestions_among_many_ids_use_a_prefix():
    from rulekit.records.refs import _suggest
    ids = sorted(f"S{i:06d}" for i in range(20_000))
    assert _suggest("S012349x", ids) == "did you mean S012349?"
    assert _suggest("S01234x", ids).startswith("did you mean S01234")
    assert _suggest("Q", ids) == ""
