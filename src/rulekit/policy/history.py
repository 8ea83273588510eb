"""A policy file holds its own history: dated values, and entries in force for a period.

After an amendment the file is not rewritten into a new text that forgets the old
one. Instead, what the amendment changes carries the date it is in force from,
in the style of OpenFisca's dated parameters:

    quote: {"113.01.19": "至多六件", "114.01.17": "至多八件"}   # a dated value
    - id: new-rule                                             # a list entry in force
      since: "114.01.17"                                       # from one amendment ...
      until: "115.08.01"                                       # ... until another repeals it

A mapping is a dated value when every key is a date (ROC `113.01.19` or ISO); its
value on a day is the one under the latest key on or before that day, and `null`
means "no longer in force". Every such date must be the date of an entry of
`amendments`, so that each version of the text is one the school adopted.

`snapshot(doc, day)` turns the file into the plain document in force on `day`, with
every value's source position kept, so the rest of the loader (schema, build,
semantic checks, rules) works on one version at a time and reports findings at the
line the editor wrote.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..calendar import DateError, parse_date, to_roc
from ..diagnostics import Diagnostic
from ..sourceyaml import Document, iter_paths
from ..i18n import _

_DATE_KEY = re.compile(r"\d{2,3}[./]\d{1,2}[./]\d{1,2}|\d{4}-\d{2}-\d{2}")
PERIOD_KEYS = ("since", "until")


@dataclass(frozen=True)
class Version:
    """One text of the policy: in force from `since` (a date of `amendments`) until the next."""

    since: dt.date
    roc_date: str


def is_dated(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and _DATE_KEY.fullmatch(k.strip()) for k in value)


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except DateError:
        return None


def amendment_dates(data: Any) -> dict[dt.date, str]:
    """date -> the date as the amendments list writes it."""
    out: dict[dt.date, str] = {}
    items = data.get("amendments") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("date"), str):
            day = _date(item["date"])
            if day is not None:
                out.setdefault(day, item["date"])
    return out


def dates_used(data: Any) -> list[tuple[tuple, Any]]:
    """Every (path, date as written) where the document dates something: the keys of dated
    values, and the `since`/`until` of list entries. Empty for a file with no history."""
    out: list[tuple[tuple, Any]] = []
    for path, value in iter_paths(data):
        if is_dated(value):
            out.extend((path + (k,), k) for k in value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    out.extend((path + (i, key), item[key]) for key in PERIOD_KEYS if key in item)
    return out


def encoded_from(data: Any, used=None) -> dt.date | None:
    """The first day whose text the file knows: `metadata.encoded_from`, else the earliest
    date the file dates anything with, else (a file with no history) its latest amendment.
    `used`: `dates_used(data)`, when the caller has it already."""
    meta = data.get("metadata") if isinstance(data, dict) else None
    stated = meta.get("encoded_from") if isinstance(meta, dict) else None
    if isinstance(stated, str) and _date(stated):
        return _date(stated)
    used = dates_used(data) if used is None else used
    days = [d for __, text in used if isinstance(text, str) and (d := _date(text))]
    if days:
        return min(days)
    adopted = amendment_dates(data)
    return max(adopted) if adopted else None


def versions(data: Any, used=None) -> tuple[Version, ...]:
    """The texts the file holds, oldest first: one per amendment from `encoded_from` on."""
    start = encoded_from(data, used)
    adopted = amendment_dates(data)
    if start is None:
        return ()
    days = sorted(d for d in adopted if d >= start) or [start]
    if days[0] > start:  # encoded_from falls between amendments: the text in force then
        earlier = [d for d in adopted if d <= start]
        days.insert(0, max(earlier) if earlier else start)
    return tuple(Version(d, adopted.get(d, to_roc(d))) for d in days)


def history_findings(doc: Document, used=None) -> list[Diagnostic]:
    """Dates in the history that name no amendment, or come before the known text."""
    data = doc.data
    used = dates_used(data) if used is None else used
    adopted = amendment_dates(data)
    start = encoded_from(data, used)
    known = ", ".join(adopted.values()) or _("none")
    found = []
    keys = list(used)
    meta = data.get("metadata") if isinstance(data, dict) else None
    if isinstance(meta, dict) and "encoded_from" in meta:
        keys.append((("metadata", "encoded_from"), meta["encoded_from"]))
    for path, text in keys:
        day = _date(text) if isinstance(text, str) else None
        span = doc.span(path, key=path[-1] not in PERIOD_KEYS and path[-1] != "encoded_from")
        if day is None:
            found.append(Diagnostic("invalid-date", _("{text!r} is not a date").format(text=text), span,
                                    hint=_("write the date of an entry of amendments") +
                                    (f", e.g. {next(iter(adopted.values()))}" if adopted else "")))
        elif day not in adopted:
            found.append(Diagnostic(
                "unknown-amendment-date", _("{text} is not the date of an amendment in amendments").format(text=text),
                span, hint=_("add the amendment adopted on {text} to amendments (adopted: {known})").format(text=text, known=known)))
        elif start and day < start and path[-1] != "encoded_from":
            found.append(Diagnostic(
                "before-encoded-text", _("{text} is before {start}, the first text this file holds").format(text=text, start=to_roc(start)),
                span, hint=_("the text in force before metadata.encoded_from is not known; date it on or after it")))
    for path, value in iter_paths(data):
        if not is_dated(value):
            continue
        days = {}
        for k in value:
            day = _date(k)
            if day in days:
                found.append(Diagnostic("duplicate-date", _("{k} and {day} are the same day").format(k=k, day=days[day]), doc.span(path + (k,), key=True),
                                        hint=_("keep one of them")))
            days[day] = k
    return found


def snapshot(doc: Document, day: dt.date) -> Document:
    """The plain document in force on `day`, positions kept."""
    values: dict = {}
    keys: dict = {}
    data = _resolve(doc, doc.data, (), (), day, values, keys)
    if isinstance(data, dict) and isinstance(data.get("amendments"), list):
        # the amendments adopted by then: the last of them is the text in force
        data["amendments"] = [a for a in data["amendments"]
                              if not (isinstance(a, dict) and isinstance(a.get("date"), str)
                                      and (_date(a["date"]) or dt.date.min) > day)]
    return Document(doc.path, data, doc.lines, values, keys)


_GONE = object()


def _pick(value: dict, day: dt.date):
    best, key = None, None
    for k in value:
        d = _date(k)
        if d is not None and d <= day and (best is None or d > best):
            best, key = d, k
    return key


def _in_force(item: dict, day: dt.date) -> bool:
    since = _date(item["since"]) if isinstance(item.get("since"), str) else None
    until = _date(item["until"]) if isinstance(item.get("until"), str) else None
    return (since is None or since <= day) and (until is None or day < until)


def _resolve(doc: Document, value: Any, old: tuple, new: tuple, day: dt.date, values: dict, keys: dict):
    if old in doc.key_spans:
        keys[new] = doc.key_spans[old]
    if is_dated(value):
        key = _pick(value, day)
        if key is None or value[key] is None:
            return _GONE
        return _resolve(doc, value[key], old + (key,), new, day, values, keys)
    if old in doc.value_spans:
        values[new] = doc.value_spans[old]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            got = _resolve(doc, v, old + (k,), new + (k,), day, values, keys)
            if got is not _GONE:
                out[k] = got
        return out
    if isinstance(value, list):
        out_list = []
        for i, item in enumerate(value):
            if isinstance(item, dict) and any(k in item for k in PERIOD_KEYS):
                if not _in_force(item, day):
                    continue
                item = {k: v for k, v in item.items() if k not in PERIOD_KEYS}
            got = _resolve(doc, item, old + (i,), new + (len(out_list),), day, values, keys)
            if got is not _GONE:
                out_list.append(got)
        return out_list
    return value
