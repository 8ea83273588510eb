"""`rulekit amend`: turn a meeting's decision into the dated change in the policy file."""
from __future__ import annotations

import click

from .common import emit, guarded, locate, parse_on, policy_option


def _pairs(values, option: str):
    from ..diagnostics import Diagnostic, Span, UsageError

    out = []
    for raw in values:
        name, sep, value = raw.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError([Diagnostic("usage", f"{option} {raw}: expected NAME=VALUE", Span("<command line>"),
                                         hint=f"e.g. {option} course_outcome_quota=8")])
        out.append((name.strip(), value.strip()))
    return out


@click.command()
@policy_option
@click.option("--on", "on", required=True, help="The day the amendment is in force from (ROC or ISO, e.g. 114.01.17).")
@click.option("--meeting", default="", help="The meeting that adopted it, e.g. 113學年度第2次校務會議.")
@click.option("--kind", default="修正", show_default=True, help="The kind of amendment (修正, 增訂, 刪除).")
@click.option("--summary", default="", help="One line for the amendments list (default: the meeting's name + 修正).")
@click.option("--set", "sets", multiple=True, help="NAME=VALUE: a parameter's new value (repeatable), e.g. "
              "course_outcome_quota=8 or confirmation_period_min='5 days'.")
@click.option("--text", "texts", multiple=True, help="CITATION=WORDING: a provision's new wording (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the 修正條文對照表 of what it would do; change nothing.")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown"]), default="table", show_default=True)
@guarded
def amend(policy_path, on, meeting, kind, summary, sets, texts, dry_run, fmt):
    """Amend the policy on a date: dated values, renumbered text, and the amendment entry."""
    from ..amend.apply import amend_text
    from ..amend.diff import diff_policies
    from ..atomic import write_atomic
    from ..report.diff import render_markdown, render_table
    from ..sourceyaml import read_text

    policy_path = locate(policy_path)
    day = parse_on(on)
    plan = amend_text(read_text(policy_path, "policy file"), policy_path, day, _pairs(sets, "--set"),
                      _pairs(texts, "--text"), meeting, kind, summary)
    result = diff_policies(plan.old, plan.new, f"{policy_path}@{plan.old.in_force_since()}",
                           f"{policy_path}@{plan.new.in_force_since()}")
    report = render_markdown(result, plan.new.title) if fmt == "markdown" else render_table(result) + "\n"
    if not dry_run:
        write_atomic(policy_path, plan.text)
    head = "(dry run: nothing written)\n" if dry_run else f"{policy_path}: amended on {plan.new.in_force_since()}\n"
    emit(head + "".join(f"  {line}\n" for line in plan.changes) + "\n" + report)
    return 0
