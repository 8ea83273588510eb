"""Text -> YAML document -> schema findings -> Policy model -> semantic findings.

`load_policy` never raises for a policy that is merely wrong: it returns every
finding of the run with whatever could be built. It raises `RulekitError` only
when there is nothing to build from (missing file, broken YAML).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, errors_in, sort_key
from .model import Policy, PolicyHistory
from ..i18n import _

if TYPE_CHECKING:  # loaded when a policy is read from its file, not on a cache hit
    from ..sourceyaml import Document

DEFAULT_POLICY = "policy/regulation.yaml"


@dataclass(frozen=True)
class LoadedPolicy:
    """A loaded policy file: its latest version (`policy`, `document`), every version
    (`history`, `snapshots`), the file as written (`original`) and every finding."""

    policy: Policy
    document: Document
    diagnostics: tuple[Diagnostic, ...]
    history: PolicyHistory | None = None
    snapshots: tuple = ()  # (Policy, Document) per version, oldest first
    original: Document | None = None

    @property
    def ok(self) -> bool:
        return not errors_in(self.diagnostics)

    def sources(self) -> dict[str, list[str]]:
        return {self.document.path: list(self.document.lines)}


def load_policy(path: str = DEFAULT_POLICY) -> LoadedPolicy:
    from ..sourceyaml import read_text

    return load_policy_text(read_text(path, _("policy file")), path)


def load_policy_text(text: str, path: str) -> LoadedPolicy:
    """Load a policy from text; `path` labels it in findings (a file, or `REV:file` from git).

    Every version the file holds is built and checked on its own (policy/history.py),
    so a finding in a text that is no longer in force is still reported."""
    from ..calendar import to_roc
    from ..sourceyaml import load_text
    from .history import dates_used, history_findings, snapshot, versions

    doc = load_text(text, path)
    used = dates_used(doc.data)  # the document walked once for its dates
    findings = history_findings(doc, used)
    held = versions(doc.data, used)
    dated = bool(used)
    first = to_roc(held[0].since) if held else ""
    version_dates = tuple(v.roc_date for v in held)
    snapshots = []
    for version in held if dated else [None]:
        snap = snapshot(doc, version.since) if version else doc
        policy, more = _build_one(snap, text)
        findings.extend(more)
        snapshots.append((replace(policy, encoded_from=first, version_dates=version_dates), snap))
    history = PolicyHistory(tuple(p for p, __ in snapshots))
    policy, latest_doc = snapshots[-1]
    return LoadedPolicy(policy, latest_doc, tuple(sorted(set(findings), key=sort_key)), history, tuple(snapshots), doc)


def _build_one(doc: Document, text: str) -> tuple[Policy, list[Diagnostic]]:
    from .build import build_policy
    from .checks import run_checks
    from .cost import unbounded_products
    from .schema import schema_findings
    from .wording import literal_numbers, with_rendered_titles

    from .declared import declared_records

    findings = list(schema_findings(doc))
    policy = build_policy(doc, text)
    declaration, found = declared_records(doc)
    findings.extend(found)
    policy = replace(policy, records=declaration)
    findings.extend(run_checks(policy, doc))
    policy, rule_findings = _attach_rules(policy, doc)
    findings.extend(rule_findings)
    findings.extend(unbounded_products(policy, doc))  # needs the rules: not one of CHECKS
    policy, title_findings = with_rendered_titles(policy, doc)
    findings.extend(title_findings)
    findings.extend(literal_numbers(policy, doc))  # reads the rules, so after they are attached
    return policy, findings


def require_history(path: str = DEFAULT_POLICY, rules: bool = True) -> PolicyHistory:
    """For commands that answer questions: every version of a policy without errors;
    a policy with errors is refused, not half-used. `rules=False` is for commands that
    read no rule (`who`): from the cache, the policies come without their rules (`rules == ()`),
    which are most of the work of reading an entry."""
    from ..diagnostics import RulekitError
    from ..files import MAX_FILE_BYTES, read_input
    from . import cache
    from .declared import declaration_current

    key = None
    try:
        key = cache.key_of(path, read_input(path, _("policy file"), MAX_FILE_BYTES))
    except (OSError, TypeError, ValueError, RulekitError):
        pass  # load_policy reports a missing, unreadable, unusable or too large file
    history = cache.load(key, rules) if key else None
    if isinstance(history, PolicyHistory) and declaration_current(history.latest.records):
        return history
    loaded = load_policy(path)
    if not loaded.ok:
        raise RulekitError(errors_in(loaded.diagnostics))
    if key:
        cache.store(key, loaded.history)
    return loaded.history


def require_valid(path: str = DEFAULT_POLICY, on=None) -> Policy:
    """The version in force on `on` (a date; default the latest version) of a policy
    without errors. A date before the text the file knows is refused (`not-encoded`)."""
    from .versions import version_on

    history = require_history(path)
    return history.latest if on is None else version_on(history, on)


def _attach_rules(policy: Policy, doc: Document) -> tuple[Policy, list[Diagnostic]]:
    if not isinstance(doc.data, dict) or not doc.data.get("rules"):
        return policy, []
    from .citations import suggest_citation
    from .rules import load_rules  # the DSL is only loaded for policies that have rules

    types = {"count": "int", "frequency": "int", "duration": "duration", "list": "list[string]",
             "date": "date", "size": "size"}
    params = {name: types[p.type] for name, p in policy.parameters.items() if p.type in types and p.value is not None}
    from ..records.model import entity_types

    rules, findings = load_rules(doc, params, policy_constants_types(policy), entity_types(policy.records))
    findings = [d for d in findings if not _follows_from_broken_entry(d, doc.data)]
    known = policy.citations()
    for rule in rules:
        if rule.citation not in known:
            findings.append(Diagnostic("unknown-citation", _("rule {id} cites {citation}, which does not exist").format(id=rule.id, citation=rule.citation),
                                       doc.span(rule.path + ("citation",)), field="citation",
                                       hint=suggest_citation(rule.citation, known)))
    return replace(policy, rules=tuple(rules)), findings


def _follows_from_broken_entry(d: Diagnostic, data: dict) -> bool:
    """A rule naming a parameter or chain that exists but is broken: the entry's own error says it."""
    declared_params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    subs = data.get("substitutes") if isinstance(data.get("substitutes"), dict) else {}
    chains = subs.get("chains") if isinstance(subs.get("chains"), dict) else {}
    if d.code == "dsl-unknown-param":
        return any(d.message.endswith(f"param.{name}") for name in declared_params)
    if d.code == "dsl-unknown-constant":
        return any(d.message.endswith((f"policy.chain_{t}", f"policy.substitutes_{t}")) for t in chains)
    return False


