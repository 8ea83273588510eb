"""Keys in records spelt one way: ids, references and enumerated values through `normalize_key`.

Two exports of one school disagree in invisible ways: a full-width ＳＯＯ１, a
zero-width space pasted with an id, a Kangxi radical in a role. Each such value
is read as its normal form, with a warning at the cell saying what changed, so
that the same student is one student. A control character in a key is damage
(an id with a NUL looks like another id on screen): an error, and the cell is
treated as empty so that it causes no second, puzzling finding.
"""
from __future__ import annotations

import functools
from typing import Callable

from ..diagnostics import WARNING, Diagnostic
from ..textnorm import char_name, control_char, normalize_key, what_changed
from .model import FieldInfo, entity_infos
from ..i18n import _

Report = Callable[[int, Diagnostic], None]


@functools.cache
def key_fields(decl, entity: str) -> tuple[FieldInfo, ...]:
    """Fields whose values are compared with other values: keys, references, enumerations."""
    key = decl.entity(entity).key if decl is not None and decl.entity(entity) else "id"
    return tuple(info for name, info in entity_infos(decl)[entity].items()
                 if name == key or info.type.ref or info.enum)


def _plain(value: str) -> bool:
    """Already normal, cheaply: printable ASCII without surrounding spaces."""
    return value.isascii() and value.isprintable() and value.strip() == value


def _odd(value: str) -> bool:
    """Changed by normalisation, or holding a control character."""
    return not _plain(value) and (normalize_key(value) != value or control_char(value) is not None)


def _all_plain(values: set) -> bool:
    """`_plain` for every text in `values`, tested on all of them joined (a million ids: one
    pass in C instead of a million calls)."""
    try:
        joined = "".join(values)
    except TypeError:  # MISSING, or a number from JSON
        joined = "".join(v for v in values if isinstance(v, str))
    return joined.isascii() and joined.isprintable() and " " not in joined


def normalise_keys(raw, report: Report) -> dict[str, set[int]]:
    """Normalise the key columns of `raw` in place; the cells to treat as empty, by field."""
    unusable: dict[str, set[int]] = {}
    for info in key_fields(raw.decl, raw.entity):
        col = raw.columns.get(info.name)
        if not col:
            continue
        try:
            distinct = set(col)  # ids repeat in every reference: look at each text once
        except TypeError:  # lists (roles): row by row
            distinct = None
        if distinct is not None:
            if _all_plain(distinct):
                continue
            odd = {v for v in distinct if isinstance(v, str) and _odd(v)}  # 校內 is not odd
            if not odd:
                continue
        new = list(col)
        for i, value in enumerate(col):
            if isinstance(value, str) and (value in odd if distinct is not None else _odd(value)):
                new[i] = _one(raw, i, info, value, (), report, unusable)
            elif isinstance(value, list) and any(_odd(x) for x in value if isinstance(x, str)):
                new[i] = [_one(raw, i, info, x, (k,), report, unusable) if isinstance(x, str) else x
                          for k, x in enumerate(value)]
            if new[i] is not value:
                _keep_in_record(raw, i, info.name, new[i])
        raw.columns[info.name] = new
    return unusable


def _one(raw, i: int, info: FieldInfo, value: str, inner: tuple, report: Report,
         unusable: dict[str, set[int]]) -> str:
    where = raw.locate(i, info.name, False, inner) if inner else raw.locate(i, info.name, False)
    bad = control_char(value)
    if bad is not None:
        unusable.setdefault(info.name, set()).add(i)
        report(i, Diagnostic(
            "control-character", _("{name} contains the control character {bad}").format(name=info.name, bad=char_name(bad)), where,
            hint=_("remove it: it is invisible on screen, so the value looks like another one"), field=info.name))
        return value
    normal = normalize_key(value)
    if normal == value:
        return value
    reason = what_changed(value, normal)
    shown = "" if info.personal else f" as {normal}"
    report(i, Diagnostic(
        "normalised-value", f"{info.name} read{shown}: {reason}", where, WARNING, field=info.name,
        hint=_("write it as {normal} in the file, so every file spells it the same way").format(normal=normal) if not info.personal
        else _("retype the value in plain characters")))
    return normal


def _keep_in_record(raw, i: int, name: str, value) -> None:
    """The mapping jsonschema sees for a flagged row holds the normalised value too."""
    for rows in (raw.records, raw.originals):
        if rows is None:
            continue
        try:
            rec = rows[i]
        except (IndexError, KeyError):
            continue
        if isinstance(rec, dict) and name in rec:
            rows[i] = {**rec, name: value}
