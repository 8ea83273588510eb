"""Render `Deadlines` (evaluator/deadlines.py): a table for the terminal, JSON, and an
iCalendar file that Google Calendar and Outlook import (one all-day event per deadline)."""
from __future__ import annotations

import datetime as dt
import json

from ..evaluator.deadlines import CLOSED, MET, OVERDUE, UPCOMING, Deadline, Deadlines
from ..evaluator.result import status_label
from ..i18n import _


def _status_words() -> dict:
    return {UPCOMING: _("upcoming"), OVERDUE: _("overdue"), MET: _("met"), CLOSED: _("closed")}


def _when(d: Deadline) -> str:
    return f"{d.starts.isoformat()}~{d.due.isoformat()}" if d.starts and d.starts != d.due else d.due.isoformat()


def _subjects(d: Deadline) -> str:
    return "、".join(f"{status_label(status)} {n}" for status, n in d.counts)


def _who(d: Deadline) -> str:
    return "、".join(d.people or d.roles) or "—"


def render_table(result: Deadlines) -> str:
    from tabulate import tabulate

    head = _("deadlines from {start} to {end}, as of {as_of}").format(
        start=result.start.isoformat(), end=result.end.isoformat(), as_of=result.as_of.isoformat())
    if not result.items:
        return head + "\n" + _("no deadlines: the records hold no windows (announced periods) in this range") + "\n"
    words = _status_words()
    rows = [[_when(d), d.period, d.what, d.citation, _who(d), words[d.status], _subjects(d)] for d in result.items]
    table = tabulate(rows, [_("due"), _("period"), _("what"), _("citation"), _("responsible"), _("status"),
                            _("subjects")])
    tail = ("\n" + _("some records could not be used: deadlines may be missing (see rulekit check)")
            if result.incomplete else "")
    return f"{head}\n{table}{tail}\n"


def render_json(result: Deadlines) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_ics(result: Deadlines, policy) -> bytes:
    """One VEVENT per deadline; same input, same bytes: UIDs come from what the deadline is,
    and DTSTAMP from the day the policy text in force was adopted, never from the clock."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//rulekit//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("{title}: deadlines").format(title=result.policy_title))
    stamp_day = result.stamp or result.as_of
    stamp = dt.datetime(stamp_day.year, stamp_day.month, stamp_day.day, tzinfo=dt.timezone.utc)
    words = _status_words()
    for d in result.items:
        event = Event()
        event.add("uid", d.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", d.starts or d.due)
        event.add("dtend", d.due + dt.timedelta(days=1))  # all-day events end the day after (RFC 5545)
        event.add("summary", f"{d.what} ({d.period})" if d.period else d.what)
        event.add("description", _description(d, policy, words))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def _description(d: Deadline, policy, words: dict) -> str:
    article = policy.provisions.get(d.citation)
    text = (article.text or article.heading) if article else policy.table_text(d.citation)
    lines = [f"[{d.citation}] {text}".rstrip() if d.citation else ""]
    lines.append(_("due: {day}").format(day=d.due.isoformat()))
    lines.append(_("responsible: {who}").format(who=_who(d)))
    lines.append(_("status: {status}").format(status=words[d.status]))
    if d.counts:
        lines.append(_("subjects: {counts}").format(counts=_subjects(d)))
    if d.rule:
        lines.append(_("rule: {rule}").format(rule=d.rule))
    return "\n".join(line for line in lines if line)
