"""The school's deadlines (行事曆): what is due when, under which article, and who does it.

Nothing here is a date of its own: every deadline comes from the policy and the records.

- every rule with a `due`, for each subject the records give it (a semester's windows, a
  student, an outcome): `unit-checks-before-deadline` is due two weeks before the central
  upload (its `due` reads `param.unit_check_lead_time`), `confirmation-state` at the end of
  the confirmation period. Subjects of one rule due on one day in one period make one
  deadline, with how many are met, pending and failed;
- every window in the records (an announced period: upload, certification, confirmation),
  ending on its last day, under the rule that reads that kind of window. A window whose rule
  already gave the deadline of that day lends it its first day instead.

The responsible roles are those the policy's tasks name for the deadline's citation
(`stated_in`), the first of a task's substitute chain, and the working group's convener for
the working group's article; with a roster, the person who holds each on the due day
(following the substitute list when the holder is away, as `rulekit who` does).

`deadlines()` is the library function `rulekit deadlines` and the web page call.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from ..calendar import AcademicYear, Semester
from ..diagnostics import Diagnostic, Span, UsageError, errors_in
from ..dsl import ast as A
from ..i18n import _
from ..policy.model import Policy
from .check import run_check

UPCOMING, OVERDUE, MET, CLOSED = "upcoming", "overdue", "met", "closed"
STATUSES = (UPCOMING, OVERDUE, MET, CLOSED)


@dataclass(frozen=True)
class Deadline:
    """One thing due on one day: `due` is the last day to act; `starts` the first day of its
    period when it is one (a window). `status`: upcoming (not yet met, still time), overdue
    (the day has passed and a subject fails), met (every subject passes), closed (a window
    that has ended, with nothing in the records to judge it by)."""

    due: dt.date
    what: str
    citation: str
    rule: str | None
    roles: tuple[str, ...]
    status: str
    people: tuple[str, ...] = ()
    starts: dt.date | None = None
    period: str = ""  # the semester or academic year it belongs to, e.g. 113-1
    counts: tuple[tuple[str, int], ...] = ()  # (result status, subjects) for a rule's deadline
    key: str = ""  # what makes it this deadline, for a stable calendar UID

    @property
    def uid(self) -> str:
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:32] + "@rulekit"

    def to_json(self) -> dict:
        return {"due": self.due.isoformat(), "starts": self.starts.isoformat() if self.starts else None,
                "what": self.what, "citation": self.citation, "rule": self.rule, "period": self.period or None,
                "roles": list(self.roles), "people": list(self.people), "status": self.status,
                "subjects": dict(self.counts), "uid": self.uid}


@dataclass(frozen=True)
class Deadlines:
    as_of: dt.date
    start: dt.date
    end: dt.date
    items: tuple[Deadline, ...]
    policy_title: str = ""
    stamp: dt.date | None = None  # the day the policy text in force was adopted: no clock in a calendar file
    incomplete: bool = False  # some records could not be used (check's exit 3): deadlines may be missing

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "from": self.start.isoformat(), "to": self.end.isoformat(),
                "incomplete": self.incomplete, "deadlines": [d.to_json() for d in self.items]}


def default_range(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The current semester and the next one."""
    now = Semester.of(as_of)
    return now.start, now.next().end


def deadlines(policy: Policy, records, as_of: dt.date, start: dt.date | None = None, end: dt.date | None = None,
              roster=None, history=None) -> Deadlines:
    """Every deadline due from `start` to `end` (default: the current and next semester)."""
    first, last = default_range(as_of)
    start, end = start or first, end or last
    if start > end:
        raise UsageError([Diagnostic("bad-range", _("--from {start} is after --to {end}").format(
            start=start.isoformat(), end=end.isoformat()), Span("<command line>"),
            hint=_("give the earlier date with --from"))])
    from ..policy.versions import in_force

    due_rules = tuple(r.id for r in policy.rules if r.due is not None)
    report = run_check(policy, records, as_of, due_rules, history=history, through=end) if due_rules else None
    found = _from_rules(report.results if report else (), as_of)
    found = _with_windows(policy, records, found, as_of)
    # the school in every UID: two schools' calendars imported side by side never share an event
    items = sorted((replace(d, key=f"{policy.title}|{d.key}") for d in found.values() if start <= d.due <= end),
                   key=lambda d: (d.due, d.starts or d.due, d.citation, d.what, d.key))
    items = [_responsible(policy, d, roster) for d in _unique_keys(items)]
    amendment = in_force(policy, as_of)
    stamp = None
    if amendment is not None:
        from ..calendar import parse_date

        stamp = parse_date(amendment.roc_date)
    incomplete = bool(report and errors_in(report.findings))
    return Deadlines(as_of, start, end, tuple(items), policy.title, stamp, incomplete)


