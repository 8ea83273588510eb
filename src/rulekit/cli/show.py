"""`rulekit show`: an article's text and everything encoded from it."""
from __future__ import annotations

import click

from .common import emit_json, guarded, locate, policy_on, policy_option
from ..i18n import N_


@click.command(help=N_("Print an article's text and everything encoded from it (CITATION as the policy numbers it)."))
@click.argument("citation")
@policy_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", "as_of", help=N_("Show the text in force on this date (default today)."))
@guarded
def show(citation, policy_path, fmt, as_of):
    from ..policy.show import provision_view
    from ..report.show import render_view

    policy, __, __ = policy_on(locate(policy_path), as_of)
    view = provision_view(policy, citation)
    if fmt == "json":
        emit_json(view.to_json())
    else:
        click.echo(render_view(view))
