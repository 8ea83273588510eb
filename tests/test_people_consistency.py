"""Issue 15 item 7: `who`, `duties` and `handover` tell one story.

Every task the text gives a role -- a chain of the substitute list (七.(一)), or a task the
text gives one role alone (七.(三)'s 紙本郵寄通知) -- appears in all three, at the same rank
and with the same citation. The oracle reads the policy YAML itself (yaml.safe_load).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from rulekit.cli import main

# the staff table, workbook and answers as shipped: in the default language, zh-TW
pytestmark = pytest.mark.usefixtures("zh_module")

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
SCHOOL_STAFF = str(ROOT / "examples" / "school" / "staff.csv")
AS_OF = "113.12.01"
RAW = yaml.safe_load(Path(POLICY).read_text(encoding="utf-8"))


def oracle_chains() -> dict[str, tuple[tuple[str, ...], str]]:
    """task -> (roles in order, citation), from the YAML as written."""
    subs = RAW["substitutes"]
    roles = set(RAW["organization"]["roles"])
    out = {task: (tuple(chain), subs["citation"]) for task, chain in subs["chains"].items()}
    for name, task in RAW["tasks"].items():
        if name in out:
            continue
        for stated in task["stated_in"]:
            if len(stated["parties"]) == 1 and stated["parties"][0] in roles:
                out[name] = ((stated["parties"][0],), stated["citation"])
                break
    return out


CHAINS = oracle_chains()
CARRIED = sorted({(role, task, rank, citation) for task, (roles, citation) in CHAINS.items()
                  for rank, role in enumerate(roles)})
ROLES = sorted({role for role, *_ in CARRIED})


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def test_the_oracle_sees_7_3():
    assert CHAINS["紙本郵寄通知"] == (("註冊組幹事",), "七.(三)")


@pytest.mark.parametrize("role", ROLES)
def test_duties_lists_every_task_the_text_gives_the_role(role):
    data = json.loads(run("duties", role, "--policy", POLICY, "--as-of", AS_OF, "--format", "json").stdout)
    got = {(t["task"], t["rank"], t["citation"]) for t in data["tasks"]}
    assert got == {(task, rank, citation) for r, task, rank, citation in CARRIED if r == role}
    # a task carried is not repeated in the trailing "named in the text" list
    assert not {(t["task"], t["citation"]) for t in data["tasks"]} & {(s["task"], s["citation"]) for s in data["stated"]}


@pytest.mark.parametrize("role, task, rank, citation", CARRIED)
def test_who_answers_the_role_once_those_before_it_are_away(role, task, rank, citation):
    roles, _ = CHAINS[task]
    absent = [a for r in roles[:rank] for a in ("--absent", r)]
    data = json.loads(run("who", task, *absent, "--policy", POLICY, "--as-of", AS_OF, "--format", "json").stdout)
    assert data["responsible"]["role"] == role
    assert data["responsible"]["via"] == ("primary" if rank == 0 else "substitute")
    assert citation in {b["citation"] for b in data["basis"]}


@pytest.fixture(scope="module")
def one_person_per_role(tmp_path_factory):
    path = tmp_path_factory.mktemp("roster") / "staff.yaml"
    staff = [{"id": f"P{i:03d}", "name": f"人員{i}", "roles": [role], "status": "active"}
             for i, role in enumerate(ROLES)]
    path.write_text(yaml.safe_dump({"staff": staff}, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("index, role", list(enumerate(ROLES)))
def test_handover_lists_the_same_tasks_as_duties(one_person_per_role, index, role):
    data = json.loads(run("handover", f"P{index:03d}", "--roster", one_person_per_role, "--policy", POLICY,
                          "--as-of", AS_OF, "--format", "json").stdout)
    assert {(t["task"], t["role"]) for t in data["tasks"]} == {(task, role) for r, task, _, _ in CARRIED if r == role}


# ------------------------------------------------------------------ the cases of the issue

def test_handover_of_the_registration_clerk_includes_the_mail_notice_as_who_answers_it():
    """Issue 15: `handover T010` omitted 紙本郵寄通知 (七.(三)) while `who ... --absent T010`
    said nobody was left."""
    plan = json.loads(run("handover", "T010", "--roster", SCHOOL_STAFF, "--policy", POLICY, "--as-of", AS_OF,
                          "--format", "json").stdout)
    mail = [t for t in plan["tasks"] if t["task"] == "紙本郵寄通知"]
    assert mail and mail[0]["as"] == "承辦人"
    answer = json.loads(run("who", "紙本郵寄通知", "--absent", "T010", "--roster", SCHOOL_STAFF, "--policy", POLICY,
                            "--as-of", AS_OF, "--format", "json").stdout)
    assert mail[0]["taken_over_by"] == answer["responsible"]
    assert "紙本郵寄通知" in plan["unassigned"]
    assert "七.(三)" in {b["citation"] for b in answer["basis"]}


def test_duties_shows_the_mail_notice_in_its_table_not_only_in_the_trailing_line():
    out = run("duties", "註冊組幹事", "--policy", POLICY, "--as-of", AS_OF).stdout
    table, _, trailing = out.partition("named in the text for:")
    assert any("紙本郵寄通知" in line and "七.(三)" in line and "承辦人" in line for line in table.splitlines())
    assert "紙本郵寄通知" not in trailing


def test_who_with_a_role_points_to_duties():
    result = run("who", "註冊組長", "--policy", POLICY)
    assert result.exit_code == 2
    assert "error[unknown-task]" in result.stderr
    assert "rulekit duties 註冊組長" in result.stderr


def test_handover_takes_as_of_and_keeps_on():
    args = ("handover", "T010", "--roster", SCHOOL_STAFF, "--policy", POLICY, "--format", "json")
    with_as_of = run(*args, "--as-of", "114.02.01")
    with_on = run(*args, "--on", "114.02.01")
    assert with_as_of.exit_code == 0 and with_as_of.stdout == with_on.stdout
    assert json.loads(with_as_of.stdout)["on"] == "2025-02-01"
