"""Reading one value of a case file: its shape, and whether the policy knows it (with did-you-mean).

`FieldReader` holds the findings; `cases.CaseReader` builds on it to read whole cases.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from ..calendar import DateError, parse_date
from ..diagnostics import Diagnostic, RulekitError, Span, did_you_mean
from ..policy.citations import suggest_citation
from ..policy.model import Policy
from ..sourceyaml import Document
from .model import VIAS, Source
from ..i18n import N_, _

DATE_HINT = N_('write it as "114.02.15" (ROC) or "2025-02-15"')


def yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


@dataclass(frozen=True)
class Examples:
    """Words of the policy under test for the `e.g.` of a hint, so a hint never quotes another school."""

    rule: str = "<rule id>"
    citation: str = "<citation>"
    other_citation: str = "<citation>"
    task: str = "<task>"
    primary: str = "<role>"
    substitute: str = "<role>"

    @classmethod
    def of(cls, policy: Policy) -> Examples:
        found: dict = {}
        if policy.rules:
            found.update(rule=policy.rules[0].id)
        citations = _example_citations(policy)
        found.update(zip(("citation", "other_citation"), citations))
        found.update(_example_chain(policy))
        return cls(**found)


def _example_citations(policy: Policy) -> list[str]:
    rows = policy.duty_table.rows if policy.duty_table else ()
    subs = policy.substitutes
    first = [policy.rules[0].citation if policy.rules else "", rows[0].id if rows else "",
             subs.citation if subs else ""]
    return list(dict.fromkeys(c for c in [*first, *sorted(policy.citations(), key=str)] if c))[:2]


def _example_chain(policy: Policy) -> dict:
    """A task, the role that does it and the role that stands in: a chain of the policy if it has one."""
    chains = policy.substitutes.chains.values() if policy.substitutes else ()
    for chain in chains:
        if len(chain.roles) >= 2:
            return {"task": chain.task, "primary": chain.roles[0], "substitute": chain.roles[1]}
    found = dict(zip(("primary", "substitute"), sorted(policy.organization.roles, key=str)))
    if policy.tasks:
        found["task"] = next(iter(policy.tasks.values())).name
    return found


def task_names(policy: Policy) -> dict[str, str]:
    """Every name a task may be given (its name and its aliases) -> its name."""
    names: dict[str, str] = {}
    for task in policy.tasks.values():
        names[task.name] = task.name
        for alias in task.aliases:
            names.setdefault(alias, task.name)
    return names


class FieldReader:
    """Checks single values of one case file against the format and the policy, collecting findings."""

    def __init__(self, doc: Document, policy: Policy):
        self.doc = doc
        self.policy = policy
        self.diags: list[Diagnostic] = []
        self.rules = {r.id: r for r in policy.rules}
        self.citations = policy.citations()
        self.task_names = task_names(policy)
        org = policy.organization
        self.parties = set(org.roles) | set(org.units)
        self.examples = Examples.of(policy)

    # ---- findings
    def span(self, path, key: bool = False) -> Span:
        return self.doc.span(tuple(path), key=key)

    def error(self, code: str, message: str, path, hint: str = "", key: bool = False, fld: str = "") -> None:
        self.diags.append(Diagnostic(code, message, self.span(path, key), hint=hint, field=fld))

    def wrong_shape(self, value, path, must: str, hint: str = "") -> None:
        """`must` says what the value must be: `cases must be a list`."""
        self.error("case-shape", f"{must}, not {yaml_type(value)}", path, hint=hint)

    # ---- shapes
    def mapping(self, value, path, what: str, allowed, required=()) -> bool:
        if not isinstance(value, dict):
            self.wrong_shape(value, path, _("{what} must be a mapping").format(what=what), hint=_("keys: {allowed}").format(allowed=', '.join(allowed)))
            return False
        for k in value:
            if k not in allowed:
                close = did_you_mean(k, allowed)
                self.error("unknown-key", _("unknown key {k} in {what}").format(k=k, what=what), tuple(path) + (k,), key=True,
                           hint=close or f"{what} takes: {', '.join(allowed)}")
        for k in required:
            if value.get(k) is None:
                self.error("missing-key", f"{what} needs `{k}`", path, hint=_("add `{k}: ...`").format(k=k))
        return True

    def text(self, value, path, what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, (bool, dict, list)):
            self.wrong_shape(value, path, _("{what} must be text").format(what=what))
            return None
        return str(value)

    def texts(self, value, path, what: str) -> list[tuple[str, tuple]]:
        """A text or a list of texts, each with its YAML path."""
        if value is None:
            return []
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        out = []
        for i, item in items:
            p = tuple(path) + (i,) if i is not None else tuple(path)
            t = self.text(item, p, what)
            if t is not None:
                out.append((t, p))
        return out

    def date(self, value, path, what: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, (bool, dict, list)):
            self.error("bad-date", _("{what} must be a date, not {value}").format(what=what, value=yaml_type(value)), path, hint=_(DATE_HINT))
            return None
        try:
            day = parse_date(value)
        except DateError as exc:
            self.error("bad-date", f"{what}: {exc.message}", path, hint=exc.hint or _(DATE_HINT))
            return None
        return day if self._encoded(day, path, what) else None

    def _encoded(self, day: dt.date, path, what: str) -> bool:
        """Whether the policy has a text in force on `day`."""
        from ..policy.versions import in_force

        try:
            in_force(self.policy, day)
        except RulekitError as exc:
            d = exc.diagnostics[0]
            self.error("not-encoded", f"{what}: {d.message}", path, hint=d.hint)
            return False
        return True

    def source(self, value, path, what: str) -> Source | None:
        if value is None:
            return None
        if isinstance(value, dict):
            return Source(self.span(path), prefix=tuple(path))
        if isinstance(value, str) and value.strip():
            target = os.path.join(os.path.dirname(self.doc.path), value)
            if not os.path.exists(target):
                self.error("file-not-found", _("{what} file {value} does not exist (looked for {target})").format(what=what, value=value, target=target), path,
                           hint=_("the path is relative to this case file; or write the records inline"))
                return None
            return Source(self.span(path), file=target)
        self.wrong_shape(value, path, _("{what} must be records (a mapping of entity: [records]) or a file path").format(what=what),
                         hint=_("e.g. records: {students: [{id: S001, ...}]}, or records: ../fixtures/school.yaml"))
        return None

    # ---- names the policy must know
    def task(self, value, path) -> str | None:
        name = self.text(value, path, "task")
        if name is None:
            return None
        if name in self.task_names:
            return self.task_names[name]
        self.error("unknown-task", _("unknown task {name}").format(name=name), path,
                   hint=did_you_mean(name, self.task_names, n=3) or _("`rulekit who --list` lists every task"))
        return None

    def party(self, value, path, what: str) -> str | None:
        name = self.text(value, path, what)
        if name is None:
            return None
        for part in name.split("、"):
            if part not in self.parties:
                self.error("unknown-role", _("{what} {part} is not a role or unit of the policy").format(what=what, part=part), path,
                           hint=did_you_mean(part, self.parties, n=2) or _("roles are listed under organization.roles"))
                return None
        return name

    def citation(self, value, path) -> str | None:
        c = self.text(value, path, "citation")
        if c is None:
            return None
        if c not in self.citations:
            ex = self.examples
            self.error("unknown-citation", _("citation {c} is not in the regulation").format(c=c), path,
                       hint=suggest_citation(c, self.citations) or _("citations look like {citation} or {other_citation}").format(citation=ex.citation, other_citation=ex.other_citation))
            return None
        return c

    def via(self, value, path) -> str | None:
        via = self.text(value, path, "via")
        if via is not None and via not in VIAS:
            self.error("unknown-via", _("unknown via {via}").format(via=via), path,
                       hint=did_you_mean(via, VIAS) or "via: " + ", ".join(VIAS))
            return None
        return via

    def when(self, entry, path) -> dt.date | None:
        """`date:` of a who or handover question (`on:` also works)."""
        if "date" in entry and "on" in entry:
            self.error("duplicate-key", _("give `date` or `on`, not both"), path + ("on",), key=True)
        key = "date" if "date" in entry else "on"
        return self.date(entry.get(key), path + (key,), key)
