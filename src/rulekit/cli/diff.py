"""`rulekit diff`: what an amendment changes, as a 修正條文對照表."""
from __future__ import annotations

import click

from .common import emit, guarded, locate, on_or_today, parse_on
from ..i18n import N_, _


@click.command(help=N_("Compare OLD NEW (files or git REV:path); or one policy's texts --from DATE --to DATE; or --at DATE."))
@click.argument("specs", nargs=-1)
@click.option("--from", "from_", help=N_("With --to: compare the texts of one policy in force on two dates "
                                     "(e.g. --from 113.01.19 --to 114.01.17)."))
@click.option("--to", "to", help=N_("The later date for --from."))
@click.option("--at", "at", help=N_("The amendment adopted on this date against the text before it (e.g. 114.01.17)."))
@click.option("--records", type=click.Path(), help=N_("School records: also list results that flip."))
@click.option("--roster", type=click.Path(), help=N_("Staff records: also list tasks whose person changes."))
@click.option("--as-of", "as_of", help=N_("Date the records are evaluated on (default today)."))
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(), help=N_("Write the result to this file (atomically) instead of stdout."))
@guarded
def diff(specs, from_, to, at, records, roster, as_of, fmt, output):
    from ..amend.diff import diff_policies
    from ..calendar import to_roc
    from ..diagnostics import Diagnostic, RulekitError, Span, UsageError, errors_in
    from ..policy.sources import load_any
    from ..policy.versions import amendment_at, version_on
    from ..report.diff import render_json, render_markdown, render_table

    def usage(message: str, hint: str) -> UsageError:
        return UsageError([Diagnostic("usage", message, Span("<command line>"), hint=hint)])

    if (from_ is None) != (to is None):
        raise usage(_("--from and --to go together"), "rulekit diff --from 113.01.19 --to 114.01.17")
    if from_ or at:
        if len(specs) > 1 or (from_ and at):
            raise usage(_("with --from/--to or --at give one policy"), "rulekit diff --from 113.01.19 --to 114.01.17")
        spec = specs[0] if specs else locate(None)
        loaded = load_any(spec)
        if not loaded.ok:
            raise RulekitError(errors_in(loaded.diagnostics))
        if at:
            amendment = amendment_at(loaded.policy, at)  # refuses dates whose text is not encoded
            new_policy = version_on(loaded.history, parse_on(amendment.roc_date))
            held = loaded.history.versions
            at_index = next(i for i, p in enumerate(held) if p is new_policy)
            old_policy = held[at_index - 1] if at_index else new_policy  # the first text: nothing before it
        else:
            old_policy = version_on(loaded.history, parse_on(from_, "--from"))
            new_policy = version_on(loaded.history, parse_on(to, "--to"))
        old_label = f"{spec}@{old_policy.in_force_since() or to_roc(parse_on(from_ or at))}"
        new_label = f"{spec}@{new_policy.in_force_since()}"
    elif len(specs) == 2:
        old, new = load_any(specs[0]), load_any(specs[1])
        for loaded in (old, new):
            if not loaded.ok:
                raise RulekitError(errors_in(loaded.diagnostics))
        old_policy, new_policy, old_label, new_label = old.policy, new.policy, specs[0], specs[1]
    else:
        raise usage(_("diff takes OLD and NEW, got {specs} argument(s)").format(specs=len(specs)), "rulekit diff OLD.yaml NEW.yaml")
    result = diff_policies(old_policy, new_policy, old_label, new_label)
    impact = None
    if records or roster:
        from ..amend.impact import impact_of

        impact = impact_of(old_policy, new_policy, records, roster, on_or_today(as_of, new_policy))
    if fmt == "json":
        text = render_json(result, impact) + "\n"
    elif fmt == "markdown":
        text = render_markdown(result, new_policy.title)
        if impact is not None:
            text += "\n" + impact.render_markdown()
    else:
        text = render_table(result) + "\n"
        if impact is not None:
            text += "\n" + impact.render_text() + "\n"
    emit(text, output, inputs=(*(specs or (spec,)), records, roster))
    return 0
