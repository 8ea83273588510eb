"""`rulekit who`, `duties`, `handover`: the commands about people and tasks."""
from __future__ import annotations

import json

import click

from .common import guarded, locate, policy_on, policy_option

POLICY_OPTION = policy_option
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True)


def _key(name: str | None) -> str | None:
    """A task or role typed on the command line, read like the names in the policy."""
    from ..textnorm import normalize_key

    return normalize_key(name) if name else name


def tabulate(rows, headers) -> str:
    """tabulate, imported when a table is drawn: `who --format json` never pays for it."""
    from tabulate import tabulate as draw

    return draw(rows, headers)


def _json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _course_teacher(records_path, course_id, roster):
    """Resolve 任課教師 of a course from the records, and the person from the roster."""
    from ..diagnostics import Diagnostic, Span, UsageError, did_you_mean
    from ..records import load_records
    from ..people.roster import roster_from_records

    records = load_records(records_path)
    courses = {r["id"]: r for r in records.get("courses").rows}
    if course_id not in courses:
        raise UsageError([Diagnostic("unknown-course", f"course {course_id} is not in {records_path}",
                                     Span(records_path), hint=did_you_mean(course_id, courses) or "check the course id")])
    teacher_id = courses[course_id]["teacher"]
    if roster is None and records.get("staff").rows:
        roster = roster_from_records(records, records_path)
    return teacher_id, roster.find(teacher_id) if roster else None, roster


@click.command()
@click.argument("task", required=False)
@click.option("--absent", multiple=True, help="A role or person who is away (repeatable).")
@click.option("--roster", type=click.Path(), help="Staff records, to name persons and see who is on leave.")
@click.option("--as-of", "as_of", help="Date (ISO or ROC, default today).")
@click.option("--course", help="Course id: 任課教師 becomes that course's teacher (needs --records).")
@click.option("--records", type=click.Path(), help="School records holding the course.")
@click.option("--list", "list_tasks", is_flag=True, help="List every task and its aliases.")
@POLICY_OPTION
@FORMAT_OPTION
@guarded
def who(task, absent, roster, as_of, course, records, list_tasks, policy_path, fmt):
    """Who does TASK now, following the substitute list (七.(一)) and 七.(二)."""
    from ..diagnostics import Diagnostic, Span, UsageError
    from ..policy.versions import in_force
    from ..people.responsibility import Situation, check_absent, task_names, who as answer
    from ..people.roster import load_roster

    task, absent = _key(task), tuple(map(_key, absent))  # spelt as the policy's names are read
    policy, day, _ = policy_on(locate(policy_path), as_of)
    if list_tasks:
        rows = task_names(policy)
        if fmt == "json":
            _json([{"task": n, "en": en, "aliases": list(a)} for n, en, a in rows])
        else:
            click.echo(tabulate([[n, "、".join(a), en] for n, en, a in rows], ["task", "aliases", "en"]))
        return 0
    if not task:
        raise UsageError([Diagnostic("missing-task", "name a task, or use --list", Span("<command line>"),
                                     hint="e.g. rulekit who 課程認證 --absent 任課教師")])
    if course and not records:
        raise UsageError([Diagnostic("missing-records", "--course needs --records", Span("<command line>"),
                                     hint="give the school records that hold the course")])
    people = load_roster(roster, policy) if roster else None
    teacher_id = teacher = None
    if course:
        teacher_id, teacher, people = _course_teacher(records, course, people)
    check_absent(policy, absent, people)
    sit = Situation(day, frozenset(absent), people, teacher, teacher_id)
    amendment = in_force(policy, sit.on)
    result = answer(policy, task, sit)
    if fmt == "json":
        _json({**result.to_json(), "as_of": sit.on.isoformat(), "policy_sha256": policy.content_hash,
               "in_force_since": amendment.roc_date if amendment else None})
        return 0
    click.echo(result.sentence())
    if result.chain:
        click.echo(tabulate([[s.role, "✓" if s.available else "✗", s.person or "", s.reason] for s in result.chain],
                            ["順位", "可辦理", "人員", "說明"]))
    for note in result.notes:
        click.echo(f"note: {note}")
    for b in result.basis:
        click.echo(f"[{b.citation}] {b.text}")
    return 0


@click.command()
@click.argument("subject")
@click.option("--roster", type=click.Path(), help="Staff records, to ask about a person.")
@click.option("--as-of", "as_of", help="Under the text in force on this date (ISO or ROC, default today).")
@POLICY_OPTION
@FORMAT_OPTION
@guarded
def duties(subject, roster, as_of, policy_path, fmt):
    """Every task a role or person carries, as 承辦人 or 代理人, and the duty-table rows naming them."""
    from ..people.responsibility import duties as find_duties
    from ..people.roster import load_roster

    subject = _key(subject)
    policy, _, _ = policy_on(locate(policy_path), as_of)
    result = find_duties(policy, subject, load_roster(roster, policy) if roster else None)
    if fmt == "json":
        _json(result.to_json())
        return 0
    click.echo(f"{subject}: {'、'.join(result.roles)}")
    if result.chain_duties:
        click.echo(tabulate([[d.task, d.label(), d.role, d.citation] for d in result.chain_duties],
                            ["項目", "身分", "職稱", "依據"]))
    if result.rows:
        click.echo(f"\n{policy.duty_table.citation} rows naming them:")
        click.echo(tabulate([[r.id, r.content, r.work_item, "、".join(r.administration)] for r in result.rows],
                            ["id", "內容", "工作項目", "行政"]))
    if result.stated:
        click.echo("\nnamed in the text for: " + "、".join(f"{t} [{c}]" for t, c in result.stated))
    return 0


@click.command()
@click.argument("person")
@click.option("--roster", type=click.Path(), required=True, help="Staff records.")
@click.option("--as-of", "--on", "on", help="Date the person leaves (default today); the text in force then applies. "
                                           "--on is the same option, kept for scripts written before --as-of.")
@POLICY_OPTION
@FORMAT_OPTION
@guarded
def handover(person, roster, on, policy_path, fmt):
    """When PERSON leaves (七 人員異動): each task they carry and who takes it over."""
    from ..people.responsibility import handover as plan
    from ..people.roster import load_roster

    policy, day, _ = policy_on(locate(policy_path), on)
    result = plan(policy, person, day, load_roster(roster, policy))
    if fmt == "json":
        _json(result.to_json())
        return 0
    click.echo(f"{result.person} leaving on {result.on.isoformat()}:")
    rows = [[d.task, d.label(), a.role + (f"({a.person})" if a.person else ""),
             f"{a.role}指定" if a.via == "working_group" else a.via] for d, a in result.items]
    click.echo(tabulate(rows, ["項目", "原身分", "接手", "方式"]))
    if result.unassigned:
        click.echo(f"\nno available substitute, {result.unassigned[0][1].role} must assign: "
                   + "、".join(d.task for d, _ in result.unassigned))
    return 0
