"""The `rulekit` command: a thin shell over the library.

Each command calls one library function and renders its result. Exit codes are
declared once, in `common.EXIT_CODES` (printed by `rulekit --help`, and docs/exit-codes.md).
No traceback ever reaches the user.
"""

import click

from .common import exit_codes_help

from .amend import amend
from .check import check
from .deadlines import deadlines
from .diff import diff
from .people import duties, handover, who
from .serve import serve
from .show import show
from .test import test
from .validate import validate


@click.group(epilog=exit_codes_help())
@click.version_option(package_name="rulekit")
@click.option("--show-personal-data", is_flag=True,
              help="Print national ID numbers in full (they are masked as A12345**** by default).")
def main(show_personal_data: bool) -> None:
    """rulekit: a school regulation as data, and the answers it gives."""


for command in (validate, show, check, deadlines, diff, amend, who, duties, handover, test, serve):
    main.add_command(command)
