"""Which text is in force on a date.

The policy file holds the text in force since its latest amendment. Earlier
texts are not encoded, so a question about an earlier date is refused rather
than answered from the wrong text.
"""
from __future__ import annotations

import datetime as dt

from ..calendar import DateError, parse_date, to_roc
from ..calendar.clock import today_in
from ..diagnostics import Diagnostic, RulekitError, Span, UsageError
from .model import Amendment, Policy


def amendment_dates(policy: Policy) -> list[tuple[dt.date, Amendment]]:
    out = []
    for a in policy.amendments:
        try:
            out.append((parse_date(a.roc_date), a))
        except DateError:
            continue  # reported by the amendments_in_order check
    return out


def today_for(policy: Policy) -> dt.date:
    """Today in the school's time zone (`time_zone:`): the date a command takes when given none."""
    try:
        return today_in(policy.time_zone)
    except DateError:  # time_zone_known reports it; only `validate` goes on with such a policy
        return today_in()


def in_force(policy: Policy, on: dt.date) -> Amendment | None:
    """The amendment whose text applies on `on`; refuses dates before the encoded text."""
    dates = amendment_dates(policy)
    if not dates:
        return None
    since, latest = dates[-1]
    if on < since:  # the question is outside what the file can answer: a usage error, exit 2
        raise UsageError([Diagnostic(
            "not-encoded", f"the text in force before {latest.roc_date} is not encoded "
            f"(asked for {to_roc(on)}, {on.isoformat()})", Span(policy.path),
            hint=f"{policy.path} holds the text in force since {latest.roc_date}; use a date on or after it")])
    return latest


def amendment_at(policy: Policy, roc_or_iso: str) -> Amendment:
    """`--at 113.01.19`: the amendment adopted on that date."""
    day = parse_date(roc_or_iso)
    for when, a in amendment_dates(policy):
        if when == day:
            in_force(policy, day)  # refuses amendments whose text is not encoded
            return a
    known = ", ".join(a.roc_date for a in policy.amendments)
    raise RulekitError([Diagnostic("unknown-amendment", f"no amendment was adopted on {roc_or_iso}",
                                   Span(policy.path), hint=f"amendments: {known}")])
