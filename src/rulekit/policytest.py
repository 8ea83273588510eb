"""Policy test cases: what the regulation must answer, written in its own terms.

A case file (`policy/tests/*.yaml`, reference: docs/policy-tests.md) lists cases;
each gives a date, a few school records or staff, and the answers the encoded
regulation must give: rule results (`results`), who does a task (`who`) and who
takes over when someone leaves (`handover`).

    run = run_paths(policy, ["policy/tests"])      # TestRun: one CaseResult per case
    run.failed, run.coverage().untested_rules

Every problem in a case file is a located `Diagnostic` (unknown keys, rules,
tasks, roles and citations with a did-you-mean, dates that do not parse), and
the case it belongs to is reported as an error; the other cases still run.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from typing import Any

from .calendar import AcademicYear, DateError, Semester, parse_date
from .diagnostics import (ERROR, Diagnostic, RulekitError, Span, UsageError, did_you_mean, errors_in,
                          sort_key)
from .policy.model import Policy
from .sourceyaml import Document, load_file

CASE_EXTENSIONS = (".yaml", ".yml")
FILE_KEYS = ("description", "defaults", "cases")
DEFAULT_KEYS = ("as_of", "records", "roster")
CASE_KEYS = ("name", "description", "as_of", "records", "roster", "expect")
EXPECT_KEYS = ("results", "who", "handover")
RESULT_KEYS = ("rule", "citation", "subject", "status", "message")
WHO_KEYS = ("task", "absent", "course", "date", "on", "role", "person", "via", "basis")
HANDOVER_KEYS = ("person", "date", "on", "tasks", "unassigned")
TAKER_KEYS = ("role", "person", "via")
STATUSES = ("pass", "fail", "pending", "not_applicable")
STATUS_ZH = {"pass": "符合", "fail": "不符合", "pending": "尚未到期", "not_applicable": "不適用"}
VIAS = ("primary", "substitute", "working_group", "stated")
CONFLICT_CODE = "responsibility-conflict"  # the regulation disagreeing with itself: only an amendment fixes it

PASSED, FAILED, ERRORED = "passed", "failed", "error"


# ------------------------------------------------------------------ what a case file says

@dataclass(frozen=True)
class Source:
    """Records or a roster: inline in the case file (`prefix` is its YAML path) or a file."""

    span: Span
    prefix: tuple | None = None
    file: str | None = None


@dataclass(frozen=True)
class ResultExpectation:
    span: Span
    rule: str | None
    citation: str | None
    subject: tuple  # ((variable, normalised value), ...)
    status: str
    message: str | None = None
    candidates: tuple = ()  # rule ids this expectation can be about

    def label(self) -> str:
        what = self.rule or f"any rule of {self.citation}"
        subj = ", ".join(f"{k}: {v}" for k, v in self.subject)
        return f"{what} {{{subj}}}" if subj else what


@dataclass(frozen=True)
class WhoExpectation:
    span: Span
    task: str
    absent: tuple = ()  # (name, span)
    course: str | None = None
    course_span: Span | None = None
    on: dt.date | None = None
    role: str | None = None
    person: str | None = None
    via: str | None = None
    basis: tuple = ()

    def label(self) -> str:
        parts = [self.task]
        if self.absent:
            parts.append("absent: " + "、".join(n for n, _ in self.absent))
        if self.course:
            parts.append(f"course: {self.course}")
        return "who " + ", ".join(parts)


@dataclass(frozen=True)
class Taker:
    role: str | None = None
    person: str | None = None
    via: str | None = None

    def describe(self) -> str:
        return _describe(self.role, self.person, self.via)


@dataclass(frozen=True)
class HandoverExpectation:
    span: Span
    person: str
    person_span: Span
    on: dt.date | None = None
    tasks: tuple = ()  # (task, Taker, span)
    unassigned: tuple | None = None

    def label(self) -> str:
        return f"handover of {self.person}"


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    span: Span
    as_of: dt.date | None = None
    records: tuple = ()  # Sources, defaults first: later entities replace earlier ones
    roster: Source | None = None
    results: tuple = ()
    who: tuple = ()
    handover: tuple = ()
    diagnostics: tuple = ()
    document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int:
        return self.span.line


@dataclass(frozen=True)
class CaseFile:
    path: str
    cases: tuple = ()
    diagnostics: tuple = ()  # problems of the file as a whole (YAML syntax, no `cases:`)
    lines: tuple = ()


# ------------------------------------------------------------------ what a run found

@dataclass(frozen=True)
class Verdict:
    """One expectation of a case, checked."""

    kind: str  # results | who | handover
    span: Span
    ok: bool
    label: str
    expected: str
    actual: str
    citation: str = ""
    article: str = ""
    notes: tuple = ()
    rules: tuple = ()  # (rule id, status) the expectation was checked against
    citations: tuple = ()  # citations the answer rests on
    chains: tuple = ()  # (task, "present" | "absent")


@dataclass(frozen=True)
class CaseResult:
    name: str
    file: str
    line: int
    status: str  # passed | failed | error
    verdicts: tuple = ()
    diagnostics: tuple = ()
    duration: float = 0.0

    @property
    def failures(self) -> tuple:
        return tuple(v for v in self.verdicts if not v.ok)

    def to_json(self) -> dict:
        return {"name": self.name, "file": self.file, "line": self.line, "status": self.status,
                "duration": round(self.duration, 4),
                "expectations": [{"kind": v.kind, "line": v.span.line, "ok": v.ok, "what": v.label,
                                  "expected": v.expected, "actual": v.actual, "citation": v.citation or None,
                                  "article": v.article or None, "notes": list(v.notes)} for v in self.verdicts],
                "diagnostics": [d.to_json() for d in self.diagnostics]}


@dataclass(frozen=True)
class Coverage:
    rules: dict  # rule id -> {"citation", "statuses", "cases"}
    untested_rules: tuple
    citations: dict  # citation -> number of cases
    unexercised_citations: tuple
    chains: dict  # task -> {"present": n, "absent": n}

    def to_json(self) -> dict:
        return {"rules": {rid: {**info, "statuses": list(info["statuses"])} for rid, info in self.rules.items()},
                "untested_rules": list(self.untested_rules),
                "citations": self.citations, "unexercised_citations": list(self.unexercised_citations),
                "chains": self.chains}


@dataclass(frozen=True)
class TestRun:
    policy: Policy
    results: tuple  # CaseResult
    files: tuple
    duration: float
    sources: dict = field(default_factory=dict, compare=False)  # file -> lines, for rendering diagnostics
    cases: tuple = field(default=(), compare=False)

    __test__ = False  # not a pytest class

    @property
    def passed(self) -> int:
        return sum(r.status == PASSED for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary_line(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"

    def coverage(self) -> Coverage:
        return coverage_of(self.policy, self.results)


# ------------------------------------------------------------------ finding and reading case files

def case_files(paths) -> list[str]:
    """The case files named by `paths` (files, or folders searched for *.yaml / *.yml)."""
    out: list[str] = []
    for path in paths:
        path = os.fspath(path)
        if not os.path.exists(path):
            raise UsageError([Diagnostic("file-not-found", f"test cases {path} do not exist", Span(path),
                                         hint="give a case file or a folder of them (default policy/tests)")])
        if os.path.isdir(path):
            found = sorted(os.path.join(root, f) for root, _, files in os.walk(path) for f in files
                           if f.lower().endswith(CASE_EXTENSIONS) and not f.startswith("."))
            out.extend(found)
        else:
            out.append(path)
    if not out:
        raise UsageError([Diagnostic("no-cases", f"no case files (*.yaml) in {', '.join(map(str, paths))}",
                                     Span(str(paths[0]) if paths else "<command line>"),
                                     hint="write one as docs/policy-tests.md shows")])
    return list(dict.fromkeys(out))


def load_case_file(path: str, policy: Policy) -> CaseFile:
    """Read and check one case file; never raises for a file that is merely wrong."""
    try:
        doc = load_file(path)
    except UsageError:
        raise
    except RulekitError as exc:
        return CaseFile(path, (), exc.diagnostics, _lines_of(path))
    return _Reader(doc, policy).read()


def _lines_of(path: str) -> tuple:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return tuple(fh.read().splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


class _Reader:
    """Checks the shape of one case file against the format and the policy, collecting findings."""

    def __init__(self, doc: Document, policy: Policy):
        self.doc = doc
        self.policy = policy
        self.diags: list[Diagnostic] = []
        self.rules = {r.id: r for r in policy.rules}
        self.citations = policy.citations()
        self.task_names = {}
        for task in policy.tasks.values():
            self.task_names[task.name] = task.name
            for alias in task.aliases:
                self.task_names.setdefault(alias, task.name)
        org = policy.organization
        self.parties = set(org.roles) | set(org.units)

    # ---- helpers
    def span(self, path, key: bool = False) -> Span:
        return self.doc.span(tuple(path), key=key)

    def error(self, code: str, message: str, path, hint: str = "", key: bool = False, fld: str = "") -> None:
        self.diags.append(Diagnostic(code, message, self.span(path, key), hint=hint, field=fld))

    def mapping(self, value, path, what: str, allowed, required=()) -> bool:
        if not isinstance(value, dict):
            self.error("case-shape", f"{what} must be a mapping, not {_yaml_type(value)}", path,
                       hint=f"keys: {', '.join(allowed)}")
            return False
        for k in value:
            if k not in allowed:
                close = did_you_mean(k, allowed)
                self.error("unknown-key", f"unknown key {k} in {what}", tuple(path) + (k,), key=True,
                           hint=close or f"{what} takes: {', '.join(allowed)}")
        for k in required:
            if value.get(k) is None:
                self.error("missing-key", f"{what} needs `{k}`", path, hint=f"add `{k}: ...`")
        return True

    def text(self, value, path, what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.error("case-shape", f"{what} must be text, not {_yaml_type(value)}", path)
            return None
        return str(value)

    def texts(self, value, path, what: str) -> list[tuple[str, tuple]]:
        """A text or a list of texts, each with its YAML path."""
        if value is None:
            return []
        if isinstance(value, list):
            out = []
            for i, item in enumerate(value):
                t = self.text(item, tuple(path) + (i,), what)
                if t is not None:
                    out.append((t, tuple(path) + (i,)))
            return out
        t = self.text(value, path, what)
        return [(t, tuple(path))] if t is not None else []

    def date(self, value, path, what: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, (bool, dict, list)):
            self.error("bad-date", f"{what} must be a date, not {_yaml_type(value)}", path,
                       hint='write it as "114.02.15" (ROC) or "2025-02-15"')
            return None
        try:
            day = parse_date(value)
        except DateError as exc:
            self.error("bad-date", f"{what}: {exc.message}", path,
                       hint=exc.hint or 'write it as "114.02.15" (ROC) or "2025-02-15"')
            return None
        from .policy.versions import in_force

        try:
            in_force(self.policy, day)
        except RulekitError as exc:
            d = exc.diagnostics[0]
            self.error("not-encoded", f"{what}: {d.message}", path, hint=d.hint)
            return None
        return day

    def source(self, value, path, what: str) -> Source | None:
        if value is None:
            return None
        if isinstance(value, dict):
            return Source(self.span(path), prefix=tuple(path))
        if isinstance(value, str) and value.strip():
            target = os.path.join(os.path.dirname(self.doc.path), value)
            if not os.path.exists(target):
                self.error("file-not-found", f"{what} file {value} does not exist (looked for {target})", path,
                           hint="the path is relative to this case file; or write the records inline")
                return None
            return Source(self.span(path), file=target)
        self.error("case-shape", f"{what} must be records (a mapping of entity: [records]) or a file path, "
                                 f"not {_yaml_type(value)}", path,
                   hint="e.g. records: {students: [{id: S001, ...}]}, or records: ../fixtures/school.yaml")
        return None

    def task(self, value, path) -> str | None:
        name = self.text(value, path, "task")
        if name is None:
            return None
        if name in self.task_names:
            return self.task_names[name]
        self.error("unknown-task", f"unknown task {name}", path,
                   hint=did_you_mean(name, self.task_names, n=3) or "`rulekit who --list` lists every task")
        return None

    def party(self, value, path, what: str) -> str | None:
        name = self.text(value, path, what)
        if name is None:
            return None
        for part in name.split("、"):
            if part not in self.parties:
                self.error("unknown-role", f"{what} {part} is not a role or unit of the policy", path,
                           hint=did_you_mean(part, self.parties, n=2) or "roles are listed under organization.roles")
                return None
        return name

    def citation(self, value, path) -> str | None:
        c = self.text(value, path, "citation")
        if c is None:
            return None
        if c not in self.citations:
            self.error("unknown-citation", f"citation {c} is not in the regulation", path,
                       hint=did_you_mean(c, self.citations) or "citations look like 四.(三) or 附表.14")
            return None
        return c

    # ---- the file
    def read(self) -> CaseFile:
        data = self.doc.data
        cases: list[Case] = []
        file_diags: list[Diagnostic] = []
        if not self.mapping(data, (), "a case file", FILE_KEYS, required=("cases",)):
            return CaseFile(self.doc.path, (), tuple(self.diags), self.doc.lines)
        d_as_of, d_records, d_roster = None, None, None
        defaults = data.get("defaults")
        if "defaults" in data and self.mapping(defaults, ("defaults",), "defaults", DEFAULT_KEYS):
            d_as_of = self.date(defaults.get("as_of"), ("defaults", "as_of"), "defaults.as_of")
            d_records = self.source(defaults.get("records"), ("defaults", "records"), "records")
            d_roster = self.source(defaults.get("roster"), ("defaults", "roster"), "roster")
        items = data.get("cases")
        if items is not None and not isinstance(items, list):
            self.error("case-shape", f"cases must be a list, not {_yaml_type(items)}", ("cases",),
                       hint="write each case as an item: - name: ...")
            items = []
        file_diags = list(self.diags)  # problems of the file as a whole
        self.diags = []
        seen: dict[str, int] = {}
        for i, item in enumerate(items or ()):
            case = self.case(item, ("cases", i), d_as_of, d_records, d_roster, seen)
            cases.append(case)
        return CaseFile(self.doc.path, tuple(cases), tuple(file_diags), self.doc.lines)

    def case(self, item, path, d_as_of, d_records, d_roster, seen) -> Case:
        self.diags = []
        span = self.span(path)
        if not self.mapping(item, path, "a case", CASE_KEYS, required=("name", "expect")):
            return Case(f"case {path[-1] + 1}", self.doc.path, span, diagnostics=tuple(sorted(self.diags, key=sort_key)))
        name = self.text(item.get("name"), path + ("name",), "name") or f"case {path[-1] + 1}"
        if name in seen:
            self.error("duplicate-case", f"a case named {name} is already at line {seen[name]}", path + ("name",),
                       hint="give each case of a file its own name")
        seen.setdefault(name, span.line)
        as_of = self.date(item.get("as_of"), path + ("as_of",), "as_of") if "as_of" in item else d_as_of
        records = tuple(s for s in (d_records, self.source(item.get("records"), path + ("records",), "records"))
                        if s is not None)
        roster = self.source(item.get("roster"), path + ("roster",), "roster") or d_roster
        results, whos, handovers = [], [], []
        expect = item.get("expect")
        if expect is not None and self.mapping(expect, path + ("expect",), "expect", EXPECT_KEYS):
            for kind, reader, out in (("results", self.result, results), ("who", self.who, whos),
                                      ("handover", self.handover, handovers)):
                entries = expect.get(kind)
                if entries is None:
                    continue
                if not isinstance(entries, list):
                    self.error("case-shape", f"expect.{kind} must be a list, not {_yaml_type(entries)}",
                               path + ("expect", kind), hint=f"write each expectation as an item: - ...")
                    continue
                for j, entry in enumerate(entries):
                    got = reader(entry, path + ("expect", kind, j))
                    if got is not None:
                        out.append(got)
            if not any(expect.get(k) for k in EXPECT_KEYS) and not self.diags:
                self.error("no-expectation", "expect has no expectation", path + ("expect",),
                           hint="add results:, who: or handover: entries")
        if results and as_of is None:
            self.error("missing-key", "a case with expected results needs `as_of` (the date they are checked on)",
                       path, hint='add as_of: "114.02.15" to the case or to defaults')
        return Case(name, self.doc.path, span, as_of, records, roster, tuple(results), tuple(whos),
                    tuple(handovers), tuple(sorted(self.diags, key=sort_key)), self.doc)

    def result(self, entry, path) -> ResultExpectation | None:
        before = len(self.diags)
        if not self.mapping(entry, path, "an expected result", RESULT_KEYS, required=("status",)):
            return None
        rule_id = self.text(entry.get("rule"), path + ("rule",), "rule")
        citation = None
        if rule_id is not None and rule_id not in self.rules:
            cited = [r.id for r in self.rules.values() if r.citation == entry.get("citation")]
            self.error("unknown-rule", f"unknown rule {rule_id}", path + ("rule",),
                       hint=did_you_mean(rule_id, self.rules) or
                       ("rules of that article: " + ", ".join(cited) if cited else
                        "rule ids are the `id:` of the entries under `rules:` in the policy"))
            rule_id = None
        if "citation" in entry:
            citation = self.citation(entry.get("citation"), path + ("citation",))
        if rule_id is None and citation is None:
            if "rule" not in entry and "citation" not in entry:
                self.error("missing-key", "an expected result needs `rule` or `citation`", path,
                           hint="rule: course-outcome-quota, or citation: 四.(三) for any rule of that article")
            return None
        if rule_id and citation and self.rules[rule_id].citation != citation:
            self.error("citation-mismatch", f"rule {rule_id} cites {self.rules[rule_id].citation}, not {citation}",
                       path + ("citation",), hint=f"write citation: {self.rules[rule_id].citation}, or leave it out")
            return None
        if rule_id:
            candidates = [self.rules[rule_id]]
        else:
            candidates = [r for r in self.rules.values() if r.citation == citation]
            if not candidates:
                with_rules = sorted({r.citation for r in self.rules.values()})
                self.error("no-rule", f"no rule cites {citation}", path + ("citation",),
                           hint="articles with rules: " + "、".join(with_rules))
                return None
        status = self.text(entry.get("status"), path + ("status",), "status")
        if status is not None and status not in STATUSES:
            zh = {v: k for k, v in STATUS_ZH.items()}
            self.error("unknown-status", f"unknown status {status}", path + ("status",),
                       hint=(f"write {zh[status]}" if status in zh else did_you_mean(status, STATUSES))
                       or "status: pass, fail, pending or not_applicable")
        subject = self.subject(entry.get("subject"), path + ("subject",), candidates)
        message = self.text(entry.get("message"), path + ("message",), "message")
        if len(self.diags) > before or status is None:
            return None
        variables = {k for k, _ in subject}
        fitting = tuple(r.id for r in candidates if variables <= {v for v, _ in r.for_each})
        return ResultExpectation(self.span(path), rule_id, citation, subject, status, message, fitting)

    def subject(self, value, path, candidates) -> tuple:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error("case-shape", f"subject must be a mapping, not {_yaml_type(value)}", path,
                       hint="e.g. subject: {student: S001, semester: 113-1}")
            return ()
        kinds: dict[str, set] = {}
        for rule in candidates:
            for var, collection in rule.for_each:
                kinds.setdefault(var, set()).add(collection)
        out = []
        for var, raw in value.items():
            if var not in kinds:
                names = ", ".join(sorted(kinds))
                self.error("unknown-subject", f"{var} is not a subject of "
                           + (candidates[0].id if len(candidates) == 1 else "the rules of that article"),
                           path + (var,), key=True, hint=did_you_mean(var, kinds) or f"subjects: {names}")
                continue
            text = self.text(raw, path + (var,), var)
            if text is None:
                continue
            try:
                if kinds[var] == {"semesters"}:
                    text = Semester.parse(text).id
                elif kinds[var] == {"academic_years"}:
                    text = AcademicYear.parse(text).id
            except DateError as exc:
                self.error("bad-date", f"{var}: {exc.message}", path + (var,), hint=exc.hint)
                continue
            out.append((var, text))
        return tuple(out)

    def who(self, entry, path) -> WhoExpectation | None:
        before = len(self.diags)
        if not self.mapping(entry, path, "a who expectation", WHO_KEYS, required=("task",)):
            return None
        task = self.task(entry.get("task"), path + ("task",))
        absent = []
        for name, p in self.texts(entry.get("absent"), path + ("absent",), "absent"):
            absent.append((name, self.span(p)))
        course = self.text(entry.get("course"), path + ("course",), "course")
        on = self.when(entry, path)
        role = self.party(entry.get("role"), path + ("role",), "role")
        person = self.text(entry.get("person"), path + ("person",), "person")
        via = self.via(entry.get("via"), path + ("via",))
        basis = tuple(c for c, p in self.texts(entry.get("basis"), path + ("basis",), "basis")
                      if self.citation(c, p))
        if not any(k in entry for k in ("role", "person", "via", "basis")):
            self.error("missing-key", "a who expectation needs the answer: `role`, `person`, `via` or `basis`", path,
                       hint="e.g. {task: 課程認證, absent: [任課教師], role: 教學組長, via: substitute}")
        if len(self.diags) > before or task is None:
            return None
        return WhoExpectation(self.span(path), task, tuple(absent), course,
                              self.span(path + ("course",)) if course else None, on, role, person, via, basis)

    def when(self, entry, path) -> dt.date | None:
        """`date:` of a who or handover question (`on:` also works)."""
        if "date" in entry and "on" in entry:
            self.error("duplicate-key", "give `date` or `on`, not both", path + ("on",), key=True)
        key = "date" if "date" in entry else "on"
        return self.date(entry.get(key), path + (key,), key)

    def via(self, value, path) -> str | None:
        via = self.text(value, path, "via")
        if via is not None and via not in VIAS:
            self.error("unknown-via", f"unknown via {via}", path,
                       hint=did_you_mean(via, VIAS) or "via: " + ", ".join(VIAS))
            return None
        return via

    def handover(self, entry, path) -> HandoverExpectation | None:
        before = len(self.diags)
        if not self.mapping(entry, path, "a handover expectation", HANDOVER_KEYS, required=("person",)):
            return None
        person = self.text(entry.get("person"), path + ("person",), "person")
        on = self.when(entry, path)
        tasks = []
        value = entry.get("tasks")
        if value is not None:
            if not isinstance(value, dict):
                self.error("case-shape", f"tasks must be a mapping of task: who takes it over, not {_yaml_type(value)}",
                           path + ("tasks",), hint="e.g. tasks: {校管理者: 教務主任}")
            else:
                for name, taker in value.items():
                    tp = path + ("tasks", name)
                    task = self.task(name, tp)
                    got = self.taker(taker, tp)
                    if task and got:
                        tasks.append((task, got, self.span(tp)))
        unassigned = None
        if "unassigned" in entry:
            value = entry.get("unassigned")
            if value is not None and not isinstance(value, list):
                self.error("case-shape", f"unassigned must be a list of tasks, not {_yaml_type(value)}",
                           path + ("unassigned",), hint="e.g. unassigned: [] or unassigned: [校管理者]")
            else:
                unassigned = tuple(t for i, v in enumerate(value or ())
                                   if (t := self.task(v, path + ("unassigned", i))))
        if "tasks" not in entry and "unassigned" not in entry:
            self.error("missing-key", "a handover expectation needs `tasks` or `unassigned`", path,
                       hint="e.g. {person: T010, tasks: {校管理者: 教務主任}, unassigned: []}")
        if len(self.diags) > before or person is None:
            return None
        return HandoverExpectation(self.span(path), person, self.span(path + ("person",)), on, tuple(tasks),
                                   unassigned)

    def taker(self, value, path) -> Taker | None:
        if isinstance(value, dict):
            if not self.mapping(value, path, "who takes over", TAKER_KEYS):
                return None
            role = self.party(value.get("role"), path + ("role",), "role")
            person = self.text(value.get("person"), path + ("person",), "person")
            via = self.via(value.get("via"), path + ("via",))
            if not (role or person or via):
                self.error("missing-key", "say who takes over: role, person or via", path)
                return None
            return Taker(role, person, via)
        role = self.party(value, path, "role")
        return Taker(role) if role else None


# ------------------------------------------------------------------ running a case

def article_text(policy: Policy, citation: str) -> str:
    """The words of an article, a duty-table row or the substitute list, as encoded."""
    p = policy.provisions.get(citation)
    if p is not None:
        if p.text:
            return f"{p.heading}:{p.text}" if p.heading else p.text
        if p.heading:
            return p.heading
        return " ".join(c.text for c in p.children if c.text)
    subs = policy.substitutes
    if subs and citation == subs.citation:
        return subs.title
    for row in policy.duty_table.rows if policy.duty_table else ():
        if row.id == citation:
            cells = [row.category, row.content, row.work_item, "、".join(row.administration),
                     *(f"{party}:{part}" for party, part in row.parts), row.remarks]
            return " | ".join(c for c in cells if c)
    return ""


def _subdocument(doc: Document, prefix: tuple) -> Document:
    """The part of `doc` under `prefix`, as a document of its own (same file and lines)."""
    n = len(prefix)
    values = {k[n:]: v for k, v in doc.value_spans.items() if k[:n] == prefix}
    keys = {k[n:]: v for k, v in doc.key_spans.items() if k[:n] == prefix and len(k) > n}
    data = doc.data
    for step in prefix:
        data = data[step]
    return Document(doc.path, data, doc.lines, values, keys)


def _inline_tables(doc: Document) -> tuple[dict, list[Diagnostic]]:
    """Records written in a case file, loaded as `load_records` loads a YAML file (positions kept)."""
    from .records.load import _document_table
    from .records.model import entity_infos
    from .records.validate import finish

    tables, diags = {}, []
    for entity, records in doc.data.items():
        if entity not in entity_infos():
            hint = did_you_mean(entity, entity_infos()) or "entities: " + ", ".join(entity_infos())
            diags.append(Diagnostic("unknown-entity", f"unknown entity {entity}", doc.span((entity,), key=True),
                                    hint=hint))
            continue
        if records is None:
            records = []
        if not isinstance(records, list):
            diags.append(Diagnostic("not-a-list", f"{entity} must be a list of records", doc.span((entity,)),
                                    hint="write each record as an item: - id: ..."))
            continue
        raw, found = _document_table(doc, entity, records)
        diags.extend(found)
        table, found = finish(raw)
        diags.extend(found)
        tables[entity] = table
    return tables, diags


def _load_source(source: Source, doc: Document) -> tuple[dict, list[Diagnostic]]:
    if source.file is not None:
        from .records import load_records

        try:
            return dict(load_records(source.file).tables), []
        except RulekitError as exc:
            return {}, list(exc.diagnostics)
    return _inline_tables(_subdocument(doc, source.prefix))


def _describe(role, person, via) -> str:
    parts = []
    if role:
        parts.append(role)
    if person:
        parts.append(f"({person})")
    text = "".join(parts)
    if via:
        text = f"{text} via {via}" if text else f"via {via}"
    return text or "—"


def _answer_text(answer) -> str:
    text = _describe(answer.role, answer.person, answer.via)
    steps = [f"{s.role} {'✓' if s.available else '✗'}{' ' + s.reason if s.reason else ''}" for s in answer.chain]
    return text + (f" [chain: {'; '.join(steps)}]" if steps else "")


def _subject_matches(label, want: str) -> bool:
    """A subject is named by its label (`S001`, `113-1`), or, for a record without an id
    (`總務主任 趙文華`), by any one word of it."""
    if label is None:
        return False
    label = str(label)
    return label == want or want in label.split(" ")


def _person_matches(label: str | None, want: str) -> bool:
    if not label:
        return False
    return label == want or label.split(" (")[0] == want or label.endswith(f"({want})")


class Runner:
    """Runs cases against one policy; `policy_doc` (optional) locates rules in failure notes."""

    def __init__(self, policy: Policy, policy_doc: Document | None = None):
        self.policy = policy
        self.policy_doc = policy_doc
        self.rules = {r.id: r for r in policy.rules}
        org = policy.organization
        self.roles = set(org.roles)

    def run(self, case: Case) -> CaseResult:
        start = time.perf_counter()
        if errors_in(case.diagnostics):
            return CaseResult(case.name, case.file, case.line, ERRORED, (), case.diagnostics,
                              time.perf_counter() - start)
        diags: list[Diagnostic] = []
        records, roster = self._records(case, diags)
        verdicts: list[Verdict] = []
        if not errors_in(diags):
            try:
                if case.results:
                    verdicts.extend(self._results(case, records, diags))
                for exp in case.who:
                    v = self._who(case, exp, records, roster, diags)
                    if v:
                        verdicts.append(v)
                for exp in case.handover:
                    v = self._handover(case, exp, roster, diags)
                    if v:
                        verdicts.append(v)
            except RulekitError as exc:  # the library refused a question: say where the case asked it
                diags.extend(self._relocate(d, case.span) for d in exc.diagnostics)
        status = ERRORED if errors_in(diags) else (FAILED if any(not v.ok for v in verdicts) else PASSED)
        return CaseResult(case.name, case.file, case.line, status, tuple(verdicts), tuple(sorted(diags, key=sort_key)),
                          time.perf_counter() - start)

    @staticmethod
    def _relocate(d: Diagnostic, span: Span) -> Diagnostic:
        if d.span.file in ("", "<command line>") or not d.span.line:
            return Diagnostic(d.code, d.message, span, d.severity, d.hint, d.field, d.related)
        return d

    # ---- inputs
    def _records(self, case: Case, diags: list):
        from .records import RecordSet, check_references
        from .roster import roster_from_records

        tables: dict = {}
        for source in case.records:
            got, found = _load_source(source, case.document)
            tables.update(got)
            diags.extend(found)
        records = RecordSet(tables, case.file)
        if tables:
            diags.extend(d for d in check_references(records) if d.is_error)
            from . import check

            unknown_values = getattr(check, "unknown_values", None)  # values outside the policy's vocabulary
            if unknown_values is not None:
                diags.extend(d for d in unknown_values(self.policy, records) if d.is_error)
        roster = None
        if case.roster is not None:
            got, found = _load_source(case.roster, case.document)
            diags.extend(found)
            if "staff" not in got and not found:
                diags.append(Diagnostic("no-staff", "the roster has no staff records", case.roster.span,
                                        hint="roster: {staff: [{id: T001, name: ..., roles: [...], status: active}]}"))
            roster = roster_from_records(RecordSet(got, case.file), case.file)
        elif "staff" in tables:
            roster = roster_from_records(records, case.file)
        return records, roster

    def _on(self, case: Case, on) -> dt.date:
        return on or case.as_of or dt.date.today()

    def _rule_note(self, rule_id: str) -> str:
        rule = self.rules.get(rule_id)
        if rule is None:
            return ""
        span = self.policy_doc.span(rule.path + ("id",)) if self.policy_doc and rule.path else rule.span
        return f"rule {rule_id} is at {span.file}:{span.line}" if span and span.line else ""

    def _chain_note(self, task: str) -> str:
        subs = self.policy.substitutes
        chain = subs.chains.get(task) if subs else None
        if chain is None or self.policy_doc is None or not chain.path:
            return ""
        span = self.policy_doc.span(chain.path)
        return f"chain {task} ({'、'.join(chain.roles)}) is at {span.file}:{span.line}" if span.line else ""

    # ---- results
    def _results(self, case: Case, records, diags) -> list[Verdict]:
        from .check import run_check

        report = run_check(self.policy, records, case.as_of)
        out = []
        for exp in case.results:
            out.append(self._result_verdict(exp, report.results))
        return out

    def _result_verdict(self, exp: ResultExpectation, results) -> Verdict:
        want = dict(exp.subject)
        selected = [r for r in results
                    if (exp.rule is None or r.rule == exp.rule)
                    and (exp.citation is None or r.citation == exp.citation)
                    and all(_subject_matches(r.subject.get(k), v) for k, v in want.items())]

        def fits(r) -> bool:
            return r.status == exp.status and (exp.message is None or exp.message in r.message)

        if exp.rule is not None:
            ok = bool(selected) and all(fits(r) for r in selected)
        else:
            ok = any(fits(r) for r in selected)
        citation = exp.citation or self.rules[exp.rule].citation
        expected = f"{exp.status} ({STATUS_ZH[exp.status]})"
        if exp.message is not None:
            expected += f", message containing 「{exp.message}」"
        if exp.rule is None:
            expected += f" from some rule of {exp.citation}"
        if selected:
            shown = [f"{'' if exp.rule else r.rule + ' '}{' '.join(map(str, r.subject.values()))}: "
                     f"{r.status} ({STATUS_ZH[r.status]}) — {r.message}" for r in selected[:8]]
            actual = "; ".join(shown) + (f"; and {len(selected) - 8} more" if len(selected) > 8 else "")
        else:
            near = [r for r in results if r.rule in exp.candidates or (exp.rule and r.rule == exp.rule)]
            actual = "no result for that subject"
            if near:
                actual += "; reported: " + ", ".join(
                    f"{r.rule} {' '.join(map(str, r.subject.values()))} ({r.status})" for r in near[:6])
            else:
                actual += f"; {exp.rule or 'no rule of ' + exp.citation} reported nothing (its `where` left every subject out)"
        matched = [r for r in selected if fits(r)] if exp.rule is None else selected
        rules = tuple(dict.fromkeys((r.rule, r.status) for r in (matched or selected)))
        notes = ()
        if not ok:
            ids = list(dict.fromkeys(r.rule for r in selected)) or ([exp.rule] if exp.rule else list(exp.candidates))
            notes = tuple(n for n in map(self._rule_note, ids) if n)
        return Verdict("results", exp.span, ok, exp.label(), expected, actual, citation,
                       article_text(self.policy, citation), notes, rules,
                       tuple(dict.fromkeys(r.citation for r in (matched or selected))))

    # ---- who
    def _check_absent(self, names, roster, diags) -> bool:
        people = set(roster.names()) if roster else set()
        ok = True
        for name, span in names:
            if name not in self.roles and name not in people:
                hint = did_you_mean(name, self.roles | people) or (
                    "name a role of the policy" + (" or a person of the roster" if roster else
                                                    " (give the case a roster to name persons)"))
                diags.append(Diagnostic("unknown-absent", f"absent: {name} is neither a role nor a person", span,
                                        hint=hint))
                ok = False
        return ok

    def _who(self, case: Case, exp: WhoExpectation, records, roster, diags) -> Verdict | None:
        from .responsibility import Situation, who

        if not self._check_absent(exp.absent, roster, diags):
            return None
        teacher_id = teacher = None
        if exp.course:
            courses = {r["id"]: r for r in records.get("courses").rows}
            if exp.course not in courses:
                diags.append(Diagnostic("unknown-course", f"course {exp.course} is not in the case's records",
                                        exp.course_span, hint=did_you_mean(exp.course, courses)
                                        or "add it under records: courses:"))
                return None
            teacher_id = courses[exp.course]["teacher"]
            teacher = roster.find(teacher_id) if roster else None
        sit = Situation(self._on(case, exp.on), frozenset(n for n, _ in exp.absent), roster, teacher, teacher_id)
        answer = who(self.policy, exp.task, sit)
        problems = []
        if exp.role is not None and answer.role != exp.role:
            problems.append("role")
        if exp.person is not None and not _person_matches(answer.person, exp.person):
            problems.append("person")
        if exp.via is not None and answer.via != exp.via:
            problems.append("via")
        cited = [b.citation for b in answer.basis]
        missing = [c for c in exp.basis if c not in cited]
        expected = _describe(exp.role, exp.person, exp.via)
        if exp.basis:
            expected += f", basis {'、'.join(exp.basis)}"
        actual = _answer_text(answer) + (f", basis {'、'.join(cited)}" if cited else "")
        citation = exp.basis[0] if exp.basis else (cited[0] if cited else "")
        chains = ()
        subs = self.policy.substitutes
        if subs and exp.task in subs.chains:
            chains = ((exp.task, "present" if answer.via == "primary" else "absent"),)
        notes = ()
        if problems or missing:
            notes = (answer.sentence(),) + tuple(n for n in (self._chain_note(exp.task),) if n)
        return Verdict("who", exp.span, not problems and not missing, exp.label(), expected, actual, citation,
                       article_text(self.policy, citation) if citation else "", notes, (), tuple(cited), chains)

    # ---- handover
    def _handover(self, case: Case, exp: HandoverExpectation, roster, diags) -> Verdict | None:
        from .responsibility import handover

        if roster is None:
            diags.append(Diagnostic("no-roster", "a handover needs staff: give the case a roster (or staff records)",
                                    exp.span, hint="roster: {staff: [{id: T010, name: ..., roles: [...], status: active}]}"))
            return None
        if roster.find(exp.person) is None:
            diags.append(Diagnostic("unknown-person", f"{exp.person} is not in the roster", exp.person_span,
                                    hint=did_you_mean(exp.person, roster.names()) or "add them under staff:"))
            return None
        plan = handover(self.policy, exp.person, self._on(case, exp.on), roster)
        actual_by_task: dict = {}
        for duty, answer in plan.items:
            actual_by_task.setdefault(duty.task, answer)
        problems, expected_parts = [], []
        for task, taker, _span in exp.tasks:
            expected_parts.append(f"{task} → {taker.describe()}")
            answer = actual_by_task.get(task)
            if answer is None:
                problems.append(f"{plan.person} does not carry {task}")
                continue
            if ((taker.role is not None and answer.role != taker.role)
                    or (taker.person is not None and not _person_matches(answer.person, taker.person))
                    or (taker.via is not None and answer.via != taker.via)):
                problems.append(f"{task} goes to {_describe(answer.role, answer.person, answer.via)}, "
                                f"not {taker.describe()}")
        actual_unassigned = tuple(d.task for d, _ in plan.unassigned)
        if exp.unassigned is not None:
            expected_parts.append("unassigned: " + ("、".join(exp.unassigned) or "none"))
            if set(exp.unassigned) != set(actual_unassigned):
                problems.append("unassigned: " + ("、".join(actual_unassigned) or "none"))
        actual = "; ".join(f"{d.task} ({d.label()} {d.role}) → {_describe(a.role, a.person, a.via)}"
                           for d, a in plan.items) or f"{plan.person} carries no task of 七.(一)"
        actual += "; unassigned: " + ("、".join(actual_unassigned) or "none")
        cited = tuple(dict.fromkeys(b.citation for _, a in plan.items for b in a.basis))
        subs = self.policy.substitutes
        citation = subs.citation if subs else (cited[0] if cited else "")
        chains = tuple(dict.fromkeys((d.task, "present" if a.via == "primary" else "absent")
                                     for d, a in plan.items if subs and d.task in subs.chains))
        return Verdict("handover", exp.span, not problems, exp.label(), "; ".join(expected_parts), actual,
                       citation, article_text(self.policy, citation) if citation else "", tuple(problems), (),
                       cited, chains)


# ------------------------------------------------------------------ runs, coverage, validate --strict

def load_cases(paths, policy: Policy) -> tuple[list[CaseFile], list[str]]:
    files = case_files(paths)
    return [load_case_file(f, policy) for f in files], files


def run_paths(policy: Policy, paths, policy_doc: Document | None = None) -> TestRun:
    """Load every case file under `paths` and run every case."""
    start = time.perf_counter()
    loaded, files = load_cases(paths, policy)
    runner = Runner(policy, policy_doc)
    results: list[CaseResult] = []
    cases: list[Case] = []
    sources = {}
    for cf in loaded:
        sources[cf.path] = list(cf.lines)
        if cf.diagnostics:
            results.append(CaseResult(cf.path, cf.path, (cf.diagnostics[0].span.line or 1), ERRORED, (),
                                      cf.diagnostics))
        for case in cf.cases:
            cases.append(case)
            results.append(runner.run(case))
    for r in results:  # records given as files: their lines, for rendering findings about them
        for d in r.diagnostics:
            if d.span.file and d.span.file not in sources:
                sources[d.span.file] = list(_lines_of(d.span.file))
    return TestRun(policy, tuple(results), tuple(files), time.perf_counter() - start, sources, tuple(cases))


def encoded_citations(policy: Policy) -> list[str]:
    """Citations something testable was encoded from: the rules and the provisions of 七."""
    out = [r.citation for r in policy.rules]
    subs = policy.substitutes
    if subs:
        out.append(subs.citation)
        if subs.teacher:
            out += [subs.teacher.cannot_assist_citation, subs.teacher.can_assist_citation]
        if subs.student:
            out.append(subs.student.citation)
    return list(dict.fromkeys(c for c in out if c))


def coverage_of(policy: Policy, results) -> Coverage:
    rules = {r.id: {"citation": r.citation, "statuses": set(), "cases": 0} for r in policy.rules}
    citations = {c: 0 for c in encoded_citations(policy)}
    subs = policy.substitutes
    chains = {t: {"present": 0, "absent": 0} for t in (subs.chains if subs else ())}
    for res in results:
        seen_rules, seen_cites, seen_chains = set(), set(), set()
        for v in res.verdicts:
            for rid, status in v.rules:
                if rid in rules:
                    rules[rid]["statuses"].add(status)
                    seen_rules.add(rid)
            seen_cites.update(v.citations)
            if v.chains and subs:
                seen_cites.add(subs.citation)
            seen_chains.update(v.chains)
        for rid in seen_rules:
            rules[rid]["cases"] += 1
        for c in seen_cites:
            if c in citations:
                citations[c] += 1
        for task, state in seen_chains:
            if task in chains:
                chains[task][state] += 1
    order = {s: i for i, s in enumerate(STATUSES)}
    for info in rules.values():
        info["statuses"] = tuple(sorted(info["statuses"], key=order.get))
    return Coverage(rules, tuple(rid for rid, info in rules.items() if not info["cases"]), citations,
                    tuple(c for c, n in citations.items() if not n), chains)


def tests_dir_for(policy_path: str) -> str:
    """The default folder of a policy's test cases: `tests/` next to the policy file."""
    return os.path.join(os.path.dirname(os.fspath(policy_path)), "tests")


