"""`rulekit test`: run the policy's test cases (policy/tests/*.yaml) and report like pytest.

The last line of the text and GitHub reports is always exactly `N passed, M failed`,
so CI can read it. Formats: text (default), json, junit (JUnit XML for CI test
reports) and github (workflow-command annotations on the failing case lines).
"""
from __future__ import annotations

import os

import click

from .common import guarded, locate, parse_on, policy_option
from ..report.policytest import render_changes, render_github, render_json, render_junit, render_text
from ..i18n import N_


@click.command("test", help=N_("Run the policy's test cases (PATHS: case files or folders, default the tests/ folder next to the policy)."))
@click.argument("paths", nargs=-1, type=click.Path())
@policy_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "github"]), default="text",
              show_default=True)
@click.option("--coverage", is_flag=True, help=N_("Also report which rules, citations and chains the cases exercise."))
@click.option("-v", "--verbose", is_flag=True, help=N_("Text: one line per case."))
@click.option("--changed-since", "changed_since",
              help=N_("Also list, for each quota or period amended on or after this date, the cases that still "
                   "test its old value and those that test the new one."))
@guarded
def test(paths, policy_path, fmt, coverage, verbose, changed_since):

    from ..diagnostics import RulekitError, errors_in
    from ..policy import load_policy
    from ..policytest import run_paths

    policy_path = locate(policy_path)
    loaded = load_policy(policy_path)
    if not loaded.ok:
        raise RulekitError(errors_in(loaded.diagnostics))
    run = run_paths(loaded.policy, paths or (os.path.join(os.path.dirname(policy_path), "tests"),), loaded.document, loaded.snapshots)
    if changed_since:  # before the report, whose last line CI reads: `N passed, M failed`
        from ..policytest.changes import changes_since

        click.echo(render_changes(changes_since(loaded.history, run.cases, parse_on(changed_since))).lstrip("\n"),
                   err=fmt in ("json", "junit"))
    if fmt == "json":
        click.echo(render_json(run, coverage))
    elif fmt == "junit":
        click.echo(render_junit(run))
    elif fmt == "github":
        click.echo(render_github(run, coverage))
    else:
        click.echo(render_text(run, verbose, coverage))
    return 0 if run.ok else 1
