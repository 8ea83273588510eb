"""`rulekit show` as text: the article, then its chains, duty rows, parameters, tasks and rules."""
from __future__ import annotations

from tabulate import tabulate

from ..policy.show import ProvisionView
from ..i18n import _


def render_view(view: ProvisionView) -> str:
    out = []
    if view.provision:
        for p in view.provision.walk():
            head = f"{p.id} {p.heading}".rstrip()
            out.append(head + (f": {p.text}" if p.text else ""))
    if view.chains:
        width = max(len(c.roles) for c in view.chains)
        headers = ["項目", "承辦人"] + [f"代理人{i}" if width > 2 else "代理人" for i in range(1, width)]
        out += ["", f"{view.chains_title or view.chains[0].citation}:",
                tabulate([[c.task, *c.roles] + [""] * (width - len(c.roles)) for c in view.chains], headers)]
    if view.special:
        out += ["", *view.special]
    if view.duty_rows:
        table = [[r.id, r.category, r.content, r.work_item, "、".join(r.administration),
                  "; ".join(f"{k}: {v}" for k, v in r.parts), r.remarks] for r in view.duty_rows]
        out += ["", tabulate(table, ["id", "項目", "內容", "工作項目", "行政", "其他", "備註"])]
    if view.parameters:
        out += ["", _("parameters:")]
        out += [f"  {p.describe()}  [{p.citation}] 「{p.quote}」" for p in view.parameters]
    if view.tasks:
        out += ["", _("responsibilities stated here:")]
        out += [f"  {task}: {'、'.join(parties)}  [{cit}]" for task, cit, parties in view.tasks]
    if view.rules:
        out += ["", "rules:"]
        out += [f"  {r.id}  [{r.citation}] {r.title_text()}" for r in view.rules]
    return "\n".join(out)