def named_rules(case_files_: list[CaseFile]) -> set[str]:
    """Rules some case expects a result of: named by `rule:`, or the one rule a `citation:` can mean."""
    named = set()
    for cf in case_files_:
        for case in cf.cases:
            for exp in case.results:
                if exp.rule:
                    named.add(exp.rule)
                elif len(exp.candidates) == 1:
                    named.add(exp.candidates[0])
    return named


def untested_rules(policy: Policy, cases_dir: str) -> list:
    """The policy's rules that no case in `cases_dir` expects a result of (all of them if it has no cases)."""
    try:
        loaded, _ = load_cases([cases_dir], policy)
    except UsageError:
        loaded = []
    named = named_rules(loaded)
    return [r for r in policy.rules if r.id not in named]


def strict_findings(policy_path: str) -> tuple[list[Diagnostic], dict]:
    """For `validate --strict`: rules without a test case, and broken case files.

    Looks for the cases in `tests/` next to the policy; without that folder, or for
    a policy that does not load, there is nothing to say here.
    """
    from .policy import load_policy

    folder = tests_dir_for(policy_path)
    if not os.path.isdir(folder):
        return [], {}
    try:
        loaded = load_policy(policy_path)
    except RulekitError:
        return [], {}
    if not loaded.ok:
        return [], {}
    policy, doc = loaded.policy, loaded.document
    try:
        files, _ = load_cases([folder], policy)
    except UsageError:
        files = []
    found: list[Diagnostic] = []
    sources = {}
    for cf in files:
        bad = errors_in(cf.diagnostics) + [d for c in cf.cases for d in errors_in(c.diagnostics)]
        if bad:
            sources[cf.path] = list(cf.lines)
            found.extend(bad)
    named = named_rules(files)
    for rule in policy.rules:
        if rule.id not in named:
            span = doc.span(rule.path + ("id",)) if rule.path else rule.span
            found.append(Diagnostic(
                "untested-rule", f"rule {rule.id} ({rule.citation}) has no test case in {folder}", span, ERROR,
                hint=f"add a case with `rule: {rule.id}` under expect: results: (docs/policy-tests.md)",
                field=rule.id))
    return sorted(found, key=sort_key), sources


def validate_exit_code(diagnostics, strict: bool = False, warnings_as_errors: bool = False) -> int:
    """`validate`: errors fail; `--strict` also fails on warnings other than the regulation's own
    conflicts (which need an amendment); `--warnings-as-errors` fails on every warning."""
    if errors_in(diagnostics):
        return 1
    if warnings_as_errors and diagnostics:
        return 1
    if strict and any(d.code != CONFLICT_CODE for d in diagnostics):
        return 1
    return 0
