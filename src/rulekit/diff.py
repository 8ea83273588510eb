"""What an amendment changes, as a closed set of semantic change types.

The diff compares two `Policy` models, never YAML text: moving keys, re-quoting,
comments or indentation change nothing here, because positions never take part
in equality. Rendering (table, 修正條文對照表, JSON) lives in `diff_render`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .policy.model import Policy, Provision


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
    kind: str = field(init=False, default="parameter")

    @property
    def key(self) -> str:
        return self.name

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "citation": self.citation, "old": self.old, "new": self.new}


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
        if len(self.new) > len(self.old) and self.new[: len(self.old)] == self.old:
            return "lengthened"
        if len(self.new) < len(self.old) and self.old[: len(self.new)] == self.new:
            return "shortened"
        if self.old[0] != self.new[0] and self.old[0] in self.new:
            return "new_primary"
        return "replaced"

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "task": self.task, "citation": self.citation,
                "old": list(self.old), "new": list(self.new)}


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
    old: str | None  # a canonical text of the rule's logic
    new: str | None
    kind: str = field(init=False, default="rule")

    @property
    def key(self) -> str:
        return self.rule

    @property
    def action(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "rule": self.rule, "citation": self.citation,
                "old": self.old, "new": self.new}


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

    def to_json(self) -> dict:
        return {"kind": self.kind, "section": self.section, "name": self.name,
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
               *_rules(old, new), *_entries(old, new)]
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


def _param_dict(p) -> dict:
    return {"type": p.type, "value": p.value, "unit": p.unit, "bound": p.bound, "per": p.per or None,
            "citation": p.citation, "quote": p.quote}


def _parameters(old: Policy, new: Policy):
    for name in _ordered_keys(old.parameters, new.parameters):
        pa, pb = old.parameters.get(name), new.parameters.get(name)
        if pa == pb:
            continue
        yield ParameterChange(name, (pb or pa).citation, _param_dict(pa) if pa else None, _param_dict(pb) if pb else None)


def _row_dict(r) -> dict:
    return {"category": r.category, "content": r.content, "work_item": r.work_item,
            "administration": list(r.administration), "parts": dict(r.parts), "remarks": r.remarks}


def _duties(old: Policy, new: Policy):
    a = {r.id: r for r in (old.duty_table.rows if old.duty_table else ())}
    b = {r.id: r for r in (new.duty_table.rows if new.duty_table else ())}
    for rid in _ordered_keys(a, b):
        ra, rb = a.get(rid), b.get(rid)
        if ra == rb:
            continue
        yield DutyChange(rid, _row_dict(ra) if ra else None, _row_dict(rb) if rb else None)


def _chains(old: Policy, new: Policy):
    a = old.substitutes.chains if old.substitutes else {}
    b = new.substitutes.chains if new.substitutes else {}
    citation = (new.substitutes or old.substitutes).citation if (new.substitutes or old.substitutes) else ""
    for task in _ordered_keys(a, b):
        ra = a[task].roles if task in a else ()
        rb = b[task].roles if task in b else ()
        if ra != rb:
            yield ChainChange(task, citation, ra, rb)


def _rule_text(rule) -> str:
    canonical = getattr(rule, "canonical", None)
    return canonical() if callable(canonical) else repr(rule)


def _rules(old: Policy, new: Policy):
    a = {r.id: r for r in old.rules}
    b = {r.id: r for r in new.rules}
    for rid in _ordered_keys(a, b):
        ta = _rule_text(a[rid]) if rid in a else None
        tb = _rule_text(b[rid]) if rid in b else None
        if ta != tb:
            yield RuleChange(rid, (b.get(rid) or a.get(rid)).citation, ta, tb)


def _entries(old: Policy, new: Policy):
    sections = {
        "roles": (old.organization.roles, new.organization.roles),
        "units": (old.organization.units, new.organization.units),
        "tasks": (old.tasks, new.tasks),
        "amendments": ({a.roc_date: a for a in old.amendments}, {a.roc_date: a for a in new.amendments}),
        "working_group": ({"working_group": old.working_group}, {"working_group": new.working_group}),
        "metadata": ({"metadata": old.metadata}, {"metadata": new.metadata}),
    }
    for section, (a, b) in sections.items():
        for name in _ordered_keys(a, b):
            if a.get(name) != b.get(name):
                yield EntryChange(section, name, a.get(name), b.get(name))
