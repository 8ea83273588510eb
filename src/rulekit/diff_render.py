"""Render a `PolicyDiff`: a terminal table, the 修正條文對照表 in Markdown, or JSON.

A 對照表 has one row per amended provision: 修正條文 (new) | 現行條文 (current) |
說明 (explanation). Changed characters are underlined, as in meeting papers. The
說明 column is generated from the semantic changes tied to the provision.
"""
from __future__ import annotations

import json

from tabulate import tabulate

from .diff import ArticleChange, ChainChange, Change, DutyChange, EntryChange, ParameterChange, PolicyDiff, RuleChange

_ACTION_ZH = {"added": "增訂", "removed": "刪除", "amended": "修正", "reassigned": "改變承辦單位",
              "reordered": "調整代理順位", "lengthened": "增列代理人", "shortened": "刪減代理人",
              "replaced": "更換代理人", "new_primary": "更換承辦人,原承辦人改列代理人", "changed": "修正"}
_BOUND_ZH = {"at_most": "至多", "at_least": "至少", "exactly": "", "before": "前", "after": "後"}


def _under(citation: str, prefix: str) -> bool:
    return citation == prefix or citation.startswith(prefix + ".")


def explain(change: Change) -> str:
    """One sentence of 說明 for a change."""
    if isinstance(change, ArticleChange):
        return {"added": f"增訂{change.citation}。", "removed": f"刪除{change.citation}。"}.get(
            change.action, f"修正{change.citation}文字。")
    if isinstance(change, ParameterChange):
        if change.old is None or change.new is None:
            return f"{'增訂' if change.old is None else '刪除'}參數 {change.name}({change.citation})。"
        parts = [f"{k}: {change.old[k]} → {change.new[k]}" for k in change.new if change.old.get(k) != change.new[k]]
        return f"{change.citation} {change.name} 修正({'; '.join(parts)})。"
    if isinstance(change, ChainChange):
        return (f"{change.citation} {change.task} {_ACTION_ZH[change.action]}:"
                f"{'、'.join(change.old) or '(無)'} → {'、'.join(change.new) or '(無)'}。")
    if isinstance(change, DutyChange):
        if change.action == "reassigned":
            return (f"{change.row} 行政承辦由{'、'.join(change.old['administration'])}改為"
                    f"{'、'.join(change.new['administration'])}。")
        return f"{_ACTION_ZH[change.action]}{change.row}。"
    if isinstance(change, RuleChange):
        return f"{_ACTION_ZH[change.action]}檢核規則 {change.rule}({change.citation})。"
    if isinstance(change, EntryChange):
        what = "增訂" if change.old is None else "刪除" if change.new is None else "修正"
        return f"{what} {change.section} {change.name}。"
    return ""


def _marked(spans, style: str) -> str:
    if style == "markdown":
        return "".join(f"<u>{s.text}</u>" if s.changed else s.text for s in spans).replace("|", "\\|")
    return "".join(f"[{s.text}]" if s.changed else s.text for s in spans)


def _chain_text(roles) -> str:
    return "、".join(roles) if roles else "(無)"


def _rows(diff: PolicyDiff, style: str) -> list[list[str]]:
    """[修正條文, 現行條文, 說明] per provision, then per chain, duty row and other change."""
    rows, used = [], set()
    articles = diff.of("article")
    for art in articles:
        old_spans, new_spans = art.spans()
        notes = [explain(art)] + [explain(c) for c in diff.changes
                                  if isinstance(c, (ParameterChange, RuleChange)) and _under(c.citation, art.citation)]
        used.update(id(c) for c in diff.changes
                    if isinstance(c, (ParameterChange, RuleChange)) and _under(c.citation, art.citation))
        head_new = f"{art.citation} {art.new_heading}".strip()
        head_old = f"{art.citation} {art.old_heading}".strip()
        rows.append([f"{head_new} {_marked(new_spans, style)}" if art.new is not None else "(刪除)",
                     f"{head_old} {_marked(old_spans, style)}" if art.old is not None else "(新增)",
                     _numbered(notes)])
    for c in diff.changes:
        if isinstance(c, ArticleChange) or id(c) in used:
            continue
        if style == "markdown" and isinstance(c, EntryChange) and c.section in ("amendments", "metadata"):
            continue  # the history of adoption is not a provision of the 對照表
        rows.append(_other_row(c))
    return rows


def _other_row(c: Change) -> list[str]:
    if isinstance(c, ChainChange):
        return [f"{c.citation} {c.task}:{_chain_text(c.new)}", f"{c.citation} {c.task}:{_chain_text(c.old)}",
                _numbered([explain(c)])]
    if isinstance(c, DutyChange):
        def cell(d):
            return "(無)" if d is None else f"{c.row} {d['content']} {d['work_item']}:{'、'.join(d['administration'])}"
        return [cell(c.new), cell(c.old), _numbered([explain(c)])]
    if isinstance(c, ParameterChange):
        def cell(d):
            return "(無)" if d is None else f"{c.name} = {d['value']} {d['unit']}({_BOUND_ZH.get(d['bound'], d['bound'])})"
        return [cell(c.new), cell(c.old), _numbered([explain(c), "條文文字未修正,請確認。"])]
    if isinstance(c, RuleChange):
        return [c.new or "(刪除)", c.old or "(新增)", _numbered([explain(c)])]
    if isinstance(c, EntryChange) and c.section == "tasks":
        return [_task_cell(c.name, c.new), _task_cell(c.name, c.old), _numbered([explain(c)])]
    return [str(_short(getattr(c, "new", ""))), str(_short(getattr(c, "old", ""))), _numbered([explain(c)])]


def _task_cell(name: str, task) -> str:
    if task is None:
        return "(無)"
    return f"{name}:" + ";".join(f"{st.citation} {'、'.join(st.parties)}" for st in task.stated_in)


def _short(value) -> str:
    if value is None:
        return "(無)"
    text = getattr(value, "name", None) or getattr(value, "roc_date", None) or str(value)
    return text if len(text) < 80 else text[:77] + "..."


def _numbered(notes: list[str]) -> str:
    notes = [n for n in dict.fromkeys(notes) if n]
    if len(notes) == 1:
        return notes[0]
    digits = "一二三四五六七八九十"
    return " ".join(f"{digits[i] if i < 10 else i + 1}、{n}" for i, n in enumerate(notes))


def render_markdown(diff: PolicyDiff, title: str = "") -> str:
    head = f"# {title} 修正條文對照表" if title else "# 修正條文對照表"
    if not diff:
        return head + "\n\n(無修正)\n"
    lines = [head, "", "| 修正條文 | 現行條文 | 說明 |", "|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("\n", "<br>") for cell in row) + " |" for row in _rows(diff, "markdown")]
    return "\n".join(lines) + "\n"


def render_table(diff: PolicyDiff) -> str:
    if not diff:
        return f"no changes between {diff.old_label} and {diff.new_label}"
    return tabulate(_rows(diff, "text"), ["修正條文", "現行條文", "說明"], maxcolwidths=[50, 50, 40])


def render_json(diff: PolicyDiff, impact=None) -> str:
    data = diff.to_json()
    if impact is not None:
        data["impact"] = impact.to_json()
    return json.dumps(data, ensure_ascii=False, indent=2)
