"""檢核 (check) and 學生 (one student): `rulekit check` over the loaded records or over files
uploaded for one answer, and every result about one student."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..i18n import _
from .common import base, in_force
from .render import findings, page
from .uploads import UploadRefused, saved_upload

STATUSES = ("fail", "pending", "pass", "not_applicable")
MAX_EXPLAINED = 200  # 「為什麼?」 for at most this many failures on one page


def _run(state, records, on: str):
    from ..evaluator.check import run_check

    from ..records.model import without_after

    policy, day, history = in_force(state, on)
    return run_check(policy, without_after(records, day), day, history=history), history


def _explanations(report, history, records, lines) -> dict:
    """index -> the `check --explain` rows of a failing result, under the text that judged it."""
    from ..calendar import parse_date
    from ..evaluator.check import explain_result
    from ..policy.versions import version_on

    out = {}
    for line in lines[:MAX_EXPLAINED]:
        since = report.text_of(line.index)
        judged = version_on(history, parse_date(since)) if since else report.policy
        out[line.index] = explain_result(judged, records, report.as_of, line.result)
    return out


def _filters(request) -> dict:
    q = request.query_params
    statuses = tuple(s for s in q.getlist("status") if s in STATUSES) or ("fail",)
    return {"statuses": statuses, "article": q.get("article", ""), "klass": q.get("class", ""),
            "on": q.get("on", "")}


def _fill(context, run, records, chosen: dict) -> None:
    from ..report.overview import classes, overview

    report, history = run
    articles = overview(report, records, chosen["statuses"], chosen["article"] or None, chosen["klass"] or None)
    failing = [line for a in articles for line in a.lines if line.result.status == "fail"]
    context.update(report=report, articles=articles, classes=classes(records), summary=report.summary(),
                   explained=_explanations(report, history, records, failing), findings_list=report.findings,
                   all_articles=overview(report, None, ()))


def check(request):
    state = request.app.state.rulekit
    context = base(request, state)
    chosen = _filters(request)
    context.update(chosen=chosen, loaded=state.settings.records_path, statuses=STATUSES)
    with findings(context):
        records = state.records()
        if records is not None:
            _fill(context, _run(state, records, chosen["on"]), records, chosen)
    return page(request, "check.html", context)


def markdown_report(request):
    """The loaded records' report as Markdown (the `check --format markdown` text)."""
    return _download(request, _markdown)


def workbook_report(request):
    """The loaded records' report as a workbook (the `check -o report.xlsx` file)."""
    return _download(request, _workbook)


def _download(request, render):
    """The loaded records' report as a file made by `render(report, records)`."""
    state = request.app.state.rulekit
    context = base(request, state)
    with findings(context):
        records = state.records()
        if records is None:
            return Response(_("no records were loaded: upload them on the check page"), status_code=404)
        return render(_run(state, records, request.query_params.get("on", ""))[0], records)
    return page(request, "check.html", context)


def _workbook(report, records) -> Response:
    from ..report.check_xlsx import render_xlsx
    from ..report.subjects import people_of

    return Response(render_xlsx(report, people_of(records), mask=True),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": 'attachment; filename="check-report.xlsx"'})


def _markdown(report, records) -> Response:
    from ..personal import mask_ids
    from ..report.check import render_markdown
    from ..report.subjects import people_of

    return Response(mask_ids(render_markdown(report, False, people_of(records))),
                    media_type="text/markdown; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="check-report.md"'})


async def upload(request):
    """Files uploaded for one check: kept in a temporary folder only while it runs."""
    state = request.app.state.rulekit
    context = base(request, state)
    chosen = {"statuses": ("fail",), "article": "", "klass": "", "on": ""}
    context.update(chosen=chosen, loaded=state.settings.records_path, statuses=STATUSES, uploaded=True)
    try:
        async with saved_upload(request, state.settings.max_upload_bytes) as (path, folder, form):
            chosen["on"] = str(form.get("on") or "")
            want = str(form.get("download") or "")
            return await run_in_threadpool(_check_upload, request, state, context, chosen, path, folder, want)
    except UploadRefused as refused:
        context["errors"], context["status"] = [refused.message], refused.status
    return page(request, "check.html", context)


def _check_upload(request, state, context, chosen, path, folder, want):
    from ..records import load_records

    with findings(context, strip=folder):
        records = load_records(path, state.history().latest.records)
        run = _run(state, records, chosen["on"])
        if want == "markdown":
            return _markdown(run[0], records)
        if want == "xlsx":
            return _workbook(run[0], records)
        _fill(context, run, records, chosen)
    return page(request, "check.html", context)


def student(request):
    from ..report.overview import overview, student_index

    state = request.app.state.rulekit
    context = base(request, state)
    sid = request.path_params["sid"]
    context.update(sid=sid, on=request.query_params.get("on", ""))
    with findings(context):
        records = state.records()
        if records is None:
            context["errors"], context["status"] = [_("no records were loaded: start the server with --records")], 404
        else:
            row = student_index(records).get(sid)
            if row is None:
                context["errors"], context["status"] = [_("no student {sid} in the records").format(sid=sid)], 404
            else:
                report = _run(state, records, context["on"])[0]
                context.update(student=row, report=report,
                               articles=overview(report, records, STATUSES, student=sid))
    return page(request, "student.html", context)
