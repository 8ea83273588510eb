"""`rulekit who`, `duties`, `handover` and `validate --roster` end to end, through click.

The roster fixture (tests/fixtures/roster/staff.yaml) is a 113學年度 staff list of
致用高中; courses.yaml holds the 113-1 courses whose teachers it names.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.cli import main
from rulekit.policy import require_valid

ROOT = Path(__file__).resolve().parents[1]
POLICY_PATH = str(ROOT / "policy" / "regulation.yaml")
FIXTURES = ROOT / "tests" / "fixtures" / "roster"
STAFF = str(FIXTURES / "staff.yaml")
COURSES = str(FIXTURES / "courses.yaml")
GOLDEN = ROOT / "tests" / "golden"

POLICY = require_valid(POLICY_PATH)
CHAINS = POLICY.substitutes.chains
CHAIN_TASKS = sorted(CHAINS)
AS_OF = "113.12.01"  # 2024-12-01: 註冊組長 on leave, 課務組長 not yet retired

def assert_golden(name: str, text: str) -> None:
    """Compare `text` with tests/golden/<name>; UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path} (UPDATE_GOLDEN=1 to accept)"


def golden_for(name: str, lang: str) -> str:
    from golden_util import golden_for as named

    return named(name, lang)


def run(*args):
    """Invoke rulekit with the repository's policy; stdout and stderr apart."""
    command, *rest = args
    if command in ("who", "duties", "handover"):
        rest = [*rest, "--policy", POLICY_PATH]
    return CliRunner().invoke(main, [command, *rest], catch_exceptions=False)


