"""Running cases through the library (check, who, handover) and comparing with what they expect."""
from __future__ import annotations

import datetime as dt
import time

from ..diagnostics import Diagnostic, RulekitError, Span, did_you_mean, errors_in, sort_key
from ..policy.model import Policy
from ..policy.versions import today_for
from ..sourceyaml import Document
from .cases import lines_of, load_cases
from .inputs import case_inputs
from .model import (ERRORED, FAILED, PASSED, STATUS_ZH, Case, CaseResult, HandoverExpectation,
                    ResultExpectation, TestRun, Verdict, WhoExpectation, describe)
from ..i18n import DEFAULT, _, using


def article_text(policy: Policy, citation: str) -> str:
    """The words of an article, a duty-table row or the substitute list, as encoded."""
    p = policy.provisions.get(citation)
    if p is not None:
        if p.text:
            return f"{p.heading}:{p.text}" if p.heading else p.text
        if p.heading:
            return p.heading
        return " ".join(c.text for c in p.children if c.text)
    return policy.table_text(citation)


def run_paths(policy: Policy, paths, policy_doc: Document | None = None, versions=()) -> TestRun:
    """Load every case file under `paths` and run every case.

    `versions` ((Policy, Document) per text the policy file holds, oldest first, as in
    `LoadedPolicy.snapshots`): each case is answered under the text in force on its
    `as_of`, so an amendment never changes what a case dated before it means."""
    start = time.perf_counter()
    loaded, files = load_cases(paths, policy)
    runner = Runner(policy, policy_doc, versions)
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
                sources[d.span.file] = list(lines_of(d.span.file))
    return TestRun(policy, tuple(results), tuple(files), time.perf_counter() - start, sources, tuple(cases))


# ------------------------------------------------------------------ comparing answers

def rule_span(rule, doc: Document | None) -> Span:
    """Where a rule is: its `id:` in the policy document when there is one, else the span it was built with."""
    return doc.span(rule.path + ("id",)) if doc is not None and rule.path else rule.span


def _answer_text(answer) -> str:
    text = describe(answer.role, answer.person, answer.via)
    steps = [f"{s.role} {'✓' if s.available else '✗'}{' ' + s.reason if s.reason else ''}" for s in answer.chain]
    return text + (f" [chain: {'; '.join(steps)}]" if steps else "")


def _subject_matches(label, want: str) -> bool:
    """A subject is named by its label (`S001`, `113-1`), or, for a record without an id
    (`<role> <name>`), by any one word of it."""
    if label is None:
        return False
    label = str(label)
    return label == want or want in label.split(" ")


def _person_matches(label: str | None, want: str) -> bool:
    if not label:
        return False
    return label == want or label.split(" (")[0] == want or label.endswith(f"({want})")


def _answers(answer, role, person, via) -> list[str]:
    """What of role, person and via (those expected, not None) `answer` does not give."""
    wrong = []
    if role is not None and answer.role != role:
        wrong.append("role")
    if person is not None and not _person_matches(answer.person, person):
        wrong.append("person")
    if via is not None and answer.via != via:
        wrong.append("via")
    return wrong


def _fits(exp: ResultExpectation, r) -> bool:
    return r.status == exp.status and (exp.message is None or exp.message in r.message)


def _selected(exp: ResultExpectation, results) -> list:
    want = dict(exp.subject)
    return [r for r in results
            if (exp.rule is None or r.rule == exp.rule)
            and (exp.citation is None or r.citation == exp.citation)
            and all(_subject_matches(r.subject.get(k), v) for k, v in want.items())]


def _expected_result(exp: ResultExpectation) -> str:
    expected = f"{exp.status} ({STATUS_ZH[exp.status]})"
    if exp.message is not None:
        expected += _(", message containing 「{message}」").format(message=exp.message)
    if exp.rule is None:
        expected += _(" from some rule of {citation}").format(citation=exp.citation)
    return expected


