"""The `rulekit` command: a thin shell over the library.

Each command calls one library function and renders its result. Exit codes are
declared once, in `common.EXIT_CODES` (printed by `rulekit --help`, and docs/exit-codes.md).
No traceback ever reaches the user.

A command's module is imported when that command runs (or when `--help` lists them):
`rulekit who` does not pay for the policy tests' renderers, the DSL parser or DuckDB.
"""

import importlib

import click

from ..i18n import N_

from .common import exit_codes_help, lang_option, localize_help

# command -> the module under rulekit.cli that defines it (as a function of that name)
COMMANDS = {"validate": "validate", "show": "show", "check": "check", "deadlines": "deadlines", "diff": "diff",
            "amend": "amend", "who": "people", "duties": "people", "handover": "people", "test": "test",
            "template": "records", "docs": "records", "serve": "serve"}


class _LazyCommands(dict):
    """name -> click command, each imported on first lookup; `name in main.commands` and
    listing need no import. Each command gets its own `--lang` when imported, and its help in
    the current language."""

    def __missing__(self, name):
        if name not in COMMANDS:
            raise KeyError(name)
        command = self[name] = getattr(importlib.import_module(f"{__name__}.{COMMANDS[name]}"), name)
        if not any(p.name == "lang" for p in command.params):
            command.params.insert(0, lang_option())
        localize_help(command)
        return command

    def __contains__(self, name) -> bool:
        return name in COMMANDS or dict.__contains__(self, name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __iter__(self):
        return iter(dict.fromkeys([*COMMANDS, *dict.keys(self)]))

    def keys(self):
        return list(self)


class _Commands(click.Group):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx):
        return list(self.commands)

    def format_epilog(self, ctx, formatter):
        self.epilog = exit_codes_help()  # in the language chosen by then, not the one at import
        super().format_epilog(ctx, formatter)


@click.group(cls=_Commands, epilog=exit_codes_help(),
             help=N_("rulekit: a school regulation as data, and the answers it gives."))
@click.version_option(package_name="rulekit")
@click.option("--show-personal-data", is_flag=True,
              help=N_("Print national ID numbers in full (they are masked as A12345**** by default)."))
def main(show_personal_data: bool) -> None:
    pass


main.params.insert(0, lang_option(group=True))
# help drawn before --lang is read (`rulekit --help` with RULEKIT_LANG set) is in the language of the environment
localize_help(main)
