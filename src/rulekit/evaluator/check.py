"""`rulekit check`: run the policy's rules over school records, with citations.

Library first: `run_check(policy, records, as_of)` returns a `CheckReport`; the
CLI only renders it. Reference problems in the records (a course outcome of an
unknown student) are findings in the report, not crashes.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..diagnostics import WARNING, Diagnostic, Span, UsageError, did_you_mean, errors_in
from ..i18n import _
from ..policy.load import policy_constants
from ..policy.model import Policy, PolicyHistory
from ..policy.versions import in_force, periods, version_on
from .partial import NOT_DETERMINABLE, missing_kinds, set_aside, subject_label, without_columns

SEVERITY_RANK = {"warning": 1, "error": 2}


@dataclass(frozen=True)
class CheckReport:
    policy: Policy
    as_of: dt.date
    results: tuple
    findings: tuple[Diagnostic, ...] = ()
    amendment: str = ""
    # when the records span an amendment: the ROC date of the text each result was judged
    # under, parallel to `results` (empty when one text judged them all: `amendment`)
    judged_under: tuple[str, ...] = ()
    # which engine answered, and the rules a columnar engine left to the Python evaluator
    engine: str = "python"
    notes: tuple[str, ...] = ()

    def text_of(self, index: int) -> str:
        """The amendment whose text judged result `index`."""
        return self.judged_under[index] if self.judged_under else self.amendment

    def status_counts(self) -> dict:
        """(citation, status) -> how many results; counted once per report."""
        counts = self.__dict__.get("_status_counts")
        if counts is None:
            from .result import status_counts

            counts = status_counts(self.results)
            object.__setattr__(self, "_status_counts", counts)
        return counts

    def summary(self) -> dict:
        counts = Counter()
        for (_citation, status), n in self.status_counts().items():
            counts[status] += n
        out = {"pass": counts["pass"], "fail": counts["fail"], "pending": counts["pending"],
               "not_applicable": counts["not_applicable"], "record_findings": len(self.findings)}
        if counts[NOT_DETERMINABLE]:  # only when records were missing: earlier reports stay as they were
            out[NOT_DETERMINABLE] = counts[NOT_DETERMINABLE]
        return out

    def subject_label(self, result) -> str | None:
        """How staff see the record `result` is about (its kind's `label`), or None."""
        kinds = self.__dict__.get("_kinds")
        if kinds is None:  # rule id -> its for_each, once per report (a report has many results)
            kinds = {rule.id: dict(rule.for_each) for rule in self.policy.rules}
            object.__setattr__(self, "_kinds", kinds)
        return subject_label(self.policy.records, kinds.get(result.rule, {}), result)

    @property
    def incomplete(self) -> bool:
        """Some records could not be used (a reference to a missing id, an unknown value): the
        results leave them out, so "no failure" does not mean the school is within the rules.
        A rule that could not be judged for want of records or columns says the same."""
        return bool(errors_in(self.findings)) or any(r.status == NOT_DETERMINABLE for r in self.results)

    def failing(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        threshold = SEVERITY_RANK[fail_on]
        if any(SEVERITY_RANK.get(r.severity, 2) >= threshold for r in self.results if r.status == "fail"):
            return True
        return bool(errors_in(self.findings))


def parameter_values(policy: Policy) -> dict:
    from ..calendar import Duration

    return {name: Duration(p.value, p.unit) if p.type == "duration" else p.value
            for name, p in policy.parameters.items() if p.value is not None}


def select_rules(policy: Policy, rule_ids) -> tuple:
    if not rule_ids:
        return policy.rules
    known = {r.id: r for r in policy.rules}
    for rid in rule_ids:
        if rid not in known:
            raise UsageError([Diagnostic("unknown-rule", _("--rule {rid} is not a rule of {path}").format(rid=rid, path=policy.path),
                                         Span("<command line>"), hint=did_you_mean(rid, known) or
                                         "rules: " + ", ".join(known))])
    return tuple(known[rid] for rid in rule_ids)


def run_check(policy: Policy, records, as_of: dt.date, rule_ids=(), hypothetical: bool = False,
              history: PolicyHistory | None = None, budget=None, through: dt.date | None = None,
              engine: str = "python") -> CheckReport:
    """`hypothetical`: evaluate the text as if in force on `as_of` (a proposed amendment).

    With the policy's `history`, each subject is judged under the text in force on its own
    date (docs/amendments.md): a semester or academic year, and a record of one (its
    `semester`), under the text in force when it began; anything else on `as_of`.
    A `budget` (evaluator.budget.Budget) stops the check once its time or results are spent;
    `through` lets semesters run past as_of's (run.evaluate).
    `engine`: "python", "duckdb", "spark" or "auto" (engine.py: by the records' size)."""
    from ..people.roster import unknown_people, unknown_roles
    from ..records import check_references

    if history is not None and not hypothetical:
        policy = version_on(history, as_of)
    amendment = policy.amendments[-1] if hypothetical and policy.amendments else in_force(policy, as_of)
    findings = tuple(check_references(records)) + tuple(unknown_values(policy, records)) \
        + tuple(unknown_roles(policy, records)) + tuple(unknown_people(policy, records))
    label = amendment.roc_date if amendment else ""
    missing = missing_kinds(policy, records)
    findings += tuple(_as_of_note(records))
    spans = [] if history is None or hypothetical else \
        [(start, end, p) for start, end, p in periods(history) if start is None or start <= as_of]
    from .engine import choose_engine

    engine = choose_engine(engine, records)
    notes: list[str] = []
    if len(spans) <= 1:
        results = _evaluate(policy, records, as_of, rule_ids, budget, through, engine, notes)
        results = without_columns(select_rules(policy, rule_ids), results, records)
        results, note = set_aside(select_rules(policy, rule_ids), results, missing, records.source)
        return CheckReport(policy, as_of, tuple(results), findings + tuple(note), label, engine=engine,
                           notes=tuple(dict.fromkeys(notes)))
    results, judged = [], []
    for start, end, version in spans:
        for r in _evaluate(version, records, as_of, rule_ids, budget, through, engine, notes):
            day = subject_day(r, as_of)
            if (start is None or day >= start) and (end is None or day < end):
                results.append(r)
                judged.append(version.in_force_since())
    n = len(results)
    results = without_columns(select_rules(policy, rule_ids), results, records)
    results, note = set_aside(select_rules(policy, rule_ids), results, missing, records.source)
    judged += [policy.in_force_since()] * (len(results) - n)  # one per rule over a missing kind
    order = {rule.id: i for i, rule in enumerate(select_rules(policy, rule_ids))}
    ranked = sorted(range(len(results)), key=lambda i: order.get(results[i].rule, len(order)))
    return CheckReport(policy, as_of, tuple(results[i] for i in ranked), findings + tuple(note), label,
                       tuple(judged[i] for i in ranked), engine=engine, notes=tuple(dict.fromkeys(notes)))


def _as_of_note(records):
    """How many records dated after --as-of were set aside (`RecordSet.set_aside`)."""
    n = getattr(records, "set_aside", 0)
    if n:
        yield Diagnostic("after-as-of", _("{n} records dated after the evaluation date were set aside").format(n=n),
                         Span(records.source), WARNING, hint=_("use a later --as-of to include them"))


def _evaluate(policy: Policy, records, as_of: dt.date, rule_ids, budget=None, through=None, engine: str = "python",
              notes: list | None = None) -> list:
    rules = select_rules(policy, rule_ids)
    if engine == "python" or through is not None:  # a calendar's look-ahead runs in Python
        from ..evaluator import evaluate

        return evaluate(rules, records, as_of, parameter_values(policy), policy_constants(policy), budget=budget,
                        through=through)
    from ..columnar.run import evaluate_columnar

    results, found = evaluate_columnar(rules, records, as_of, parameter_values(policy), policy_constants(policy),
                                       engine=engine, budget=budget)
    if notes is not None:
        notes.extend(found)
    return list(results)


def subject_day(result, as_of: dt.date) -> dt.date:
    """The day whose text judges a subject: the start of its semester or academic year (a
    semester or year it ranges over, or the `semester` of a record it ranges over), else as_of."""
    from ..calendar import AcademicYear, DateError, Semester

    for value in result.bindings().values():
        if isinstance(value, (Semester, AcademicYear)):
            return value.start
        if isinstance(value, dict) and value.get("semester"):
            try:
                return Semester.parse(value["semester"]).start
            except DateError:  # a record whose semester is not one: judged by as_of
                continue
    return as_of


def unknown_values(policy: Policy, records):
    """Record values outside the policy's vocabulary (`records.values`): a typo would fail rules silently."""
    for key, allowed in sorted(policy.record_values.items()):
        entity, __, name = key.partition(".")
        try:
            table = records.get(entity)
        except KeyError:
            continue
        for i, row in enumerate(table.rows):
            value = row.get(name)
            if value is not None and value not in allowed:
                yield Diagnostic("unknown-value", _("{name} {value!r} is not one of the values {path} knows").format(name=name, value=value, path=policy.path),
                                 table.span_of(i, name), field=name,
                                 hint=did_you_mean(str(value), allowed) or "allowed: " + ", ".join(allowed))


def explain_result(policy: Policy, records, as_of: dt.date, result) -> list[tuple[str, str]]:
    from . import explain

    rule = next(r for r in policy.rules if r.id == result.rule)
    return explain(rule, result.subject, records, as_of, parameter_values(policy), policy_constants(policy))
