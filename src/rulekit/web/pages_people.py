"""首頁, 問誰負責 (who), 職掌 (duties) and 交接 (handover): the pages about people and tasks,
each the library call `rulekit who`, `duties` or `handover` makes."""
from __future__ import annotations

from .common import base, field, fields, in_force
from .render import findings, page


def home(request):
    state = request.app.state.rulekit
    context = base(request, state)
    with findings(context):
        policy, day, history = in_force(state)
        from ..policy.versions import in_force as amendment_in_force

        context.update(policy=policy, day=day, amendment=amendment_in_force(policy, day),
                       records=state.settings.records_path, roster=state.roster() is not None)
    return page(request, "home.html", context)


def who(request):
    from ..people.responsibility import Situation, check_absent, task_names, who as answer

    state = request.app.state.rulekit
    context = base(request, state)
    task, absent, course = field(request, "task"), fields(request, "absent"), field(request, "course")
    context.update(task=task, absent=absent, course=course, on=request.query_params.get("on", ""))
    with findings(context):
        policy, day, _ = in_force(state, context["on"])
        roster = state.roster()
        context.update(tasks=task_names(policy), roles=sorted(policy.organization.roles), day=day,
                       people=roster.people if roster else ())
        if task:
            teacher_id = teacher = None
            if course:
                teacher_id, teacher, roster = _course_teacher(state, course, roster)
            check_absent(policy, absent, roster)
            context["answer"] = answer(policy, task, Situation(day, frozenset(absent), roster, teacher, teacher_id))
    return page(request, "who.html", context)


def _course_teacher(state, course, roster):
    from ..diagnostics import Diagnostic, Span, UsageError
    from ..i18n import _
    from ..people.courses import course_teacher

    records = state.records()
    if records is None:
        raise UsageError([Diagnostic("missing-records", _("a course needs the school records"), Span("<form>"),
                                     hint=_("start the server with --records FOLDER"))])
    return course_teacher(records, state.settings.records_path, course, roster)


def duties(request):
    from ..people.responsibility import duties as find_duties, handover as plan

    state = request.app.state.rulekit
    context = base(request, state)
    subject, leaving = field(request, "subject"), field(request, "person")
    context.update(subject=subject, person=leaving, on=request.query_params.get("on", ""))
    with findings(context):
        policy, day, _ = in_force(state, context["on"])
        roster = state.roster()
        context.update(policy=policy, day=day, roles=sorted(policy.organization.roles),
                       people=roster.people if roster else ())
        if subject:
            context["duties"] = find_duties(policy, subject, roster)
        if leaving:
            if roster is None:
                from ..diagnostics import Diagnostic, Span, UsageError
                from ..i18n import _
                raise UsageError([Diagnostic("missing-roster", _("a handover needs the staff roster"), Span("<form>"),
                                             hint=_("start the server with --roster FILE or --records FOLDER"))])
            context["handover"] = plan(policy, leaving, day, roster)
    return page(request, "duties.html", context)
