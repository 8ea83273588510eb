"""`rulekit check`'s table for staff: a summary by article first, then the failing and pending
results of each article (at most `max_rows` each), students by name and class, every line
within the terminal's width."""
from __future__ import annotations

from collections import Counter

from ..diagnostics import render_all
from ..evaluator.result import status_label
from ..i18n import _
from ..policy.rules import STATUSES
from .check import _caption, _regulation_order, _sections, _summary_line, _texts
from .subjects import subject_text
from .text_table import fitted_table, terminal_width, wrap

# the summary's columns: what needs doing first
SUMMARY_ORDER = ("fail", "pending", "pass", "not_applicable")
DEFAULT_MAX_ROWS = 20


def status_text(status: str) -> str:
    """A status as the table shows it, in the reader's language (符合, 不符合, ...)."""
    return status_label(status)


def article_counts(report) -> list[tuple[str, Counter]]:
    """(citation, results by status) per article with results, in the regulation's order."""
    counts: dict[str, Counter] = {}
    for (citation, status), n in report.status_counts().items():
        counts.setdefault(citation, Counter())[status] = n
    order = _regulation_order(report.policy)
    return sorted(counts.items(), key=lambda item: order.get(item[0], len(order)))


def statuses_in(report) -> list[str]:
    """The summary's status columns: the four of every report, then any other status seen."""
    seen = dict.fromkeys(status for _citation, status in report.status_counts())
    return [*SUMMARY_ORDER, *(s for s in STATUSES if s not in SUMMARY_ORDER and s in seen),
            *(s for s in seen if s not in SUMMARY_ORDER and s not in STATUSES)]


def heading(report, citation: str) -> str:
    return f"{citation} {_caption(report.policy.provisions.get(citation))}".rstrip()


def render_summary(report, width: int) -> str:
    statuses = statuses_in(report)
    rows = [[heading(report, citation), *(str(counts[s]) for s in statuses)]
            for citation, counts in article_counts(report)]
    return fitted_table([_("article"), *map(status_text, statuses)], rows, width)


def render_table(report, show_all: bool = False, explanations: dict | None = None, people=None,
                 max_rows: int | None = DEFAULT_MAX_ROWS, width: int | None = None) -> str:
    """The report as text. `max_rows`: results listed per article (None: all; `show_all`
    lists every result of every status, as `--all` always did)."""
    width = width or terminal_width()
    limit = None if show_all else max_rows
    out = wrap(_("{title} ({texts}), as of {as_of}").format(title=report.policy.title, texts=_texts(report),
                                                             as_of=report.as_of.isoformat()), width)
    out += ["", _("Results by article:"), render_summary(report, width)]
    for citation, group in _sections(report, show_all):
        shown = group if limit is None else group[:limit]
        out += ["", *wrap(heading(report, citation), width)]
        rows = [[r.rule, subject_text(r, people), status_text(r.status), r.message] for r in shown]
        out.append(fitted_table([_("rule"), _("subject"), _("status"), _("message")], rows, width,
                                  keep=(0,) if width >= 80 else ()))
        for r in shown:
            for text, value in (explanations or {}).get(id(r), []):
                out.append(f"    {text} = {value}")
        if len(group) > len(shown):
            out += wrap(_("… and {n} more under {citation}: `--all` lists every one, `-o report.xlsx` writes "
                          "them all to a workbook").format(n=len(group) - len(shown), citation=citation), width)
    if report.findings:
        out += ["", _("records:"), render_all(report.findings)]
    s = report.summary()
    out += ["", *wrap(_summary_line(s), width)]
    return "\n".join(out)

