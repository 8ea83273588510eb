"""Records that are not all there: kinds of record missing from a run, and how subjects are named.

`rulekit check students.csv` is given one kind of record of the many the policy
declares. A rule reading a kind that was not given cannot be judged: an empty
working group is not a working group with no members. Such a rule's results are
`not_determinable` (one per subject it has, or one for the rule when it ranges
over the missing kind itself), and one warning names the missing kinds once.
"""
from __future__ import annotations

from ..diagnostics import WARNING, Diagnostic, Span
from ..dsl import ast as A
from ..i18n import _
from ..records.declaration import format_label
from .result import Result

NOT_DETERMINABLE = "not_determinable"


def kinds_read(rule, kinds) -> set[str]:
    """The kinds of record `rule` ranges over or reads (an aggregate's source, a lookup)."""
    used = {collection for _, collection in rule.for_each if collection in kinds}
    used.update(n.name for n in rule.nodes() if isinstance(n, A.Var) and n.name in kinds)
    return used


def missing_kinds(policy, records) -> list[str]:
    """Declared kinds of record the run was not given, in declaration order."""
    decl = policy.records
    if not decl.entities or not getattr(records, "whole", False):
        return []  # a policy test case's records are the few it needs: nothing is missing
    return [name for name in decl.names() if name not in records.tables]


def set_aside(rules, results, missing: list[str], source: str) -> tuple[list, list[Diagnostic]]:
    """Results of rules that read a missing kind become not determinable; the one warning."""
    lacking = {rule.id: sorted(kinds_read(rule, missing)) for rule in rules}
    lacking = {rid: kinds for rid, kinds in lacking.items() if kinds}
    if not lacking:  # a kind no rule reads is not missed
        return list(results), []
    missing = [kind for kind in missing if any(kind in kinds for kinds in lacking.values())]
    out, seen = [], set()
    for r in results:
        kinds = lacking.get(r.rule)
        if not kinds or r.status == "not_applicable":
            out.append(r)
            continue
        seen.add(r.rule)
        out.append(r.undeterminable(_("cannot be determined: no {kinds} records were given").format(
            kinds=", ".join(kinds))))
    for rule in rules:  # a rule ranging over a missing kind has no subjects: say so once
        if rule.id in lacking and rule.id not in seen:
            out.append(_undeterminable(rule.id, rule.citation, rule.severity, {}, lacking[rule.id]))
    warning = Diagnostic(
        "missing-records", _("these kinds of record were not given: {kinds}; the {n} rules that read them "
                             "are reported as not determinable").format(kinds=", ".join(missing), n=len(lacking)),
        Span(source), WARNING, hint=_("give the folder holding every kind of record, or use --rule for the "
                                      "rules these records can answer"))
    return out, [warning]


def without_columns(rules, results, records) -> list:
    """Results about a row of a file that has no column for a field the rule reads of it (an
    export without 地點, say) become not determinable, the row named: an absent column is not
    an empty value."""
    lacking = {}
    for rule in rules:
        for var, kind in rule.for_each:
            table = records.tables.get(kind) if hasattr(records, "tables") else None
            if table is None or not table.missing_columns:
                continue
            read = {n.name for n in rule.nodes()
                    if isinstance(n, A.Field) and isinstance(n.obj, A.Var) and n.obj.name == var}
            fields = sorted(read & set(table.missing_columns))
            if fields:
                positions = {id(row): i for i, row in enumerate(table.rows)}
                lacking.setdefault(rule.id, []).append((var, table, fields, positions))
    if not lacking:
        return list(results)
    out = []
    for r in results:
        found = _row_without(r, lacking.get(r.rule, ())) if r.status != "not_applicable" else None
        out.append(r if found is None else r.undeterminable(found))
    return out


def _row_without(result, lacking) -> str | None:
    bound = result.bindings() if lacking else {}
    for var, table, fields, positions in lacking:
        row = bound.get(var)
        if not isinstance(row, dict):
            continue
        index = positions.get(id(row))
        where = table.span_of(index).location() if index is not None else table.entity
        return _("cannot be determined: {where} has no {fields} (the file has no such column)").format(
            where=where, fields=", ".join(fields))
    return None


def _undeterminable(rule: str, citation: str, severity: str, subject: dict, kinds: list[str]) -> Result:
    message = _("cannot be determined: no {kinds} records were given").format(kinds=", ".join(kinds))
    return Result(rule, citation, NOT_DETERMINABLE, subject, message, severity, {})


def subject_label(decl, kinds: dict, result) -> str | None:
    """How staff see the record a result is about (its kind's declared `label`), or None.
    `kinds`: the rule's for_each, variable -> kind of record."""
    for var, value in result.bindings().items():
        if isinstance(value, dict) and decl.entity(kinds.get(var, "")) is not None:
            return format_label(decl, kinds[var], value)
    return None
