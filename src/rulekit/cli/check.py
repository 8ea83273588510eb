"""`rulekit check`: are the school and every student within the regulation?"""
from __future__ import annotations

import itertools

import click

from .common import EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK, emit, guarded, locate, policy_on, policy_option


@click.command()
@click.argument("records", type=click.Path())
@policy_option
@click.option("--as-of", "as_of", help="Evaluation date, ISO or ROC (default today).")
@click.option("--rule", "rule_ids", multiple=True, help="Only this rule (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True)
@click.option("--explain", is_flag=True, help="For each failing result, show sub-expressions and the article.")
@click.option("--all", "show_all", is_flag=True, help="Table/Markdown: also list passing and not-applicable results.")
@click.option("--encoding", help="Encoding of CSV files (default: detect UTF-8 / Big5).")
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file (atomically) instead of stdout.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True),
              help="Stop (exit 2, no report) if evaluating the rules takes longer than this.")
@click.option("--max-results", type=click.IntRange(min=0),
              help="Stop (exit 2, no report) once the rules give more results than this.")
@guarded
def check(records, policy_path, as_of, rule_ids, fmt, fail_on, explain, show_all, encoding, output,
          max_seconds, max_results):
    """Run the regulation's rules over RECORDS (a YAML/JSON file or a folder of CSV files)."""
    from ..evaluator.check import explain_result, run_check
    from ..report.check import iter_json, render_markdown, render_table
    from ..calendar import parse_date
    from ..policy.versions import version_on
    from ..records import load_records

    policy_path = locate(policy_path)
    policy, day, history = policy_on(policy_path, as_of)
    data = load_records(records, encoding=encoding)
    budget = None
    if max_seconds is not None or max_results is not None:
        from ..evaluator.budget import Budget
        budget = Budget(max_seconds, max_results)
    report = run_check(policy, data, day, rule_ids, history=history, budget=budget)
    explanations = None
    if explain:
        explanations = {}
        for i, r in enumerate(report.results):
            if r.status == "fail":
                judged = version_on(history, parse_date(report.text_of(i))) if report.text_of(i) else policy
                rows = explain_result(judged, data, report.as_of, r)
                article = policy.provisions.get(r.citation)
                if article:
                    rows.append((f"[{r.citation}]", article.text or article.heading))
                explanations[id(r)] = rows
    if fmt == "json":
        text = itertools.chain(iter_json(report, explanations), ["\n"])
    elif fmt == "markdown":
        text = render_markdown(report, show_all)
    else:
        text = render_table(report, show_all, explanations) + "\n"
    emit(text, output, inputs=(policy_path, records))
    if report.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_FAIL if report.failing(fail_on) else EXIT_OK
