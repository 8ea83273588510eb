""""Today" is the school's date: without --as-of, commands and policy tests take the date in
the policy's `time_zone`, not the machine's.

The clock is pinned at 2025-01-31 17:00 UTC, which is 2025-02-01 01:00 in Taipei, on a
machine whose own zone is UTC (a CI runner). 113-1 ends on 2025-01-31, so the working
group's meeting for 113-1 is overdue in Taipei but still pending by the runner's date.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.calendar import clock
from rulekit.cli import main
from rulekit.policy import require_valid

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "policy" / "regulation.yaml"
SCHOOL = ROOT / "examples" / "school"
PINNED = dt.datetime(2025, 1, 31, 17, 0, tzinfo=dt.timezone.utc)
TAIPEI_DATE, UTC_DATE = dt.date(2025, 2, 1), dt.date(2025, 1, 31)


@pytest.fixture
def runner_clock(monkeypatch):
    """The pinned instant, on a machine whose own zone is UTC."""
    if not hasattr(time, "tzset"):
        pytest.skip("setting the machine's zone needs time.tzset (POSIX)")
    monkeypatch.setattr(clock, "now", lambda: PINNED)
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture(scope="module")
def zoneless(tmp_path_factory) -> Path:
    """The shipped policy without `time_zone:`: today is the machine's date."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count("\ntime_zone: Asia/Taipei\n") == 1
    path = tmp_path_factory.mktemp("zoneless") / "regulation.yaml"
    path.write_text(text.replace("\ntime_zone: Asia/Taipei\n", "\n"), encoding="utf-8")
    return path


def test_today_is_the_date_in_the_zone_asked_for(runner_clock):
    assert clock.today_in("Asia/Taipei") == TAIPEI_DATE
    assert clock.today_in("UTC") == UTC_DATE
    assert clock.today_in("America/Los_Angeles") == UTC_DATE  # 09:00 on the 31st
    assert clock.today_in("Pacific/Kiritimati") == TAIPEI_DATE  # UTC+14: 07:00 on the 1st
    assert clock.today_in() == UTC_DATE  # no zone: the machine's own


def test_the_shipped_policy_keeps_the_schools_clock():
    assert require_valid(str(SHIPPED)).time_zone == "Asia/Taipei"


def _check(policy: Path) -> dict:
    result = CliRunner().invoke(main, ["check", str(SCHOOL), "--policy", str(policy), "--rule", "working-group-meets",
                                       "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    return {"as_of": data["as_of"],
            "113-1": next(r["status"] for r in data["results"] if r["subject"] == {"semester": "113-1"})}


def test_check_without_as_of_uses_the_date_in_taipei(runner_clock, zoneless):
    assert _check(SHIPPED) == {"as_of": TAIPEI_DATE.isoformat(), "113-1": "fail"}
    assert _check(zoneless) == {"as_of": UTC_DATE.isoformat(), "113-1": "pending"}


def test_who_and_handover_without_a_date_use_the_date_in_taipei(runner_clock, tmp_path):
    who = CliRunner().invoke(main, ["who", "校管理者", "--policy", str(SHIPPED), "--format", "json"])
    assert json.loads(who.stdout)["as_of"] == TAIPEI_DATE.isoformat(), who.output
    roster = tmp_path / "roster.yaml"
    roster.write_text("staff:\n  - {id: T010, name: 吳宗翰, roles: [註冊組長], status: active}\n"
                      "  - {id: A002, name: 陳美玲, roles: [教務主任], status: active}\n", encoding="utf-8")
    handover = CliRunner().invoke(main, ["handover", "T010", "--roster", str(roster), "--policy", str(SHIPPED)])
    assert f"leaving on {TAIPEI_DATE.isoformat()}:" in handover.output, handover.output


CASE = """\
cases:
  - name: 註冊組長離職當天由教務主任辦理
    roster:
      staff:
        - {id: B002, name: 吳宗翰, roles: [註冊組長], status: departed, departed_on: "2025-02-01"}
        - {id: A002, name: 陳美玲, roles: [教務主任], status: active}
    expect:
      who:
        - {task: 校管理者, person: A002}
"""


def test_a_policy_test_without_a_date_uses_the_date_in_taipei(runner_clock, zoneless, tmp_path):
    """B002 leaves on 2025-02-01: already gone in Taipei, still there by the runner's date."""
    case = tmp_path / "case.yaml"
    case.write_text(CASE, encoding="utf-8")
    assert CliRunner().invoke(main, ["test", str(case), "--policy", str(SHIPPED)]).exit_code == 0
    assert CliRunner().invoke(main, ["test", str(case), "--policy", str(zoneless)]).exit_code == 1


def test_only_the_clock_module_reads_the_clock():
    reads = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(")
    src = ROOT / "src" / "rulekit"
    found = [f"{p.relative_to(src)}:{i}" for p in sorted(src.rglob("*.py")) if p.name != "clock.py"
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if reads.search(line)]
    assert found == []


def test_validate_with_a_roster_checks_it_on_the_date_in_taipei(runner_clock, zoneless, tmp_path):
    """T010 holds 註冊組長 and 教務主任 (校管理者's 承辦人 and 代理人) until 2025-02-01."""
    roster = tmp_path / "roster.yaml"
    roster.write_text("staff:\n  - {id: T010, name: 吳宗翰, roles: [註冊組長, 教務主任], status: departed, "
                      "departed_on: 2025-02-01}\n", encoding="utf-8")

    def same_person(policy: Path) -> list[str]:
        result = CliRunner().invoke(main, ["validate", str(policy), "--roster", str(roster), "--format", "json"])
        return [d["field"] for d in json.loads(result.stdout) if d["code"] == "same-person-substitute"]

    assert "校管理者" not in same_person(SHIPPED)  # gone on 2025-02-01
    assert "校管理者" in same_person(zoneless)  # still both on 2025-01-31
