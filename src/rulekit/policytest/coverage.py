"""Which rules, citations and substitute chains a run's cases exercise."""
from __future__ import annotations

from dataclasses import dataclass

from ..policy.model import Policy
from ..evaluator.result import STATUSES


@dataclass(frozen=True)
class Coverage:
    rules: dict  # rule id -> {"citation", "statuses", "cases"}
    untested_rules: tuple
    citations: dict  # citation -> number of cases
    unexercised_citations: tuple
    chains: dict  # task -> {"present": n, "absent": n}

    def to_json(self) -> dict:
        return {"rules": {rid: {**info, "statuses": list(info["statuses"])} for rid, info in self.rules.items()},
                "untested_rules": list(self.untested_rules),
                "citations": self.citations, "unexercised_citations": list(self.unexercised_citations),
                "chains": self.chains}


def encoded_citations(policy: Policy) -> list[str]:
    """Citations something testable was encoded from: the rules, the substitute list and its provisions."""
    out = [r.citation for r in policy.rules]
    subs = policy.substitutes
    if subs:
        out.append(subs.citation)
        if subs.teacher:
            out += [subs.teacher.cannot_assist_citation, subs.teacher.can_assist_citation]
        if subs.student:
            out.append(subs.student.citation)
    return list(dict.fromkeys(c for c in out if c))


def coverage_of(policy: Policy, results) -> Coverage:
    rules = {r.id: {"citation": r.citation, "statuses": set(), "cases": 0} for r in policy.rules}
    citations = {c: 0 for c in encoded_citations(policy)}
    subs = policy.substitutes
    chains = {t: {"present": 0, "absent": 0} for t in (subs.chains if subs else ())}
    for res in results:
        seen_rules, seen_cites, seen_chains = _exercised(res, rules, subs)
        for rid in seen_rules:
            rules[rid]["cases"] += 1
        for c in seen_cites & citations.keys():
            citations[c] += 1
        for task, state in seen_chains:
            if task in chains:
                chains[task][state] += 1
    order = {s: i for i, s in enumerate(STATUSES)}
    for info in rules.values():
        info["statuses"] = tuple(sorted(info["statuses"], key=order.get))
    return Coverage(rules, tuple(rid for rid, info in rules.items() if not info["cases"]), citations,
                    tuple(c for c, n in citations.items() if not n), chains)


def _exercised(result, rules: dict, subs) -> tuple[set, set, set]:
    """The rules, citations and (task, present | absent) one case exercises; adds the statuses seen to `rules`."""
    seen_rules, seen_cites, seen_chains = set(), set(), set()
    for v in result.verdicts:
        for rid, status in v.rules:
            if rid in rules:
                rules[rid]["statuses"].add(status)
                seen_rules.add(rid)
        seen_cites.update(v.citations)
        if v.chains and subs:
            seen_cites.add(subs.citation)
        seen_chains.update(v.chains)
    return seen_rules, seen_cites, seen_chains
