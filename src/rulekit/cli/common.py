"""What every command shares: rendered errors instead of tracebacks, exit codes, ID masking,
atomic `-o` output, and `--as-of` dates."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from contextlib import contextmanager
from functools import wraps

import click

from ..diagnostics import RulekitError, UsageError, render_all
from ..files import read_input
from ..i18n import ENV, LANGUAGES, N_, UnknownLanguage, _, set_language
from ..personal import MaskingStream

# Exit codes, declared once: `rulekit --help` prints EXIT_CODES and docs/exit-codes.md holds the
# same table (a test compares them). "The rules failed" (1) and "the input is broken" (2, 3) differ,
# so a script can tell a school that breaks the regulation from a file that could not be read.
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 70
EXIT_INVALID = EXIT_USAGE  # a policy or records file that cannot be used is unusable input
# The reader of stdout went away (`rulekit who ... | head -1`): the status a shell reports for
# a program killed by SIGPIPE (128 + 13), as `cat` or `grep` would end in the same pipe.
EXIT_PIPE = 141
EXIT_CODES = (
    (EXIT_OK, N_("all pass (check: no failing result; validate: no error; test: every case passes)")),
    (EXIT_FAIL, N_("rules fail (check: a failing result; validate: an error in the policy; test: a failing case)")),
    (EXIT_USAGE, N_("wrong usage or unusable input: nothing was checked")),
    (EXIT_INCOMPLETE, N_("records partly unusable, results incomplete (check; wins over 1)")),
    (EXIT_INTERNAL, N_("internal error in rulekit (please report it)")),
    (EXIT_PIPE, N_("the reader of the output went away (| head)")),
)


def exit_codes_help() -> str:
    """The exit-code table for `rulekit --help` (click keeps \b paragraphs as written). The
    meanings above are message ids, translated here; docs/exit-codes.md holds them as written."""
    from ..i18n import _

    return "\b\n" + _("Exit codes:") + "\n" + "\n".join(f"  {code:>3}  {_(meaning)}" for code, meaning in EXIT_CODES)


def emit_json(data) -> None:
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
    """Everything a command prints goes through ID masking, unless --show-personal-data, and
    has control characters escaped always (a CSV cell may hold a terminal escape sequence)."""
    ctx = click.get_current_context(silent=True)
    mask = not (ctx is not None and ctx.find_root().params.get("show_personal_data"))
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskingStream(saved[0], mask), MaskingStream(saved[1], mask)
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            _reader_gone()
        finally:
            sys.stdout, sys.stderr = saved


def _reader_gone() -> None:
    """Stop quietly: no message (there is no one to read it) and no second failure when
    Python flushes stdout at exit, which now goes to the null device."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.__stdout__.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # no real stdout (an embedding host): nothing will flush to it
    sys.exit(EXIT_PIPE)


