"""Deterministic school records for benchmarks: same arguments -> byte-identical files.

    python benchmarks/generate.py --preset school --format csv --out /tmp/bench/school-csv
    python benchmarks/generate.py --preset city --format jsonl --out /tmp/bench/city-jsonl
    python benchmarks/generate.py --preset tiny --format yaml --out /tmp/bench/tiny.yaml

The data is one school's records (the city preset is the same school scaled ten
times) from academic year 111 to the evaluation date AS_OF (2025-03-20, in
semester 113-2): five cohorts of students (two already graduated), about 120
staff per 14 classes a grade, courses per class and semester, the school's
announced windows for every semester the platform has run (111-1 .. 113-2),
meetings, the working group, confirmations, mail notices, retention plans.
Every rule of policy/regulation.yaml has subjects, and each rule is broken for a
few percent of them (the school-wide rules: in one semester or year).

Formats: `csv` (a folder of <entity>.csv, headers are the field names), `jsonl`
(a folder of <entity>.jsonl) and `yaml` (one file mapping entity -> records, one
record a line, dates in the 7-digit ROC form 1130919).
Only `random.Random` seeded with the preset and the seed decides anything, and
nothing iterates a set, so the files do not depend on PYTHONHASHSEED.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import sys
from dataclasses import dataclass

AS_OF = dt.date(2025, 3, 20)  # in 113-2; the benchmark checks the records on this date
ROC = 1911


@dataclass(frozen=True)
class Preset:
    classes: int  # classes per grade
    size: tuple[int, int]  # students per class (min, max)
    staff: int  # about this many staff


PRESETS = {
    "tiny": Preset(classes=2, size=(6, 9), staff=30),
    "school": Preset(classes=14, size=(43, 48), staff=120),
    "district": Preset(classes=42, size=(43, 48), staff=360),  # three schools' worth: for W8's crossover
    "city": Preset(classes=140, size=(43, 48), staff=1200),
}

# Entities and their fields in the order of policy/records.yaml.
FIELDS = {
    "students": ("id", "name", "national_id", "grade", "class", "enrolled_on", "left_on", "graduated_on"),
    "staff": ("id", "name", "roles", "status", "departed_on", "can_assist"),
    "courses": ("id", "name", "semester", "teacher", "credits", "in_course_plan"),
    "course_outcomes": ("id", "student", "course", "semester", "kind", "uploaded_on", "certified_on",
                        "certified_by"),
    "multi_performances": ("id", "student", "academic_year", "category", "uploaded_on"),
    "cadre_records": ("student", "semester", "position", "registered_by", "registered_on"),
    "consultations": ("student", "consultant", "date", "time", "place", "content"),
    "meetings": ("kind", "date", "organizer"),
    "working_group": ("role", "person"),
    "windows": ("semester", "kind", "start", "end"),
    "basic_data_checks": ("student", "semester", "checked_on", "checked_by"),
    "unit_checks": ("unit", "item", "semester", "completed_on"),
    "submissions": ("semester", "submitted_on", "submitted_by", "scope"),
    "confirmations": ("student", "semester", "status", "on", "handled_by"),
    "mail_notices": ("student", "semester", "sent_on", "sent_by"),
    "retention": ("student", "purge_on"),
}

SEMESTERS = [(111, 1), (111, 2), (112, 1), (112, 2), (113, 1), (113, 2)]  # the platform's semesters
COHORTS = (109, 110, 111, 112, 113)  # academic year of entry
SUBJECTS = ("國語文", "英語文", "數學", "物理", "化學", "生物", "歷史", "地理", "公民與社會", "資訊科技",
            "生活科技", "藝術", "體育", "探究與實作")
SUBJECTS_PER_SEMESTER = 10
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = "志明美玲建國家豪淑芬雅婷宗翰怡君承恩佩珊俊傑惠宏文欣宇軒柏翰子涵詩涵冠廷品妤"
# policy.duty_units of the shipped policy: each office and section at the level the duty table names it
DUTY_UNITS = ("教務處", "學務處", "實習處", "輔導室", "教學組", "註冊組", "課務組")
WG_SEATS = ("校長", "教務主任", "學務主任", "實習主任", "輔導主任", "教學組長", "課務組長", "註冊組長",
            "訓育組長", "導師代表", "教師代表", "家長代表", "學生代表")
ADMIN_ROLES = ("校長", "教務主任", "學務主任", "實習主任", "輔導主任", "教學組長", "課務組長", "註冊組長",
               "訓育組長", "註冊組幹事", "註冊組幹事", "訓育組幹事", "訓育組幹事")
LETTER_CODES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28,
                         29, 32, 30, 31, 33)))
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


def d(y: int, m: int, day: int) -> dt.date:
    return dt.date(y, m, day)


def sem_id(s) -> str:
    return f"{s[0]}-{s[1]}"


def prev(s):
    return (s[0] - 1, 2) if s[1] == 1 else (s[0], 1)


def sem_start(s) -> dt.date:
    return d(s[0] + ROC, 8, 1) if s[1] == 1 else d(s[0] + ROC + 1, 2, 1)


def sem_end(s) -> dt.date:
    return d(s[0] + ROC + 1, 1, 31) if s[1] == 1 else d(s[0] + ROC + 1, 7, 31)


def national_id(rng: random.Random, letter: str) -> str:
    """A valid ID: letter, sex digit, seven random digits, then the check digit."""
    digits = [rng.choice((1, 2))] + [rng.randrange(10) for _ in range(7)]
    code = LETTER_CODES[letter]
    total = sum(w * n for w, n in zip(WEIGHTS, [code // 10, code % 10] + digits))
    digits.append((10 - total % 10) % 10)
    return letter + "".join(map(str, digits))


def windows_of(s) -> dict[str, tuple[dt.date, dt.date]]:
    """The school's announced windows for semester s; 113-2's later ones are not announced yet."""
    y = s[0] + ROC
    if s[1] == 1:
        w = {"outcome_upload": (d(y, 9, 1), d(y + 1, 2, 3)),
             "certification": (d(y, 9, 15), d(y + 1, 2, 10)),
             "performance_upload": (d(y, 9, 1), d(y + 1, 2, 3)),
             "central_upload": (d(y + 1, 2, 17), d(y + 1, 3, 6)),
             "confirmation": (d(y + 1, 3, 17), d(y + 1, 3, 21))}
    else:
        w = {"outcome_upload": (d(y + 1, 2, 17), d(y + 1, 7, 15)),
             "certification": (d(y + 1, 3, 1), d(y + 1, 7, 31)),
             "performance_upload": (d(y + 1, 2, 17), d(y + 1, 7, 15)),
             "grade3_central_upload": (d(y + 1, 6, 1), d(y + 1, 6, 20)),
             "central_upload": (d(y + 1, 8, 17), d(y + 1, 9, 5)),
             "confirmation": (d(y + 1, 9, 15), d(y + 1, 9, 19))}
    if s == (112, 1):  # the violation of confirmation-period-length: two days only
        w["confirmation"] = (d(y + 1, 3, 18), d(y + 1, 3, 19))
    if s == (113, 2):
        for k in ("central_upload", "confirmation"):
            del w[k]
    return w


class Generator:
    def __init__(self, preset: str, seed: int = 1):
        self.p = PRESETS[preset]
        self.rng = random.Random(f"rulekit-benchmark:{preset}:{seed}")
        self.out: dict[str, list[dict]] = {e: [] for e in FIELDS}
        self.kw = 3 if self.p.classes >= 100 else 2  # digits of a class number
        self.wins = {s: windows_of(s) for s in SEMESTERS}

    # ------------------------------------------------------------ helpers
    def add(self, entity: str, **values) -> dict:
        rec = {f: values.get(f) for f in FIELDS[entity]}
        self.out[entity].append(rec)
        return rec

    def day_in(self, start: dt.date, end: dt.date) -> dt.date:
        end = min(end, AS_OF)
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.8 else "")

    def few(self, rate: float) -> bool:
        return self.rng.random() < rate

    # ------------------------------------------------------------ entities
    def staff(self) -> None:
        p, r = self.p, self.rng
        self.width = 4 if p.staff >= 1000 else 3
        n = 0

        def new(roles, status="active", departed_on=None, can_assist=None):
            nonlocal n
            n += 1
            sid = f"T{n:0{self.width}d}"
            self.add("staff", id=sid, name=self.name(), roles=list(roles), status=status,
                     departed_on=departed_on, can_assist=can_assist)
            return sid

        self.admin: dict[str, list[str]] = {}
        self.departed: dict[str, dt.date] = {}
        self.can_assist: dict[str, bool] = {}
        copies = max(1, p.classes // 14)  # the city preset has ten of every office
        for _ in range(copies):
            for role in ADMIN_ROLES:
                teaches = role in ("教學組長", "課務組長")
                self.admin.setdefault(role, []).append(new([role, "任課教師"] if teaches else [role]))
        self.homeroom: dict[tuple[int, int], str] = {}
        for g in (1, 2, 3):
            for k in range(1, p.classes + 1):
                self.homeroom[(g, k)] = new(["導師", "任課教師"])
        self.counsellors = [new(["課程諮詢教師", "任課教師"]) for _ in range(max(2, p.staff // 15))]
        self.teachers = [sid for roles in (("教學組長",), ("課務組長",)) for sid in self.admin[roles[0]]]
        self.teachers += list(self.homeroom.values()) + self.counsellors
        while n < p.staff:
            roll = r.random()
            if roll < 0.03:
                gone = self.day_in(d(2023, 1, 1), d(2025, 2, 28))
                able = r.random() < 0.5
                sid = new(["任課教師"], "departed", gone, able)
                self.departed[sid], self.can_assist[sid] = gone, able
            elif roll < 0.05:
                sid = new(["任課教師"], "on_leave")
            else:
                sid = new(["任課教師"])
            self.teachers.append(sid)
        # each subject has its own teachers
        self.by_subject = {subj: [] for subj in SUBJECTS}
        for i, sid in enumerate(self.teachers):
            self.by_subject[SUBJECTS[i % len(SUBJECTS)]].append(sid)

    def students(self) -> None:
        p, r = self.p, self.rng
        used: set[str] = set()
        self.roster: dict[tuple[int, int], list[dict]] = {}  # (cohort, class) -> students
        for cohort in COHORTS:
            grade_now = min(3, 113 - cohort + 1)
            graduated = d(cohort + ROC + 3, 6, 10 + cohort % 5) if cohort + 3 <= 113 else None
            for k in range(1, p.classes + 1):
                members = []
                for seat in range(1, r.randint(*p.size) + 1):
                    nid = national_id(r, "B" if r.random() < 0.8 else r.choice("ADEFGHJKLMN"))
                    while nid in used:
                        nid = national_id(r, "B")
                    used.add(nid)
                    if self.few(0.01):  # basic-data-national-id: a mistyped check digit
                        nid = nid[:-1] + str((int(nid[-1]) + r.randint(1, 9)) % 10)
                    enrolled = d(cohort + ROC, 8, 1)
                    if self.few(0.01):  # a transfer student, enrolled later
                        enrolled = self.day_in(d(cohort + ROC, 9, 1), min(AS_OF, d(cohort + ROC + 2, 5, 1)))
                    left = None
                    end = min(AS_OF, graduated or AS_OF)
                    if self.few(0.025) and (end - enrolled).days > 60:
                        left = self.day_in(enrolled + dt.timedelta(days=30), end - dt.timedelta(days=1))
                    rec = self.add("students", id=f"S{cohort}{k:0{self.kw}d}{seat:02d}", name=self.name(),
                                   national_id=nid, grade=grade_now, **{"class": f"{grade_now}{k:0{self.kw}d}"},
                                   enrolled_on=enrolled, left_on=left,
                                   graduated_on=graduated if left is None else None)
                    rec["_cohort"], rec["_class"] = cohort, k
                    members.append(rec)
                self.roster[(cohort, k)] = members

    def active(self, st: dict, s) -> bool:
        return (st["enrolled_on"] <= sem_end(s) and sem_start(s) <= AS_OF
                and (st["left_on"] is None or st["left_on"] >= sem_start(s))
                and (st["graduated_on"] is None or st["graduated_on"] >= sem_start(s))
                and 1 <= s[0] - st["_cohort"] + 1 <= 3)

    def courses(self) -> None:
        r = self.rng
        self.course_of: dict[tuple, list[dict]] = {}  # (semester, cohort, class) -> courses
        self.ncourses = 0
        for s in SEMESTERS:
            for cohort in COHORTS:
                g = s[0] - cohort + 1
                if not 1 <= g <= 3:
                    continue
                for k in range(1, self.p.classes + 1):
                    chosen = sorted(r.sample(range(len(SUBJECTS)), SUBJECTS_PER_SEMESTER))
                    out = []
                    for j in chosen:
                        subj = SUBJECTS[j]
                        teacher = r.choice(self.by_subject[subj])
                        self.ncourses += 1
                        out.append(self.add("courses", id=f"C{self.ncourses:05d}",
                                            name=subj, semester=sem_id(s), teacher=teacher,
                                            credits=r.choice((2, 2, 3, 4)),
                                            in_course_plan=not self.few(0.01)))
                    self.course_of[(s, cohort, k)] = out

    def windows(self) -> None:
        for s in SEMESTERS:
            for kind, (start, end) in self.wins[s].items():
                self.add("windows", semester=sem_id(s), kind=kind, start=start, end=end)

    def outcomes(self) -> None:
        r = self.rng
        n = 0
        substitute = self.admin["教學組長"]
        for s in SEMESTERS:
            up0, up1 = self.wins[s]["outcome_upload"]
            c0, c1 = self.wins[s]["certification"]
            current = up1 >= AS_OF
            for (cohort, k), members in self.roster.items():
                courses = self.course_of.get((s, cohort, k))
                if not courses:
                    continue
                for st in members:
                    if not self.active(st, s):
                        continue
                    if current:
                        count = r.choice((0, 0, 1, 1, 1, 2, 2, 3))
                    elif self.few(0.03):
                        count = r.choice((7, 8))  # course-outcome-quota
                    else:
                        count = r.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6))
                    last = min(up1, st["left_on"] or up1)
                    for _ in range(count):
                        n += 1
                        course = r.choice(courses)
                        if self.few(0.01):  # course-outcome-credited: last semester's course
                            course = r.choice(self.course_of.get((prev(s), cohort, k)) or courses)
                        up = self.day_in(up0, last)
                        if self.few(0.03):  # course-outcome-in-window
                            late = up1 + dt.timedelta(days=r.randint(1, 20))
                            up = late if late <= AS_OF else up0 - dt.timedelta(days=r.randint(1, 10))
                        teacher = course["teacher"]
                        by, on = teacher, None
                        roll = r.random()
                        if current:
                            if roll < 0.4 and max(up, c0) <= AS_OF:
                                on = self.day_in(max(up, c0), c1)
                        elif roll < 0.965:
                            on = self.day_in(max(up, c0), c1)
                        elif roll < 0.975:  # certified late
                            on = c1 + dt.timedelta(days=r.randint(1, 30))
                        elif roll < 0.985:  # by someone who is neither the teacher nor a substitute
                            on, by = self.day_in(max(up, c0), c1), r.choice(self.teachers)
                        elif roll < 0.99:  # by the substitute while the teacher could still certify
                            on, by = self.day_in(max(up, c0), c1), r.choice(substitute)
                        if on is not None and by == teacher and teacher in self.departed \
                                and self.departed[teacher] <= on and not self.can_assist[teacher]:
                            by = r.choice(substitute)  # 七.(二).1: the substitute certifies
                        if on is None or on > AS_OF:
                            on, by = None, None
                        self.add("course_outcomes", id=f"O{n:06d}", student=st["id"], course=course["id"],
                                 semester=sem_id(s), kind=r.choice(("報告", "報告", "作品", "探究")),
                                 uploaded_on=up, certified_on=on, certified_by=by)

    def performances(self) -> None:
        r = self.rng
        n = 0
        for year in (111, 112, 113):
            terms = [self.wins[(year, t)]["performance_upload"] for t in (1, 2)]
            terms = [(a, b) for a, b in terms if a <= AS_OF]
            for members in self.roster.values():
                for st in members:
                    if not any(self.active(st, (year, t)) for t in (1, 2)):
                        continue
                    if year == 113:
                        count = r.choice((1, 2, 2, 3, 3, 4))
                    elif self.few(0.03):
                        count = r.choice((11, 12))  # multi-performance-quota
                    else:
                        count = r.choice((2, 3, 4, 4, 5, 6))
                    for _ in range(count):
                        n += 1
                        a, b = r.choice(terms)
                        on = self.day_in(a, min(b, st["left_on"] or b))
                        if self.few(0.03):  # multi-performance-in-window: between the two windows
                            on = d(year + ROC + 1, 2, r.randint(5, 14))
                        self.add("multi_performances", id=f"M{n:06d}", student=st["id"], academic_year=year,
                                 category=r.choice(("校內", "校內", "校外")), uploaded_on=on)

    def per_student_semester(self) -> None:
        r = self.rng
        clerks = self.admin["註冊組幹事"] + self.admin["註冊組長"]
        academic = [sid for role in ("教務主任", "註冊組長", "教學組長") for sid in self.admin[role]]
        mailers = self.admin["註冊組幹事"]
        for s in SEMESTERS:
            start = sem_start(s)
            conf = self.wins[s].get("confirmation")
            for (cohort, k), members in self.roster.items():
                for st in members:
                    if self.active(st, s):
                        if s == SEMESTERS[-1]:
                            done = r.random() < 0.8
                        else:
                            done = not self.few(0.03)  # basic-data-recheck
                        if done:
                            for _ in range(2 if self.few(0.02) else 1):
                                self.add("basic_data_checks", student=st["id"], semester=sem_id(s),
                                         checked_on=self.day_in(start + dt.timedelta(days=14),
                                                                start + dt.timedelta(days=45)),
                                         checked_by=r.choice(clerks if not self.few(0.02) else self.teachers))
                    if conf is None or not (st["enrolled_on"] <= sem_end(s) and
                                            (st["graduated_on"] is None or st["graduated_on"] >= start)):
                        continue
                    if 1 > s[0] - cohort + 1 or s[0] - cohort + 1 > 3:
                        continue
                    left = st["left_on"]
                    gone = left is not None and left < conf[0]
                    if left is not None and left < start:
                        continue  # left before this semester: nothing to confirm
                    if gone:  # mail-notice-for-leavers
                        roll = r.random()
                        if roll < 0.9:
                            by = r.choice(mailers)
                        elif roll < 0.95:
                            by = r.choice(self.teachers)
                        else:
                            by = None
                        sent = conf[0] - dt.timedelta(days=r.randint(3, 10))
                        if by is not None and sent <= AS_OF:
                            self.add("mail_notices", student=st["id"], semester=sem_id(s), sent_on=sent, sent_by=by)
                    roll = r.random()
                    if roll < 0.72:
                        on, status = self.day_in(*conf), "confirmed"
                    elif roll < 0.75:
                        on, status = self.day_in(*conf), "disputed"
                    elif roll < 0.77:
                        on, status = conf[1] + dt.timedelta(days=r.randint(1, 10)), "confirmed"
                    else:
                        continue
                    if on > AS_OF:
                        continue
                    handler = None
                    if status == "disputed":
                        handler = r.choice(academic) if not self.few(0.1) else r.choice(self.teachers)
                        if self.few(0.1):
                            handler = None
                    self.add("confirmations", student=st["id"], semester=sem_id(s), status=status, on=on,
                             handled_by=handler)

    def per_student_year(self) -> None:
        r = self.rng
        places = ("輔導室", "圖書館", "教室", "諮詢室", "線上")
        topics = ("選課規劃與升學方向", "自然組與社會組之選擇", "多元選修課程之選擇", "學習歷程檔案準備")
        for year in (111, 112, 113):
            for members in self.roster.values():
                for st in members:
                    terms = [(year, t) for t in (1, 2) if self.active(st, (year, t))]
                    if not terms or (year == 113 and self.few(0.3)):
                        continue
                    s = r.choice(terms)
                    rec = {"student": st["id"], "consultant": r.choice(self.counsellors),
                           "date": self.day_in(sem_start(s) + dt.timedelta(days=20), sem_end(s)),
                           "time": f"{r.randint(8, 16):02d}:{r.choice((0, 10, 30)):02d}",
                           "place": r.choice(places), "content": r.choice(topics)}
                    if self.few(0.03):  # consultation-record-complete
                        rec[r.choice(("date", "time", "place", "content"))] = None
                    self.add("consultations", **rec)

    def cadre(self) -> None:
        r = self.rng
        positions = ("班長", "副班長", "學藝股長", "風紀股長", "衛生股長", "總務股長")
        clerks = self.admin["訓育組幹事"]
        for s in SEMESTERS:
            for (cohort, k), members in self.roster.items():
                active = [st for st in members if self.active(st, s)]
                if not active:
                    continue
                for pos in positions:
                    st = r.choice(active)
                    self.add("cadre_records", student=st["id"], semester=sem_id(s), position=pos,
                             registered_by=r.choice(clerks if not self.few(0.03) else self.teachers),
                             registered_on=self.day_in(sem_start(s) + dt.timedelta(days=30),
                                                       sem_start(s) + dt.timedelta(days=60)))

    def school_wide(self) -> None:
        r = self.rng
        # meetings: each kind is missed once (a fail) and not yet held in 113-2 for some (pending)
        missing = {"working_group": {(112, 1), (113, 2)}, "student_training": {(111, 2)},
                   "teacher_workshop": {(112, 2), (113, 2)}}
        organizers = {"working_group": "校長", "student_training": "輔導室", "teacher_workshop": "課務組"}
        for s in SEMESTERS:
            for kind in ("working_group", "student_training", "teacher_workshop"):
                if s in missing[kind]:
                    continue
                for _ in range(2 if kind == "working_group" and self.few(0.5) else 1):
                    on = self.day_in(sem_start(s) + dt.timedelta(days=20), sem_end(s) - dt.timedelta(days=20))
                    self.add("meetings", kind=kind, date=on, organizer=organizers[kind])
        for year in (111, 113):  # 112 held none (parent-briefing fails)
            self.add("meetings", kind="parent_briefing", date=d(year + ROC, 9, 20 + year % 7), organizer="輔導室")
        # working group: the 家長代表 seat is held by someone listed as 家長會長 (not a seat)
        for seat in WG_SEATS:
            self.add("working_group", role="家長會長" if seat == "家長代表" else seat, person=self.name())
        # unit checks two weeks before the central upload; 學務處 late once
        for s in SEMESTERS:
            cu = self.wins[s].get("central_upload")
            if cu is None:
                continue
            deadline = cu[1] - dt.timedelta(weeks=2)
            for unit in DUTY_UNITS:
                on = deadline - dt.timedelta(days=r.randint(0, 20))
                if s == (112, 2) and unit == "學務處":
                    on = deadline + dt.timedelta(days=3)
                self.add("unit_checks", unit=unit, item="各項資料檢核", semester=sem_id(s), completed_on=on)
        registrar = self.admin["註冊組長"][0]
        for s in SEMESTERS:
            cu = self.wins[s].get("central_upload")
            if cu is not None and cu[0] <= AS_OF:
                on = cu[1] + dt.timedelta(days=2) if s == (111, 2) else self.day_in(*cu)
                self.add("submissions", semester=sem_id(s), submitted_on=on, submitted_by=registrar, scope="all")
            g3 = self.wins[s].get("grade3_central_upload")
            if g3 is not None and g3[0] <= AS_OF:  # 112-2's by 實習處, not 教務處 (submission-by-academic-affairs)
                on = g3[1] + dt.timedelta(days=3) if s == (111, 2) else self.day_in(*g3)  # 111-2's late
                self.add("submissions", semester=sem_id(s), submitted_on=on,
                         submitted_by=self.admin["實習主任"][0] if s == (112, 2) else registrar, scope="grade3")
        # retention plans of graduates: five years, a few too short or missing
        for members in self.roster.values():
            for st in members:
                g = st["graduated_on"]
                if g is None:
                    continue
                roll = r.random()
                if roll < 0.02:
                    continue
                years = 4 if roll < 0.04 else 5
                self.add("retention", student=st["id"],
                         purge_on=d(g.year + years, g.month, g.day) + dt.timedelta(days=r.randint(0, 60)))

    def run(self) -> dict[str, list[dict]]:
        self.staff()
        self.students()
        self.courses()
        self.windows()
        self.outcomes()
        self.performances()
        self.per_student_semester()
        self.per_student_year()
        self.cadre()
        self.school_wide()
        for rec in self.out["students"]:
            del rec["_cohort"], rec["_class"]
        return self.out


def generate_data(preset: str, seed: int = 1) -> dict[str, list[dict]]:
    """entity -> records (dicts with every field of the entity, None where absent)."""
    return Generator(preset, seed).run()


# ------------------------------------------------------------------ writers

def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "、".join(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _json_value(v):
    return v.isoformat() if isinstance(v, dt.date) else v


def write_csv(data: dict, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for entity, records in data.items():
        with open(os.path.join(folder, f"{entity}.csv"), "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(FIELDS[entity])
            w.writerows([_cell(rec[f]) for f in FIELDS[entity]] for rec in records)


def write_jsonl(data: dict, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for entity, records in data.items():
        with open(os.path.join(folder, f"{entity}.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
            for rec in records:
                clean = {k: _json_value(v) for k, v in rec.items() if v is not None}
                fh.write(json.dumps(clean, ensure_ascii=False, separators=(",", ":")) + "\n")


_YAML_WORDS = {"on", "off", "yes", "no", "y", "n", "true", "false", "null"}  # YAML 1.1 bools and null
_PLAIN = re.compile(r"[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u3000-\u9fff]*|[0-9]{3}-[12]")  # 113-1: text to YAML


def _yaml_text(v: str) -> str:
    """Plain where YAML reads it back as this text (ids, names), else double-quoted."""
    if _PLAIN.fullmatch(v) and v.lower() not in _YAML_WORDS:
        return v
    return json.dumps(v, ensure_ascii=False)  # a double-quoted YAML string


def _yaml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.date):  # the 7-digit ROC form of school exports: 1130919 is 2024-09-19
        return f"{v.year - ROC:03d}{v.month:02d}{v.day:02d}"
    if isinstance(v, list):
        return "[" + ",".join(_yaml_scalar(x) for x in v) + "]"
    return _yaml_text(v)


def write_yaml(data: dict, file: str) -> None:
    """One record a line, in flow style (`- {id: S1110101,name: 王小明,...}`), dates as 7-digit ROC
    numbers: compact, so that the school preset stays under rulekit's 10 MiB limit for YAML files."""
    os.makedirs(os.path.dirname(os.path.abspath(file)), exist_ok=True)
    with open(file, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Generated by benchmarks/generate.py: one school's records, checked as of "
                 f"{AS_OF.isoformat()}.\n")
        for entity, records in data.items():
            fh.write(f"{entity}:\n")
            for rec in records:
                fields = ",".join(f"{_yaml_text(k)}: {_yaml_scalar(v)}" for k, v in rec.items() if v is not None)
                fh.write(f"- {{{fields}}}\n")


WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "yaml": write_yaml}


def generate(preset: str, fmt: str, out: str, seed: int = 1) -> str:
    """Write the preset's records in `fmt` to `out` (a folder for csv/jsonl, a file for yaml)."""
    WRITERS[fmt](generate_data(preset, seed), out)
    return out


def count_records(data: dict) -> int:
    return sum(len(v) for v in data.values())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--format", dest="fmt", choices=sorted(WRITERS), default="csv")
    ap.add_argument("--out", required=True, help="folder (csv, jsonl) or file (yaml)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    data = generate_data(args.preset, args.seed)
    WRITERS[args.fmt](data, args.out)
    sizes = ", ".join(f"{e} {len(v)}" for e, v in data.items())
    print(f"{args.out}: {count_records(data)} records ({sizes}); check them --as-of {AS_OF.isoformat()}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
