"""Cross-record checks: every reference to a declared kind with a key names an existing record;
keys are unique."""
from __future__ import annotations

import bisect

from ..diagnostics import ERROR, WARNING, Diagnostic, did_you_mean, sort_key
from .model import RecordSet, default_declaration, entity_infos
from .messages import looks_personal
from ..i18n import _

_FULL_SEARCH = 5000  # above this many ids, suggestions come from ids sharing a prefix


def _suggest(value: str, ordered: list[str]) -> str:
    if len(ordered) <= _FULL_SEARCH:
        return did_you_mean(value, ordered)
    for keep in range(len(value) - 1, 0, -1):  # typos are usually in the last characters
        prefix = value[:keep]
        lo = bisect.bisect_left(ordered, prefix)
        hi = bisect.bisect_right(ordered, prefix + "\U0010ffff")
        if hi > lo:
            if hi - lo > _FULL_SEARCH:
                return ""
            return did_you_mean(value, ordered[lo:hi])
    return ""


def check_references(records: RecordSet) -> list[Diagnostic]:
    """Unknown references and duplicate ids, sorted; all are errors except a warning per
    reference field whose target entity was not loaded at all (it cannot be checked), and
    the warnings of loading (`RecordSet.warnings`)."""
    if getattr(records, "engine", None) is not None:
        from .duckread import references_clean

        if references_clean(records):  # counted over the engine's columns: nothing to say where
            return sorted(records.warnings, key=sort_key)
    diags: list[Diagnostic] = list(records.warnings)
    decl = records.declaration or default_declaration()
    infos = entity_infos(decl)
    targets = decl.ref_targets()
    ids: dict[str, dict[str, int]] = {}
    for target in targets:
        if target not in records.tables:
            continue
        table = records.tables[target]
        key = decl.entity(target).key
        personal = infos[target][key].personal
        first: dict[str, int] = {}
        for i, row in enumerate(table.rows):
            value = row.get(key)
            if value is None:
                continue
            if value in first:
                # a personal id is not quoted; an ID-shaped one is masked when printed (cli.common)
                shown = "" if personal else f" {value}"
                where = table.span_of(first[value], key).location()
                diags.append(Diagnostic(
                    "duplicate-id", _("{target} {key}{shown} is used more than once (first at {where})").format(target=target, key=key, shown=shown, where=where),
                    table.span_of(i, key), ERROR, hint=_("ids must be unique: renumber or remove one record"),
                    field=key))
            else:
                first[value] = i
        ids[target] = first

    for entity in records.entities():
        table = records.tables[entity]
        for name, info in infos[entity].items():
            target = info.type.ref
            if target not in targets or not table.rows:
                continue
            if target not in ids:
                if any(row[name] is not None for row in table.rows):
                    diags.append(Diagnostic(
                        "unchecked-reference", _("{entity}.{name} refers to {target}, but no {target} records were loaded").format(entity=entity, name=name, target=target), table.span_of(0), WARNING, field=name,
                        hint=_("load {target} records too so these references can be checked").format(target=target)))
                continue
            known = ids[target]
            ordered: list[str] | None = None
            hints: dict[str, str] = {}
            for i, row in enumerate(table.rows):
                value = row[name]
                values = value if isinstance(value, tuple) else (value,)
                for v in values:
                    if v is None or v in known:
                        continue
                    if v not in hints:
                        if ordered is None:
                            ordered = sorted(known)
                        secret = info.personal or looks_personal(v)
                        hints[v] = "" if secret else _suggest(v, ordered)
                    shown = "" if info.personal else f" {v}"
                    diags.append(Diagnostic(
                        "unknown-reference", _("{name}{shown} is not an id in {target}").format(name=name, shown=shown, target=target),
                        table.span_of(i, name), ERROR, field=name,
                        hint=hints[v] or _("add {target} record{shown}, or correct the id").format(target=target, shown=shown)))
    return sorted(diags, key=sort_key)