def who_json(*args) -> dict:
    result = run("who", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def responsible(data: dict) -> tuple:
    r = data["responsible"]
    return r["role"], r["person"], r["via"]


def cites(data: dict) -> list[str]:
    return [b["citation"] for b in data["basis"]]


# ----------------------------------------------------------------- every chain, both ways

@pytest.mark.parametrize("task", CHAIN_TASKS)
def test_every_chain_primary_present(task):
    data = who_json(task)
    assert responsible(data) == (CHAINS[task].roles[0], None, "primary")
    assert [s["role"] for s in data["chain"]] == [CHAINS[task].roles[0]]
    assert cites(data) == ["七.(一)"]


@pytest.mark.parametrize("task", CHAIN_TASKS)
def test_every_chain_primary_absent(task):
    roles = CHAINS[task].roles
    data = who_json(task, "--absent", roles[0])
    assert responsible(data) == (roles[1], None, "substitute")
    assert [(s["role"], s["available"], s["reason"]) for s in data["chain"]] == [
        (roles[0], False, "named absent"), (roles[1], True, None)]
    assert cites(data) == ["七.(一)"]


@pytest.mark.parametrize("task", CHAIN_TASKS)
def test_every_chain_all_absent_is_the_working_group(task):
    roles = CHAINS[task].roles
    data = who_json(task, *[a for r in roles for a in ("--absent", r)])
    assert responsible(data) == ("工作小組", None, "working_group")
    assert [s["available"] for s in data["chain"]] == [False] * len(roles)
    assert cites(data) == ["七.(一)", "三"]


# ----------------------------------------------------------------- acceptance

@pytest.mark.parametrize("args, expected", [
    (("課程認證", "--absent", "任課教師"), ("教學組長", None, "substitute")),
    (("成績修課", "--absent", "註冊組長"), ("註冊組幹事", None, "substitute")),
    (("校管理者", "--absent", "註冊組長"), ("教務主任", None, "substitute")),
    (("校管理者", "--absent", "註冊組長", "--absent", "教務主任"), ("工作小組", None, "working_group")),
    (("課程學習成果認證", "--absent", "任課教師"), ("教學組長", None, "substitute")),
])
def test_acceptance_without_roster(args, expected):
    data = who_json(*args)
    assert responsible(data) == expected
    assert "七.(一)" in cites(data)


def test_course_certification_sentence_cites_the_substitute_list(zh_default):
    result = run("who", "課程認證", "--absent", "任課教師")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "任課教師不在,課程認證由代理人教學組長辦理(依七.(一))。"
    assert "[七.(一)] 由工作小組訂定代理人名單及代理順位等機制" in result.stdout


@pytest.mark.parametrize("args, expected", [
    # the same questions with the roster: persons' names
    (("成績修課", "--absent", "註冊組長"), ("註冊組幹事", "許雅雯 (C001)", "substitute")),
    (("校管理者", "--absent", "註冊組長"), ("教務主任", "陳美玲 (A002)", "substitute")),
    (("課程認證", "--absent", "任課教師"), ("教學組長", "黃雅婷 (B001)", "substitute")),
    (("多元表現",), ("訓育組長", "蔡承恩 (B004)", "primary")),
    (("班級幹部",), ("訓育組幹事", "鄭家瑋 (C002)", "primary")),
    # 註冊組長 吳宗翰 is on leave: skipped without --absent
    (("成績修課",), ("註冊組幹事", "許雅雯 (C001)", "substitute")),
    (("修課",), ("註冊組幹事", "許雅雯 (C001)", "substitute")),
    (("重補修",), ("註冊組幹事", "許雅雯 (C001)", "substitute")),
    (("校管理者",), ("教務主任", "陳美玲 (A002)", "substitute")),
    # a person named absent, by name or by id
    (("校管理者", "--absent", "陳美玲"), ("工作小組", None, "working_group")),
    (("多元表現", "--absent", "B004"), ("訓育組幹事", "鄭家瑋 (C002)", "substitute")),
    # both roles absent: the working group, person null, even with a roster
    (("班級幹部", "--absent", "訓育組幹事", "--absent", "訓育組長"), ("工作小組", None, "working_group")),
])
def test_acceptance_with_roster(args, expected):
    data = who_json(*args, "--roster", STAFF, "--as-of", AS_OF)
    assert responsible(data) == expected


def test_roster_on_leave_reason_names_the_person():
    data = who_json("成績修課", "--roster", STAFF, "--as-of", AS_OF)
    assert data["chain"][0] == {"role": "註冊組長", "available": False,
                                "reason": "吳宗翰 (B002) is on leave", "person": None}
    assert data["chain"][1] == {"role": "註冊組幹事", "available": True, "reason": None, "person": "許雅雯 (C001)"}


@pytest.mark.parametrize("as_of, expected", [
    ("2024-12-01", ("課務組長", "劉怡君 (B003)", "primary")),  # her departure (2025-01-31) is later
    ("114.01.30", ("課務組長", "劉怡君 (B003)", "primary")),
    ("114.01.31", ("工作小組", None, "working_group")),  # gone, and 註冊組長 on leave
    ("2025-03-01", ("工作小組", None, "working_group")),
])
def test_a_departure_after_the_date_does_not_count_yet(as_of, expected):
    data = who_json("課程成果", "--roster", STAFF, "--as-of", as_of)
    assert responsible(data) == expected
    if expected[2] == "working_group":
        assert [s["reason"] for s in data["chain"]] == ["劉怡君 (B003) left on 2025-01-31", "吳宗翰 (B002) is on leave"]


# ----------------------------------------------------------------- JSON shape

def test_json_shape():
    data = who_json("課程認證", "--absent", "任課教師")
    # "notes" is also emitted (for tasks the text states without a chain); empty here;
    # as_of, policy_sha256 and in_force_since make the answer reproducible later
    assert set(data) == {"task", "responsible", "chain", "basis", "notes", "as_of", "policy_sha256", "in_force_since"}
    assert data["in_force_since"] == "113.01.19" and len(data["policy_sha256"]) == 64
    assert data["notes"] == []
    assert data["task"] == "課程認證"
    assert set(data["responsible"]) == {"role", "person", "via"}
    assert data["responsible"] == {"role": "教學組長", "person": None, "via": "substitute"}
    assert data["chain"] == [
        {"role": "任課教師", "available": False, "reason": "named absent", "person": None},
        {"role": "教學組長", "available": True, "reason": None, "person": None},
    ]
    assert data["basis"] == [{"citation": "七.(一)", "text": POLICY.provisions["七.(一)"].text}]
    for step in data["chain"]:
        assert {"role", "available", "reason"} <= set(step)
        assert isinstance(step["available"], bool)


def test_json_shape_working_group():
    data = who_json("校管理者", "--absent", "註冊組長", "--absent", "教務主任")
    assert data["responsible"] == {"role": "工作小組", "person": None, "via": "working_group"}
    assert [set(b) for b in data["basis"]] == [{"citation", "text"}] * 2
    assert data["basis"][1]["citation"] == "三" and "召集人" in data["basis"][1]["text"]


# ----------------------------------------------------------------- aliases, unknown tasks, --list

@pytest.mark.parametrize("alias, task", [
    ("課程學習成果認證", "課程認證"), ("任課教師認證", "課程認證"), ("修課成績", "成績修課"),
    ("帳號管理", "校管理者"), ("重修", "重補修"), ("幹部", "班級幹部"), ("課程學習成果", "課程成果"),
])
def test_aliases(alias, task):
    data = who_json(alias)
    assert data["task"] == task
    assert data["responsible"]["role"] == CHAINS[task].roles[0]


def test_unknown_task_exits_2_with_the_closest_tasks():
    result = run("who", "課程認正")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown task 課程認正" in result.stderr
    assert "did you mean 課程認證" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_task_with_nothing_close_points_at_list():
    result = run("who", "xyz")
    assert result.exit_code == 2
    assert "rulekit who --list" in result.stderr


def test_list_shows_every_task_and_alias():
    result = run("who", "--list")
    assert result.exit_code == 0
    for task in POLICY.tasks.values():
        assert task.name in result.stdout
        for alias in task.aliases:
            assert alias in result.stdout
    listed = json.loads(run("who", "--list", "--format", "json").stdout)
    assert [t["task"] for t in listed] == list(POLICY.tasks)
    assert {t["task"]: tuple(t["aliases"]) for t in listed}["課程認證"] == POLICY.tasks["課程認證"].aliases


@pytest.mark.parametrize("args, code, needle", [
    ((), "missing-task", "--list"),
    (("修課", "--absent", "註冊組組長"), "unknown-absent", "註冊組長"),
    (("修課", "--absent", "陳美玲"), "unknown-absent", "陳美玲"),  # a person needs --roster
    (("修課", "--as-of", "113.13.45"), "bad-date", "--as-of"),
    (("課程認證", "--course", "113-1-MAT-101"), "missing-records", "--records"),
])
def test_who_usage_errors_exit_2(args, code, needle):
    result = run("who", *args)
    assert result.exit_code == 2, result.output
    assert code in result.stderr and needle in result.stderr
    assert "Traceback" not in result.output


# ----------------------------------------------------------------- 七.(二) with --course and --records

@pytest.mark.parametrize("course, as_of, expected, citations", [
    # 周俊傑 left on 2024-07-31 and can still assist: stays the certifier, 七.(二).2
    ("113-1-MAT-101", AS_OF, ("任課教師", "周俊傑 (T002)", "primary"), ["七.(二).2", "七.(一)"]),
    # 楊淑惠 left and cannot: 教學組長 along the chain, 七.(二).1 and 七.(一)
    ("113-1-ENG-101", AS_OF, ("教學組長", "黃雅婷 (B001)", "substitute"), ["七.(二).1", "七.(一)"]),
    # 郭建宏 leaves on 2025-06-30: not yet, then gone and cannot assist
    ("113-1-PHY-201", AS_OF, ("任課教師", "郭建宏 (T004)", "primary"), ["七.(一)"]),
    ("113-1-PHY-201", "2025-07-01", ("教學組長", "黃雅婷 (B001)", "substitute"), ["七.(二).1", "七.(一)"]),
    # an active teacher, and the 教學組長's own course
    ("113-1-CHI-101", AS_OF, ("任課教師", "謝佩珊 (T001)", "primary"), ["七.(一)"]),
    ("113-1-HIS-101", AS_OF, ("任課教師", "黃雅婷 (B001)", "primary"), ["七.(一)"]),
])
def test_teacher_provisions_with_course_records_and_roster(course, as_of, expected, citations):
    data = who_json("課程認證", "--course", course, "--records", COURSES, "--roster", STAFF, "--as-of", as_of)
    assert responsible(data) == expected
    assert cites(data) == citations
    texts = {b["citation"]: b["text"] for b in data["basis"]}
    assert all(texts[c] for c in citations)


@pytest.fixture
def school_records(tmp_path) -> str:
    """One records file holding both the staff and the courses."""
    path = tmp_path / "school.yaml"
    path.write_text(Path(STAFF).read_text(encoding="utf-8") + "\n" + Path(COURSES).read_text(encoding="utf-8"),
                    encoding="utf-8")
    return str(path)


def test_teacher_who_can_assist_stays_responsible(school_records, zh_default):
    data = who_json("課程認證", "--course", "113-1-MAT-101", "--records", school_records, "--as-of", AS_OF)
    assert responsible(data) == ("任課教師", "周俊傑 (T002)", "primary")
    assert cites(data) == ["七.(二).2", "七.(一)"]
    assert "但仍可協助認證" in data["chain"][0]["reason"]
    text = run("who", "課程認證", "--course", "113-1-MAT-101", "--records", school_records, "--as-of", AS_OF).stdout
    assert "依七.(二).2、七.(一)" in text and "[七.(二).2] 若原任課教師仍可協助" in text


def test_teacher_who_cannot_assist_is_replaced_by_the_instruction_chief(school_records):
    data = who_json("課程認證", "--course", "113-1-ENG-101", "--records", school_records, "--as-of", AS_OF)
    assert responsible(data) == ("教學組長", "黃雅婷 (B001)", "substitute")
    assert cites(data) == ["七.(二).1", "七.(一)"]
    assert data["chain"][0] == {"role": "任課教師", "available": False,
                                "reason": "楊淑惠 (T003) left on 2024-07-31", "person": None}


def test_teacher_who_cannot_assist_with_the_chief_away_goes_to_the_working_group(school_records):
    data = who_json("課程認證", "--course", "113-1-ENG-101", "--records", school_records, "--as-of", AS_OF,
                    "--absent", "黃雅婷")
    assert responsible(data) == ("工作小組", None, "working_group")
    assert cites(data) == ["七.(二).1", "七.(一)", "三"]


def test_unknown_course_exits_2(school_records):
    result = run("who", "課程認證", "--course", "113-1-MAT-110", "--records", school_records)
    assert result.exit_code == 2
    assert "113-1-MAT-110" in result.stderr and "113-1-MAT-101" in result.stderr


def test_course_records_without_staff_do_not_invent_an_empty_roster():
    result = run("who", "課程認證", "--course", "113-1-MAT-101", "--records", COURSES, "--as-of", AS_OF,
                 "--format", "json")
    # Without staff records availability is unknown: the course's teacher answers, and says so.
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["responsible"] == {"role": "任課教師", "person": "T002", "via": "primary"}
    assert answer["chain"][0]["reason"] == "no roster given: availability not checked"


# ----------------------------------------------------------------- duties

def test_duties_of_the_registration_chief_table(zh_default):
    result = run("duties", "註冊組長")
    assert result.exit_code == 0
    rows = {}
    for line in result.stdout.splitlines():
        cells = line.split()
        if len(cells) == 4 and cells[0] in CHAINS:
            rows[cells[0]] = cells[1]
    assert rows == {"校管理者": "承辦人", "成績修課": "承辦人", "修課": "承辦人", "重補修": "承辦人",
                    "課程成果": "第1代理人"}
    assert "附表 中列到他們的列:" in result.stdout


def test_duties_of_the_registration_chief_json(zh_default):
    data = json.loads(run("duties", "註冊組長", "--format", "json").stdout)
    assert data["subject"] == "註冊組長" and data["roles"] == ["註冊組長"]
    assert [(t["task"], t["as"], t["rank"]) for t in data["tasks"]] == [
        ("校管理者", "承辦人", 0), ("成績修課", "承辦人", 0), ("修課", "承辦人", 0), ("重補修", "承辦人", 0),
        ("課程成果", "第1代理人", 1)]
    rows = {r.id: r for r in POLICY.duty_table.rows}
    ids = [r["id"] for r in data["duty_rows"]]
    assert {"附表.2", "附表.5", "附表.6", "附表.7", "附表.15"} <= set(ids)
    for i in ids:
        assert rows[i].names("註冊組") or rows[i].names("教務處"), i
    # and every row naming 註冊組 is there
    assert {i for i, r in rows.items() if r.names("註冊組")} <= set(ids)


def test_duties_of_a_person_with_two_roles(zh_default):
    data = json.loads(run("duties", "陳美玲", "--roster", STAFF, "--format", "json").stdout)
    assert data["roles"] == ["教務主任", "任課教師"]
    assert [(t["task"], t["role"], t["as"]) for t in data["tasks"]] == [
        ("校管理者", "教務主任", "第1代理人"), ("課程認證", "任課教師", "承辦人")]
    text = run("duties", "陳美玲", "--roster", STAFF).stdout
    assert text.splitlines()[0] == "陳美玲: 教務主任、任課教師"


@pytest.mark.parametrize("args, needle", [
    (("註冊組組長",), "註冊組長"),
    (("陳美玲",), "--roster"),  # a person needs a roster
    (("陳美鈴", "--roster", STAFF), "陳美玲"),
])
def test_duties_unknown_subject_exits_2(args, needle):
    result = run("duties", *args)
    assert result.exit_code == 2
    assert "unknown-subject" in result.stderr and needle in result.stderr


# ----------------------------------------------------------------- handover

def test_handover_of_a_person_with_several_roles_json(zh_default):
    result = run("handover", "陳美玲", "--roster", STAFF, "--on", AS_OF, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["person"] == "陳美玲 (A002)" and data["on"] == "2024-12-01"
    tasks = {(t["task"], t["role"]): t for t in data["tasks"]}
    assert set(tasks) == {("校管理者", "教務主任"), ("課程認證", "任課教師")}
    assert tasks[("校管理者", "教務主任")]["as"] == "第1代理人"
    # 註冊組長 is on leave and 陳美玲 leaves: no substitute, the working group assigns
    assert tasks[("校管理者", "教務主任")]["taken_over_by"] == {"role": "工作小組", "person": None,
                                                             "via": "working_group"}
    assert data["unassigned"] == ["校管理者"]


def test_handover_table_lists_the_unassigned_tasks(zh_default):
    result = run("handover", "陳美玲", "--roster", STAFF, "--on", AS_OF)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "陳美玲 (A002) 於 2024-12-01 異動:"
    assert any(line.split()[:4] == ["校管理者", "第1代理人", "工作小組", "工作小組指定"] for line in lines)
    assert lines[-1] == "沒有可接手的代理人,須由工作小組指定:校管理者"


def test_handover_with_a_substitute_present(zh_default):
    data = json.loads(run("handover", "B004", "--roster", STAFF, "--on", AS_OF, "--format", "json").stdout)
    assert [(t["task"], t["as"], t["taken_over_by"]["person"], t["taken_over_by"]["via"]) for t in data["tasks"]] == [
        ("班級幹部", "第1代理人", "鄭家瑋 (C002)", "primary"),
        ("多元表現", "承辦人", "鄭家瑋 (C002)", "substitute"),
    ]
    assert data["unassigned"] == []


def test_handover_after_the_registration_chief_is_back_is_not_unassigned(tmp_path):
    staff = yaml.safe_load(Path(STAFF).read_text(encoding="utf-8"))
    for p in staff["staff"]:
        if p["id"] == "B002":
            p["status"] = "active"
    path = tmp_path / "staff.yaml"
    path.write_text(yaml.safe_dump(staff, allow_unicode=True), encoding="utf-8")
    data = json.loads(run("handover", "陳美玲", "--roster", str(path), "--on", AS_OF, "--format", "json").stdout)
    taken = {t["task"]: t["taken_over_by"] for t in data["tasks"]}
    assert taken["校管理者"] == {"role": "註冊組長", "person": "吳宗翰 (B002)", "via": "primary"}
    assert data["unassigned"] == []


def test_handover_of_a_teacher_hands_certification_over():
    data = json.loads(run("handover", "陳美玲", "--roster", STAFF, "--on", AS_OF, "--format", "json").stdout)
    taken = {(t["task"], t["role"]): t["taken_over_by"] for t in data["tasks"]}
    assert taken[("課程認證", "任課教師")] == {"role": "教學組長", "person": "黃雅婷 (B001)", "via": "substitute"}


def test_handover_unknown_person_exits_2():
    result = run("handover", "陳美鈴", "--roster", STAFF)
    assert result.exit_code == 2
    assert "unknown-person" in result.stderr and "陳美玲" in result.stderr


# ----------------------------------------------------------------- validate --roster

def _roster_variant(tmp_path, change) -> str:
    staff = yaml.safe_load(Path(STAFF).read_text(encoding="utf-8"))
    staff["staff"] = change(staff["staff"])
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(staff, allow_unicode=True), encoding="utf-8")
    return str(path)


def _validate(roster: str) -> tuple[int, list[dict]]:
    result = run("validate", POLICY_PATH, "--roster", roster, "--as-of", AS_OF, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def _codes(diags, code) -> list[dict]:
    return [d for d in diags if d["code"] == code]


def test_validate_fixture_roster_has_every_chain_role_held():
    code, diags = _validate(STAFF)
    assert code == 0
    assert _codes(diags, "unheld-role") == []
    # 黃雅婷 teaches and is the 教學組長: she substitutes for herself
    same = _codes(diags, "same-person-substitute")
    assert len(same) == 1 and "B001" in same[0]["message"] and "課程認證" in same[0]["message"]


@pytest.mark.parametrize("remove, tasks", [
    ("教務主任", ["校管理者"]),
    ("訓育組幹事", ["多元表現", "班級幹部"]),
    ("註冊組幹事", ["修課", "成績修課", "重補修"]),
])
def test_validate_warns_about_a_chain_role_nobody_holds(tmp_path, remove, tasks):
    roster = _roster_variant(tmp_path, lambda people: [p for p in people if remove not in p["roles"]])
    code, diags = _validate(roster)
    assert code == 0  # a warning, not an error
    unheld = _codes(diags, "unheld-role")
    assert sorted(d["message"].split(":")[0] for d in unheld) == sorted(tasks)
    assert all(remove in d["message"] and d["severity"] == "warning" for d in unheld)
    strict = run("validate", POLICY_PATH, "--roster", roster, "--as-of", AS_OF, "--strict")
    assert strict.exit_code == 1


def test_validate_warns_about_a_substitute_who_is_the_primary(tmp_path):
    def double(people):
        for p in people:
            if p["id"] == "B004":  # 訓育組長 also acting as 訓育組幹事
                p["roles"] = ["訓育組長", "訓育組幹事"]
        return people

    code, diags = _validate(_roster_variant(tmp_path, double))
    assert code == 0
    same = [d for d in _codes(diags, "same-person-substitute") if "B004" in d["message"]]
    assert sorted(d["message"].split(":")[0] for d in same) == ["多元表現", "班級幹部"]
    text = run("validate", POLICY_PATH, "--roster", _roster_variant(tmp_path, double), "--as-of", AS_OF).stdout
    assert "warning[same-person-substitute]" in text and "B004 holds both 訓育組長 and its substitute 訓育組幹事" in text


# ----------------------------------------------------------------- golden table views

def test_golden_table_course_certification_teacher_absent(golden_lang):
    result = run("who", "課程認證", "--absent", "任課教師")
    assert result.exit_code == 0
    assert_golden(golden_for("who/課程認證-absent-任課教師.txt", golden_lang), result.stdout)


def test_golden_table_working_group(golden_lang):
    result = run("who", "校管理者", "--absent", "註冊組長", "--absent", "教務主任")
    assert result.exit_code == 0
    assert_golden(golden_for("who/校管理者-working-group.txt", golden_lang), result.stdout)


# ----------------------------------------------------------------- the property, end to end

CHAIN_ROLES = sorted({r for c in CHAINS.values() for r in c.roles})
PER_ROLES = {r for r in CHAIN_ROLES if POLICY.organization.roles[r].per}
NAMES = ["甲", "乙", "丙", "丁", "戊", "己"]
DATES = st.dates(min_value=dt.date(2024, 1, 19), max_value=dt.date(2026, 7, 31))  # the text in force since 113.01.19


@st.composite
def staff_records(draw):
    people = []
    for i in range(draw(st.integers(1, len(NAMES)))):  # a roster without staff is a usage error
        rec = {"id": f"P{i}", "name": NAMES[i],
               "roles": draw(st.lists(st.sampled_from(CHAIN_ROLES), unique=True, max_size=3)),
               "status": draw(st.sampled_from(["active", "on_leave", "departed"]))}
        if rec["status"] == "departed" and draw(st.booleans()):
            rec["departed_on"] = draw(DATES).isoformat()
        people.append(rec)
    return people


def _available(rec, on) -> bool:
    if rec["status"] == "on_leave":
        return False
    if rec["status"] == "departed":
        return "departed_on" in rec and dt.date.fromisoformat(rec["departed_on"]) > on
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=staff_records(), on=DATES, task=st.sampled_from(CHAIN_TASKS), data=st.data())
def test_cli_who_answers_the_first_available_role(people, on, task, data):
    names = [p["id"] for p in people] + [p["name"] for p in people]
    absent = data.draw(st.lists(st.sampled_from(CHAIN_ROLES + names), unique=True, max_size=3), label="absent")
    roles = CHAINS[task].roles
    expected = None
    for index, role in enumerate(roles):
        if role in absent:
            continue
        if role in PER_ROLES:
            expected = (index, role, None)
            break
        holder = next((p for p in people if role in p["roles"] and _available(p, on)
                       and p["id"] not in absent and p["name"] not in absent), None)
        if holder:
            expected = (index, role, f"{holder['name']} ({holder['id']})")
            break
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "staff.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump({"staff": people}, fh, allow_unicode=True)
        out = who_json(task, "--roster", path, "--as-of", on.isoformat(), *[a for r in absent for a in ("--absent", r)])
    if expected is None:
        assert responsible(out) == ("工作小組", None, "working_group")
        assert [s["role"] for s in out["chain"]] == list(roles)
    else:
        index, role, label = expected
        assert responsible(out) == (role, label, "primary" if index == 0 else "substitute")
        assert [s["role"] for s in out["chain"]] == list(roles[:index + 1])
        assert [s["available"] for s in out["chain"]] == [False] * index + [True]