def policy_constants(policy: Policy) -> dict:
    """Named values of the policy itself that rules may read as `policy.NAME`."""
    wg, org, subs = policy.working_group, policy.organization, policy.substitutes
    constants = {
        "working_group_seats": [s.seat for s in wg.seats] if wg else [],
        "working_group_roles": [s.role for s in wg.seats if s.role] if wg else [],
        "roles": sorted(org.roles),
        # offices the duty table gives work to: each must finish its checks (附表 維護)
        "duty_offices": sorted({name for row in (policy.duty_table.rows if policy.duty_table else ())
                                for name in row.administration
                                if name in org.units and org.units[name].kind == "office"}),
        "duty_units": duty_units(policy),
    }
    for unit in org.units:  # policy.roles_in_教務處: every role sitting in that unit
        constants[f"roles_in_{unit}"] = sorted(r for r in org.roles if unit in org.containers(r)[1:])
        # policy.members_of_教務處: what a record may name for "done by 教務處": the unit, its
        # sections and its roles (a staff id is matched through its roles: roles_in_)
        constants[f"members_of_{unit}"] = [unit] + sorted(
            n for n in (*org.units, *org.roles) if n != unit and unit in org.containers(n)[1:])
    for task, chain in (subs.chains.items() if subs else ()):  # policy.chain_課程認證, policy.substitutes_課程認證
        constants[f"chain_{task}"] = list(chain.roles)
        constants[f"substitutes_{task}"] = list(chain.roles[1:])
    if subs and subs.student:
        constants["student_provision_roles"] = [subs.student.responsible]
    return constants


def duty_units(policy: Policy) -> list[str]:
    """The offices and sections the duty table gives work to, at the level each row names
    them: a row naming 教務處 and its 註冊組 gives the work to 註冊組, a row naming 教務處
    alone to 教務處. Which section belongs to which office is the organization's
    (`sections: {註冊組: {office: 教務處}}`); units are listed in the order it declares them."""
    org = policy.organization
    named = set()
    for row in policy.duty_table.rows if policy.duty_table else ():
        units = [n for n in row.administration if n in org.units and org.units[n].kind in ("office", "section")]
        named.update(n for n in units if not any(n in org.containers(other)[1:] for other in units))
    return [u for u in org.units if u in named]


def policy_constants_types(policy: Policy) -> dict:
    return {name: "list[string]" for name in policy_constants(policy)}
