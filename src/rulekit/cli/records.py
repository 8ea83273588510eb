"""`rulekit template` and `rulekit docs records`: what the policy's records declaration says, for staff."""
from __future__ import annotations

import click

from ..i18n import N_

from .common import emit, guarded, locate, policy_option


@click.command(help=N_("Write empty records files into FOLDER: the declared headers and one example row each."))
@click.argument("folder", type=click.Path())
@policy_option
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@guarded
def template(folder, policy_path, fmt):
    from ..policy.load import require_valid
    from ..records.template import write_template

    for path in write_template(require_valid(locate(policy_path)).records, folder, fmt):
        click.echo(path)
    return 0


@click.command(help=N_("Print a reference generated from the policy: `records` (docs/records.md)."))
@click.argument("what", type=click.Choice(["records"]))
@policy_option
@click.option("-o", "--output", type=click.Path(), help=N_("Write to this file (atomically) instead of stdout."))
@guarded
def docs(what, policy_path, output):
    from ..policy.load import require_valid
    from ..report.records_doc import render_records_doc

    policy_path = locate(policy_path)
    emit(render_records_doc(require_valid(policy_path).records), output, inputs=(policy_path,))
    return 0
