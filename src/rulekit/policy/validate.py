"""`rulekit validate`: every finding about one or more policy files, in one run, and its exit code."""
from __future__ import annotations

from dataclasses import dataclass, field

from .consistency import KNOWN_CONFLICT, same_person_substitutes, text_table_conflicts, unheld_chain_roles
from ..diagnostics import Diagnostic, RulekitError, UsageError, errors_in, sort_key
from .load import load_policy_text
from .versions import today_for
from ..sourceyaml import read_text
from ..i18n import _

CONFLICT_CODE = KNOWN_CONFLICT  # a disagreement the policy acknowledges: only an amendment fixes it


def exit_code_for(diagnostics, strict: bool = False, warnings_as_errors: bool = False) -> int:
    """Errors fail; `strict` also fails on every warning except the disagreements the policy lists
    under known_conflicts (they need an amendment); `warnings_as_errors` fails on every warning."""
    if errors_in(diagnostics):
        return 1
    if warnings_as_errors and diagnostics:
        return 1
    if strict and any(d.code != CONFLICT_CODE for d in diagnostics):
        return 1
    return 0


@dataclass(frozen=True)
class Report:
    diagnostics: tuple[Diagnostic, ...]
    sources: dict = field(default_factory=dict, compare=False)
    files: tuple[str, ...] = ()

    def exit_code(self, strict: bool = False, warnings_as_errors: bool = False) -> int:
        """1 if the findings fail `validate` with these flags (see `exit_code_for`), else 0.

        The findings `--strict` adds (rules without a test case, broken case files) are
        errors; they are in the report when `validate_paths` was given `policytest.strict_findings_of`.
        """
        return exit_code_for(self.diagnostics, strict, warnings_as_errors)

    def summary_line(self, strict: bool = False, warnings_as_errors: bool = False) -> str:
        """`FILES: valid (E errors, W warnings)`, saying which flag fails a report without errors."""
        errors = sum(d.is_error for d in self.diagnostics)
        template = (_("{files}: invalid ({errors} errors, {warnings} warnings)") if errors
                    else _("{files}: valid ({errors} errors, {warnings} warnings)"))
        line = template.format(files=", ".join(self.files), errors=errors, warnings=len(self.diagnostics) - errors)
        if errors or not self.exit_code(strict, warnings_as_errors):
            return line
        return line + f"; fails {'--strict' if self.exit_code(strict) else '--warnings-as-errors'}"


def validate_paths(paths, roster=None, on=None, extra_checks=()) -> Report:
    """Every finding about the policy files `paths`; `roster` (on date `on`, by default today in
    each policy's time zone) also checks the chains against who holds each role. Each of
    `extra_checks` is called as `check(loaded, path) -> (findings, sources)` for every policy
    that loads: `validate --strict`
    passes `policytest.strict_findings_of` (rules without a test case in the `tests/` folder next
    to each policy, broken case files there). Taking it as an argument keeps this layer from
    importing the policy tests, which run the evaluator over the policy."""
    found: list[Diagnostic] = []
    sources: dict = {}
    for path in paths:
        try:
            text = read_text(path, _("policy file"))  # missing or unreadable: UsageError, raised
            sources[path] = text.splitlines()
            loaded = load_policy_text(text, path)
        except UsageError:
            raise
        except RulekitError as exc:  # not UTF-8, not YAML: report and go on to the next file
            found.extend(exc.diagnostics)
            continue
        sources.update(loaded.sources())
        found.extend(loaded.diagnostics)
        found.extend(text_table_conflicts(loaded.policy, loaded.document))
        if roster is not None:
            day = on if on is not None else today_for(loaded.policy)
            found.extend(same_person_substitutes(loaded.policy, roster, day))
            found.extend(unheld_chain_roles(loaded.policy, roster, day))
        for check in extra_checks:
            more, their_sources = check(loaded, path)
            found.extend(more)
            sources.update(their_sources)
    return Report(tuple(sorted(dict.fromkeys(found), key=sort_key)), sources, tuple(paths))
