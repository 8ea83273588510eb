"""What an amendment changes, as a closed set of semantic change types.

The diff compares two `Policy` models, never YAML text: moving keys, re-quoting,
comments or indentation change nothing here, because positions never take part
in equality. Rendering (table, 修正條文對照表, JSON) lives in `diff_render`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..policy.model import Policy, Provision


@dataclass(frozen=True)
class Change:
    kind: str = field(init=False, default="change")

    @property
    def key(self) -> str:
        return ""

    def to_json(self) -> dict:
        raise NotImplementedError


@dataclass(frozen=True)
class TextSpan:
    """A run of characters of the old or new text, marked as same or changed."""

    text: str
    changed: bool


@dataclass(frozen=True)
class ArticleChange(Change):
    citation: str
    old: str | None  # None: the article is new
    new: str | None  # None: the article is removed
    old_heading: str = ""
    new_heading: str = ""
    kind: str = field(init=False, default="article")

    @property
    def key(self) -> str:
        return self.citation

    @property
    def action(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "amended"

    def spans(self) -> tuple[tuple[TextSpan, ...], tuple[TextSpan, ...]]:
        """Character-level diff: Chinese has no word boundaries to split on."""
        old, new = self.old or "", self.new or ""
        left, right = [], []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if a2 > a1:
                left.append(TextSpan(old[a1:a2], op != "equal"))
            if b2 > b1:
                right.append(TextSpan(new[b1:b2], op != "equal"))
        return tuple(left), tuple(right)

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "citation": self.citation, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ParameterChange(Change):
    name: str
    citation: str
    old: dict | None
    new: dict | None
    heading: str = ""  # of the provision it is cited from (課程學習成果), for the 說明
    kind: str = field(init=False, default="parameter")

    @property
    def key(self) -> str:
        return self.name

    @property
    def action(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "amended"

    def fields(self) -> list[str]:
        """The fields that differ (type, value, unit, bound, per, citation, quote, ...)."""
        if self.old is None or self.new is None:
            return []
        return [k for k in self.new if self.old.get(k) != self.new[k]]

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "name": self.name, "citation": self.citation,
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ChainChange(Change):
    task: str
    citation: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    kind: str = field(init=False, default="chain")

    @property
    def key(self) -> str:
        return self.task

    @property
    def action(self) -> str:
        if not self.old:
            return "added"
        if not self.new:
            return "removed"
        if sorted(self.old) == sorted(self.new):
            return "reordered"
        if self.old[0] != self.new[0] and self.old[0] in self.new:
            return "new_primary"
        if _subsequence(self.old, self.new):
            return "lengthened"
        if _subsequence(self.new, self.old):
            return "shortened"
        return "replaced"

    def added_roles(self) -> list[str]:
        return [r for r in self.new if r not in self.old]

    def removed_roles(self) -> list[str]:
        return [r for r in self.old if r not in self.new]

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "task": self.task, "citation": self.citation,
                "old": list(self.old), "new": list(self.new)}


def _subsequence(short: tuple, long: tuple) -> bool:
    """Whether `long` is `short` with items inserted (order kept)."""
    rest = iter(long)
    return all(item in rest for item in short)


@dataclass(frozen=True)
class DutyChange(Change):
    """A duty-table row added, removed or with changed columns (reassigned when 行政 changes)."""

    row: str
    old: dict | None
    new: dict | None
    kind: str = field(init=False, default="duty")

    @property
    def key(self) -> str:
        return self.row

    @property
    def action(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "reassigned" if self.old.get("administration") != self.new.get("administration") else "amended"

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "row": self.row, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class RuleChange(Change):
    rule: str
    citation: str
    old: str | None  # canonical text: one "field: value" line each, expressions unparsed
    new: str | None
    title: str = ""
    kind: str = field(init=False, default="rule")

    @property
    def key(self) -> str:
        return self.rule

    @property
    def action(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    def fields(self) -> list[str]:
        """The fields whose lines differ: assert, let, where, message, title ..."""
        old, new = _lines(self.old), _lines(self.new)
        return list(dict.fromkeys(k for k in [*new, *old] if old.get(k) != new.get(k)))

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "rule": self.rule, "citation": self.citation,
                "fields": self.fields() if self.action == "changed" else [], "old": self.old, "new": self.new}


def _lines(text: str | None) -> dict[str, str]:
    """field -> its lines; `let x`, `message.fail`, `title.zh` count as fields of their own."""
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        key = line.split(": ", 1)[0]
        out[key] = line
    return out


@dataclass(frozen=True)
class EntryChange(Change):
    """Any other named entry: a role, office, task, amendment, working-group seat."""

    section: str
    name: str
    old: object
    new: object
    kind: str = field(init=False, default="entry")

    @property
    def key(self) -> str:
        return f"{self.section}:{self.name}"

    @property
    def action(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "amended"

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "section": self.section, "name": self.name,
                "old": _plain(self.old), "new": _plain(self.new)}


def _plain(value):
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k, f in value.__dataclass_fields__.items() if f.compare}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class PolicyDiff:
    old_label: str
    new_label: str
    changes: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of(self, kind: str) -> list:
        return [c for c in self.changes if c.kind == kind]

    def to_json(self) -> dict:
        return {"old": self.old_label, "new": self.new_label, "changes": [c.to_json() for c in self.changes]}


def diff_policies(old: Policy, new: Policy, old_label: str = "", new_label: str = "") -> PolicyDiff:
    changes = [*_articles(old, new), *_parameters(old, new), *_duties(old, new), *_chains(old, new),
               *_rules(old, new), *_entries(old, new), *_other_fields(old, new)]
    return PolicyDiff(old_label or old.path, new_label or new.path, tuple(changes))


def _flat(policy: Policy) -> dict[str, Provision]:
    return {p.id: p for a in policy.articles for p in a.walk()}


def _ordered_keys(old: dict, new: dict) -> list:
    """New order first, then what only the old had: a 對照表 follows the amended text."""
    return list(new) + [k for k in old if k not in new]


def _articles(old: Policy, new: Policy):
    a, b = _flat(old), _flat(new)
    for cid in _ordered_keys(a, b):
        pa, pb = a.get(cid), b.get(cid)
        if pa and pb and (pa.text, pa.heading) == (pb.text, pb.heading):
            continue
        yield ArticleChange(cid, pa.text if pa else None, pb.text if pb else None,
                            pa.heading if pa else "", pb.heading if pb else "")


def _param_dict(p) -> dict | None:
    if p is None:
        return None
    return {"type": p.type, "value": p.value if p.numeric else p.shown(), "unit": p.unit, "bound": p.bound, "per": p.per or None,
            "subject": p.subject or None, "citation": p.citation, "also_cited": list(p.also_cited), "quote": p.quote,
            "label": p.label or None}


def _heading(policy: Policy, citation: str) -> str:
    """The heading of the provision cited, or of the nearest one above it that has one;
    for a duty-table row, its work item."""
    for row in policy.duty_table.rows if policy.duty_table else ():
        if row.id == citation:
            return row.work_item or row.content
    flat = _flat(policy)
    while citation:
        if citation in flat and flat[citation].heading:
            return flat[citation].heading
        citation = citation.rpartition(".")[0]
    return ""


def _parameters(old: Policy, new: Policy):
    for name in _ordered_keys(old.parameters, new.parameters):
        pa, pb = _param_dict(old.parameters.get(name)), _param_dict(new.parameters.get(name))
        if pa != pb:
            citation = (pb or pa)["citation"]
            label = (pb or pa)["label"] or _heading(new if pb else old, citation)
            yield ParameterChange(name, citation, pa, pb, label)


def _row_dict(r) -> dict | None:
    if r is None:
        return None
    return {"category": r.category, "content": r.content, "work_item": r.work_item,
            "administration": list(r.administration), "parts": dict(r.parts), "remarks": r.remarks,
            "illegible": sorted(r.illegible)}  # the printed columns are fixed: key order means nothing


def _duties(old: Policy, new: Policy):
    a = {r.id: r for r in (old.duty_table.rows if old.duty_table else ())}
    b = {r.id: r for r in (new.duty_table.rows if new.duty_table else ())}
    for rid in _ordered_keys(a, b):
        ra, rb = _row_dict(a.get(rid)), _row_dict(b.get(rid))
        if ra != rb:
            yield DutyChange(rid, ra, rb)


def _chains(old: Policy, new: Policy):
    a = old.substitutes.chains if old.substitutes else {}
    b = new.substitutes.chains if new.substitutes else {}
    for task in _ordered_keys(a, b):
        ra = a[task].roles if task in a else ()
        rb = b[task].roles if task in b else ()
        if ra != rb:  # cited where it stands now, or where it stood if removed
            yield ChainChange(task, (b.get(task) or a[task]).citation, ra, rb)


def rule_text(rule) -> str:
    """A rule as canonical lines: equal for equal logic whatever the YAML layout or message order."""
    from ..dsl.printer import unparse
    from ..policy.rules import STATUSES

    written = rule.title_source if rule.title_source is not None else rule.title
    title = written if isinstance(written, dict) else {"zh": written}
    lines = [f"citation: {rule.citation}", *(f"title.{k}: {title[k]}" for k in sorted(title)),
             f"severity: {rule.severity}", "for_each: " + ", ".join(sorted(f"{v} in {c}" for v, c in rule.for_each))]
    lines += [f"{k}: {unparse(e)}" for k, e in (("where", rule.where), ("when", rule.when)) if e is not None]
    lines += [f"let {name}: {unparse(e)}" for name, e in rule.lets]
    lines += [f"assert: {unparse(rule.assert_)}"] + ([f"due: {unparse(rule.due)}"] if rule.due is not None else [])
    messages = dict(rule.messages)
    lines += [f"message.{s}: {messages[s].text}" for s in STATUSES if s in messages]
    return "\n".join(line.replace("\n", " ") for line in lines)


def _rules(old: Policy, new: Policy):
    a = {r.id: r for r in old.rules}
    b = {r.id: r for r in new.rules}
    for rid in _ordered_keys(a, b):
        ta = rule_text(a[rid]) if rid in a else None
        tb = rule_text(b[rid]) if rid in b else None
        if ta != tb:
            rule = b.get(rid) or a.get(rid)
            yield RuleChange(rid, rule.citation, ta, tb, rule.title_text("zh"))


def _header(section, skip: str) -> dict:
    """A section's own fields, less the part compared item by item (`rows`, `chains`)."""
    if section is None:
        return {}
    return {k: getattr(section, k) for k, f in section.__dataclass_fields__.items() if f.compare and k != skip}


