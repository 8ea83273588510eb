"""Where the regulation disagrees with itself: text vs duty table vs substitute list.

The regulation names who does a task in up to three places (an article, a row of
附表, the 承辦人 of a 七.(一) chain). Two places agree when each party one names is
the same as, inside, or above a party the other names (註冊組長 sits in 註冊組,
which sits in 教務處). Disagreements are warnings with both citations: the tool
reports, the working group decides.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from ..diagnostics import WARNING, Diagnostic
from .model import Organization, Policy
from ..sourceyaml import Document
from ..i18n import _

CONFLICT = "responsibility-conflict"  # an unsettled disagreement nobody has acknowledged: --strict fails
KNOWN_CONFLICT = "known-conflict"  # acknowledged under known_conflicts, awaiting an amendment


def _related(a: str, b: str, org: Organization) -> bool:
    return a == b or b in org.containers(a) or a in org.containers(b)


def _covers(these: Iterable[str], those: Iterable[str], org: Organization) -> bool:
    those = list(those)
    return all(any(_related(x, y, org) for y in those) for x in these)


def agree(a: Iterable[str], b: Iterable[str], org: Organization) -> bool:
    a, b = list(a), list(b)
    return _covers(a, b, org) and _covers(b, a, org)


def statements(policy: Policy, task: str) -> list[tuple[str, tuple[str, ...], str, tuple]]:
    """(citation, parties, scope, yaml path) for every place naming who does `task`."""
    out = [(st.citation, st.parties, st.scope, st.path) for st in policy.tasks[task].stated_in if st.parties]
    chain = policy.substitutes.chains.get(task) if policy.substitutes else None
    if chain:
        out.append((chain.citation, (chain.primary,), "", chain.path + (0,)))
    return out


def text_table_conflicts(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """One warning per pair of places that name different parties for one task."""
    org = policy.organization
    known = {(k.task, frozenset(k.citations)): k for k in policy.known_conflicts}
    seen: set = set()
    for task in policy.tasks:
        places = statements(policy, task)
        for i, (cit_a, parties_a, scope_a, __) in enumerate(places):
            for cit_b, parties_b, scope_b, path_b in places[i + 1:]:
                if (scope_a and scope_b and scope_a != scope_b) or agree(parties_a, parties_b, org):
                    continue
                message = _("{task}: {cit_a} names {parties_a} but {cit_b} names {parties_b}").format(task=task, cit_a=cit_a, parties_a='、'.join(parties_a), cit_b=cit_b, parties_b='、'.join(parties_b))
                key = (task, frozenset((cit_a, cit_b)))
                seen.add(key)
                if key in known:
                    yield Diagnostic(KNOWN_CONFLICT, message + _(" (known, awaiting an amendment)"), doc.span(path_b),
                                     severity=WARNING, field=task, related=(cit_a, cit_b),
                                     hint=known[key].note or _("listed under known_conflicts; settle it by an amendment"))
                    continue
                yield Diagnostic(
                    CONFLICT, message, doc.span(path_b), severity=WARNING, field=task, related=(cit_a, cit_b),
                    hint=_("the regulation disagrees with itself; the working group should amend one of them "
                         "(or list it under known_conflicts until then)"))
    for (task, citations), entry in known.items():
        if (task, citations) not in seen:
            yield Diagnostic("stale-known-conflict", _("known_conflicts lists {task} ({citations}), but these places no longer disagree").format(task=task, citations='、'.join(entry.citations)), doc.span(entry.path), severity=WARNING, field=task,
                             hint=_("the disagreement was settled: remove this entry"))


def same_person_substitutes(policy: Policy, roster, on) -> Iterator[Diagnostic]:
    """With a roster: a 代理人 who is the same person as the 承辦人 is no substitute."""
    if not policy.substitutes:
        return
    for chain in policy.substitutes.chains.values():
        holders = [{p.id for p in roster.holders(role, on)} for role in chain.roles]
        first = holders[0]
        for role, people in zip(chain.roles[1:], holders[1:]):
            both = sorted(first & people)
            if both:
                yield Diagnostic("same-person-substitute",
                                 _("{task}: {both} holds both {primary} and its substitute {role}").format(task=chain.task, both='、'.join(both), primary=chain.primary, role=role),
                                 roster.span, severity=WARNING, field=chain.task, related=(chain.citation,),
                                 hint=_("when this person is away nobody substitutes; name another person for one post"))


def unheld_chain_roles(policy: Policy, roster, on) -> Iterator[Diagnostic]:
    """With a roster: a chain role nobody holds makes the chain shorter than it looks."""
    if not policy.substitutes:
        return
    for chain in policy.substitutes.chains.values():
        for role in chain.roles:
            spec = policy.organization.roles.get(role)
            if spec and spec.per:  # held per course/class: checked against the records, not the roster
                continue
            if not roster.holders(role, on, active_only=False):
                yield Diagnostic("unheld-role", _("{task}: no one in the roster holds {role}").format(task=chain.task, role=role),
                                 roster.span, severity=WARNING, field=chain.task, related=(chain.citation,),
                                 hint=_("add the person who is {role} to the roster, or amend {citation}").format(role=role, citation=chain.citation))
