"""Issue 15 item 6: `rulekit deadlines` (行事曆) and the library function behind it.

The oracles read the example school's windows.csv and the policy YAML themselves (csv,
yaml, datetime), not through rulekit: the unit checks are due `unit_check_lead_time`
before each central upload's last day, every window ends on its own last day.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.calendar import Semester, parse_date
from rulekit.cli import main
from rulekit.evaluator.deadlines import MET, OVERDUE, UPCOMING, deadlines
from rulekit.people.roster import roster_from_records
from rulekit.policy import require_valid
from rulekit.records import load_records

ROOT = Path(__file__).resolve().parents[1]
POLICY_PATH = str(ROOT / "policy" / "regulation.yaml")
SCHOOL = str(ROOT / "examples" / "school")
AS_OF = dt.date(2024, 12, 1)  # 113.12.01: inside 113-1
POLICY = require_valid(POLICY_PATH)
RECORDS = load_records(SCHOOL)
RAW_POLICY = yaml.safe_load(Path(POLICY_PATH).read_text(encoding="utf-8"))


def roc(text: str) -> dt.date:
    y, m, d = (int(x) for x in text.split("."))
    return dt.date(y + 1911, m, d)


def windows_csv() -> list[dict]:
    with open(Path(SCHOOL) / "windows.csv", encoding="utf-8") as f:
        return [{"semester": r["學期"], "kind": r["類別"], "start": roc(r["開始日期"]), "end": roc(r["結束日期"])}
                for r in csv.DictReader(f)]


def lead_time() -> dt.timedelta:
    p = RAW_POLICY["parameters"]["unit_check_lead_time"]
    assert p["unit"] == "weeks"
    return dt.timedelta(weeks=p["value"])


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


# ------------------------------------------------------------------------------ the library

def test_unit_checks_are_due_two_weeks_before_each_central_upload():
    found = deadlines(POLICY, RECORDS, AS_OF, dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    unit = {(d.period, d.due) for d in found.items if d.rule == "unit-checks-before-deadline"}
    expected = {(w["semester"], w["end"] - lead_time()) for w in windows_csv() if w["kind"] == "central_upload"}
    assert unit == expected and len(expected) == 2
    assert all(d.citation == "附表.14" for d in found.items if d.rule == "unit-checks-before-deadline")


def test_every_window_in_range_ends_a_deadline_that_spans_it():
    found = deadlines(POLICY, RECORDS, AS_OF, dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    spans = {(d.period, d.starts, d.due) for d in found.items}
    for w in windows_csv():
        assert (w["semester"], w["start"], w["end"]) in spans, w


def test_default_range_is_the_current_and_next_semester():
    found = deadlines(POLICY, RECORDS, AS_OF)
    assert (found.start, found.end) == (dt.date(2024, 8, 1), dt.date(2025, 7, 31))
    assert found.items and all(found.start <= d.due <= found.end for d in found.items)
    assert [d.due for d in found.items] == sorted(d.due for d in found.items)
    inside = [w for w in windows_csv() if found.start <= w["end"] <= found.end]
    assert {w["end"] for w in inside} <= {d.due for d in found.items}


def test_status_follows_the_results():
    found = deadlines(POLICY, RECORDS, AS_OF)
    by = {(d.rule, d.period): d for d in found.items}
    # 112-2's submission was outside its window (a failing result): overdue
    assert by[("central-submission", "112-2")].status == OVERDUE
    assert dict(by[("central-submission", "112-2")].counts) == {"fail": 1}
    # the 113-1 confirmation period is still ahead on 113.12.01
    confirm = by[("confirmation-state", "113-1")]
    assert confirm.status == UPCOMING and (confirm.starts, confirm.due) == (dt.date(2025, 3, 10), dt.date(2025, 3, 14))
    assert by[("parent-briefing", "113")].status == MET


def test_the_mail_notice_of_7_3_names_the_clerk_and_with_a_roster_the_person():
    roster = roster_from_records(RECORDS, SCHOOL)
    plain = [d for d in deadlines(POLICY, RECORDS, AS_OF).items if d.citation == "七.(三)"]
    named = [d for d in deadlines(POLICY, RECORDS, AS_OF, roster=roster).items if d.citation == "七.(三)"]
    assert plain and all(d.roles == ("註冊組幹事",) and d.people == () for d in plain)
    assert all(d.people == ("註冊組幹事 楊雅婷 (T010)",) for d in named)


def test_a_later_as_of_turns_upcoming_into_overdue_or_met():
    later = deadlines(POLICY, RECORDS, dt.date(2025, 8, 1), dt.date(2025, 3, 14), dt.date(2025, 3, 14))
    assert later.items and all(d.status in (OVERDUE, MET) for d in later.items)


WINDOW_DAYS = st.dates(min_value=dt.date(2024, 2, 15), max_value=dt.date(2030, 6, 30))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(WINDOW_DAYS, min_size=1, max_size=4, unique_by=lambda d: Semester.of(d)))  # one per semester
def test_unit_check_deadline_property(tmp_path_factory, ends):
    """For any central upload window, the unit checks are due lead_time before its end, in
    semesters after as_of's too (a calendar looks ahead)."""
    folder = tmp_path_factory.mktemp("school")
    rows = []
    for end in ends:
        sem = Semester.of(end)
        start = max(end - dt.timedelta(days=5), sem.start)
        rows.append(f"{sem.id},central_upload,{start.isoformat()},{end.isoformat()}")
    (folder / "windows.csv").write_text("semester,kind,start,end\n" + "\n".join(rows) + "\n", encoding="utf-8")
    records = load_records(str(folder))
    found = deadlines(POLICY, records, dt.date(2024, 2, 1), dt.date(2024, 1, 19), dt.date(2031, 12, 31))
    unit = sorted(d.due for d in found.items if d.rule == "unit-checks-before-deadline")
    assert unit == sorted(e - lead_time() for e in ends)


