"""After an amendment: which parameters changed, which rules read them, which cases test
them and at which text.

A case that tests a quota at its old limit (6 passes, 7 fails) keeps testing the old text
(it is dated before the amendment, or its semester began before it); nothing tests the new
limit until the editor adds cases dated after the amendment. `rulekit test --changed-since`
lists both kinds, and `validate --strict` fails while a changed limit has no case after it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..calendar import DateError, parse_date
from ..policy.wording import params_read
from .model import Case


@dataclass(frozen=True)
class LimitChange:
    parameter: str
    label: str
    old: int | None
    new: int | None
    unit: str
    since: str  # the amendment's ROC date
    on: dt.date
    rules: tuple[str, ...]  # rules that read the parameter


def limit_changes(versions, since: dt.date | None = None) -> list[LimitChange]:
    """Each parameter value that an amendment (on or after `since`) changed, oldest first."""
    out = []
    for old, new in zip(versions, versions[1:]):
        try:
            on = parse_date(new.in_force_since())
        except DateError:
            continue
        if since is not None and on < since:
            continue
        for name, p in new.parameters.items():
            before = old.parameters.get(name)
            if before is None or before.value == p.value:
                continue
            rules = tuple(r.id for r in new.rules if name in params_read(r))
            out.append(LimitChange(name, p.label or name, before.value, p.value, p.unit, new.in_force_since(),
                                   on, rules))
    return out


def cases_testing(change: LimitChange, cases, history) -> tuple[list[Case], list[Case]]:
    """(cases that test the text before the change, cases that test the amended text), among
    the cases expecting a result of a rule that reads the changed parameter. Which text judged
    a case's results is asked of the library itself (a 113-1 quota is judged under the text in
    force when 113-1 began, even in a case dated after the amendment)."""
    before, after = [], []
    for case in cases:
        wanted = [e for e in case.results if ({e.rule} if e.rule else set(e.candidates)) & set(change.rules)]
        if not wanted or case.as_of is None:
            continue
        (after if change.since in judged_under(case, change.rules, history) else before).append(case)
    return before, after


def judged_under(case: Case, rule_ids, history) -> set[str]:
    """The texts (amendment dates) that judged the case's results of `rule_ids`."""
    from ..diagnostics import RulekitError, errors_in
    from ..evaluator.check import run_check
    from ..policy.versions import version_on
    from .inputs import case_inputs

    try:
        policy = version_on(history, case.as_of)
        diags: list = []
        records, __ = case_inputs(policy, case, diags)
        if errors_in(diags) or records is None:
            return set()
        report = run_check(policy, records, case.as_of, [r for r in rule_ids if r in {x.id for x in policy.rules}],
                           history=history)
    except RulekitError:
        return set()
    return {report.text_of(i) for i in range(len(report.results))}


def changes_since(history, cases, since: dt.date) -> list[tuple[LimitChange, list[Case], list[Case]]]:
    """For `rulekit test --changed-since`: each amended limit, the cases still testing its old
    value, and those testing the new one."""
    if history is None:
        return []
    return [(c, *cases_testing(c, cases, history)) for c in limit_changes(list(history.versions), since)]
