"""The 說明 column of a 修正條文對照表: each semantic change of an amendment, said in Chinese words."""
from __future__ import annotations

import re

from ..amend.diff import ArticleChange, ChainChange, Change, DutyChange, EntryChange, ParameterChange, RuleChange
from ..calendar.durations import UNIT_ZH as DURATION_UNIT_ZH

_CHAIN_ZH = {"reordered": "調整代理順位", "replaced": "修正代理名單"}
BOUND_ZH = {"at_most": "上限", "at_least": "下限", "exactly": "", "before": "期限前", "after": "期限後"}
UNIT_ZH = {**DURATION_UNIT_ZH, "times": "次"}
PER_ZH = {"semester": "每學期", "academic_year": "每學年"}
_PARAM_FIELD_ZH = {"label": "名稱", "type": "類型", "unit": "單位", "bound": "限制", "per": "期間", "subject": "對象",
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


def under(citation: str, prefix: str) -> bool:
    return citation == prefix or citation.startswith(prefix + ".")


def joined(items) -> str:
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


def amount(d: dict) -> str:
    unit = UNIT_ZH.get(d["unit"], d["unit"])
    return f"{d['value']} {unit}"


def _explain_parameter(c: ParameterChange) -> str:
    label = c.heading or f"參數 {c.name}:"
    if c.old is None or c.new is None:
        d = c.new or c.old
        limit = f"{PER_ZH.get(d['per'], '')}{BOUND_ZH.get(d['bound'], d['bound'])} {amount(d)}"
        return f"{'增訂' if c.old is None else '刪除'}{c.citation} {label}{limit}。"
    parts = []
    if c.old["value"] != c.new["value"]:
        parts.append(f"{PER_ZH.get(c.new['per'], '')}{BOUND_ZH.get(c.new['bound'], c.new['bound'])} "
                     f"{amount(c.old)} → {amount(c.new)}")
    for k in c.fields():
        if k == "value" or (k == "quote" and "value" in c.fields()) or (k == "unit" and "value" in c.fields()):
            continue  # the quote follows the value; a new unit is shown with it
        old, new = c.old[k], c.new[k]
        if k == "bound":
            old, new = BOUND_ZH.get(old, old) or "恰為", BOUND_ZH.get(new, new) or "恰為"
        elif k == "per":
            old, new = PER_ZH.get(old, old or "(無)"), PER_ZH.get(new, new or "(無)")
        elif k == "quote":
            old, new = f"「{old}」", f"「{new}」"
        elif k == "also_cited":
            old, new = joined(old), joined(new)
        parts.append(f"{_PARAM_FIELD_ZH.get(k, k)} {old} → {new}")
    return f"{c.citation} {label}{';'.join(parts)}。"


def _explain_chain(c: ChainChange) -> str:
    head = f"{c.citation} {c.task}"
    if c.action == "added":
        return f"{c.citation} 增列項目「{c.task}」:承辦人 {c.new[0]},代理人 {joined(c.new[1:])}。"
    if c.action == "removed":
        return f"{c.citation} 刪除項目「{c.task}」之代理名單。"
    if c.action == "new_primary":
        rank = c.new.index(c.old[0])
        gone = f";刪除 {joined(c.removed_roles())}" if c.removed_roles() else ""
        return f"{head} 改由 {c.new[0]} 承辦,原承辦人 {c.old[0]} 改列第 {rank} 順位代理人{gone}。"
    if c.action == "lengthened":
        added = "、".join(f"{r}(第 {c.new.index(r)} 順位)" for r in c.added_roles())
        return f"{head} 增列代理人 {added}。"
    if c.action == "shortened":
        if c.old[0] not in c.new:
            return f"{head} 刪除承辦人 {c.old[0]},改由 {c.new[0]} 承辦。"
        return f"{head} 刪除代理人 {joined(c.removed_roles())}。"
    return f"{head} {_CHAIN_ZH[c.action]}:{joined(c.old)} → {joined(c.new)}。"


def _explain_duty(c: DutyChange) -> str:
    if c.old is None or c.new is None:
        d = c.new or c.old
        return f"{'增列' if c.old is None else '刪除'}{c.row}「{d['content']}{d['work_item'] and ' ' + d['work_item']}」。"
    parts = []
    if c.action == "reassigned":
        parts.append(f"行政承辦由 {joined(c.old['administration'])} 改為 {joined(c.new['administration'])}")
    columns = [k for k in c.new if k not in ("administration", "parts") and c.old[k] != c.new[k]]
    columns += [p for p in {**c.old["parts"], **c.new["parts"]} if c.old["parts"].get(p) != c.new["parts"].get(p)]
    if columns:
        parts.append(f"修正{'、'.join(_DUTY_ZH.get(k, k) for k in columns)}欄")
    return f"{c.row} {';'.join(parts)}。"


def _explain_rule(c: RuleChange) -> str:
    name = f"檢核規則「{c.title}」" if c.title and c.title != c.rule else f"檢核規則 {c.rule}"
    if c.action != "changed":
        return f"{'增訂' if c.action == 'added' else '刪除'}{name}。"
    fields = dict.fromkeys(_RULE_FIELD_ZH.get(re.split(r"[ .]", f)[0], f) for f in c.fields())
    return f"修正{name}之{'、'.join(fields)}。"


def _explain_entry(c: EntryChange) -> str:
    section = _SECTION_ZH.get(c.section, c.section)
    if c.section == "amendments" and c.new is not None and c.old is None:
        return f"增列修正沿革 {c.name}({c.new.meeting or c.new.kind}):{c.new.summary}。"
    head = entry_head(c)
    if not hasattr(c.old if c.old is not None else c.new, "__dataclass_fields__"):  # a plain field
        return f"{head}:{brief(c.old)} → {brief(c.new)}。"
    if c.old is None or c.new is None:
        return f"{'增列' if c.old is None else '刪除'}{section} {c.name}。"
    parts = _statements(c.old, c.new) if c.section == "tasks" else []
    for k, f in c.new.__dataclass_fields__.items():
        old, new = getattr(c.old, k), getattr(c.new, k)
        if not f.compare or old == new or (c.section == "tasks" and k == "stated_in"):
            continue
        label = _FIELD_ZH.get(k, k)
        if isinstance(new, tuple) and set(map(brief, old)) != set(map(brief, new)):
            added = [brief(v) for v in new if brief(v) not in set(map(brief, old))]
            removed = [brief(v) for v in old if brief(v) not in set(map(brief, new))]
            parts.append(";".join([f"{label}增列 {joined(added)}"] * bool(added) + [f"{label}刪除 {joined(removed)}"] * bool(removed)))
        elif isinstance(new, tuple):
            parts.append(f"{label}順序調整")
        else:
            parts.append(f"{label} {brief(old)} → {brief(new)}")
    return f"{head}:{';'.join(parts)}。"


def entry_head(c: EntryChange) -> str:
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
            out.append(f"增列出處 {where}({joined(b[key])})")
        elif key not in b:
            out.append(f"刪除出處 {where}({joined(a[key])})")
        elif a[key] != b[key]:
            added, removed = [p for p in b[key] if p not in a[key]], [p for p in a[key] if p not in b[key]]
            words = [f"增列 {joined(added)}"] * bool(added) + [f"刪除 {joined(removed)}"] * bool(removed)
            out.append(f"{where} {','.join(words) or '順序調整'}")
    return out


def brief(value) -> str:
    if value is None or value == "":
        return "(無)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (tuple, list)):
        return joined(brief(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}: {brief(v)}" for k, v in value.items())
    if hasattr(value, "roc_date"):  # an amendment
        return f"{value.roc_date} {value.meeting}{value.kind}:{value.summary}"
    if hasattr(value, "seat"):
        return value.seat + (f"({value.role})" if value.role and value.role != value.seat else "")
    if hasattr(value, "__dataclass_fields__"):  # a role, a unit, 七.(二) ...: its fields that are set
        return ";".join(f"{_FIELD_ZH.get(k, k)} {_KIND_ZH.get(v, v) if k == 'kind' else brief(v)}"
                        for k, f in value.__dataclass_fields__.items()
                        if f.compare and k != "name" and (v := getattr(value, k)) not in ("", (), None, False))
    return str(value)


_EXPLAIN = {ArticleChange: _explain_article, ParameterChange: _explain_parameter, ChainChange: _explain_chain,
            DutyChange: _explain_duty, RuleChange: _explain_rule, EntryChange: _explain_entry}
