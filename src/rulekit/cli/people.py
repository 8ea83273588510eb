"""`rulekit who`, `duties`, `handover`: the commands about people and tasks."""
from __future__ import annotations

import json

import click

from .common import guarded, locate, policy_on, policy_option
from ..i18n import N_, _

POLICY_OPTION = policy_option
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True)


def _key(name: str | None) -> str | None:
    """A task or role typed on the command line, read like the names in the policy."""
    from ..textnorm import normalize_key

    return normalize_key(name) if name else name


def tabulate(rows, headers) -> str:
    """A table no wider than the terminal (COLUMNS when set), its widest cells wrapped."""
    from ..report.text_table import fitted_table

    return fitted_table(headers, rows)


def _say(text: str) -> None:
    """A line of prose, wrapped to the terminal's width like the tables under it."""
    from ..report.text_table import terminal_width, wrap

    click.echo("\n".join(wrap(text, terminal_width())))


def _via(answer) -> str:
    """How a task reaches its new holder, as the handover table says it."""
    if answer.via == "working_group":
        return _("assigned by {role}").format(role=answer.role)
    return {"primary": _("primary"), "substitute": _("substitute"), "stated": _("named in the text")}.get(
        answer.via, answer.via)


def _json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _course_teacher(records_path, course_id, roster, decl, task: str):
    """The person the records name for `task` on record `course_id` (the declaration's field
    that `does` the task, e.g. a course's teacher certifies its outcomes), and that person
    from the roster."""
    from ..diagnostics import Diagnostic, Span, UsageError, did_you_mean
    from ..i18n import _
    from ..records import load_records
    from ..people.roster import roster_from_records

    doer = next(((e, f) for e in decl.entities for f in e.fields if task in f.does and e.key), None)
    if doer is None:
        raise UsageError([Diagnostic("no-record-person", _("no declared record names who does {task}").format(task=task),
                                     Span("<command line>"), hint=_("add `does: [{task}]` to the field naming that "
                                                                    "person in the policy's records").format(task=task))])
    entity, field = doer
    records = load_records(records_path, decl)
    rows = {r[entity.key]: r for r in records.get(entity.name).rows}
    if course_id not in rows:
        raise UsageError([Diagnostic("unknown-course", _("{entity} {course_id} is not in {records_path}").format(
                                         entity=entity.name, course_id=course_id, records_path=records_path),
                                     Span(records_path), hint=did_you_mean(course_id, rows) or _("check the id"))])
    teacher_id = rows[course_id][field.name]
    if roster is None and records.get("staff").rows:
        roster = roster_from_records(records, records_path)
    return teacher_id, roster.find(teacher_id) if roster else None, roster


def _who_example(policy) -> str:
    """A `who` command line in the policy's own words: its first chain and that chain's 承辦人."""
    from ..i18n import _

    chains = policy.substitutes.chains if policy.substitutes else {}
    for task, chain in chains.items():
        if chain.roles:
            return _("e.g. rulekit who {task} --absent {role}").format(task=task, role=chain.roles[0])
    return _("rulekit who --list lists every task")


@click.command(help=N_("Who does TASK now, following the policy's substitute chains and what it says of departed "
                       "teachers (`rulekit show` shows those provisions of the policy in use)."))