# ------------------------------------------------------------------------------ the command

def test_table_lists_deadlines_with_citation_and_status():
    result = run("deadlines", SCHOOL, "--policy", POLICY_PATH, "--as-of", "113.12.01")
    assert result.exit_code == 0, result.output
    assert "2025-02-14" in result.stdout and "附表.14" in result.stdout  # 114.02.28 - 2 weeks
    assert "註冊組幹事 楊雅婷 (T010)" in result.stdout  # people from the records' staff


def test_json_is_the_library_result():
    result = run("deadlines", SCHOOL, "--policy", POLICY_PATH, "--as-of", "113.12.01", "--format", "json")
    data = json.loads(result.stdout)
    library = deadlines(POLICY, RECORDS, AS_OF, roster=roster_from_records(RECORDS, SCHOOL)).to_json()
    assert data == library


def test_from_and_to_choose_the_range():
    result = run("deadlines", SCHOOL, "--policy", POLICY_PATH, "--as-of", "113.12.01", "--from", "2025/2/1",
                 "--to", "114年2月28日", "--format", "json")
    dues = [parse_date(d["due"]) for d in json.loads(result.stdout)["deadlines"]]
    assert dues and all(dt.date(2025, 2, 1) <= d <= dt.date(2025, 2, 28) for d in dues)
    bad = run("deadlines", SCHOOL, "--policy", POLICY_PATH, "--from", "114.03.01", "--to", "114.02.01")
    assert bad.exit_code == 2 and "error[bad-range]" in bad.stderr


def _ics(*extra) -> bytes:
    result = CliRunner().invoke(main, ["deadlines", SCHOOL, "--policy", POLICY_PATH, "--as-of", "113.12.01",
                                       "--format", "ics", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_ics_parses_with_one_event_per_deadline_and_the_citation_in_its_description():
    data = _ics()
    assert b"\r\n" in data and b"\\u000d" not in data  # RFC 5545 line ends, not escaped
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    library = deadlines(POLICY, RECORDS, AS_OF).items
    assert len(events) == len(library)
    assert len({str(e["UID"]) for e in events}) == len(events)
    for event, d in zip(events, library):
        assert event["DTEND"].dt == d.due + dt.timedelta(days=1)
        assert f"[{d.citation}]" in str(event["DESCRIPTION"])
    central = [w["end"] for w in windows_csv() if w["kind"] == "central_upload" and w["semester"] == "113-1"][0]
    unit = [e for e in events if "附表.14" in str(e["DESCRIPTION"]) and e["DTSTART"].dt == central - lead_time()]
    assert len(unit) == 1


def test_ics_is_the_same_bytes_for_the_same_input_and_no_clock(tmp_path):
    out = tmp_path / "cal.ics"
    first = _ics()
    run("deadlines", SCHOOL, "--policy", POLICY_PATH, "--as-of", "113.12.01", "--format", "ics", "-o", str(out))
    assert out.read_bytes() == first == _ics()
    stamps = {str(e["DTSTAMP"].dt) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")}
    assert stamps == {"2024-01-19 00:00:00+00:00"}  # 113.01.19, the amendment in force: not today


def test_ics_uids_stay_when_the_as_of_moves():
    def uids(as_of):
        result = CliRunner().invoke(main, ["deadlines", SCHOOL, "--policy", POLICY_PATH, "--as-of", as_of,
                                           "--from", "113.08.01", "--to", "114.07.31", "--format", "ics"])
        return [str(e["UID"]) for e in icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT")]
    assert uids("113.12.01") == uids("114.01.15")


def test_records_without_windows_say_so(tmp_path):
    (tmp_path / "students.csv").write_text((Path(SCHOOL) / "students.csv").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    result = run("deadlines", str(tmp_path), "--policy", POLICY_PATH, "--as-of", "113.12.01")
    assert result.exit_code == 0
    assert "no deadlines" in result.stdout
