"""`rulekit amend`: turn a meeting's decision into the dated change in the policy file."""
from __future__ import annotations

import click

from .common import emit, guarded, locate, parse_on, policy_option
from ..i18n import N_, _


def _pairs(values, option: str):
    from ..diagnostics import Diagnostic, Span, UsageError

    out = []
    for raw in values:
        name, sep, value = raw.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError([Diagnostic("usage", _("{option} {raw}: expected NAME=VALUE").format(option=option, raw=raw), Span("<command line>"),
                                         hint=_("e.g. {option} course_outcome_quota=8").format(option=option))])
        out.append((name.strip(), value.strip()))
    return out


@click.command(help=N_("Amend the policy on a date: dated values, renumbered text, and the amendment entry."))
@policy_option
@click.option("--on", "on", required=True, help=N_("The day the amendment is in force from (ROC or ISO, e.g. 114.01.17)."))
@click.option("--meeting", default="", help=N_("The meeting that adopted it, e.g. 113學年度第2次校務會議."))
@click.option("--kind", default="修正", show_default=True, help=N_("The kind of amendment (修正, 增訂, 刪除)."))
@click.option("--summary", default="", help=N_("One line for the amendments list (default: the meeting's name + 修正)."))
@click.option("--set", "sets", multiple=True, help=N_("NAME=VALUE: a parameter's new value (repeatable), e.g. "
              "NAME=8 or NAME='5 days' (`rulekit show` lists the policy's parameters)."))
@click.option("--text", "texts", multiple=True, help=N_("CITATION=WORDING: a provision's new wording (repeatable)."))
@click.option("--dry-run", is_flag=True, help=N_("Print the 修正條文對照表 of what it would do; change nothing."))
@click.option("--format", "fmt", type=click.Choice(["table", "markdown"]), default="table", show_default=True)
@guarded
def amend(policy_path, on, meeting, kind, summary, sets, texts, dry_run, fmt):
    from ..amend.apply import amend_text
    from ..amend.diff import diff_policies
    from ..atomic import write_atomic
    from ..report.diff import render_markdown, render_table
    from ..sourceyaml import read_text

    policy_path = locate(policy_path)
    day = parse_on(on)
    plan = amend_text(read_text(policy_path, _("policy file")), policy_path, day, _pairs(sets, "--set"),
                      _pairs(texts, "--text"), meeting, kind, summary)
    result = diff_policies(plan.old, plan.new, f"{policy_path}@{plan.old.in_force_since()}",
                           f"{policy_path}@{plan.new.in_force_since()}")
    report = render_markdown(result, plan.new.title) if fmt == "markdown" else render_table(result) + "\n"
    if not dry_run:
        write_atomic(policy_path, plan.text)
    head = _("(dry run: nothing written)\n") if dry_run else _("{policy_path}: amended on {in_force_since}\n").format(policy_path=policy_path, in_force_since=plan.new.in_force_since())
    emit(head + "".join(f"  {line}\n" for line in plan.changes) + "\n" + report)
    return 0
