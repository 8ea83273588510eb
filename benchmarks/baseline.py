"""A hand-written checker of policy/regulation.yaml's rules: what a competent programmer
would write for this one regulation, with dicts and loops and no framework.

    python benchmarks/baseline.py RECORDS --as-of 2025-03-20

RECORDS is a folder of <entity>.csv or <entity>.jsonl files, or one YAML/JSON file
(as benchmarks/generate.py writes them). It prints the failing and pending
results and a summary, like `rulekit check`. `run(path, as_of)` returns every
(rule, subject, status), subject being the tuple of the for_each labels
rulekit reports; the benchmark checks that both give the same set.

Each rule below mirrors its DSL in policy/regulation.yaml: `where` false -> no
result; `when` false -> not_applicable; assert true -> pass; false and
as_of <= due -> pending; otherwise fail. `first(...)` is the first match in file
order, a comparison with a missing value is false. The regulation's constants
(13 seats, the offices of the duty table, ...) are written in, as such a
program would have them. No validation of the records is done.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import sys
from collections import Counter, defaultdict

ROC = 1911
SEATS = ["校長", "教務主任", "學務主任", "實習主任", "輔導主任", "教學組長", "課務組長", "註冊組長", "訓育組長",
         "導師代表", "教師代表", "家長代表", "學生代表"]
WG_SIZE = 13
# every office and section the duty table names, at the level it names them (a row naming
# 教務處 and its 註冊組 gives the work to 註冊組): checks count for the unit they name
DUTY_UNITS = ["教務處", "學務處", "實習處", "輔導室", "教學組", "註冊組", "課務組"]
ROLES_IN_ACADEMIC_AFFAIRS = {"教務主任", "教學組長", "註冊組幹事", "註冊組長", "課務組長"}
ROLES_IN_REGISTRATION = {"註冊組幹事", "註冊組長"}
ROLES_IN_STUDENT_AFFAIRS = {"學務主任", "訓育組幹事", "訓育組長"}
CERT_SUBSTITUTES = {"教學組長"}
MAIL_ROLES = {"註冊組幹事"}
OUTCOME_QUOTA, PERFORMANCE_QUOTA, CONFIRMATION_DAYS, RETENTION_YEARS = 6, 10, 3, 5
UNIT_CHECK_LEAD = dt.timedelta(weeks=2)

DATE_FIELDS = {
    "students": ("enrolled_on", "left_on", "graduated_on"), "staff": ("departed_on",),
    "course_outcomes": ("uploaded_on", "certified_on"), "multi_performances": ("uploaded_on",),
    "cadre_records": ("registered_on",), "consultations": ("date",), "meetings": ("date",),
    "windows": ("start", "end"), "basic_data_checks": ("checked_on",), "unit_checks": ("completed_on",),
    "submissions": ("submitted_on",), "confirmations": ("on",), "mail_notices": ("sent_on",),
    "retention": ("purge_on",),
}
SEMESTER_FIELDS = ("courses", "course_outcomes", "cadre_records", "windows", "basic_data_checks", "unit_checks",
                   "submissions", "confirmations", "mail_notices")
RULES = ("working-group-seats", "working-group-member-seat", "working-group-meets", "basic-data-recheck",
         "basic-data-national-id", "basic-data-checked-by-registry", "central-submission", "grade3-submission",
         "submission-by-academic-affairs", "course-in-plan", "consultation-record-complete",
         "course-outcome-quota", "course-outcome-credited", "course-outcome-in-window", "course-outcome-certified",
         "multi-performance-quota", "multi-performance-in-window", "cadre-registered-by-student-affairs",
         "confirmation-period-length", "confirmation-state", "dispute-handled", "unit-checks-before-deadline",
         "student-training", "teacher-workshop", "parent-briefing", "mail-notice-for-leavers",
         "retention-after-graduation")
ENTITIES = ("students", "staff", "courses", "course_outcomes", "multi_performances", "cadre_records",
            "consultations", "meetings", "working_group", "windows", "basic_data_checks", "unit_checks",
            "submissions", "confirmations", "mail_notices", "retention")


# ------------------------------------------------------------------ loading

def _read_folder(folder: str) -> dict[str, list[dict]]:
    data: dict[str, list[dict]] = {}
    for name in sorted(os.listdir(folder)):
        entity, ext = os.path.splitext(name)
        path = os.path.join(folder, name)
        if ext == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                data[entity] = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(fh)]
        elif ext == ".jsonl":
            with open(path, encoding="utf-8") as fh:
                data[entity] = [json.loads(line) for line in fh if line.strip()]
    return data


def _bool(v):
    if isinstance(v, str):
        return {"true": True, "false": False, "是": True, "否": False, "y": True, "n": False}.get(v.lower(), v)
    return v


def load(path: str) -> dict[str, list[dict]]:
    """entity -> records with dates as datetime.date, semesters as (year, term), ids as text."""
    if os.path.isdir(path):
        data = _read_folder(path)
    elif path.endswith(".json"):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    else:
        import yaml
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    dates: dict = {}

    def date(v):
        if v is None or isinstance(v, dt.date):
            return v
        d = dates.get(v)
        if d is None:
            if isinstance(v, int):  # 7-digit ROC: 1130919
                d = dt.date(v // 10000 + ROC, v // 100 % 100, v % 100)
            else:
                d = dt.date.fromisoformat(v)
            dates[v] = d
        return d

    semesters: dict = {}

    def semester(v):
        s = semesters.get(v)
        if s is None:
            y, t = v.split("-")
            s = semesters[v] = (int(y), int(t))
        return s

    for entity in ENTITIES:
        rows = data.setdefault(entity, []) or []
        data[entity] = rows
        for row in rows:
            for f in DATE_FIELDS.get(entity, ()):
                if f in row:
                    row[f] = date(row[f])
        if entity in SEMESTER_FIELDS:
            for row in rows:
                row["semester"] = semester(row["semester"])
    for row in data["multi_performances"]:
        row["academic_year"] = int(row["academic_year"])
    for row in data["courses"]:
        row["credits"] = int(row["credits"])
        row["in_course_plan"] = _bool(row.get("in_course_plan"))
    for row in data["staff"]:
        if "can_assist" in row:
            row["can_assist"] = _bool(row["can_assist"])
    for row in data["staff"]:
        roles = row.get("roles")
        if isinstance(roles, str):
            row["roles"] = [r.strip() for r in re.split(r"[;、,，；]", roles) if r.strip()]
    return data


# ------------------------------------------------------------------ calendar

def sem_label(s) -> str:
    return f"{s[0]}-{s[1]}"


def sem_start(s) -> dt.date:
    return dt.date(s[0] + ROC, 8, 1) if s[1] == 1 else dt.date(s[0] + ROC + 1, 2, 1)


def sem_end(s) -> dt.date:
    return dt.date(s[0] + ROC + 1, 1, 31) if s[1] == 1 else dt.date(s[0] + ROC + 1, 7, 31)


def year_of(d: dt.date) -> int:
    return d.year - ROC if d.month >= 8 else d.year - ROC - 1


def semester_of(d: dt.date):
    return (year_of(d), 1 if d.month >= 8 or d.month == 1 else 2)


def year_end(y: int) -> dt.date:
    return dt.date(y + ROC + 1, 7, 31)


def add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35,
                                                  23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33)))


def valid_national_id(value) -> bool:
    if not isinstance(value, str):
        return False
    t = value.strip().upper()
    if re.match(r"^[A-Z][1289][0-9]{8}$", t):
        digits = [int(c) for c in t[1:]]
    elif re.match(r"^[A-Z][A-D][0-9]{8}$", t):
        digits = [LETTERS[t[1]] % 10] + [int(c) for c in t[2:]]
    else:
        return False
    code = LETTERS[t[0]]
    numbers = [code // 10, code % 10] + digits
    return sum(w * n for w, n in zip((1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1), numbers)) % 10 == 0


# ------------------------------------------------------------------ the rules

def has_role(person, roles) -> bool:
    return person is not None and any(r in roles for r in person.get("roles") or ())


def check(data: dict, as_of: dt.date) -> list[tuple[str, tuple, str, str]]:
    """(rule, subject labels, status, message) for every rule and subject."""
    out: list = []
    add = out.append
    students, staff, windows = data["students"], data["staff"], data["windows"]
    outcomes, performances = data["course_outcomes"], data["multi_performances"]

    def status(ok: bool, due) -> str:
        if ok:
            return "pass"
        return "pending" if due is not None and as_of <= due else "fail"

    # The semesters run from the earliest one any record mentions to the one of as_of.
    firsts = [semester_of(as_of)]
    for entity, fields in DATE_FIELDS.items():
        for f in fields:
            ds = [r[f] for r in data[entity] if r.get(f) is not None]
            if ds:
                firsts.append(semester_of(min(ds)))
    for entity in SEMESTER_FIELDS:
        if data[entity]:
            firsts.append(min(r["semester"] for r in data[entity]))
    if performances:
        firsts.append((min(r["academic_year"] for r in performances), 1))
    s, last = min(firsts), semester_of(as_of)
    semesters = []
    while s <= last:
        semesters.append(s)
        s = (s[0], 2) if s[1] == 1 else (s[0] + 1, 1)
    years = list(range(semesters[0][0], year_of(as_of) + 1))

    first_window: dict = {}  # (semester, kind) -> the first such window
    for w in windows:
        first_window.setdefault((w["semester"], w["kind"]), w)
    window_semesters = {w["semester"] for w in windows}
    window_years = {w["semester"][0] for w in windows}
    staff_by_id: dict = {}
    for p in staff:
        staff_by_id.setdefault(p.get("id"), p)
    course_by_id: dict = {}
    for c in data["courses"]:
        course_by_id.setdefault(c["id"], c)
    meetings = Counter()
    for m in data["meetings"]:
        meetings[(m["kind"], semester_of(m["date"]))] += 1
        if m["kind"] == "parent_briefing":
            meetings[("parent_briefing_year", year_of(m["date"]))] += 1

    # 三: working group
    roles = [m["role"] for m in data["working_group"]]
    filled = sum(1 for seat in SEATS if seat in roles)
    add(("working-group-seats", ("school",), status(filled == WG_SIZE and len(roles) == WG_SIZE, None),
         f"{filled} seats"))
    for m in data["working_group"]:
        add(("working-group-member-seat", (f"{m['role']} {m['person']}",), status(m["role"] in SEATS, None),
             m["role"]))
    for kind, rule in (("working_group", "working-group-meets"), ("student_training", "student-training"),
                       ("teacher_workshop", "teacher-workshop")):
        for s in semesters:
            if s in window_semesters:
                held = meetings[(kind, s)]
                add((rule, (sem_label(s),), status(held >= 1, sem_end(s)), f"held {held}"))
    for y in years:
        if y in window_years:
            held = meetings[("parent_briefing_year", y)]
            add(("parent-briefing", (str(y),), status(held >= 1, year_end(y)), f"held {held}"))

    # 四.(一): basic data re-checked every semester; national ids
    checks = Counter((c["student"], c["semester"]) for c in data["basic_data_checks"])
    for st in students:
        sid, enrolled, left, grad = st["id"], st["enrolled_on"], st.get("left_on"), st.get("graduated_on")
        for s in semesters:
            if s not in window_semesters:
                continue
            start, end = sem_start(s), sem_end(s)
            if not (enrolled <= end and (left is None or left >= start) and (grad is None or grad >= start)):
                add(("basic-data-recheck", (sid, sem_label(s)), "not_applicable", "not enrolled"))
                continue
            add(("basic-data-recheck", (sid, sem_label(s)), status(checks[(sid, s)] >= 1, end), "checks"))
    for st in students:
        add(("basic-data-national-id", (st["id"],), status(valid_national_id(st.get("national_id")), None),
             "national id"))
    for c in data["basic_data_checks"]:
        add(("basic-data-checked-by-registry", (f"{c['student']} {sem_label(c['semester'])}",),
             status(has_role(staff_by_id.get(c["checked_by"]), ROLES_IN_REGISTRATION), None), "checker"))

    # 四.段1: submissions to the central database
    for rule, kind, grade3 in (("central-submission", "central_upload", False),
                               ("grade3-submission", "grade3_central_upload", True)):
        for s in semesters:
            w = first_window.get((s, kind))
            if w is None:
                continue
            done = any(x["semester"] == s and (x.get("scope") == "grade3") == grade3
                       and w["start"] <= x["submitted_on"] <= w["end"] for x in data["submissions"])
            add((rule, (sem_label(s),), status(done, w["end"]), "submitted"))
    for x in data["submissions"]:
        add(("submission-by-academic-affairs", (f"{sem_label(x['semester'])} {x['submitted_on'].isoformat()}",),
             status(has_role(staff_by_id.get(x["submitted_by"]), ROLES_IN_ACADEMIC_AFFAIRS), None), "uploader"))
    for c in data["courses"]:
        add(("course-in-plan", (c["id"],), status(c.get("in_course_plan") is True, None), "in plan"))

    # 四.(二).2: consultation records complete
    for c in data["consultations"]:
        missing = sum(1 for f in ("date", "time", "place", "content") if c.get(f) is None)
        add(("consultation-record-complete", (f"{c['student']} {c['consultant']}",), status(missing == 0, None),
             f"{missing} missing"))

    # 四.(三): course outcomes
    per_semester = Counter((o["student"], o["semester"]) for o in outcomes)
    for st in students:
        sid = st["id"]
        for s in semesters:
            n = per_semester.get((sid, s))
            if n:
                add(("course-outcome-quota", (sid, sem_label(s)), status(n <= OUTCOME_QUOTA, None), f"{n}"))
    for o in outcomes:
        course = course_by_id.get(o["course"])
        ok = course is not None and course["credits"] > 0 and course["semester"] == o["semester"]
        add(("course-outcome-credited", (o["id"],), status(ok, None), "credited"))
    for o in outcomes:
        w = first_window.get((o["semester"], "outcome_upload"))
        ok = w is not None and w["start"] <= o["uploaded_on"] <= w["end"]
        add(("course-outcome-in-window", (o["id"],), status(ok, None), "uploaded"))
    for o in outcomes:
        w = first_window.get((o["semester"], "certification"))
        course = course_by_id.get(o["course"])
        by, on = o.get("certified_by"), o.get("certified_on")
        teacher = staff_by_id.get(course["teacher"]) if course is not None else None
        # 七.(二): a departed teacher certifies only while able to assist, else the substitute does
        gone = teacher.get("departed_on") if teacher is not None else None
        teacher_able = teacher is not None and (teacher["status"] != "departed" or teacher.get("can_assist") is True
                                                or (on is not None and gone is not None and on < gone))
        by_teacher = course is not None and by == course["teacher"] and teacher_able
        by_substitute = not teacher_able and has_role(staff_by_id.get(by), CERT_SUBSTITUTES)
        in_time = on is not None and w is not None and on >= o["uploaded_on"] and w["start"] <= on <= w["end"]
        right = by_teacher or by_substitute
        due = w["end"] if w is not None else sem_end(o["semester"])
        add(("course-outcome-certified", (o["id"],), status(in_time and right, due), "certified"))

    # 四.(四).1: multiple performances
    per_year = Counter((p["student"], p["academic_year"]) for p in performances)
    for st in students:
        sid = st["id"]
        for y in years:
            n = per_year.get((sid, y))
            if n:
                add(("multi-performance-quota", (sid, str(y)), status(n <= PERFORMANCE_QUOTA, None), f"{n}"))
    upload_windows = defaultdict(list)
    for w in windows:
        if w["kind"] == "performance_upload":
            upload_windows[w["semester"][0]].append((w["start"], w["end"]))
    for p in performances:
        on = p["uploaded_on"]
        ok = any(a <= on <= b for a, b in upload_windows.get(p["academic_year"], ()))
        add(("multi-performance-in-window", (p["id"],), status(ok, None), "uploaded"))
    for c in data["cadre_records"]:
        add(("cadre-registered-by-student-affairs", (f"{c['student']} {sem_label(c['semester'])}",),
             status(has_role(staff_by_id.get(c["registered_by"]), ROLES_IN_STUDENT_AFFAIRS), None), "clerk"))

    # 四.段2, 四.段4: confirmation period and each student's confirmation
    for w in windows:
        if w["kind"] == "confirmation":
            days = (w["end"] - w["start"]).days + 1
            add(("confirmation-period-length", (f"{sem_label(w['semester'])} {w['kind']}",),
                 status(days >= CONFIRMATION_DAYS, None), f"{days} days"))
    answers: dict = {}
    for c in data["confirmations"]:
        answers.setdefault((c["student"], c["semester"]), c)
    conf_semesters = [(s, first_window[(s, "confirmation")]) for s in semesters if (s, "confirmation") in first_window]
    for st in students:
        sid, enrolled, left, grad = st["id"], st["enrolled_on"], st.get("left_on"), st.get("graduated_on")
        for s, w in conf_semesters:
            if not (enrolled <= sem_end(s) and (left is None or left >= sem_start(s))
                    and (grad is None or grad >= sem_start(s))):
                add(("confirmation-state", (sid, sem_label(s)), "not_applicable", "not enrolled"))
                continue
            answer = answers.get((sid, s))
            if answer is not None and answer["on"] <= w["end"]:
                state = answer["status"]
            elif as_of > w["end"]:
                state = "deemed_confirmed"
            else:
                state = "awaiting"
            add(("confirmation-state", (sid, sem_label(s)), status(state != "awaiting", w["end"]), state))
    for c in data["confirmations"]:
        if c["status"] != "disputed":
            continue
        handler = staff_by_id.get(c.get("handled_by"))
        ok = has_role(handler, ROLES_IN_ACADEMIC_AFFAIRS)
        w = first_window.get((c["semester"], "confirmation"))
        due = w["end"] + dt.timedelta(weeks=2) if w is not None else sem_end(c["semester"])
        add(("dispute-handled", (f"{c['student']} {sem_label(c['semester'])}",), status(ok, due), "handled"))

    # 附表.14: every unit checks two weeks before the upload deadline
    for s in semesters:
        w = first_window.get((s, "central_upload"))
        if w is None:
            continue
        deadline = w["end"] - UNIT_CHECK_LEAD
        done_units = {c["unit"] for c in data["unit_checks"] if c["semester"] == s and c["completed_on"] <= deadline}
        done = sum(1 for u in DUTY_UNITS if u in done_units)
        add(("unit-checks-before-deadline", (sem_label(s),), status(done == len(DUTY_UNITS), deadline), f"{done}"))

    # 七.(三): paper mail to students who left before the confirmation period
    notices: dict = {}
    for m in data["mail_notices"]:
        notices.setdefault((m["student"], m["semester"]), m)
    for st in students:
        sid, enrolled, left = st["id"], st["enrolled_on"], st.get("left_on")
        for s, w in conf_semesters:
            if not (enrolled <= sem_end(s) and left is not None and left >= sem_start(s) and left < w["start"]):
                add(("mail-notice-for-leavers", (sid, sem_label(s)), "not_applicable", "did not leave"))
                continue
            notice = notices.get((sid, s))
            by_clerk = notice is not None and has_role(staff_by_id.get(notice["sent_by"]), MAIL_ROLES)
            ok = notice is not None and notice["sent_on"] <= w["end"] and by_clerk
            add(("mail-notice-for-leavers", (sid, sem_label(s)), status(ok, w["end"]), "notice"))

    # 八: data kept five years after graduation
    plans: dict = {}
    for r in data["retention"]:
        plans.setdefault(r["student"], r)
    for st in students:
        grad = st.get("graduated_on")
        if grad is None:
            add(("retention-after-graduation", (st["id"],), "not_applicable", "not graduated"))
            continue
        plan = plans.get(st["id"])
        ok = plan is not None and plan["purge_on"] >= add_years(grad, RETENTION_YEARS)
        add(("retention-after-graduation", (st["id"],), status(ok, None), "kept"))
    return out


def run(path: str, as_of: dt.date) -> list[tuple[str, tuple, str]]:
    return [(rule, subject, st) for rule, subject, st, _ in check(load(path), as_of)]


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="hand-written checker of the regulation (benchmark baseline)")
    ap.add_argument("records")
    ap.add_argument("--as-of", required=True)
    args = ap.parse_args(argv)
    results = check(load(args.records), dt.date.fromisoformat(args.as_of))
    counts = Counter(r[2] for r in results)
    lines = [f"{rule}\t{' '.join(subject)}\t{st}\t{msg}" for rule, subject, st, msg in results
             if st in ("fail", "pending")]
    lines.append(f"{counts['fail']} fail, {counts['pending']} pending, {counts['pass']} pass, "
                 f"{counts['not_applicable']} not applicable")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
