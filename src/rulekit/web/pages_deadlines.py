"""行事曆 (deadlines): what is due when and who does it, as `rulekit deadlines` finds it, and
the same as an iCalendar file (`rulekit deadlines --format ics`)."""
from __future__ import annotations

from starlette.responses import Response

from ..i18n import _
from .common import base, in_force, parse_day
from .render import findings, page


def _find(state, q):
    from ..evaluator.deadlines import deadlines

    policy, day, history = in_force(state, q.get("on", ""))
    records = state.records()
    if records is None:
        return policy, None
    return policy, deadlines(policy, records, day, parse_day(q.get("from"), "from"), parse_day(q.get("to"), "to"),
                             state.roster(), history)


def deadlines(request):
    from ..report.deadlines import _status_words

    state = request.app.state.rulekit
    context = base(request, state)
    q = request.query_params
    context.update(on=q.get("on", ""), query=request.url.query)
    with findings(context):
        policy, result = _find(state, q)
        if result is None:
            context["errors"], context["status"] = [_("no records were loaded: start the server with --records")], 404
        context.update(result=result, words=_status_words())
    return page(request, "deadlines.html", context)


def calendar(request):
    from ..report.deadlines import render_ics

    state = request.app.state.rulekit
    context = base(request, state)
    with findings(context):
        policy, result = _find(state, request.query_params)
        if result is None:
            return Response(_("no records were loaded: start the server with --records"), status_code=404)
        return Response(render_ics(result, policy), media_type="text/calendar; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="deadlines.ics"'})
    return page(request, "deadlines.html", context)