def _actual_results(exp: ResultExpectation, selected, results) -> str:
    if selected:
        shown = [f"{'' if exp.rule else r.rule + ' '}{' '.join(map(str, r.subject.values()))}: "
                 f"{r.status} ({STATUS_ZH[r.status]}) — {r.message}" for r in selected[:8]]
        return "; ".join(shown) + (_("; and {selected} more").format(selected=len(selected) - 8) if len(selected) > 8 else "")
    near = [r for r in results if r.rule in exp.candidates or (exp.rule and r.rule == exp.rule)]
    if near:
        return _("no result for that subject; reported: ") + ", ".join(
            f"{r.rule} {' '.join(map(str, r.subject.values()))} ({r.status})" for r in near[:6])
    return (_("no result for that subject; {citation} reported nothing (its `where` left every subject out)").format(citation=exp.rule or _('no rule of ') + exp.citation))


def _chain_state(answer) -> str:
    return "present" if answer.via == "primary" else "absent"


# ------------------------------------------------------------------ the runner

class Runner:
    """Runs cases against one policy; `policy_doc` (optional) locates rules in failure notes."""

    def __init__(self, policy: Policy, policy_doc: Document | None = None, versions=()):
        from ..policy.model import PolicyHistory

        self.versions = tuple(versions) or ((policy, policy_doc),)
        # every text the file holds, for run_check to judge each subject by its own date
        self.history = PolicyHistory(tuple(p for p, __ in self.versions)) if len(self.versions) > 1 else None
        self._use(policy, policy_doc)

    def _use(self, policy: Policy, policy_doc: Document | None) -> None:
        self.policy = policy
        self.policy_doc = policy_doc
        self.rules = {r.id: r for r in policy.rules}
        self.roles = set(policy.organization.roles)

    def _version_for(self, case: Case) -> tuple:
        """The text in force on the case's date (the latest text for a case without one)."""
        from ..policy.versions import version_on

        if case.as_of is None or self.history is None:
            return self.versions[-1]
        chosen = version_on(self.history, case.as_of)
        return next(v for v in self.versions if v[0] is chosen)

    def run(self, case: Case) -> CaseResult:
        start = time.perf_counter()
        try:
            self._use(*self._version_for(case))
        except RulekitError as exc:  # a date before the encoded text: the case's own error
            return CaseResult(case.name, case.file, case.line, ERRORED, (),
                              tuple(self._relocate(d, case.span) for d in exc.diagnostics), time.perf_counter() - start)
        if errors_in(case.diagnostics):
            return CaseResult(case.name, case.file, case.line, ERRORED, (), case.diagnostics,
                              time.perf_counter() - start)
        diags: list[Diagnostic] = []
        records, roster = case_inputs(self.policy, case, diags)
        verdicts: list[Verdict] = []
        if not errors_in(diags):
            try:
                for verdict in self._verdicts(case, records, roster, diags):
                    if verdict:
                        verdicts.append(verdict)
            except RulekitError as exc:  # the library refused a question: say where the case asked it
                diags.extend(self._relocate(d, case.span) for d in exc.diagnostics)
        status = ERRORED if errors_in(diags) else (FAILED if any(not v.ok for v in verdicts) else PASSED)
        return CaseResult(case.name, case.file, case.line, status, tuple(verdicts), tuple(sorted(diags, key=sort_key)),
                          time.perf_counter() - start)

    def _verdicts(self, case: Case, records, roster, diags: list):
        """Each expectation checked, in order (None where the question could not be asked);
        those before a refused question are kept."""
        if case.results:
            yield from self._results(case, records)
        for exp in case.who:
            yield self._who(case, exp, records, roster, diags)
        for exp in case.handover:
            yield self._handover(case, exp, roster, diags)

    @staticmethod
    def _relocate(d: Diagnostic, span: Span) -> Diagnostic:
        if d.span.file in ("", "<command line>") or not d.span.line:
            return Diagnostic(d.code, d.message, span, d.severity, d.hint, d.field, d.related)
        return d

    def _on(self, case: Case, on) -> dt.date:
        return on or case.as_of or today_for(self.policy)

    def _article(self, citation: str) -> str:
        return article_text(self.policy, citation) if citation else ""

    def _rule_note(self, rule_id: str) -> str:
        rule = self.rules.get(rule_id)
        if rule is None:
            return ""
        span = rule_span(rule, self.policy_doc)
        return _("rule {rule_id} is at {file}:{line}").format(rule_id=rule_id, file=span.file, line=span.line) if span and span.line else ""

    def _chain_note(self, task: str) -> str:
        subs = self.policy.substitutes
        chain = subs.chains.get(task) if subs else None
        if chain is None or self.policy_doc is None or not chain.path:
            return ""
        span = self.policy_doc.span(chain.path)
        return _("chain {task} ({roles}) is at {file}:{line}").format(task=task, roles='、'.join(chain.roles), file=span.file, line=span.line) if span.line else ""

    # ---- results
    def _results(self, case: Case, records) -> list[Verdict]:
        from ..evaluator.check import run_check

        # A case's expected message is written in the policy's words (「只有 2 日」), which the
        # default language renders: messages are made (and kept) in it whatever --lang says,
        # so `RULEKIT_LANG=en rulekit test` judges the same cases the same way. The run itself
        # is in it too: with several texts in force (an amended policy) it renders messages
        # as it goes.
        with using(DEFAULT):
            report = run_check(self.policy, records, case.as_of, history=self.history)
            for r in report.results:
                r.message  # noqa: B018 - rendered once, kept by the result
        return [self._result_verdict(exp, report.results) for exp in case.results]

    def _result_verdict(self, exp: ResultExpectation, results) -> Verdict:
        selected = _selected(exp, results)
        if exp.rule is not None:
            ok = bool(selected) and all(_fits(exp, r) for r in selected)
        else:
            ok = any(_fits(exp, r) for r in selected)
        citation = exp.citation or self.rules[exp.rule].citation
        matched = [r for r in selected if _fits(exp, r)] if exp.rule is None else selected
        rules = tuple(dict.fromkeys((r.rule, r.status) for r in (matched or selected)))
        notes = ()
        if not ok:
            ids = list(dict.fromkeys(r.rule for r in selected)) or ([exp.rule] if exp.rule else list(exp.candidates))
            notes = tuple(n for n in map(self._rule_note, ids) if n)
        return Verdict("results", exp.span, ok, exp.label(), _expected_result(exp),
                       _actual_results(exp, selected, results), citation, self._article(citation), notes, rules,
                       tuple(dict.fromkeys(r.citation for r in (matched or selected))))

    # ---- who
    def _check_absent(self, names, roster, diags) -> bool:
        people = set(roster.names()) if roster else set()
        ok = True
        for name, span in names:
            if name not in self.roles and name not in people:
                hint = did_you_mean(name, self.roles | people) or (
                    _("name a role of the policy") + (_(" or a person of the roster") if roster else
                                                    _(" (give the case a roster to name persons)")))
                diags.append(Diagnostic("unknown-absent", _("absent: {name} is neither a role nor a person").format(name=name), span,
                                        hint=hint))
                ok = False
        return ok

    def _teacher(self, exp: WhoExpectation, records, roster, diags) -> tuple | None:
        """(teacher id, teacher) of the course the question names; None if the records lack it."""
        if not exp.course:
            return None, None
        courses = {r["id"]: r for r in records.get("courses").rows}
        if exp.course not in courses:
            diags.append(Diagnostic("unknown-course", _("course {course} is not in the case's records").format(course=exp.course),
                                    exp.course_span, hint=did_you_mean(exp.course, courses)
                                    or _("add it under records: courses:")))
            return None
        teacher_id = courses[exp.course]["teacher"]
        return teacher_id, roster.find(teacher_id) if roster else None

    def _who(self, case: Case, exp: WhoExpectation, records, roster, diags) -> Verdict | None:
        from ..people.responsibility import Situation, who

        if not self._check_absent(exp.absent, roster, diags):
            return None
        found = self._teacher(exp, records, roster, diags)
        if found is None:
            return None
        teacher_id, teacher = found
        sit = Situation(self._on(case, exp.on), frozenset(n for n, __ in exp.absent), roster, teacher, teacher_id)
        answer = who(self.policy, exp.task, sit)
        problems = _answers(answer, exp.role, exp.person, exp.via)
        cited = [b.citation for b in answer.basis]
        missing = [c for c in exp.basis if c not in cited]
        expected = describe(exp.role, exp.person, exp.via)
        if exp.basis:
            expected += f", basis {'、'.join(exp.basis)}"
        actual = _answer_text(answer) + (f", basis {'、'.join(cited)}" if cited else "")
        citation = exp.basis[0] if exp.basis else (cited[0] if cited else "")
        subs = self.policy.substitutes
        chains = ((exp.task, _chain_state(answer)),) if subs and exp.task in subs.chains else ()
        notes = ()
        if problems or missing:
            notes = (answer.sentence(),) + tuple(n for n in (self._chain_note(exp.task),) if n)
        return Verdict("who", exp.span, not problems and not missing, exp.label(), expected, actual, citation,
                       self._article(citation), notes, (), tuple(cited), chains)

    # ---- handover
    def _handover(self, case: Case, exp: HandoverExpectation, roster, diags) -> Verdict | None:
        from ..people.responsibility import handover

        if roster is None:
            diags.append(Diagnostic("no-roster", _("a handover needs staff: give the case a roster (or staff records)"),
                                    exp.span,
                                    hint=_("roster: {staff: [{id: T010, name: ..., roles: [...], status: active}]}")))
            return None
        if roster.find(exp.person) is None:
            diags.append(Diagnostic("unknown-person", _("{person} is not in the roster").format(person=exp.person), exp.person_span,
                                    hint=did_you_mean(exp.person, roster.names()) or _("add them under staff:")))
            return None
        plan = handover(self.policy, exp.person, self._on(case, exp.on), roster)
        problems, expected = self._handover_problems(exp, plan)
        subs = self.policy.substitutes
        cited = tuple(dict.fromkeys(b.citation for __, a in plan.items for b in a.basis))
        citation = subs.citation if subs else (cited[0] if cited else "")
        chains = tuple(dict.fromkeys((d.task, _chain_state(a))
                                     for d, a in plan.items if subs and d.task in subs.chains))
        return Verdict("handover", exp.span, not problems, exp.label(), expected, self._handover_actual(plan),
                       citation, self._article(citation), tuple(problems), (), cited, chains)

    @staticmethod
    def _handover_problems(exp: HandoverExpectation, plan) -> tuple[list[str], str]:
        """What of the expected handover `plan` does not do, and the expectation in words."""
        actual_by_task: dict = {}
        for duty, answer in plan.items:
            actual_by_task.setdefault(duty.task, answer)
        problems, expected = [], []
        for task, taker, _span in exp.tasks:
            expected.append(f"{task} → {taker.describe()}")
            answer = actual_by_task.get(task)
            if answer is None:
                problems.append(_("{person} does not carry {task}").format(person=plan.person, task=task))
            elif _answers(answer, taker.role, taker.person, taker.via):
                problems.append(_("{task} goes to {via}, not {describe}").format(task=task, via=describe(answer.role, answer.person, answer.via), describe=taker.describe()))
        actual_unassigned = tuple(d.task for d, __ in plan.unassigned)
        if exp.unassigned is not None:
            expected.append("unassigned: " + ("、".join(exp.unassigned) or "none"))
            if set(exp.unassigned) != set(actual_unassigned):
                problems.append("unassigned: " + ("、".join(actual_unassigned) or "none"))
        return problems, "; ".join(expected)

    def _handover_actual(self, plan) -> str:
        subs = self.policy.substitutes
        nothing = _("{person} carries no task").format(person=plan.person) + (f" of {subs.citation}" if subs else "")
        actual = "; ".join(f"{d.task} ({d.label()} {d.role}) → {describe(a.role, a.person, a.via)}"
                           for d, a in plan.items) or nothing
        return actual + "; unassigned: " + ("、".join(d.task for d, __ in plan.unassigned) or "none")
