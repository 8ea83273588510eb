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

Modules: `model` (the dataclasses), `fields` and `cases` (reading case files),
`inputs` (a case's records and roster), `run` (asking the library: check, who,
handover), `coverage`, and `strict` (what `validate --strict` adds).
"""
from ..policy.validate import CONFLICT_CODE
from ..policy.validate import exit_code_for as validate_exit_code  # the old name: exit codes live in validate.py
from .cases import case_files, load_case_file, load_cases
from .coverage import Coverage, coverage_of, encoded_citations
from .model import (ERRORED, FAILED, PASSED, STATUS_ZH, STATUSES, VIAS, Case, CaseFile, CaseResult,
                    HandoverExpectation, ResultExpectation, Source, Taker, TestRun, Verdict, WhoExpectation)
from .run import Runner, article_text, run_paths
from .strict import named_rules, strict_findings, strict_findings_of, tests_dir_for, untested_rules

__all__ = [
    "CONFLICT_CODE", "ERRORED", "FAILED", "PASSED", "STATUSES", "STATUS_ZH", "VIAS",
    "Case", "CaseFile", "CaseResult", "Coverage", "HandoverExpectation", "ResultExpectation", "Runner", "Source",
    "Taker", "TestRun", "Verdict", "WhoExpectation",
    "article_text", "case_files", "coverage_of", "encoded_citations", "load_case_file", "load_cases",
    "named_rules", "run_paths", "strict_findings", "strict_findings_of", "tests_dir_for", "untested_rules",
    "validate_exit_code",
]
