"""Findings as users read them: jsonschema errors turned into located Diagnostics.

jsonschema's own messages quote the offending value (`'A123456789' is not of type
'integer'`); these are rewritten per keyword so that each kind of mistake gets a hint
saying how to fix it, and a value of a field marked x-personal is never quoted. A
national ID elsewhere (a shifted CSV column) is quoted as written: everything a command
prints is masked on the way out (`cli.common`), unless `--show-personal-data`.
"""
from __future__ import annotations

import re
from typing import Any

from ..diagnostics import Diagnostic, did_you_mean
from ..textnorm import normalize_key
from .lenient import misnamed
from .model import ACADEMIC_YEAR, DATE, SEMESTER, FieldInfo, entity_infos
from ..i18n import N_, _

BOOL_FORMS = "true/false, yes/no, 是/否, Y/N, 1/0, ✓"


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPE_WORDS = {"string": N_("text"), "integer": N_("a whole number"), "number": N_("a number"),
               "boolean": N_("true or false"), "array": N_("a list"), "object": N_("a mapping"),
               "null": N_("nothing")}
_XTYPE_WORDS = {DATE: N_("a date"), SEMESTER: N_("a semester such as 113-1"),
                ACADEMIC_YEAR: N_("an academic year such as 113")}


# A Taiwanese national id or resident certificate number, e.g. in a shifted CSV column:
# its finding says what probably happened, and a did-you-mean never lists other IDs.
_NATIONAL_ID = re.compile(r"[A-Z][12489A-D][0-9]{8}")


def looks_personal(value: Any) -> bool:
    """An ID in any case and width (ａ１２３... is one too: `personal.mask_ids` masks it)."""
    return isinstance(value, str) and _NATIONAL_ID.search(normalize_key(value).upper()) is not None


def describe(value: Any, personal: bool = False) -> str:
    """A value as a message shows it; the value of a personal field is left out."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number" if personal else _("the number {value}").format(value=value)
    if isinstance(value, str):
        return "text" if personal else f"text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _quoted(value: Any, personal: bool) -> str:
    """` 'value'` to follow a field's name in a message, or nothing for a personal field."""
    return "" if personal else f" '{value}'"


def _type_hint(expected: list[str], value: Any, kind: str, personal: bool) -> str:
    if expected == ["boolean"]:
        return _("write one of: {BOOL_FORMS}").format(BOOL_FORMS=BOOL_FORMS) if kind == "csv" else _("write true or false")
    if "string" in expected and is_number(value):
        # A hint never shows what was not written: a JSON integer prints as written, but a number
        # in a YAML table comes from a document read with YAML 1.1 types (a policy test case file),
        # where 0110101 became 36929.
        if personal or kind not in ("json", "jsonl") or not isinstance(value, int):
            return _("put the value in quotes")
        return _('put it in quotes: "{value}"').format(value=value)
    if expected == ["integer"] and isinstance(value, str):
        if kind in ("json", "jsonl") and value.strip().lstrip("+-").isascii() \
                and value.strip().lstrip("+-").isdigit():
            return _("remove the quotes around the number")
        return _("write a whole number, e.g. 2")
    if expected == ["array"]:
        return _("write a list, e.g. [a, b]")
    return ""


def translate(err, raw, i: int, seen: set) -> list[Diagnostic]:
    """One jsonschema error on row i of `raw` (a validate.RawTable) as Diagnostics,
    leaving out what `seen` says was already reported for that row."""
    infos = entity_infos(raw.decl)[raw.entity]
    path = list(err.absolute_path)
    name = str(path[0]) if path else None
    info: FieldInfo | None = infos.get(name) if name else None
    personal = bool(info and info.personal)
    v = err.validator
    out: list[Diagnostic] = []

    def add(code, message, fname, span, hint=""):
        if (code, fname) not in seen:
            seen.add((code, fname))
            out.append(Diagnostic(code, message, span, hint=hint, field=fname or ""))

    if v == "required" and not path:
        for prop in err.validator_value:
            if prop in err.instance or prop in raw.unchecked:
                continue
            if raw.kind == "csv":
                add("missing-field", _("required field {prop} is empty").format(prop=prop), prop, raw.locate(i, prop, False),
                    hint=_("fill in the {prop} column").format(prop=prop))
            else:
                known = infos.get(prop)
                add("missing-field", _("missing required field {prop}").format(prop=prop), prop, raw.locate(i, None, False),
                    hint=misnamed(prop, known.aliases if known else (), raw.ignored) or _("add {prop}: to this record").format(prop=prop))
        return out
    if v == "additionalProperties" and not path:
        for extra in sorted((k for k in err.instance if k not in infos), key=str):
            alias_of = [f for f, fi in infos.items() if extra in fi.aliases]
            if alias_of:
                hint = _("write it as {alias_of} ({extra} is accepted only as a CSV column header)").format(alias_of=alias_of[0], extra=extra)
            else:
                hint = did_you_mean(extra, infos) or _("fields of {entity}: {infos}").format(entity=raw.entity, infos=', '.join(infos))
            add("unknown-field", _("unknown field {extra} in {entity}").format(extra=extra, entity=raw.entity), str(extra),
                raw.locate(i, str(extra), True), hint=hint)
        return out
    span = raw.locate(i, name, False, tuple(path[1:]))
    value = err.instance
    what = name or raw.entity
    if len(path) > 1:
        what = _("item {path} of {name}").format(path=int(path[1]) + 1, name=name) if isinstance(path[1], int) else f"{name}.{path[1]}"
    if v == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = _(_XTYPE_WORDS[info.type.name]) if info and info.type.name in _XTYPE_WORDS and len(path) == 1 else None
        words = words or _(" or ").join(_(_TYPE_WORDS[t]) if t in _TYPE_WORDS else t for t in expected)
        add("wrong-type", _("{what} must be {words}, got {personal}").format(what=what, words=words, personal=describe(value, personal)), name, span,
            hint=_type_hint(expected, value, raw.kind, personal))
    elif v == "enum":
        allowed = [str(e) for e in err.validator_value]
        close = "" if personal or looks_personal(value) or not isinstance(value, str) \
            else did_you_mean(value, allowed)
        hint = (close + " " if close else "") + "allowed: " + ", ".join(allowed)
        add("invalid-value", _("{what}{personal} is not one of the allowed values").format(what=what, personal=_quoted(value, personal)),
            name, span, hint=hint)
    elif v in ("minimum", "maximum"):
        low, high = (info.minimum, info.maximum) if info and len(path) == 1 else (None, None)
        bound = _("below the minimum") if v == "minimum" else _("above the maximum")
        if low is not None and high is not None:
            hint = _("{what} must be between {low} and {high}").format(what=what, low=low, high=high)
        else:
            hint = _("{what} must be {most} {validator_value}").format(what=what, most=_('at least') if v == 'minimum' else _('at most'), validator_value=err.validator_value)
        shown = "" if personal else f" {value}"
        add("out-of-range", _("{what}{shown} is {bound} {limit}").format(what=what, shown=shown, bound=bound,
                                                                      limit=err.validator_value), name, span, hint=hint)
    elif v == "pattern":
        add("invalid-format", _("{what}{personal} does not have the expected form").format(what=what, personal=_quoted(value, personal)),
            name, span, hint=_("it must match the pattern {validator_value}").format(validator_value=err.validator_value))
    else:
        message = _("{what} is not valid ({v})").format(what=what, v=v) if personal else f"{what}: {err.message}"
        add("invalid-value", message, name, span)
    return out
