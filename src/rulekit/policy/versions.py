"""Which text is in force on a date.

A policy file holds every text from `encoded_from` on (policy/history.py): one
version per amendment. Texts before it are not encoded, so a question about an
earlier date is refused rather than answered from the wrong text.
"""
from __future__ import annotations

import datetime as dt

from ..calendar import DateError, parse_date, to_roc
from ..calendar.clock import today_in
from ..diagnostics import Diagnostic, RulekitError, Span, UsageError
from .model import Amendment, Policy, PolicyHistory
from ..i18n import _


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


def encoded_since(policy: Policy) -> tuple[dt.date, str] | None:
    """The first day whose text the file knows, and that date as the policy writes it."""
    if policy.encoded_from:
        try:
            return parse_date(policy.encoded_from), policy.encoded_from
        except DateError:
            pass
    dates = amendment_dates(policy)
    return (dates[-1][0], dates[-1][1].roc_date) if dates else None


def _not_encoded(policy: Policy, on: dt.date, since: str) -> UsageError:
    return UsageError([Diagnostic(
        "not-encoded", _("the text in force before {since} is not encoded (asked for {on}, {isoformat})").format(since=since, on=to_roc(on), isoformat=on.isoformat()), Span(policy.path),
        hint=_("{path} holds the text in force since {since}; use a date on or after it").format(path=policy.path, since=since))])


def in_force(policy: Policy, on: dt.date) -> Amendment | None:
    """The amendment whose text this version is; refuses dates before the encoded text."""
    known = encoded_since(policy)
    if known is None:
        return None
    if on < known[0]:  # the question is outside what the file can answer: a usage error, exit 2
        raise _not_encoded(policy, on, known[1])
    return policy.amendments[-1] if policy.amendments else None


def version_on(history: PolicyHistory, on: dt.date) -> Policy:
    """The version in force on `on`: the latest whose amendment was adopted on or before it."""
    chosen = history.versions[0]
    in_force(chosen, on)  # refuses a date before the encoded text
    for policy in history.versions:
        since = _since(policy)
        if since is not None and since <= on:
            chosen = policy
    return chosen


def periods(history: PolicyHistory) -> list[tuple[dt.date | None, dt.date | None, Policy]]:
    """(from, until) of each version, `until` exclusive; the first starts at None (the earliest
    version also answers for subjects dated before it), the last ends at None."""
    out = []
    versions = history.versions
    for i, policy in enumerate(versions):
        start = None if i == 0 else _since(policy)
        end = _since(versions[i + 1]) if i + 1 < len(versions) else None
        out.append((start, end, policy))
    return out


def _since(policy: Policy) -> dt.date | None:
    try:
        return parse_date(policy.amendments[-1].roc_date) if policy.amendments else None
    except DateError:
        return None


def amendment_at(policy: Policy, roc_or_iso: str) -> Amendment:
    """`--at 113.01.19`: the amendment adopted on that date."""
    day = parse_date(roc_or_iso)
    for when, a in amendment_dates(policy):
        if when == day:
            in_force(policy, day)  # refuses amendments whose text is not encoded
            return a
    known = ", ".join(a.roc_date for a in policy.amendments)
    raise RulekitError([Diagnostic("unknown-amendment", _("no amendment was adopted on {roc_or_iso}").format(roc_or_iso=roc_or_iso),
                                   Span(policy.path), hint=_("amendments: {known}").format(known=known))])
