"""`rulekit diff`: what an amendment changes, as a 修正條文對照表."""
from __future__ import annotations

import click

from .common import emit, guarded, on_or_today


@click.command()
@click.argument("specs", nargs=-1, required=True)
@click.option("--at", "at", help="Compare with the text adopted at this amendment date (e.g. 113.01.19).")
@click.option("--records", type=click.Path(), help="School records: also list results that flip.")
@click.option("--roster", type=click.Path(), help="Staff records: also list tasks whose person changes.")
@click.option("--as-of", "as_of", help="Date the records are evaluated on (default today).")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write the result to this file (atomically) instead of stdout.")
@guarded
def diff(specs, at, records, roster, as_of, fmt, output):
    """Compare OLD NEW (files or git REV:path), or NEW with --at DATE, semantically."""
    from ..diagnostics import Diagnostic, RulekitError, Span, UsageError, errors_in
    from ..amend.diff import diff_policies
    from ..report.diff import render_json, render_markdown, render_table
    from ..policy.versions import amendment_at
    from ..policy.sources import load_any

    if at:
        if len(specs) != 1:
            raise UsageError([Diagnostic("usage", "with --at give one policy (NEW)", Span("<command line>"),
                                         hint="rulekit diff --at 113.01.19 policy/regulation.yaml")])
        new = load_any(specs[0])
        amendment_at(new.policy, at)  # only the latest text is encoded: an earlier date is refused there
        old = new
    elif len(specs) == 2:
        old, new = load_any(specs[0]), load_any(specs[1])
    else:
        raise UsageError([Diagnostic("usage", f"diff takes OLD and NEW, got {len(specs)} argument(s)",
                                     Span("<command line>"), hint="rulekit diff OLD.yaml NEW.yaml")])
    for loaded in (old, new):
        if not loaded.ok:
            raise RulekitError(errors_in(loaded.diagnostics))
    result = diff_policies(old.policy, new.policy, specs[0] if not at else f"{specs[0]}@{at}", specs[-1])
    impact = None
    if records or roster:
        from ..amend.impact import impact_of

        impact = impact_of(old.policy, new.policy, records, roster, on_or_today(as_of, new.policy))
    if fmt == "json":
        text = render_json(result, impact) + "\n"
    elif fmt == "markdown":
        text = render_markdown(result, new.policy.title)
        if impact is not None:
            text += "\n" + impact.render_markdown()
    else:
        text = render_table(result) + "\n"
        if impact is not None:
            text += "\n" + impact.render_text() + "\n"
    emit(text, output)
    return 0
