"""`rulekit show CITATION`: an article's text beside everything encoded from it.

So an editor can hold the paper original next to the screen and tick off each
number, duty row and substitute chain.
"""
from __future__ import annotations

from dataclasses import dataclass


from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _
from .citations import suggest_citation
from .model import DutyRow, Parameter, Policy, Provision, SubstituteChain


def _under(citation: str, prefix: str) -> bool:
    return citation == prefix or citation.startswith(prefix + ".")


@dataclass(frozen=True)
class ProvisionView:
    citation: str
    provision: Provision | None
    parameters: tuple[Parameter, ...]
    duty_rows: tuple[DutyRow, ...]
    chains: tuple[SubstituteChain, ...]
    tasks: tuple[tuple[str, str, tuple[str, ...]], ...]  # (task, citation, parties)
    rules: tuple = ()
    special: tuple[str, ...] = ()  # the teacher and student provisions, in words
    chains_title: str = ""

    def to_json(self) -> dict:
        return {
            "citation": self.citation,
            "text": [{"id": p.id, "heading": p.heading, "text": p.text} for p in self.provision.walk()] if self.provision else [],
            "parameters": [{"name": p.name, "type": p.type, "value": p.value if p.numeric else p.shown(), "unit": p.unit, "bound": p.bound,
                            "per": p.per or None, "citation": p.citation, "quote": p.quote} for p in self.parameters],
            "duty_rows": [{"id": r.id, "category": r.category, "content": r.content, "work_item": r.work_item,
                           "administration": list(r.administration), "parts": dict(r.parts), "remarks": r.remarks}
                          for r in self.duty_rows],
            "chains": [{"task": c.task, "roles": list(c.roles)} for c in self.chains],
            "tasks": [{"task": t, "citation": c, "parties": list(p)} for t, c, p in self.tasks],
            "rules": [{"id": r.id, "citation": r.citation} for r in self.rules],
            "provisions": list(self.special),
        }


def provision_view(policy: Policy, citation: str) -> ProvisionView:
    known = policy.citations()
    if citation not in known:
        raise UsageError([Diagnostic("unknown-citation", _("citation {citation} does not exist in {path}").format(citation=citation, path=policy.path),
                                     Span(policy.path), hint=suggest_citation(citation, known) or
                                     _("citations look like {examples}").format(examples=policy.example_citations()))])
    subs = policy.substitutes
    chains = tuple(subs.chains.values()) if subs and _under(subs.citation, citation) else ()
    rows = tuple(r for r in (policy.duty_table.rows if policy.duty_table else ()) if _under(r.id, citation))
    params = tuple(p for p in policy.parameters.values()
                   if _under(p.citation, citation) or any(_under(c, citation) for c in p.also_cited))
    tasks = tuple((t.name, st.citation, st.parties) for t in policy.tasks.values() for st in t.stated_in
                  if _under(st.citation, citation))
    rules = tuple(r for r in policy.rules if _under(r.citation, citation))
    return ProvisionView(citation, policy.provisions.get(citation), params, rows, chains, tasks, rules,
                         tuple(_special(policy, citation)), subs.title if subs else "")


def _special(policy: Policy, citation: str):
    subs = policy.substitutes
    if not subs:
        return
    t = subs.teacher
    if t and _under(t.cannot_assist_citation, citation):
        yield _("{cannot_assist_citation}: {role} cannot assist -> {task} passes along the {citation} chain").format(cannot_assist_citation=t.cannot_assist_citation, role=t.role, task=t.task, citation=subs.citation)
    if t and _under(t.can_assist_citation, citation):
        yield _("{can_assist_citation}: a departed {role} who can still assist stays responsible for {task}").format(can_assist_citation=t.can_assist_citation, role=t.role, task=t.task)
    s = subs.student
    if s and _under(s.citation, citation):
        yield f"{s.citation}: {s.task} by {s.responsible} ({s.applies_to})"