def _entries(old: Policy, new: Policy):
    sections = {
        "roles": (old.organization.roles, new.organization.roles),
        "units": (old.organization.units, new.organization.units),
        "tasks": (old.tasks, new.tasks),
        "amendments": ({a.roc_date: a for a in old.amendments}, {a.roc_date: a for a in new.amendments}),
        "working_group": ({"working_group": old.working_group}, {"working_group": new.working_group}),
        "duty_table": (_header(old.duty_table, "rows"), _header(new.duty_table, "rows")),
        "substitutes": (_header(old.substitutes, "chains"), _header(new.substitutes, "chains")),
        # encoded_from says where the file's history starts, not what the text says
        "metadata": ({k: v for k, v in old.metadata.items() if k != "encoded_from"},
                     {k: v for k, v in new.metadata.items() if k != "encoded_from"}),
    }
    for section, (a, b) in sections.items():
        for name in _ordered_keys(a, b):
            if a.get(name) != b.get(name):
                yield EntryChange(section, name, a.get(name), b.get(name))


_COMPARED = {"path", "content_hash", "metadata", "amendments", "organization", "working_group", "articles",
             "duty_table", "substitutes", "tasks", "parameters", "rules",
             "encoded_from", "version_dates"}  # where the file starts its history: not the text itself


def _other_fields(old: Policy, new: Policy):
    """Any other part of the model (a section added after this module): reported, never missed."""
    for name, f in Policy.__dataclass_fields__.items():
        a, b = getattr(old, name), getattr(new, name)
        if not f.compare or name in _COMPARED or a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            yield from (EntryChange(name, k, a.get(k), b.get(k)) for k in _ordered_keys(a, b) if a.get(k) != b.get(k))
        else:
            yield EntryChange(name, name, a, b)
