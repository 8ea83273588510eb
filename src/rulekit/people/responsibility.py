"""Who does a task now: the duty table, the substitute list (七.(一)) and its special cases.

The answer walks the task's chain in order, skipping roles that are absent (named
by the user, or whose holders in the roster are on leave or gone on the date),
and applies the teacher provisions (七.(二)) to a course's departed teacher.
When no one in the chain is available the answer names the body that decides
(the working group), never an invented person.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, RulekitError, Span, UsageError, did_you_mean
from ..i18n import _
from ..policy.model import Policy, SubstituteChain, Task
from .roster import Person, Roster

PRIMARY, SUBSTITUTE, WORKING_GROUP, STATED = "primary", "substitute", "working_group", "stated"


@dataclass(frozen=True)
class ChainStep:
    role: str
    available: bool
    reason: str = ""
    person: str | None = None

    def to_json(self) -> dict:
        return {"role": self.role, "available": self.available, "reason": self.reason or None, "person": self.person}


@dataclass(frozen=True)
class Basis:
    citation: str
    text: str

    def to_json(self) -> dict:
        return {"citation": self.citation, "text": self.text}


@dataclass(frozen=True)
class Answer:
    task: str
    role: str  # the role (or body/unit) responsible
    person: str | None
    via: str  # primary | substitute | working_group | stated
    chain: tuple[ChainStep, ...] = ()
    basis: tuple[Basis, ...] = ()
    notes: tuple[str, ...] = ()
    convener: str = ""

    def to_json(self) -> dict:
        return {"task": self.task,
                "responsible": {"role": self.role, "person": self.person, "via": self.via},
                "chain": [s.to_json() for s in self.chain],
                "basis": [b.to_json() for b in self.basis],
                "notes": list(self.notes)}

    def sentence(self) -> str:
        who = f"{self.role}{'(' + self.person + ')' if self.person else ''}"
        cites = "、".join(b.citation for b in self.basis)
        if self.via == PRIMARY:
            return _("{task}: the primary, {who}, does it (under {cites}).").format(task=self.task, who=who, cites=cites)
        if self.via == SUBSTITUTE:
            skipped = "、".join(s.role for s in self.chain if not s.available)
            return _("{skipped} away: the substitute {who} does {task} (under {cites}).").format(
                skipped=skipped, task=self.task, who=who, cites=cites)
        if self.via == WORKING_GROUP:
            convener = _(" (convener {name})").format(name=self.convener) if self.convener else ""
            return _("{task}: the primary and every substitute are away; under {cites}, {role}{convener} names a "
                     "substitute (rulekit does not choose one).").format(task=self.task, cites=cites, role=self.role,
                                                                         convener=convener)
        return _("{task}: {who} is responsible (under {cites}).").format(task=self.task, who=who, cites=cites)


@dataclass(frozen=True)
class Situation:
    """Who is away, on which date, and what is known about the people."""

    on: dt.date
    absent: frozenset = frozenset()  # role names or person ids/names
    roster: Roster | None = None
    course_teacher: Person | None = None  # 任課教師 of the course asked about, from the records
    course_teacher_id: str | None = None


def find_task(policy: Policy, name: str) -> Task:
    if name in policy.tasks:
        return policy.tasks[name]
    for task in policy.tasks.values():
        if name in task.aliases:
            return task
    if name in policy.organization.roles:
        hint = _("{name} is a role, not a task: `rulekit duties {name}` lists the tasks it carries").format(name=name)
        raise UsageError([Diagnostic("unknown-task", _("unknown task {name} (not in {path})").format(name=name, path=policy.path),
                                     Span("<command line>"), hint=hint)])
    names = list(policy.tasks) + [a for t in policy.tasks.values() for a in t.aliases]
    hint = did_you_mean(name, names, n=3) or _("run `rulekit who --list` for every task")
    raise UsageError([Diagnostic("unknown-task", _("unknown task {name} (not in {path})").format(name=name, path=policy.path),
                                 Span("<command line>"), hint=hint)])


def check_absent(policy: Policy, absent, roster: Roster | None) -> None:
    roles = set(policy.organization.roles)
    people = set(roster.names()) if roster else set()
    for name in absent:
        if name not in roles and name not in people:
            hint = did_you_mean(name, roles | people) or _("name a role of the policy") + (_(" or a person of the roster") if roster else "")
            raise UsageError([Diagnostic("unknown-absent", _("--absent {name} is neither a role nor a person").format(name=name), Span(policy.path), hint=hint)])


def _provision_text(policy: Policy, citation: str) -> str:
    p = policy.provisions.get(citation)
    return (p.text or p.heading) if p else policy.table_text(citation)


def _basis(policy: Policy, *citations: str) -> tuple[Basis, ...]:
    seen, out = set(), []
    for c in citations:
        if c and c not in seen:
            seen.add(c)
            out.append(Basis(c, _provision_text(policy, c)))
    return tuple(out)


def _step(policy: Policy, role: str, sit: Situation, teacher_rule) -> tuple[ChainStep, tuple[str, ...]]:
    """Is `role` available? Returns the step and any citations the decision rests on."""
    if role in sit.absent:
        return ChainStep(role, False, _("named absent")), ()
    spec = policy.organization.roles.get(role)
    if (sit.course_teacher or sit.course_teacher_id) and spec and spec.per:
        # the person a record names for this task (records.yaml: `does:`) holds the role for it;
        # 七.(二) adds only its own effect on a departed teacher
        if teacher_rule and role == teacher_rule.role:
            return _teacher_step(role, sit, teacher_rule)
        return _record_person_step(role, sit)
    if sit.roster is None:
        return ChainStep(role, True), ()
    if spec and spec.per:
        return ChainStep(role, True, _("held per {per}; name the {per} to get the person").format(per=spec.per)), ()
    holders = sit.roster.holders(role, sit.on, active_only=False)
    if not holders:
        return ChainStep(role, False, _("nobody in the roster holds this role")), ()
    reasons = []
    for person in holders:
        ok, why = person.availability(sit.on)
        if ok and person.id not in sit.absent and person.name not in sit.absent:
            return ChainStep(role, True, "", person.label()), ()
        reasons.append(why or _("{label} named absent").format(label=person.label()))
    return ChainStep(role, False, "; ".join(reasons)), ()


def _record_person_step(role: str, sit: Situation) -> tuple[ChainStep, tuple[str, ...]]:
    """The person the record names, available as the roster says."""
    person = sit.course_teacher
    if person is None and sit.roster is None:
        return ChainStep(role, True, _("no roster given: availability not checked"), sit.course_teacher_id), ()
    if person is None:
        return ChainStep(role, False, _("{id}, named by the record, is not in the roster").format(id=sit.course_teacher_id)), ()
    ok, why = person.availability(sit.on)
    if ok and person.id not in sit.absent and person.name not in sit.absent:
        return ChainStep(role, True, "", person.label()), ()
    return ChainStep(role, False, why or _("named absent")), ()


def _teacher_step(role: str, sit: Situation, rule) -> tuple[ChainStep, tuple[str, ...]]:
    person = sit.course_teacher
    if person is None and sit.roster is None:
        return ChainStep(role, True, _("no roster given: availability not checked"), sit.course_teacher_id), ()
    if person is None:
        return ChainStep(role, False, _("teacher {course_teacher_id} of the course is not in the roster").format(course_teacher_id=sit.course_teacher_id)), ()
    ok, why = person.availability(sit.on)
    named_absent = person.id in sit.absent or person.name in sit.absent
    if ok and not named_absent:
        return ChainStep(role, True, "", person.label()), ()
    if person.status == "departed" and person.can_assist and not named_absent:
        return (ChainStep(role, True, _("{why}, but can still assist with certification").format(why=why), person.label()),
                (rule.can_assist_citation,))
    return ChainStep(role, False, why or _("named absent")), (rule.cannot_assist_citation,)


def chain_for(policy: Policy, task: Task) -> SubstituteChain | None:
    subs = policy.substitutes
    if subs and task.name in subs.chains:
        return subs.chains[task.name]
    # A task stated for one role only (七.(三)'s 註冊組幹事) is a chain of one.
    for st in task.stated_in:
        if len(st.parties) == 1 and st.parties[0] in policy.organization.roles:
            return SubstituteChain(task.name, st.parties, st.citation)
    return None


def who(policy: Policy, task_name: str, sit: Situation) -> Answer:
    task = find_task(policy, task_name)
    chain = chain_for(policy, task)
    if chain is None:
        return _stated_answer(policy, task)
    subs = policy.substitutes
    teacher_rule = subs.teacher if subs and subs.teacher and subs.teacher.task == task.name else None
    steps, extra = [], []
    for index, role in enumerate(chain.roles):
        step, cites = _step(policy, role, sit, teacher_rule)
        steps.append(step)
        extra.extend(cites)
        if step.available:
            via = PRIMARY if index == 0 else SUBSTITUTE
            basis = _basis(policy, *extra, chain.citation) if extra else _basis(policy, chain.citation)
            return Answer(task.name, role, step.person, via, tuple(steps), basis)
    return _working_group_answer(policy, task, chain, tuple(steps), extra)


def _working_group_answer(policy, task, chain, steps, extra) -> Answer:
    subs, wg = policy.substitutes, policy.working_group
    # the body the policy says decides; else the working group by its own name
    body = (subs.decided_by if subs and subs.decided_by else "") or (wg.name if wg and wg.name else _("working group"))
    cites = [*extra, chain.citation, *([subs.citation] if subs else [])]  # 七.(三)'s own, then who decides
    if wg:
        cites.append(wg.citation)
    return Answer(task.name, body, None, WORKING_GROUP, steps, _basis(policy, *cites),
                  convener=wg.convener if wg else "")


def _stated_answer(policy: Policy, task: Task) -> Answer:
    if not task.stated_in:
        raise RulekitError([Diagnostic("no-responsible", _("the regulation names nobody for {name}").format(name=task.name),
                                       Span(policy.path), hint=_("add a stated_in entry or a substitute chain"))])
    first = task.stated_in[0]
    notes = tuple(f"{st.citation} names {'、'.join(st.parties)}" for st in task.stated_in[1:]
                  if set(st.parties) != set(first.parties))
    return Answer(task.name, "、".join(first.parties), None, STATED, (),
                  _basis(policy, *(st.citation for st in task.stated_in)), notes)


@dataclass(frozen=True)
class Duty:
    task: str
    rank: int  # 0 = 承辦人, 1 = first 代理人 ...
    role: str
    citation: str

    def label(self) -> str:
        return _("primary") if self.rank == 0 else _("substitute {rank}").format(rank=self.rank)


@dataclass(frozen=True)
class Duties:
    subject: str
    roles: tuple[str, ...]
    chain_duties: tuple[Duty, ...] = ()
    rows: tuple = ()  # DutyRow naming one of the roles or their units
    stated: tuple = field(default=())  # (task, citation) where the text names them

    def to_json(self) -> dict:
        return {"subject": self.subject, "roles": list(self.roles),
                "tasks": [{"task": d.task, "role": d.role, "rank": d.rank, "as": d.label(), "citation": d.citation}
                          for d in self.chain_duties],
                "duty_rows": [{"id": r.id, "content": r.content, "work_item": r.work_item} for r in self.rows],
                "stated": [{"task": t, "citation": c} for t, c in self.stated]}


def chains(policy: Policy) -> list[SubstituteChain]:
    """Every chain `who` follows: the substitute list's (七.(一)), then each task the text gives
    one role alone (七.(三)'s 紙本郵寄通知): `duties` and `handover` list the same tasks `who` answers."""
    listed = list(policy.substitutes.chains.values()) if policy.substitutes else []
    named = {c.task for c in listed}
    alone = [chain_for(policy, t) for t in policy.tasks.values() if t.name not in named]
    return listed + [c for c in alone if c is not None]


def duties(policy: Policy, subject: str, roster: Roster | None = None) -> Duties:
    roles = _roles_of(policy, subject, roster)
    org = policy.organization
    chain_duties = tuple(Duty(c.task, i, r, c.citation) for c in chains(policy)
                         for i, r in enumerate(c.roles) if r in roles)
    units = {u for r in roles for u in org.containers(r)}
    rows = tuple(row for row in (policy.duty_table.rows if policy.duty_table else ())
                 if any(row.names(u) for u in units))
    carried = {(d.task, d.citation) for d in chain_duties}  # listed once, as a task they carry
    stated = tuple((t.name, st.citation) for t in policy.tasks.values() for st in t.stated_in
                   if any(p in units for p in st.parties) and (t.name, st.citation) not in carried)
    return Duties(subject, tuple(roles), chain_duties, rows, stated)


def _roles_of(policy: Policy, subject: str, roster: Roster | None) -> list[str]:
    if subject in policy.organization.roles:
        return [subject]
    person = roster.find(subject) if roster else None
    if person:
        return [r for r in person.roles if r in policy.organization.roles]
    choices = set(policy.organization.roles) | (set(roster.names()) if roster else set())
    hint = did_you_mean(subject, choices) or (_("give --roster to ask about a person") if not roster else "")
    raise UsageError([Diagnostic("unknown-subject", _("{subject} is neither a role nor a person in the roster").format(subject=subject),
                                 Span(policy.path), hint=hint)])


@dataclass(frozen=True)
class Handover:
    person: str
    on: dt.date
    items: tuple[tuple[Duty, Answer], ...]

    @property
    def unassigned(self) -> tuple[tuple[Duty, Answer], ...]:
        return tuple(i for i in self.items if i[1].via == WORKING_GROUP)

    def to_json(self) -> dict:
        return {"person": self.person, "on": self.on.isoformat(),
                "tasks": [{"task": d.task, "role": d.role, "as": d.label(), "taken_over_by": a.to_json()["responsible"]}
                          for d, a in self.items],
                "unassigned": [d.task for d, __ in self.unassigned]}


def handover(policy: Policy, person_name: str, on: dt.date, roster: Roster) -> Handover:
    """When someone leaves (七 人員異動): each task they carry and who takes it over."""
    person = roster.find(person_name)
    if person is None:
        raise UsageError([Diagnostic("unknown-person", _("{person_name} is not in the roster").format(person_name=person_name), roster.span,
                                     hint=did_you_mean(person_name, roster.names()) or _("check the staff records"))])
    mine = duties(policy, person.id, roster).chain_duties
    # Their own courses lose their teacher too: 七.(二) decides who certifies them.
    sit = Situation(on=on, absent=frozenset({person.id}), roster=roster, course_teacher=person,
                    course_teacher_id=person.id)
    items = tuple((d, who(policy, d.task, sit)) for d in mine)
    return Handover(person.label(), on, items)


def task_names(policy: Policy) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(t.name, t.en, t.aliases) for t in policy.tasks.values()]
