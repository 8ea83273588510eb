"""Render a `PolicyDiff`: a terminal table, the 修正條文對照表 in Markdown, or JSON.

A 對照表 has one row per amended provision: 修正條文 (new) | 現行條文 (current) |
說明 (explanation). Changed characters are underlined, as in meeting papers. The
說明 column is generated from the semantic changes tied to the provision: a
parameter, rule or task cited from an amended provision is explained in its row.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata

from .diff import ArticleChange, ChainChange, Change, DutyChange, EntryChange, ParameterChange, PolicyDiff, RuleChange

U_ON, U_OFF = "\x01", "\x02"  # changed text in a cell: <u>...</u> in Markdown, [...] in the terminal

_CHAIN_ZH = {"reordered": "調整代理順位", "replaced": "修正代理名單"}
_BOUND_ZH = {"at_most": "上限", "at_least": "下限", "exactly": "", "before": "期限前", "after": "期限後"}
_UNIT_ZH = {"days": "日", "weeks": "週", "months": "個月", "years": "年", "times": "次"}
_PER_ZH = {"semester": "每學期", "academic_year": "每學年"}
_PARAM_FIELD_ZH = {"type": "類型", "unit": "單位", "bound": "限制", "per": "期間", "subject": "對象",
                   "citation": "出處", "also_cited": "另見", "quote": "引文"}
_RULE_FIELD_ZH = {"citation": "出處", "title": "名稱", "severity": "嚴重度", "for_each": "檢核對象",
                  "where": "適用範圍", "when": "適用條件", "let": "計算項目", "assert": "判斷條件",
                  "due": "期限", "message": "訊息"}
_SECTION_ZH = {"roles": "職稱", "units": "單位", "tasks": "工作項目", "amendments": "修正沿革",
               "working_group": "工作小組", "metadata": "法規", "duty_table": "附表", "substitutes": "代理名單",
               "record_values": "記錄允許值"}
_FIELD_ZH = {"en": "英文名稱", "unit": "所屬單位", "held_by": "由…兼任", "citation": "出處", "per": "每人負責",
             "kind": "類別", "office": "所屬處室", "external": "校外單位", "collective": "集合名稱",
             "aliases": "別名", "name": "名稱", "size": "人數", "convener": "召集人",
             "executive_secretary": "執行秘書", "meeting_frequency": "開會次數", "seats": "席次",
             "title": "名稱", "title_en": "英文名稱", "school": "學校", "implements": "依據", "note": "附註",
             "decided_by": "訂定者", "teacher": "任課教師條款", "student": "離校學生條款",
             "meeting": "會議", "summary": "摘要", "roc_date": "日期", "task": "工作項目", "role": "職稱",
             "cannot_assist_citation": "不能協助認證時", "can_assist_citation": "仍能協助認證時",
             "can_assist_note": "附註", "responsible": "辦理人", "applies_to": "適用對象"}
_KIND_ZH = {"office": "處室", "section": "組", "body": "機關團體"}
_DUTY_ZH = {"category": "類別", "content": "工作內容", "work_item": "工作項目", "administration": "行政",
            "remarks": "備註", "illegible": "無法辨識欄位"}


def _under(citation: str, prefix: str) -> bool:
    return citation == prefix or citation.startswith(prefix + ".")


def _list(items) -> str:
    return "、".join(str(i) for i in items) or "(無)"


# ------------------------------------------------------------------ 說明

def explain(change: Change) -> str:
    """One sentence of 說明 for a change, in words."""
    for kind, fn in _EXPLAIN.items():
        if isinstance(change, kind):
            return fn(change)
    return ""


def _explain_article(c: ArticleChange) -> str:
    if c.action != "amended":
        return f"{'增訂' if c.action == 'added' else '刪除'}{c.citation}。"
    what = [w for w, changed in (("標題", c.old_heading != c.new_heading), ("文字", c.old != c.new)) if changed]
    return f"修正{c.citation}{'及'.join(what)}。"


def _amount(d: dict) -> str:
    unit = _UNIT_ZH.get(d["unit"], d["unit"])
    return f"{d['value']} {unit}"


def _explain_parameter(c: ParameterChange) -> str:
    label = c.heading or f"參數 {c.name}:"
    if c.old is None or c.new is None:
        d = c.new or c.old
        limit = f"{_PER_ZH.get(d['per'], '')}{_BOUND_ZH.get(d['bound'], d['bound'])} {_amount(d)}"
        return f"{'增訂' if c.old is None else '刪除'}{c.citation} {label}{limit}{f'({c.name})' if c.heading else ''}。"
    parts = []
    if c.old["value"] != c.new["value"]:
        parts.append(f"{_PER_ZH.get(c.new['per'], '')}{_BOUND_ZH.get(c.new['bound'], c.new['bound'])} "
                     f"{_amount(c.old)} → {_amount(c.new)}")
    for k in c.fields():
        if k == "value" or (k == "quote" and "value" in c.fields()) or (k == "unit" and "value" in c.fields()):
            continue  # the quote follows the value; a new unit is shown with it
        old, new = c.old[k], c.new[k]
        if k == "bound":
            old, new = _BOUND_ZH.get(old, old) or "恰為", _BOUND_ZH.get(new, new) or "恰為"
        elif k == "per":
            old, new = _PER_ZH.get(old, old or "(無)"), _PER_ZH.get(new, new or "(無)")
        elif k == "quote":
            old, new = f"「{old}」", f"「{new}」"
        elif k == "also_cited":
            old, new = _list(old), _list(new)
        parts.append(f"{_PARAM_FIELD_ZH.get(k, k)} {old} → {new}")
    return f"{c.citation} {label}{';'.join(parts)}。"


def _explain_chain(c: ChainChange) -> str:
    head = f"{c.citation} {c.task}"
    if c.action == "added":
        return f"{c.citation} 增列項目「{c.task}」:承辦人 {c.new[0]},代理人 {_list(c.new[1:])}。"
    if c.action == "removed":
        return f"{c.citation} 刪除項目「{c.task}」之代理名單。"
    if c.action == "new_primary":
        rank = c.new.index(c.old[0])
        gone = f";刪除 {_list(c.removed_roles())}" if c.removed_roles() else ""
        return f"{head} 改由 {c.new[0]} 承辦,原承辦人 {c.old[0]} 改列第 {rank} 順位代理人{gone}。"
    if c.action == "lengthened":
        added = "、".join(f"{r}(第 {c.new.index(r)} 順位)" for r in c.added_roles())
        return f"{head} 增列代理人 {added}。"
    if c.action == "shortened":
        if c.old[0] not in c.new:
            return f"{head} 刪除承辦人 {c.old[0]},改由 {c.new[0]} 承辦。"
        return f"{head} 刪除代理人 {_list(c.removed_roles())}。"
    return f"{head} {_CHAIN_ZH[c.action]}:{_list(c.old)} → {_list(c.new)}。"


def _explain_duty(c: DutyChange) -> str:
    if c.old is None or c.new is None:
        d = c.new or c.old
        return f"{'增列' if c.old is None else '刪除'}{c.row}「{d['content']}{d['work_item'] and ' ' + d['work_item']}」。"
    parts = []
    if c.action == "reassigned":
        parts.append(f"行政承辦由 {_list(c.old['administration'])} 改為 {_list(c.new['administration'])}")
    columns = [k for k in c.new if k not in ("administration", "parts") and c.old[k] != c.new[k]]
    columns += [p for p in {**c.old["parts"], **c.new["parts"]} if c.old["parts"].get(p) != c.new["parts"].get(p)]
    if columns:
        parts.append(f"修正{'、'.join(_DUTY_ZH.get(k, k) for k in columns)}欄")
    return f"{c.row} {';'.join(parts)}。"


def _explain_rule(c: RuleChange) -> str:
    name = f"檢核規則「{c.title}」({c.rule})" if c.title and c.title != c.rule else f"檢核規則 {c.rule}"
    if c.action != "changed":
        return f"{'增訂' if c.action == 'added' else '刪除'}{name}。"
    fields = dict.fromkeys(_RULE_FIELD_ZH.get(re.split(r"[ .]", f)[0], f) for f in c.fields())
    return f"修正{name}之{'、'.join(fields)}。"


def _explain_entry(c: EntryChange) -> str:
    section = _SECTION_ZH.get(c.section, c.section)
    if c.section == "amendments" and c.new is not None and c.old is None:
        return f"增列修正沿革 {c.name}({c.new.meeting or c.new.kind}):{c.new.summary}。"
    head = _entry_head(c)
    if not hasattr(c.old if c.old is not None else c.new, "__dataclass_fields__"):  # a plain field
        return f"{head}:{_brief(c.old)} → {_brief(c.new)}。"
    if c.old is None or c.new is None:
        return f"{'增列' if c.old is None else '刪除'}{section} {c.name}。"
    parts = _statements(c.old, c.new) if c.section == "tasks" else []
    for k, f in c.new.__dataclass_fields__.items():
        old, new = getattr(c.old, k), getattr(c.new, k)
        if not f.compare or old == new or (c.section == "tasks" and k == "stated_in"):
            continue
        label = _FIELD_ZH.get(k, k)
        if isinstance(new, tuple) and set(map(_brief, old)) != set(map(_brief, new)):
            added = [_brief(v) for v in new if _brief(v) not in set(map(_brief, old))]
            removed = [_brief(v) for v in old if _brief(v) not in set(map(_brief, new))]
            parts.append(";".join([f"{label}增列 {_list(added)}"] * bool(added) + [f"{label}刪除 {_list(removed)}"] * bool(removed)))
        elif isinstance(new, tuple):
            parts.append(f"{label}順序調整")
        else:
            parts.append(f"{label} {_brief(old)} → {_brief(new)}")
    return f"{head}:{';'.join(parts)}。"


def _entry_head(c: EntryChange) -> str:
    """職稱 教學組長, 法規名稱, 工作小組, 代理名單出處 ..."""
    section = _SECTION_ZH.get(c.section, c.section)
    if c.name == c.section:
        return section
    if c.section in ("metadata", "duty_table", "substitutes") and c.name in _FIELD_ZH:
        return section + _FIELD_ZH[c.name]
    return f"{section} {c.name}"


def _statements(old, new) -> list[str]:
    """A task's stated_in, citation by citation: who was added or removed where."""
    a = {(s.citation, s.scope): s.parties for s in old.stated_in}
    b = {(s.citation, s.scope): s.parties for s in new.stated_in}
    out = []
    for key in list(b) + [k for k in a if k not in b]:
        where = f"{key[0]}{f'({key[1]})' if key[1] else ''}"
        if key not in a:
            out.append(f"增列出處 {where}({_list(b[key])})")
        elif key not in b:
            out.append(f"刪除出處 {where}({_list(a[key])})")
        elif a[key] != b[key]:
            added, removed = [p for p in b[key] if p not in a[key]], [p for p in a[key] if p not in b[key]]
            words = [f"增列 {_list(added)}"] * bool(added) + [f"刪除 {_list(removed)}"] * bool(removed)
            out.append(f"{where} {','.join(words) or '順序調整'}")
    return out


