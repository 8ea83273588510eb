"""The `rulekit` command: a thin shell over the library.

Each command calls one library function and renders its result. Exit codes are
declared once: 0 fine, 1 the policy/records are wrong (or a check failed),
2 the command was used wrongly. No traceback ever reaches the user.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from contextlib import contextmanager
from functools import wraps

import click

from .diagnostics import RulekitError, UsageError, render_all
from .personal import MaskingStream

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def guarded(fn):
    """Turn rulekit findings into rendered errors and exit codes, never tracebacks."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        with _masked_output():
            _run(fn, args, kwargs)

    return wrapper


@contextmanager
def _masked_output():
    """Everything a command prints goes through ID masking, unless --show-personal-data."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("show_personal_data"):
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskingStream(saved[0]), MaskingStream(saved[1])
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved


def _run(fn, args, kwargs) -> None:
    try:
        code = fn(*args, **kwargs)
    except UsageError as exc:
        click.echo(render_all(exc.diagnostics), err=True)
        sys.exit(EXIT_USAGE)
    except RulekitError as exc:
        click.echo(render_all(exc.diagnostics, _sources_of(exc)), err=True)
        sys.exit(EXIT_INVALID)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except RecursionError:
        click.echo("rulekit: error: input nested too deeply to process", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        click.echo(f"rulekit: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code or EXIT_OK)


def emit(text: str, output: str | None = None) -> None:
    """Print a report, or write it atomically to `output` (masked the same way)."""
    if not output:
        click.echo(text, nl=False)
        return
    from .atomic import write_atomic
    from .personal import mask_ids

    ctx = click.get_current_context(silent=True)
    reveal = ctx is not None and ctx.find_root().params.get("show_personal_data")
    write_atomic(output, text if reveal else mask_ids(text))


def _sources_of(exc: RulekitError) -> dict:
    sources = {}
    for d in exc.diagnostics:
        f = d.span.file
        if f and f not in sources and d.span.line:
            try:
                with open(f, encoding="utf-8-sig") as fh:
                    sources[f] = fh.read().splitlines()
            except (OSError, UnicodeDecodeError):
                sources[f] = []
    return sources


def parse_on(value: str | None) -> dt.date:
    from .calendar import DateError, parse_date
    from .diagnostics import Diagnostic, Span

    if not value:
        return dt.date.today()
    try:
        return parse_date(value)
    except DateError as exc:
        raise UsageError([Diagnostic("bad-date", f"--as-of: {exc.message}", Span("<command line>"), hint=exc.hint)])


@click.group()
@click.version_option(package_name="rulekit")
@click.option("--show-personal-data", is_flag=True,
              help="Print national ID numbers in full (they are masked as A12345**** by default).")
def main(show_personal_data: bool) -> None:
    """rulekit: a school regulation as data, and the answers it gives."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="github: one workflow annotation per finding (warnings as ::warning).")
@click.option("--strict", is_flag=True,
              help="Also fail on rules without a test case (tests/ next to the policy) and on warnings "
                   "other than the regulation's own responsibility conflicts.")
@click.option("--warnings-as-errors", "warnings_as_errors", is_flag=True,
              help="Every warning fails, responsibility conflicts included.")
@click.option("--roster", type=click.Path(), help="Staff records: also check chains against who holds each role.")
@click.option("--as-of", "as_of", help="Date for the roster (default today).")
@guarded
def validate(paths, fmt, strict, warnings_as_errors, roster, as_of):
    """Check policy files (default policy/regulation.yaml); exit 1 if any is invalid."""
    from .diagnostics import to_json
    from .policy import DEFAULT_POLICY
    from .roster import load_roster
    from .validate import validate_paths

    report = validate_paths(paths or (DEFAULT_POLICY,), load_roster(roster) if roster else None, parse_on(as_of),
                            strict=strict)
    if fmt == "json":
        click.echo(to_json(report.diagnostics))
    elif fmt == "github":
        from .cli_test import diagnostic_annotation

        for d in report.diagnostics:
            click.echo(diagnostic_annotation(d, "rulekit validate"))
    elif report.diagnostics:
        click.echo(render_all(report.diagnostics, report.sources))
    if fmt != "json":
        click.echo(report.summary_line(strict, warnings_as_errors))
    return report.exit_code(strict, warnings_as_errors)


@main.command()
@click.argument("citation")
@click.option("--policy", "policy_path", default="policy/regulation.yaml", show_default=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", "as_of", help="Show the text in force on this date (default today).")
@guarded
def show(citation, policy_path, fmt, as_of):
    """Print an article's text and everything encoded from it (CITATION as the policy numbers it)."""
    from .policy import require_valid
    from .policy.versions import in_force
    from .show import provision_view, render_view

    policy = require_valid(policy_path)
    in_force(policy, parse_on(as_of))
    view = provision_view(policy, citation)
    if fmt == "json":
        _emit_json(view.to_json())
    else:
        click.echo(render_view(view))


from .cli_check import check  # noqa: E402
from .cli_diff import diff  # noqa: E402
from .cli_people import duties, handover, who  # noqa: E402
from .cli_test import test  # noqa: E402

main.add_command(check)
main.add_command(diff)
main.add_command(who)
main.add_command(duties)
main.add_command(handover)
main.add_command(test)
