"""Rules no case tests, and broken case files: what `validate --strict` adds to a policy's findings.

The cases of a policy are in `tests/` next to it; without that folder there is nothing to say.
"""
from __future__ import annotations

import os

from ..diagnostics import ERROR, Diagnostic, RulekitError, UsageError, errors_in, sort_key
from ..policy.model import Policy
from .cases import load_cases
from .model import CaseFile
from .run import rule_span
from ..i18n import _


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


def rules_without_cases(policy: Policy, case_files_: list[CaseFile]) -> list:
    named = named_rules(case_files_)
    return [r for r in policy.rules if r.id not in named]


def _case_files_in(folder: str, policy: Policy) -> list[CaseFile]:
    try:
        return load_cases([folder], policy)[0]
    except UsageError:  # no such folder, or no case file in it
        return []


def untested_rules(policy: Policy, cases_dir: str) -> list:
    """The policy's rules that no case in `cases_dir` expects a result of (all of them if it has no cases)."""
    return rules_without_cases(policy, _case_files_in(cases_dir, policy))


def strict_findings(policy_path: str) -> tuple[list[Diagnostic], dict]:
    """For `validate --strict`: rules without a test case, and broken case files (and their lines).

    Nothing for a policy without a `tests/` folder next to it, or one that does not load.
    """
    from ..policy import load_policy

    if not os.path.isdir(tests_dir_for(policy_path)):
        return [], {}
    try:
        loaded = load_policy(policy_path)
    except RulekitError:
        return [], {}
    return strict_findings_of(loaded, policy_path)


def strict_findings_of(loaded, policy_path: str) -> tuple[list[Diagnostic], dict]:
    """`strict_findings` of a policy already loaded (a `LoadedPolicy`) from `policy_path`."""
    folder = tests_dir_for(policy_path)
    if not os.path.isdir(folder) or not loaded.ok:
        return [], {}
    policy, doc = loaded.policy, loaded.document
    files = _case_files_in(folder, policy)
    found: list[Diagnostic] = []
    sources = {}
    for cf in files:
        bad = errors_in(cf.diagnostics) + [d for c in cf.cases for d in errors_in(c.diagnostics)]
        if bad:
            sources[cf.path] = list(cf.lines)
            found.extend(bad)
    found.extend(untested_amendments(loaded, [c for cf in files for c in cf.cases], folder))
    for rule in rules_without_cases(policy, files):
        found.append(Diagnostic(
            "untested-rule", _("rule {id} ({citation}) has no test case in {folder}").format(id=rule.id, citation=rule.citation, folder=folder), rule_span(rule, doc),
            ERROR, hint=_("add a case with `rule: {id}` under expect: results: (docs/policy-tests.md)").format(id=rule.id),
            field=rule.id))
    return sorted(found, key=sort_key), sources


def untested_amendments(loaded, cases, folder: str) -> list[Diagnostic]:
    """A quota or period an amendment changed, with no case that tests the amended value."""
    from .changes import cases_testing, limit_changes

    if loaded.history is None or len(loaded.history.versions) < 2:
        return []
    doc = loaded.original or loaded.document
    out = []
    for change in limit_changes(list(loaded.history.versions)):
        before, after = cases_testing(change, cases, loaded.history)
        if not change.rules or after:
            continue
        key = "times" if loaded.policy.parameters[change.parameter].type == "frequency" else "value"
        tested = _("; {before} case(s) still test the old value {old}").format(before=len(before), old=change.old) if before else ""
        out.append(Diagnostic(
            "untested-amendment",
            _("{label} ({parameter}) is {old} → {new} from {since}, but no case in {folder} tests the amended value{tested}").format(label=change.label, parameter=change.parameter, old=change.old, new=change.new, since=change.since, folder=folder, tested=tested),
            doc.span(("parameters", change.parameter, key, change.since)), ERROR, field=change.parameter,
            hint=_("add cases dated on or after {since} (for a semester that began after it) at the new limit, for rule {rules}: rulekit test --changed-since {since} lists them").format(since=change.since, rules=', '.join(change.rules))))
    return out
