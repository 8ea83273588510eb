"""`rulekit check`: are the school and every student within the regulation?"""
from __future__ import annotations

import itertools

import click

from .common import (EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK, emit, emit_bytes, guarded, locate, policy_on,
                     policy_option, reveals_personal_data)
from ..i18n import N_, _


@click.command(help=N_("Run the regulation's rules over RECORDS (a YAML/JSON file or a folder of CSV files)."))
@click.argument("records", type=click.Path())
@policy_option
@click.option("--as-of", "as_of", help=N_("Evaluation date, ISO or ROC (default today)."))
@click.option("--rule", "rule_ids", multiple=True, help=N_("Only this rule (repeatable)."))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True)
@click.option("--explain", is_flag=True, help=N_("For each failing result, show sub-expressions and the article."))
@click.option("--all", "show_all", is_flag=True,
              help=N_("Table/Markdown: every result, passing and not-applicable ones too, with no limit per article."))
@click.option("--max-rows", type=click.IntRange(min=1), default=20, show_default=True,
              help=N_("Table: at most this many results per article (-o report.xlsx holds them all)."))
@click.option("--encoding", help=N_("Encoding of CSV files (default: detect UTF-8 / Big5)."))
@click.option("-o", "--output", type=click.Path(),
              help=N_("Write the report to this file (atomically) instead of stdout; a .xlsx file is a workbook."))
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True),
              help=N_("Stop (exit 2, no report) if evaluating the rules takes longer than this."))
@click.option("--max-results", type=click.IntRange(min=0),
              help=N_("Stop (exit 2, no report) once the rules give more results than this."))
@click.option("--engine", type=click.Choice(["auto", "python", "duckdb", "spark"]), default="auto",
              show_default=True, help=N_("Who evaluates the rules: auto picks by the records' size."))
@guarded
def check(records, policy_path, as_of, rule_ids, fmt, fail_on, explain, show_all, max_rows, encoding, output,
          max_seconds, max_results, engine):
    from ..evaluator.check import explain_result, run_check
    from ..report.check import iter_json, render_markdown
    from ..report.check_table import render_table
    from ..report.subjects import people_of
    from ..calendar import parse_date
    from ..policy.versions import version_on
    from ..records import load_records
    from ..records.model import without_after

    from ..evaluator.engine import engine_for_records, reader_for

    policy_path = locate(policy_path)
    policy, day, history = policy_on(policy_path, as_of)
    engine = engine_for_records(engine, records)
    con = reader_for(engine)  # DuckDB reads CSV and Parquet files straight into its tables
    try:
        data = without_after(load_records(records, policy.records, encoding=encoding, engine=con), day)
        budget = None
        if max_seconds is not None or max_results is not None:
            from ..evaluator.budget import Budget
            budget = Budget(max_seconds, max_results)
        report = run_check(policy, data, day, rule_ids, history=history, budget=budget, engine=engine)
    finally:
        if con is not None:
            con.close()
    for note in report.notes:
        click.echo(_("note: {note}").format(note=note), err=True)
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
    if output and output.lower().endswith(".xlsx"):
        return _write_workbook(report, data, output, fmt, (policy_path, records), fail_on, show_all)
    if fmt == "json":
        text = itertools.chain(iter_json(report, explanations), ["\n"])
    elif fmt == "markdown":
        text = render_markdown(report, show_all, people_of(data))
    else:
        text = render_table(report, show_all, explanations, people_of(data), max_rows) + "\n"
    emit(text, output, inputs=(policy_path, records))
    return _exit_code(report, fail_on)


def _write_workbook(report, data, output: str, fmt: str, inputs, fail_on: str, show_all: bool) -> int:
    """`-o report.xlsx`: every failing and pending result as a workbook, whatever --max-rows says
    (with --all every result)."""
    from ..diagnostics import Diagnostic, Span, UsageError
    from ..i18n import _
    from ..report.check_xlsx import render_xlsx
    from ..report.subjects import people_of

    if fmt != "table":
        raise UsageError([Diagnostic("format-conflict", _("{output} is a workbook, but --format {fmt} was asked for")
                                     .format(output=output, fmt=fmt), Span("<command line>"),
                                     hint=_("name the file .{fmt}, or leave out --format").format(fmt=fmt))])
    emit_bytes(render_xlsx(report, people_of(data), mask=not reveals_personal_data(), show_all=show_all),
               output, inputs)
    return _exit_code(report, fail_on)


def _exit_code(report, fail_on: str) -> int:
    if report.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_FAIL if report.failing(fail_on) else EXIT_OK
