"""`rulekit test`: run the policy's test cases (policy/tests/*.yaml) and report like pytest.

The last line of the text and GitHub reports is always exactly `N passed, M failed`,
so CI can read it. Formats: text (default), json, junit (JUnit XML for CI test
reports) and github (workflow-command annotations on the failing case lines).
"""
from __future__ import annotations

import click

from .common import guarded
from ..report.policytest import render_github, render_json, render_junit, render_text


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--policy", "policy_path", default="policy/regulation.yaml", show_default=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "github"]), default="text",
              show_default=True)
@click.option("--coverage", is_flag=True, help="Also report which rules, citations and chains the cases exercise.")
@click.option("-v", "--verbose", is_flag=True, help="Text: one line per case.")
@guarded
def test(paths, policy_path, fmt, coverage, verbose):
    """Run the policy's test cases (PATHS: case files or folders, default policy/tests)."""
    from ..diagnostics import RulekitError, errors_in
    from ..policy import load_policy
    from ..policytest import run_paths

    loaded = load_policy(policy_path)
    if not loaded.ok:
        raise RulekitError(errors_in(loaded.diagnostics))
    run = run_paths(loaded.policy, paths or ("policy/tests",), loaded.document)
    if fmt == "json":
        click.echo(render_json(run, coverage))
    elif fmt == "junit":
        click.echo(render_junit(run))
    elif fmt == "github":
        click.echo(render_github(run, coverage))
    else:
        click.echo(render_text(run, verbose, coverage))
    return 0 if run.ok else 1
