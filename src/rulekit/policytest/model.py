"""What a case file says and what a run found: frozen dataclasses, no behaviour beyond rendering."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..diagnostics import Span
from ..evaluator.result import STATUS_ZH, STATUSES  # noqa: F401 - re-exported by policytest
from ..policy.model import Policy
from ..sourceyaml import Document
from .coverage import Coverage, coverage_of
from ..i18n import _

VIAS = ("primary", "substitute", "working_group", "stated")
PASSED, FAILED, ERRORED = "passed", "failed", "error"


def describe(role, person, via) -> str:
    """Who answers, in a few words: `role(person) via how`, or — for nobody."""
    text = (role or "") + (f"({person})" if person else "")
    if via:
        text = f"{text} via {via}" if text else f"via {via}"
    return text or "—"


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
        what = self.rule or _("any rule of {citation}").format(citation=self.citation)
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
            parts.append("absent: " + "、".join(n for n, __ in self.absent))
        if self.course:
            parts.append(f"course: {self.course}")
        return "who " + ", ".join(parts)


@dataclass(frozen=True)
class Taker:
    role: str | None = None
    person: str | None = None
    via: str | None = None

    def describe(self) -> str:
        return describe(self.role, self.person, self.via)


@dataclass(frozen=True)
class HandoverExpectation:
    span: Span
    person: str
    person_span: Span
    on: dt.date | None = None
    tasks: tuple = ()  # (task, Taker, span)
    unassigned: tuple | None = None

    def label(self) -> str:
        return _("handover of {person}").format(person=self.person)


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

    def to_json(self) -> dict:
        return {"kind": self.kind, "line": self.span.line, "ok": self.ok, "what": self.label,
                "expected": self.expected, "actual": self.actual, "citation": self.citation or None,
                "article": self.article or None, "notes": list(self.notes)}


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
                "expectations": [v.to_json() for v in self.verdicts],
                "diagnostics": [d.to_json() for d in self.diagnostics]}


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
        return _("{passed} passed, {failed} failed").format(passed=self.passed, failed=self.failed)

    def coverage(self) -> Coverage:
        return coverage_of(self.policy, self.results)
