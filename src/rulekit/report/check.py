"""Render a `CheckReport`: JSON for machines, Markdown for meetings, one section per article in the
regulation's order (the table is check_table.py, the workbook check_xlsx.py)."""
from __future__ import annotations

import json
from collections import Counter

from ..calendar import parse_date
from ..diagnostics import render_all
from ..evaluator.result import status_label
from ..i18n import _, ngettext
from .subjects import subject_text



def _visible(report, show_all: bool):
    return [r for r in report.results if show_all or r.status in ("fail", "pending")]


def _regulation_order(policy) -> dict:
    """citation -> its place in the regulation: the articles as printed, then the duty table (附表)
    and its rows, which come after the articles."""
    ids = list(policy.provisions)  # built by walking the articles in order
    if policy.duty_table:
        ids += [policy.duty_table.citation, *(row.id for row in policy.duty_table.rows)]
    return {c: i for i, c in enumerate(dict.fromkeys(ids))}


def _sections(report, show_all: bool) -> list[tuple[str, list]]:
    """(citation, its results) once per citation, in the regulation's order. Rules are listed
    in any order in the policy, so results of one citation need not be next to each other; a
    citation the policy does not number (the policy is invalid then) comes last."""
    groups: dict[str, list] = {}
    for r in _visible(report, show_all):
        groups.setdefault(r.citation, []).append(r)
    order = _regulation_order(report.policy)
    return sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))


def _caption(provision) -> str:
    """The article's heading, or the start of its text when it has none (四.段2)."""
    if provision is None:
        return ""
    if provision.heading:
        return provision.heading
    return provision.text[:18] + ("…" if len(provision.text) > 18 else "")


def _texts(report) -> str:
    """Which text(s) judged the results: one amendment, or each with how many results."""
    if not report.judged_under:
        return _("in force since {amendment}").format(amendment=report.amendment)
    counts = Counter(report.judged_under)
    return "; ".join(ngettext("{n} result under the text in force since {since}",
                              "{n} results under the text in force since {since}", n).format(n=n, since=since)
                     for since, n in sorted(counts.items(), key=lambda item: parse_date(item[0])))


def _headers() -> list[str]:
    return [_("rule"), _("subject"), _("status"), _("message")]


def _summary_line(s: dict) -> str:
    line = _("{fail} fail, {pending} pending, {passed} pass, {not_applicable} not applicable").format(
        fail=s["fail"], pending=s["pending"], passed=s["pass"], not_applicable=s["not_applicable"])
    if s.get("not_determinable"):
        line += _(", {not_determinable} not determinable").format(not_determinable=s["not_determinable"])
    if s["record_findings"]:
        line += _(", {record_findings} record findings").format(record_findings=s["record_findings"])
    return line



def _item(report, i: int, r, explanations: dict | None) -> dict:
    item = {"rule": r.rule, "citation": r.citation, "status": r.status, "severity": r.severity,
            "subject": r.subject, "message": r.message, "values": r.values}
    label = report.subject_label(r) if hasattr(report, "subject_label") else None
    if label is not None:
        item["subject_label"] = label
    if report.judged_under:
        item["in_force_since"] = report.judged_under[i]
    if explanations and id(r) in explanations:
        item["explain"] = [{"expression": t, "value": v} for t, v in explanations[id(r)]]
    return item


def _document(report, results) -> dict:
    return {"policy": report.policy.path, "policy_sha256": report.policy.content_hash,
            "in_force_since": report.amendment, "as_of": report.as_of.isoformat(),
            "results": results, "findings": [d.to_json() for d in report.findings], "summary": report.summary()}


def to_json(report, explanations: dict | None = None) -> dict:
    return _document(report, [_item(report, i, r, explanations) for i, r in enumerate(report.results)])


class _OnDemand(list):
    """The results as the JSON encoder asks for them, one dict at a time: a city's two million
    result dicts held at once, and the text made of them, took 3.4 GB. `iterencode` (never
    one-shot, so never the C encoder, which would read the empty list underneath) uses
    json.encoder._make_iterencode: it needs only the truth value and iteration of a list.
    tests/test_report_streaming.py compares the text with json.dumps of the whole report."""

    def __init__(self, report, explanations):
        super().__init__()
        self._report, self._explanations = report, explanations

    def __bool__(self) -> bool:
        return bool(self._report.results)

    def __len__(self) -> int:
        return len(self._report.results)

    def __iter__(self):
        report, explanations = self._report, self._explanations
        return (_item(report, i, r, explanations) for i, r in enumerate(report.results))


def iter_json(report, explanations: dict | None = None, size: int = 1 << 16):
    """`render_json`'s text in pieces of about `size` characters, each ending with a line:
    masking IDs works on each piece as on the whole (an ID never spans two lines)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)
    pending: list[str] = []
    length = 0
    for chunk in encoder.iterencode(_document(report, _OnDemand(report, explanations))):
        pending.append(chunk)
        length += len(chunk)
        if length >= size and "\n" in chunk:
            text = "".join(pending)
            cut = text.rindex("\n") + 1
            yield text[:cut]
            pending, length = [text[cut:]], len(text) - cut
    yield "".join(pending)


def render_json(report, explanations: dict | None = None) -> str:
    return "".join(iter_json(report, explanations))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report, show_all: bool = False, people=None) -> str:
    out = ["# " + _("{title}: check results ({as_of})").format(title=report.policy.title, as_of=report.as_of.isoformat()), ""]
    if report.judged_under:  # the records span an amendment: say which text judged what
        out += [f"({_texts(report)})", ""]
    for citation, group in _sections(report, show_all):
        out += [f"## {citation} {_caption(report.policy.provisions.get(citation))}".rstrip(), "",
                "| " + " | ".join(_headers()) + " |", "|---|---|---|---|"]
        out += [f"| {r.rule} | {subject_text(r, people)} | {status_label(r.status)} | {_cell(r.message)} |" for r in group]
        out.append("")
    if report.findings:
        out += ["## " + _("records"), "", "```text", render_all(report.findings), "```", ""]
    s = report.summary()
    out.append(_summary_line(s))
    return "\n".join(out) + "\n"