def _run(fn, args, kwargs) -> None:
    try:
        code = fn(*args, **kwargs)
    except BrokenPipeError:
        _reader_gone()
    except UsageError as exc:
        click.echo(render_all(exc.diagnostics), err=True)
        sys.exit(EXIT_USAGE)
    except RulekitError as exc:
        click.echo(render_all(exc.diagnostics, _sources_of(exc)), err=True)
        sys.exit(EXIT_INVALID)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except RecursionError:
        click.echo(_("rulekit: error: input nested too deeply to process"), err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        click.echo(_("rulekit: internal error: {kind}: {error} (please report this)").format(
            kind=type(exc).__name__, error=exc), err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code or EXIT_OK)


def emit(text, output: str | None = None, inputs=()) -> None:
    """Print a report, or write it atomically to `output` (masked the same way); `output`
    must not be one of `inputs` (files, or records folders: the data files in them). `text` is
    a string or an iterable of pieces ending at line ends, written as they come (a city's JSON
    report is never one string)."""
    pieces = [text] if isinstance(text, str) else text
    if not output:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    from ..atomic import write_atomic
    from ..personal import mask_ids
    from ..textnorm import escape_controls

    ctx = click.get_current_context(silent=True)
    reveal = ctx is not None and ctx.find_root().params.get("show_personal_data")
    # the report is read in a terminal too (cat, less -R): control characters escaped, piece by piece
    pieces = map(escape_controls, pieces)
    write_atomic(output, pieces if reveal else map(mask_ids, pieces), _input_files(inputs))


def emit_crlf(text: str, output: str | None = None, inputs=()) -> None:
    """`emit` for a format whose lines end with CR LF (iCalendar, RFC 5545): the line ends are
    kept, every other control character is escaped and IDs masked as `emit` does."""
    from ..personal import MaskingStream, mask_ids
    from ..textnorm import escape_controls

    ctx = click.get_current_context(silent=True)
    reveal = ctx is not None and ctx.find_root().params.get("show_personal_data")
    safe = "\r\n".join(escape_controls(part) for part in text.split("\r\n"))
    safe = safe if reveal else mask_ids(safe)
    if output:
        from ..atomic import write_atomic

        write_atomic(output, [safe], _input_files(inputs))
        return
    stream = sys.stdout.inner if isinstance(sys.stdout, MaskingStream) else sys.stdout
    stream.write(safe)  # escaped and masked above: the masking stream would escape the CRs
    stream.flush()
def emit_bytes(data: bytes, output: str, inputs=()) -> None:
    """Write a binary report (a workbook) atomically to `output`, never over one of `inputs`;
    the renderer has masked it already (it knows its cells, `mask_ids` on bytes would not)."""
    from ..atomic import write_atomic

    write_atomic(output, data, _input_files(inputs))


def reveals_personal_data() -> bool:
    """Whether the user asked to see national IDs (--show-personal-data)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("show_personal_data"))


def _input_files(paths) -> list[str]:
    from ..records.load import DATA_EXTENSIONS

    files = []
    for path in filter(None, paths):
        if os.path.isdir(path):
            files.extend(os.path.join(path, n) for n in os.listdir(path)
                         if os.path.splitext(n)[1].lower() in DATA_EXTENSIONS)
        else:
            files.append(path)
    return files


def _sources_of(exc: RulekitError) -> dict:
    sources = {}
    for d in exc.diagnostics:
        f = d.span.file
        if f and f not in sources and d.span.line:
            try:
                sources[f] = read_input(f).decode("utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError, RulekitError):
                sources[f] = []
    return sources


POLICY_HELP = N_("The policy file (default: $RULEKIT_POLICY, else the nearest policy/regulation.yaml, rulekit.toml "
                 "or pyproject.toml [tool.rulekit] from this folder up).")
policy_option = click.option("--policy", "policy_path", type=click.Path(), help=POLICY_HELP)


def locate(policy_path: str | None) -> str:
    """`--policy`, or the policy found from the current folder (policy/locate.py)."""
    from ..policy.locate import find_policy

    return find_policy(policy_path).path


def parse_on(value: str | None, option: str = "--as-of") -> dt.date | None:
    """`--as-of` (or the date `option`) as a date; None when it is not given (see `on_or_today`)."""
    from ..calendar import DateError, parse_date
    from ..diagnostics import Diagnostic, Span

    if not value:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        raise UsageError([Diagnostic("bad-date", _("{option}: {message}").format(option=option, message=exc.message),
                                     Span("<command line>"), hint=exc.hint)])


def on_or_today(value: str | None, policy) -> dt.date:
    """`--as-of`, or else today where the school is: the policy's time zone, not the machine's
    (a runner on UTC would keep a due date pending for 8 hours after it passed in Taipei)."""
    from ..policy.versions import today_for

    day = parse_on(value)
    return day if day is not None else today_for(policy)


def policy_on(policy_path: str, value: str | None, rules: bool = True):
    """(the version in force, the day, every version) for a command's `--policy` and `--as-of`:
    the day defaults to today in the policy's own time zone, and picks the text in force then.
    `rules=False`: the command reads no rule, which may then be left out (require_history)."""
    from ..policy.load import require_history
    from ..policy.versions import version_on

    history = require_history(policy_path, rules)
    day = on_or_today(value, history.latest)
    return version_on(history, day), day, history


def _choose_language(ctx, param, value):
    """`--lang` (or RULEKIT_LANG, which click reads for it) decides the language of everything
    printed after it, help texts included; without either, zh-TW. Each invocation starts afresh,
    so a test runner calling commands one after another never inherits the last one's choice."""
    if value is None and ctx.parent is not None:
        return value  # a command without its own --lang keeps the group's (which read RULEKIT_LANG)
    try:
        set_language(value)
    except UnknownLanguage as exc:
        set_language(None)
        raise click.BadParameter(_("unknown language {value!r} (from --lang or RULEKIT_LANG): use one of {choices}").format(
            value=exc.value, choices=", ".join(LANGUAGES)), ctx=ctx, param=param) from None
    localize_help(ctx.find_root().command)
    return value


def lang_option(group: bool = False) -> click.Option:
    """The `--lang` option every command and the group take. Only the group reads RULEKIT_LANG:
    a command's own --lang is one typed after it, which overrides the group's choice."""
    return click.Option(["--lang"], envvar=ENV if group else None, expose_value=False, is_eager=True,
                        callback=_choose_language, metavar="zh-TW|en",
                        help=N_("Language of the output: zh-TW (default) or en."))


_ENGLISH_HELP: dict[int, tuple] = {}


def localize_help(command: click.Command) -> None:
    """Put the help texts of `command` (and its subcommands) into the current language. Help
    texts are written in English and marked with N_(); click reads them when it draws --help,
    so they are swapped in place, from the English kept on first sight."""
    items = [command, *command.params]
    for item in items:
        original = _ENGLISH_HELP.setdefault(id(item), (getattr(item, "help", None), getattr(item, "short_help", None)))
        if original[0]:
            item.help = _(original[0])
        if original[1]:
            item.short_help = _(original[1])
    for sub in getattr(command, "commands", {}).values():
        localize_help(sub)
