"""Render a `PolicyDiff`: a terminal table, the 修正條文對照表 in Markdown, or JSON.

A 對照表 has one row per amended provision: 修正條文 (new) | 現行條文 (current) |
說明 (explanation). Changed characters are underlined, as in meeting papers. The
說明 column is generated from the semantic changes tied to the provision: a
parameter, rule or task cited from an amended provision is explained in its row.
"""
from __future__ import annotations

import difflib
import json

from ..amend.diff import ArticleChange, ChainChange, Change, DutyChange, EntryChange, ParameterChange, PolicyDiff, RuleChange
from .diff_words import BOUND_ZH, PER_ZH, amount, brief, entry_head, explain, joined, under
from .text_table import terminal_width, text_table
from ..i18n import _

U_ON, U_OFF = "\x01", "\x02"  # changed text in a cell: <u>...</u> in Markdown, [...] in the terminal

# ------------------------------------------------------------------ rows

def _citations(c: Change) -> list[str]:
    """The provisions a change is about, to explain it in their row of the 對照表."""
    if isinstance(c, (ParameterChange, RuleChange)):
        return [c.citation]
    if isinstance(c, EntryChange) and c.section == "tasks" and c.old is not None and c.new is not None:
        return [s.citation for s in set(c.old.stated_in) ^ set(c.new.stated_in)]
    return []


def _rows(diff: PolicyDiff, markdown: bool) -> list[list[str]]:
    """[修正條文, 現行條文, 說明]: one row per amended provision, then one per other change; the same
    rows in every format (`markdown` only changes how a cell is marked)."""
    articles = diff.of("article")
    notes = {a.citation: [explain(a)] for a in articles}
    others = []
    for c in diff.changes:
        if isinstance(c, ArticleChange):
            continue
        homes = [a.citation for a in articles for cit in _citations(c) if under(cit, a.citation)]
        if homes:  # the most specific amended provision it is cited from
            notes[max(homes, key=len)].append(explain(c))
        elif not (isinstance(c, EntryChange) and c.section in ("amendments", "known_conflicts")):
            others.append(c)  # the history of adoption is not a provision of the 對照表
    rows = [[_article_cell(a, a.new, a.new_heading, a.old_heading, 1), _article_cell(a, a.old, a.old_heading, a.new_heading, 0),
             _numbered(notes[a.citation])] for a in articles]
    return rows + [_other_row(c) for c in others]


def _article_cell(a: ArticleChange, text, heading: str, other_heading: str, side: int) -> str:
    if text is None:
        return "(刪除)" if side else "(新增)"
    spans = a.spans()[side]
    body = "".join(f"{U_ON}{s.text}{U_OFF}" if s.changed else s.text for s in spans)
    if heading and heading != other_heading and a.action == "amended":
        heading = f"{U_ON}{heading}{U_OFF}"
    return " ".join(p for p in (a.citation, heading, body) if p)


def _marked_list(items, other) -> str:
    """Items joined with 、, those not matched in `other` underlined (none if there is no other)."""
    if other is None:
        return "、".join(items)
    out = []
    for op, __, __, j1, j2 in difflib.SequenceMatcher(None, list(other), list(items), autojunk=False).get_opcodes():
        out += [f"{U_ON}{r}{U_OFF}" if op != "equal" else r for r in items[j1:j2]]
    return "、".join(out)


def _chain_cell(c: ChainChange, roles, other) -> str:
    if not roles:
        return "(無)"
    other = other or None  # an added or removed chain: nothing to underline
    return (f"{c.citation} {c.task}:承辦人 {_marked_list(roles[:1], other and other[:1])};"
            f"代理人 {_marked_list(roles[1:], other and other[1:]) or '(無)'}")


def _duty_cell(c: DutyChange, d, other) -> str:
    if d is None:
        return "(無)"

    def mark(key, text):  # an added or removed row: nothing to underline
        return f"{U_ON}{text}{U_OFF}" if other and other.get(key) != d.get(key) else text

    cols = [f"{c.row} {mark('content', d['content'])}{' ' + mark('work_item', d['work_item']) if d['work_item'] else ''}",
            f"行政:{_marked_list(d['administration'], other and other['administration'])}"]
    cols += [f"{p}:{f'{U_ON}{v}{U_OFF}' if other and other['parts'].get(p) != v else v}" for p, v in d["parts"].items()]
    cols += [f"備註:{mark('remarks', d['remarks'])}"] if d["remarks"] else []
    return ";".join(cols)