def _brief(value) -> str:
    if value is None or value == "":
        return "(無)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (tuple, list)):
        return _list(_brief(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}: {_brief(v)}" for k, v in value.items())
    if hasattr(value, "roc_date"):  # an amendment
        return f"{value.roc_date} {value.meeting}{value.kind}:{value.summary}"
    if hasattr(value, "seat"):
        return value.seat + (f"({value.role})" if value.role and value.role != value.seat else "")
    if hasattr(value, "__dataclass_fields__"):  # a role, a unit, 七.(二) ...: its fields that are set
        return ";".join(f"{_FIELD_ZH.get(k, k)} {_KIND_ZH.get(v, v) if k == 'kind' else _brief(v)}"
                        for k, f in value.__dataclass_fields__.items()
                        if f.compare and k != "name" and (v := getattr(value, k)) not in ("", (), None, False))
    return str(value)


_EXPLAIN = {ArticleChange: _explain_article, ParameterChange: _explain_parameter, ChainChange: _explain_chain,
            DutyChange: _explain_duty, RuleChange: _explain_rule, EntryChange: _explain_entry}


# ------------------------------------------------------------------ rows

def _citations(c: Change) -> list[str]:
    """The provisions a change is about, to explain it in their row of the 對照表."""
    if isinstance(c, (ParameterChange, RuleChange)):
        return [c.citation]
    if isinstance(c, EntryChange) and c.section == "tasks" and c.old is not None and c.new is not None:
        return [s.citation for s in set(c.old.stated_in) ^ set(c.new.stated_in)]
    return []


def _rows(diff: PolicyDiff, markdown: bool) -> list[list[str]]:
    """[修正條文, 現行條文, 說明]: one row per amended provision, then one per other change."""
    articles = diff.of("article")
    notes = {a.citation: [explain(a)] for a in articles}
    others = []
    for c in diff.changes:
        if isinstance(c, ArticleChange):
            continue
        homes = [a.citation for a in articles for cit in _citations(c) if _under(cit, a.citation)]
        if homes:  # the most specific amended provision it is cited from
            notes[max(homes, key=len)].append(explain(c))
        elif not (markdown and isinstance(c, EntryChange) and c.section in ("amendments", "known_conflicts")):
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
    for op, _, _, j1, j2 in difflib.SequenceMatcher(None, list(other), list(items), autojunk=False).get_opcodes():
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
    per, bound = _PER_ZH.get(d["per"], ""), _BOUND_ZH.get(d["bound"], d["bound"])
    return f"{c.citation} {c.heading or c.name}:{per}{bound} {_amount(d)}(「{d['quote']}」)"


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
    return f"{name}:" + (";".join(f"{st.citation} {_list(st.parties)}" for st in task.stated_in) or "(無)")


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
    label = "修正沿革:" if c.section == "amendments" else _entry_head(c) + ":"
    return [label + _brief(c.new), label + _brief(c.old), note]


def _numbered(notes: list[str]) -> str:
    notes = [n for n in dict.fromkeys(notes) if n]
    if len(notes) == 1:
        return notes[0]
    digits = "一二三四五六七八九十"
    return "\n".join(f"{digits[i] if i < 10 else i + 1}、{n}" for i, n in enumerate(notes))


# ------------------------------------------------------------------ formats

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


def render_table(diff: PolicyDiff, widths: tuple[int, ...] = (50, 50, 40)) -> str:
    if not diff:
        return f"no changes between {diff.old_label} and {diff.new_label}"
    rows = [[cell.replace(U_ON, "[").replace(U_OFF, "]") for cell in row] for row in _rows(diff, markdown=False)]
    return text_table(["修正條文", "現行條文", "說明"], rows, widths)


def render_json(diff: PolicyDiff, impact=None) -> str:
    data = diff.to_json()
    if impact is not None:
        data["impact"] = impact.to_json()
    return json.dumps(data, ensure_ascii=False, indent=2)


# ------------------------------------------------------------------ a table that wraps Chinese

def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


# A token never splits when it fits: a run of ASCII (a name, a number) or one character,
# each with the closing punctuation after it, so that no line starts with 、 or ,
_TOKEN = re.compile(r"(?:[!-~]+|.)[、,。;:?!)」』】》〉,.;:?!)\]]*")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns; Chinese breaks between any two characters, but a
    line never starts with closing punctuation (the character before moves down with it)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            for piece in [token] if display_width(token) <= width else list(token):
                if line and display_width(line + piece) > width:
                    lines.append(line.rstrip())
                    line = ""
                if piece != " " or line:
                    line += piece
        lines.append(line.rstrip())
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(headers: list[str], rows: list[list[str]], widths) -> str:
    """Columns of fixed display width, two spaces apart, each cell wrapped."""
    widths = [min(w, max([display_width(line) for row in rows for line in wrap(row[i], w)] + [display_width(h)]))
              for i, (h, w) in enumerate(zip(headers, widths))]
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    for row in rows:
        cells = [wrap(cell, w) for cell, w in zip(row, widths)]
        for i in range(max(map(len, cells))):
            out.append("  ".join(_pad(c[i] if i < len(c) else "", w) for c, w in zip(cells, widths)).rstrip())
    return "\n".join(out)
