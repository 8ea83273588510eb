"""`rulekit validate`: every finding about policy files, and the exit code CI reads."""
from __future__ import annotations

import click

from ..diagnostics import render_all
from .common import guarded, locate, parse_on
from ..i18n import N_


@click.command(help=N_("Check policy files (default: the policy found as for --policy elsewhere); exit 1 if any is invalid."))
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help=N_("github: one workflow annotation per finding (warnings as ::warning)."))
@click.option("--strict", is_flag=True,
              help=N_("Also fail on rules without a test case (tests/ next to the policy) and on warnings "
                   "other than the regulation's own responsibility conflicts."))
@click.option("--warnings-as-errors", "warnings_as_errors", is_flag=True,
              help=N_("Every warning fails, responsibility conflicts included."))
@click.option("--roster", type=click.Path(), help=N_("Staff records: also check chains against who holds each role."))
@click.option("--as-of", "as_of", help=N_("Date for the roster (default today)."))
@guarded
def validate(paths, fmt, strict, warnings_as_errors, roster, as_of):

    from ..diagnostics import to_json
    from ..people.roster import load_roster
    from ..policy.validate import validate_paths

    from ..policytest import strict_findings_of

    report = validate_paths(paths or (locate(None),), load_roster(roster) if roster else None, parse_on(as_of),
                            extra_checks=(strict_findings_of,) if strict else ())
    if fmt == "json":
        click.echo(to_json(report.diagnostics))
    elif fmt == "github":
        from ..report.github import diagnostic_annotation

        for d in report.diagnostics:
            click.echo(diagnostic_annotation(d, "rulekit validate"))
    elif report.diagnostics:
        click.echo(render_all(report.diagnostics, report.sources))
    if fmt != "json":
        click.echo(report.summary_line(strict, warnings_as_errors))
    return report.exit_code(strict, warnings_as_errors)