# ------------------------------------------------------------------------- from the rules

def _from_rules(results, as_of: dt.date) -> dict:
    groups: dict[tuple, dict] = {}
    meta: dict[tuple, tuple] = {}
    for r in results:
        if r.status == "not_applicable":
            continue
        due = r.due()
        if not isinstance(due, dt.date):
            continue
        key = (r.rule, due, _period_of(r))
        groups.setdefault(key, {}).setdefault(r.status, 0)
        groups[key][r.status] += 1
        meta.setdefault(key, (r.citation,))
    found = {}
    for (rule, due, period), counts in groups.items():
        status = OVERDUE if counts.get("fail") else UPCOMING if counts.get("pending") else MET
        if counts.get("not_determinable") and status == MET:  # its records are missing: not known to be met
            status = UPCOMING if due >= as_of else CLOSED
        found[(rule, due, period)] = Deadline(due, "", meta[(rule, due, period)][0], rule, (), status,
                                              period=period, counts=tuple(sorted(counts.items())),
                                              key=f"rule|{rule}|{period}")
    return found


def _period_of(result) -> str:
    for value in result.bindings().values():
        if isinstance(value, (Semester, AcademicYear)):
            return str(value)
        if isinstance(value, dict) and isinstance(value.get("semester"), Semester):
            return str(value["semester"])
    return ""


# ------------------------------------------------------------------------- from the windows

def _with_windows(policy: Policy, records, found: dict, as_of: dt.date) -> dict:
    try:
        windows = records.get("windows").rows
    except KeyError:  # records without the windows entity (another school's schema)
        return found
    for w in windows:
        kind, last, first, semester = w.get("kind"), w.get("end"), w.get("start"), w.get("semester")
        if not isinstance(last, dt.date) or not kind:
            continue
        rule = _rule_reading(policy, kind)
        period = str(semester) if semester else ""
        rid = rule.id if rule else None
        same = found.get((rid, last, period))
        if same is not None:
            found[(rid, last, period)] = replace(same, starts=first if isinstance(first, dt.date) else None)
            continue
        status = UPCOMING if last >= as_of else CLOSED
        found[("window", kind, last, period)] = Deadline(
            last, "", rule.citation if rule else "", rid, (), status,
            starts=first if isinstance(first, dt.date) else None, period=period,
            key=f"window|{kind}|{period}|{first}")
    return found


def _rule_reading(policy: Policy, kind: str):
    """The rule that reads windows of this kind: one with a `due` first (it judges the period)."""
    readers = [r for r in policy.rules
               if any(isinstance(n, A.StrLit) and n.value == kind for n in r.nodes())]
    with_due = [r for r in readers if r.due is not None]
    return (with_due or readers or [None])[0]


def _unique_keys(items: list[Deadline]) -> list[Deadline]:
    """Two deadlines of one rule in one period (outcomes due on different days) keep apart."""
    seen: dict[str, int] = {}
    out = []
    for d in items:
        seen[d.key] = seen.get(d.key, 0) + 1
        out.append(d if seen[d.key] == 1 else replace(d, key=f"{d.key}|{d.due.isoformat()}"))
    return out


# ------------------------------------------------------------------------- who is responsible

def _responsible(policy: Policy, d: Deadline, roster) -> Deadline:
    rules = {r.id: r for r in policy.rules}
    rule = rules.get(d.rule) if d.rule else None
    what = rule.title_text() if rule else d.what
    tasks = [t for t in policy.tasks.values() if any(st.citation == d.citation for st in t.stated_in)]
    roles: list[str] = []
    people: list[str] = []
    from ..people.responsibility import Situation, chain_for, who

    for task in tasks:
        chain = chain_for(policy, task)
        if chain is not None:
            roles.append(chain.roles[0])
            if roster is not None:
                answer = who(policy, task.name, Situation(d.due, roster=roster))
                if answer.person:
                    people.append(f"{answer.role} {answer.person}")
        for st in task.stated_in:
            if st.citation == d.citation:
                roles.extend(st.parties)
    wg = policy.working_group
    if wg and d.citation == wg.citation:
        roles.append(wg.convener or wg.name)
    return replace(d, what=what, roles=tuple(dict.fromkeys(roles)), people=tuple(dict.fromkeys(people)))
