"""What every page needs: the policy in force on the day asked about, and the links."""
from __future__ import annotations

import datetime as dt

from ..diagnostics import Diagnostic, RulekitError, Span, UsageError
from ..i18n import _
from ..textnorm import normalize_key

NAV = (("/", "首頁"), ("/who", "問誰負責"), ("/duties", "職掌"), ("/check", "檢核"), ("/deadlines", "行事曆"),
       ("/regulation", "條文"), ("/amendments", "修正"))


def field(request, name: str) -> str:
    """A query parameter as typed, read like the policy's names (spaces, widths, zero-width)."""
    value = request.query_params.get(name, "")
    return normalize_key(value) if value else ""


def fields(request, name: str) -> tuple[str, ...]:
    return tuple(normalize_key(v) for v in request.query_params.getlist(name) if v.strip())


def parse_day(value: str | None, name: str = "on") -> dt.date | None:
    """A date typed in a form (ISO or ROC), or None when empty; a bad one is a finding."""
    from ..calendar import DateError, parse_date

    if not value:
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        raise UsageError([Diagnostic("bad-date", _("{name}: {message}").format(name=name, message=exc.message),
                                     Span("<form>"), hint=exc.hint)])


def in_force(state, value: str | None = None):
    """(the version in force, the day, the history): the day typed, else today at the school."""
    from ..policy.versions import today_for, version_on

    history = state.history()
    day = parse_day(value) or today_for(history.latest)
    return version_on(history, day), day, history


def base(request, state) -> dict:
    """The context every template gets: the latest policy's title, hash, and the navigation."""
    context = {"nav": NAV, "path": request.url.path, "errors": []}
    try:
        latest = state.history().latest
    except RulekitError:  # the page shows the policy's findings itself (render.findings)
        latest = None
    context["latest"] = latest
    return context
