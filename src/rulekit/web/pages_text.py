"""條文 (the regulation) and 修正 (amendments, 修正條文對照表): the policy's own text, and what
`rulekit show` and `rulekit diff` find in it."""
from __future__ import annotations

from .common import base, in_force, parse_day
from .render import findings, page


def regulation(request):
    from ..policy.show import provision_view

    state = request.app.state.rulekit
    context = base(request, state)
    context["on"] = request.query_params.get("on", "")
    with findings(context):
        policy, day, _ = in_force(state, context["on"])
        citations = [a.id for a in policy.articles]
        if policy.duty_table:
            citations.append(policy.duty_table.citation)
        context.update(policy=policy, day=day, views=[provision_view(policy, c) for c in citations])
    return page(request, "regulation.html", context)


def amendments(request):
    from ..amend.diff import diff_policies
    from ..report.diff import table_rows

    state = request.app.state.rulekit
    context = base(request, state)
    q = request.query_params
    context.update(old=q.get("from", ""), new=q.get("to", ""))
    with findings(context):
        history = state.history()
        versions = [p.in_force_since() for p in history.versions]
        context.update(policy=history.latest, versions=versions)
        if context["old"] and context["new"]:
            from ..policy.versions import version_on

            old = version_on(history, parse_day(context["old"], "from"))
            new = version_on(history, parse_day(context["new"], "to"))
            result = diff_policies(old, new, old.in_force_since(), new.in_force_since())
            context.update(rows=table_rows(result), old_label=old.in_force_since(),
                           new_label=new.in_force_since())
    return page(request, "amendments.html", context)
