"""`rulekit deadlines` (行事曆): what is due when, from the records' windows and the rules' `due`."""
from __future__ import annotations

import click

from ..i18n import N_

from .common import EXIT_INCOMPLETE, EXIT_OK, emit, emit_crlf, guarded, locate, parse_on, policy_on, policy_option


@click.command(help=N_("The deadlines of the current and next semester: due date, task, article, who, status."))
@click.argument("records", type=click.Path())
@click.option("--roster", type=click.Path(), help=N_("Staff records naming who holds each role (default: the staff in RECORDS)."))
@click.option("--as-of", "as_of", help=N_("The day the statuses are judged on (default today)."))
@click.option("--from", "from_", help=N_("First due date listed (default: the start of the current semester)."))
@click.option("--to", "to", help=N_("Last due date listed (default: the end of the next semester)."))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table", show_default=True,
              help=N_("ics: an iCalendar file for Google Calendar or Outlook (use -o FILE.ics)."))
@click.option("--encoding", help=N_("Encoding of CSV files (default: detect UTF-8 / Big5)."))
@click.option("-o", "--output", type=click.Path(), help=N_("Write to this file (atomically) instead of stdout."))
@policy_option
@guarded
def deadlines(records, roster, as_of, from_, to, fmt, encoding, output, policy_path):
    from ..evaluator.deadlines import deadlines as find
    from ..people.roster import load_roster, roster_from_records
    from ..records import load_records
    from ..report.deadlines import render_ics, render_json, render_table

    policy_path = locate(policy_path)
    policy, day, history = policy_on(policy_path, as_of)
    data = load_records(records, policy.records, encoding=encoding)
    people = load_roster(roster, policy) if roster else (
        roster_from_records(data, records) if data.get("staff").rows else None)
    result = find(policy, data, day, parse_on(from_, "--from"), parse_on(to, "--to"), people, history)
    if fmt == "ics":
        emit_crlf(render_ics(result, policy).decode("utf-8"), output, inputs=(policy_path, records, roster))
        return EXIT_INCOMPLETE if result.incomplete else EXIT_OK
    if fmt == "json":
        text = render_json(result)
    else:
        text = render_table(result)
    emit(text, output, inputs=(policy_path, records, roster))
    return EXIT_INCOMPLETE if result.incomplete else EXIT_OK
