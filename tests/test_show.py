"""`rulekit show CITATION`: an article's text beside everything encoded from it.

The two main views are golden files (tests/golden/show/); UPDATE_GOLDEN=1 rewrites them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from golden_util import assert_golden, golden_for

from rulekit.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")

# 七.(一) 各項目承辦人之代理名單, as printed: 項目, 承辦人, 代理人.
CHAINS = [
    ("校管理者", ["註冊組長", "教務主任"]),
    ("成績修課", ["註冊組長", "註冊組幹事"]),
    ("修課", ["註冊組長", "註冊組幹事"]),
    ("重補修", ["註冊組長", "註冊組幹事"]),
    ("班級幹部", ["訓育組幹事", "訓育組長"]),
    ("課程成果", ["課務組長", "註冊組長"]),
    ("多元表現", ["訓育組長", "訓育組幹事"]),
    ("課程認證", ["任課教師", "教學組長"]),
]


def show(*args: str, policy: str = POLICY):
    result = CliRunner().invoke(main, ["show", *args, "--policy", policy])
    assert "Traceback" not in result.output
    return result


def _table_rows(out: str, title: str) -> list[list[str]]:
    """The rows of the table printed under `title` (after its header and ---- line)."""
    lines = out.splitlines()
    start = lines.index(title) + 3
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


# ------------------------------------------------------------------ 七.(一)

def test_show_substitute_list_golden(golden_lang):
    result = show("七.(一)")
    assert result.exit_code == 0, result.output
    assert_golden(golden_for("show/七.(一).txt", golden_lang), result.stdout)


def test_show_substitute_list_has_every_item_and_role_in_order():
    out = show("七.(一)").stdout
    assert out.splitlines()[0] == "七.(一) 行政人員: 由工作小組訂定代理人名單及代理順位等機制,進行資料建置、修正提交及疑義處置。"
    header = out.splitlines()[out.splitlines().index("各項目承辦人之代理名單:") + 1]
    assert header.split() == ["項目", "承辦人", "代理人"]
    rows = _table_rows(out, "各項目承辦人之代理名單:")
    assert [(r[0], r[1:]) for r in rows] == CHAINS


def test_show_whole_article_七_adds_the_teacher_and_student_provisions():
    result = show("七")
    assert result.exit_code == 0
    out = result.stdout
    assert [(r[0], r[1:]) for r in _table_rows(out, "各項目承辦人之代理名單:")] == CHAINS
    assert "七.(二).1: 任課教師 cannot assist -> 課程認證 passes along the 七.(一) chain" in out
    assert "七.(二).2: a departed 任課教師 who can still assist stays responsible for 課程認證" in out
    assert "七.(三): 紙本郵寄通知 by 註冊組幹事 (" in out
    assert [ln.split()[0].rstrip(":") for ln in out.splitlines() if ln.startswith("七")][:6] == \
        ["七", "七.(一)", "七.(二)", "七.(二).1", "七.(二).2", "七.(三)"]


def test_show_substitute_list_json():
    result = show("七.(一)", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["citation"] == "七.(一)"
    assert data["chains"] == [{"task": task, "roles": roles} for task, roles in CHAINS]
    assert data["text"] == [{"id": "七.(一)", "heading": "行政人員",
                             "text": "由工作小組訂定代理人名單及代理順位等機制,進行資料建置、修正提交及疑義處置。"}]
    assert data["duty_rows"] == [] and data["parameters"] == [] and data["provisions"] == []
    # the 承辦人 of each chain is a statement of who does the task: see the responsibility-conflict warnings
    assert data["tasks"] == []


# ------------------------------------------------------------------ 四.(三)

def test_show_course_outcomes_golden(golden_lang):
    result = show("四.(三)")
    assert result.exit_code == 0, result.output
    assert_golden(golden_for("show/四.(三).txt", golden_lang), result.stdout)


def test_show_course_outcomes_text_and_quota(zh_default):
    out = show("四.(三)").stdout
    lines = out.splitlines()
    assert lines[0].startswith("四.(三) 課程學習成果: 學生自主登錄:學生得於每學期學校規定時間內登錄修課")
    assert "至多六件" in lines[0]
    assert lines[1] == "四.(三).1 任課教師認證: 任課教師每學期於學校規定時間內進行認證。"
    assert lines[2] == "四.(三).2 認證檢核: 由教務處教學組、課務組、實習處通知任課教師於規定時間內進行認證。"
    assert "  course_outcome_quota = 6 件 (至多, 每學期)  [四.(三)] 「至多六件」" in lines
    assert "  certification_frequency = 1 次 (至少, 每學期)  [四.(三).1] 「任課教師每學期於學校規定時間內進行認證」" \
        in lines
    assert "  課程成果: 教學組、課務組、實習處  [四.(三).2]" in lines
    assert "  課程認證: 任課教師  [四.(三).1]" in lines
    assert "各項目承辦人之代理名單:" not in lines  # 七.(一) is not under 四.(三)


def test_show_course_outcomes_json():
    data = json.loads(show("四.(三)", "--format", "json").stdout)
    assert [t["id"] for t in data["text"]] == ["四.(三)", "四.(三).1", "四.(三).2"]
    assert data["text"][0]["heading"] == "課程學習成果"
    quota = next(p for p in data["parameters"] if p["name"] == "course_outcome_quota")
    assert quota == {"name": "course_outcome_quota", "type": "count", "value": 6, "unit": "件", "bound": "at_most",
                     "per": "semester", "citation": "四.(三)", "quote": "至多六件"}
    assert [p["name"] for p in data["parameters"]] == ["course_outcome_quota", "certification_frequency"]
    assert {"task": "課程認證", "citation": "四.(三).1", "parties": ["任課教師"]} in data["tasks"]
    assert data["chains"] == [] and data["duty_rows"] == []


def test_show_sub_item_shows_only_its_own_parameters():
    data = json.loads(show("四.(三).1", "--format", "json").stdout)
    assert [t["id"] for t in data["text"]] == ["四.(三).1"]
    assert [p["name"] for p in data["parameters"]] == ["certification_frequency"]


# ------------------------------------------------------------------ 附表

def test_show_duty_table_lists_19_rows():
    result = show("附表")
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("附表.")]
    assert ids == [f"附表.{i}" for i in range(1, 20)]
    header = next(line for line in result.stdout.splitlines() if line.startswith("id "))
    assert header.split() == ["id", "項目", "內容", "工作項目", "行政", "其他", "備註"]
    row8 = next(line for line in result.stdout.splitlines() if line.startswith("附表.8 "))
    assert "教務處、教學組" in row8 and "任課教師: 課程教師協助認證; 學生: 應主動自行登錄" in row8


def test_show_duty_table_json():
    data = json.loads(show("附表", "--format", "json").stdout)
    assert data["text"] == []  # 附表 is a table, not an article
    rows = data["duty_rows"]
    assert len(rows) == 19
    assert [r["id"] for r in rows] == [f"附表.{i}" for i in range(1, 20)]
    assert rows[7] == {"id": "附表.8", "category": "登錄", "content": "課程學習成果", "work_item": "學科(如國、英、數)",
                       "administration": ["教務處", "教學組"], "parts": {"任課教師": "課程教師協助認證", "學生": "應主動自行登錄"},
                       "remarks": "本項由學生主動登錄,課程教師協助認證,行政端協助追蹤"}
    assert rows[9]["administration"] == [] and rows[18]["administration"] == ["執行秘書"]


def test_show_one_duty_row():
    data = json.loads(show("附表.17", "--format", "json").stdout)
    assert [r["id"] for r in data["duty_rows"]] == ["附表.17"]  # not 附表.1 .. 附表.19 by prefix
    assert [p["name"] for p in data["parameters"]] == ["teacher_workshop"]  # also_cited: [附表.17]


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("citation, hint", [
    ("四.(九)", "did you mean 四? it has 四.(一)、四.(二)、四.(三)、四.(四)"),
    ("附表.20", "did you mean 附表? it has 附表.1、附表.2、附表.3 … 附表.19"),
    ("4.(3)", "did you mean 四.(三)?"),
    ("四.３", "did you mean 四.(三)?"),
    ("附錶.8", "did you mean 附表.8?"),
    ("hello", "citations look like 一 or 四.(二).1 or 附表.1"),
])
def test_show_unknown_citation_exits_2_with_did_you_mean(citation, hint):
    result = show(citation)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{POLICY}: error[unknown-citation]: citation {citation} does not exist in {POLICY}",
        f"  hint: {hint}",
    ]


def test_show_refuses_an_invalid_policy(tmp_path):
    text = Path(POLICY).read_text(encoding="utf-8").replace("    修課: [註冊組長, 註冊組幹事]", "    修課: [註冊組長x]")
    path = tmp_path / "regulation.yaml"
    path.write_text(text, encoding="utf-8")
    result = show("七.(一)", policy=str(path))
    assert result.exit_code == 2  # unusable input (issue 15: was 1, the code for failing rules)
    assert result.stdout == ""
    assert "error[unknown-role] [修課]: role 註冊組長x is not declared" in result.stderr


def test_show_with_a_missing_policy_exits_2(tmp_path):
    result = show("七.(一)", policy=str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "error[file-not-found]" in result.stderr