def _param_cell(c: ParameterChange, d) -> str:
    if d is None:
        return "(無)"
    per, bound = PER_ZH.get(d["per"], ""), BOUND_ZH.get(d["bound"], d["bound"])
    return f"{c.citation} {c.heading or c.name}:{per}{bound} {amount(d)}(「{d['quote']}」)"


def _rule_cell(c: RuleChange, text: str | None, other: str | None) -> str:
    if text is None:
        return "(無)"
    lines = text.splitlines()
    if other is not None:  # a changed rule: only the lines that differ
        lines = [f"{U_ON}{line}{U_OFF}" for line in lines if line not in other.splitlines()]
    return "\n".join([f"{c.rule}:"] + lines)


def _task_cell(name: str, task) -> str:
    if task is None:
        return "(無)"
    return f"{name}:" + (";".join(f"{st.citation} {joined(st.parties)}" for st in task.stated_in) or "(無)")


def _other_row(c: Change) -> list[str]:
    note = _numbered([explain(c)])
    if isinstance(c, ChainChange):
        return [_chain_cell(c, c.new, c.old), _chain_cell(c, c.old, c.new), note]
    if isinstance(c, DutyChange):
        return [_duty_cell(c, c.new, c.old), _duty_cell(c, c.old, c.new), note]
    if isinstance(c, ParameterChange):
        return [_param_cell(c, c.new), _param_cell(c, c.old), _numbered([explain(c), "條文文字未修正,請確認。"])]
    if isinstance(c, RuleChange):
        return [_rule_cell(c, c.new, c.old), _rule_cell(c, c.old, c.new), note]
    if isinstance(c, EntryChange) and c.section == "tasks":
        return [_task_cell(c.name, c.new), _task_cell(c.name, c.old), note]
    label = "修正沿革:" if c.section == "amendments" else entry_head(c) + ":"
    return [label + brief(c.new), label + brief(c.old), note]


def _numbered(notes: list[str]) -> str:
    notes = [n for n in dict.fromkeys(notes) if n]
    if len(notes) == 1:
        return notes[0]
    digits = "一二三四五六七八九十"
    return "\n".join(f"{digits[i] if i < 10 else i + 1}、{n}" for i, n in enumerate(notes))


# ------------------------------------------------------------------ formats

def table_rows(diff: PolicyDiff) -> list[list[str]]:
    """The 對照表's rows [修正條文, 現行條文, 說明], changed text between U_ON and U_OFF: for a
    renderer of its own (the web page underlines it)."""
    return _rows(diff, markdown=True)


def _markdown_cell(cell: str) -> str:
    return cell.replace("|", "\\|").replace(U_ON, "<u>").replace(U_OFF, "</u>").replace("\n", "<br>")


def render_markdown(diff: PolicyDiff, title: str = "") -> str:
    head = f"# {title} 修正條文對照表" if title else "# 修正條文對照表"
    rows = _rows(diff, markdown=True)
    if not rows:
        return head + "\n\n(無修正)\n"
    lines = [head, "", "| 修正條文 | 現行條文 | 說明 |", "|---|---|---|"]
    lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# the 對照表's columns at their widest: the old and new text side by side, the reason narrower
WIDEST = (50, 50, 40)


def table_widths(total: int) -> tuple[int, ...]:
    """The columns' widths in `total` terminal columns: in proportion to WIDEST, never wider."""
    room = total - 2 * (len(WIDEST) - 1)
    scale = min(1.0, room / sum(WIDEST))
    widths = [max(6, int(w * scale)) for w in WIDEST[:-1]]
    return (*widths, max(6, min(WIDEST[-1], room - sum(widths))))


def render_table(diff: PolicyDiff, widths: tuple[int, ...] | None = None) -> str:
    """The 對照表 as text; `widths` default to what fits the terminal (COLUMNS when set)."""
    if not diff:
        return _("no changes between {old_label} and {new_label}").format(old_label=diff.old_label, new_label=diff.new_label)
    rows = [[cell.replace(U_ON, "[").replace(U_OFF, "]") for cell in row] for row in _rows(diff, markdown=False)]
    return text_table(["修正條文", "現行條文", "說明"], rows, widths or table_widths(terminal_width()))


def render_json(diff: PolicyDiff, impact=None) -> str:
    data = diff.to_json()
    if impact is not None:
        data["impact"] = impact.to_json()
    return json.dumps(data, ensure_ascii=False, indent=2)
