"""The `rulekit` command: a thin shell over the library.

Each command calls one library function and renders its result. Exit codes are
declared once: 0 fine, 1 the policy/records are wrong (or a check failed),
2 the command was used wrongly, 141 the reader of stdout went away (as after SIGPIPE).
No traceback ever reaches the user.
"""

import click

from .amend import amend
from .check import check
from .diff import diff
from .people import duties, handover, who
from .serve import serve
from .show import show
from .test import test
from .validate import validate


@click.group()
@click.version_option(package_name="rulekit")
@click.option("--show-personal-data", is_flag=True,
              help="Print national ID numbers in full (they are masked as A12345**** by default).")
def main(show_personal_data: bool) -> None:
    """rulekit: a school regulation as data, and the answers it gives."""


for command in (validate, show, check, diff, amend, who, duties, handover, test, serve):
    main.add_command(command)