@click.argument("task", required=False)
@click.option("--absent", multiple=True, help=N_("A role or person who is away (repeatable)."))
@click.option("--roster", type=click.Path(), help=N_("Staff records, to name persons and see who is on leave."))
@click.option("--as-of", "as_of", help=N_("Date (ISO or ROC, default today)."))
@click.option("--course", help=N_("Course id: the course's teacher, from the records, is the one who teaches it (needs --records)."))
@click.option("--records", type=click.Path(), help=N_("School records holding the course."))
@click.option("--list", "list_tasks", is_flag=True, help=N_("List every task and its aliases."))
@POLICY_OPTION
@FORMAT_OPTION
@guarded
def who(task, absent, roster, as_of, course, records, list_tasks, policy_path, fmt):

    from ..diagnostics import Diagnostic, Span, UsageError
    from ..policy.versions import in_force
    from ..people.responsibility import Situation, check_absent, task_names, who as answer
    from ..people.roster import load_roster

    task, absent = _key(task), tuple(map(_key, absent))  # spelt as the policy's names are read
    policy, day, __ = policy_on(locate(policy_path), as_of, rules=False)  # the people, not the rules
    if list_tasks:
        rows = task_names(policy)
        if fmt == "json":
            _json([{"task": n, "en": en, "aliases": list(a)} for n, en, a in rows])
        else:
            click.echo(tabulate([[n, "、".join(a), en] for n, en, a in rows], [_("task"), _("aliases"), _("English")]))
        return 0
    if not task:
        raise UsageError([Diagnostic("missing-task", _("name a task, or use --list"), Span("<command line>"),
                                     hint=_who_example(policy))])
    if course and not records:
        raise UsageError([Diagnostic("missing-records", _("--course needs --records"), Span("<command line>"),
                                     hint=_("give the school records that hold the course"))])
    people = load_roster(roster, policy) if roster else None
    teacher_id = teacher = None
    if course:
        from ..people.responsibility import find_task
        teacher_id, teacher, people = _course_teacher(records, course, people, policy.records,
                                                      find_task(policy, task).name)
    check_absent(policy, absent, people)
    sit = Situation(day, frozenset(absent), people, teacher, teacher_id)
    amendment = in_force(policy, sit.on)
    result = answer(policy, task, sit)
    if fmt == "json":
        _json({**result.to_json(), "as_of": sit.on.isoformat(), "policy_sha256": policy.content_hash,
               "in_force_since": amendment.roc_date if amendment else None})
        return 0
    _say(result.sentence())
    if result.chain:
        click.echo(tabulate([[s.role, "✓" if s.available else "✗", s.person or "", s.reason] for s in result.chain],
                            [_("order"), _("available"), _("person"), _("note")]))
    for note in result.notes:
        _say(_("note: {note}").format(note=note))
    for b in result.basis:
        _say(f"[{b.citation}] {b.text}")
    return 0


@click.command(help=N_("Every task a role or person carries, as 承辦人 or 代理人, and the duty-table rows naming them."))
@click.argument("subject")
@click.option("--roster", type=click.Path(), help=N_("Staff records, to ask about a person."))
@click.option("--as-of", "as_of", help=N_("Under the text in force on this date (ISO or ROC, default today)."))
@POLICY_OPTION
@FORMAT_OPTION
@guarded
def duties(subject, roster, as_of, policy_path, fmt):
    from ..people.responsibility import duties as find_duties
    from ..people.roster import load_roster

    subject = _key(subject)
    policy, __, __ = policy_on(locate(policy_path), as_of, rules=False)
    result = find_duties(policy, subject, load_roster(roster, policy) if roster else None)
    if fmt == "json":
        _json(result.to_json())
        return 0
    click.echo(f"{subject}: {'、'.join(result.roles)}")
    if result.chain_duties:
        click.echo(tabulate([[d.task, d.label(), d.role, d.citation] for d in result.chain_duties],
                            [_("task"), _("as"), _("post"), _("basis")]))
    if result.rows:
        click.echo("\n" + _("{citation} rows naming them:").format(citation=policy.duty_table.citation))
        click.echo(tabulate([[r.id, r.content, r.work_item, "、".join(r.administration)] for r in result.rows],
                            ["id", _("content"), _("work item"), _("administration")]))
    if result.stated:
        click.echo()
        _say(_("named in the text for: ") + "、".join(f"{t} [{c}]" for t, c in result.stated))
    return 0


@click.command(help=N_("When PERSON leaves: each task they carry and who takes it over, by the policy's substitute "
                       "chains (`rulekit show` shows them)."))
@click.argument("person")
@click.option("--roster", type=click.Path(), required=True, help=N_("Staff records."))
@click.option("--as-of", "--on", "on", help=N_("Date the person leaves (default today); the text in force then applies. "
                                              "--on is the same option, kept for scripts written before --as-of."))
@POLICY_OPTION
@FORMAT_OPTION
@guarded
def handover(person, roster, on, policy_path, fmt):

    from ..people.responsibility import handover as plan
    from ..people.roster import load_roster

    policy, day, __ = policy_on(locate(policy_path), on, rules=False)
    result = plan(policy, person, day, load_roster(roster, policy))
    if fmt == "json":
        _json(result.to_json())
        return 0
    click.echo(_("{person} leaving on {day}:").format(person=result.person, day=result.on.isoformat()))
    rows = [[d.task, d.label(), a.role + (f"({a.person})" if a.person else ""), _via(a)] for d, a in result.items]
    click.echo(tabulate(rows, [_("task"), _("was"), _("taken over by"), _("how")]))
    if result.unassigned:
        click.echo()
        _say(_("no available substitute, {role} must assign: ").format(role=result.unassigned[0][1].role)
             + "、".join(d.task for d, __ in result.unassigned))
    return 0
