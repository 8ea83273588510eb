"""docs/records.md: the records reference, generated from the policy's records declaration."""
from __future__ import annotations

from ..records.declaration import Declaration, EntityDecl, FieldDecl, stems_of
from ..records.template import example_value

_TYPE_WORDS = {"string": "text", "int": "whole number", "bool": "yes/no (是/否)", "date": "date (113.09.01 or 2024-09-01)",
               "semester": "semester (113-1)", "academic_year": "academic year (113)",
               "list[string]": "list (、 or ; between items)", "size": "size in bytes (4 MB, 4194304)"}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ref(f: FieldDecl) -> str:
    if not f.ref:
        return ""
    if f.ref == "person":
        return "a person: staff id, role, or office/section"
    return f.ref


def _allowed(f: FieldDecl) -> str:
    parts = []
    if f.values:
        parts.append(", ".join(f.values))
    if f.minimum is not None:
        parts.append(f"≥ {f.minimum}")
    if f.maximum is not None:
        parts.append(f"≤ {f.maximum}")
    return "; ".join(parts)


def _entity(e: EntityDecl) -> list[str]:
    out = [f"## {e.name}" + (f" ({e.zh})" if e.zh else ""), ""]
    if e.description:
        out += [e.description, ""]
    out.append("- file names: " + ", ".join(f"`{s}.csv`" for s in stems_of(e)))
    if e.key:
        out.append(f"- key: `{e.key}`")
    if e.label:
        out.append(f"- shown to staff as: `{e.label}`")
    if e.dated_by:
        out.append(f"- dated by: `{e.dated_by}` (`--as-of` sets aside records dated after it)")
    out += ["", "| field | header | other headers | type | required | refers to | values | example |",
            "|---|---|---|---|---|---|---|---|"]
    for f in e.fields:
        kind = _TYPE_WORDS.get(f.type, f.type) + (" (personal: masked)" if f.personal else "")
        tasks = f" — does {', '.join(f.does)}" if f.does else ""
        out.append("| " + " | ".join(_cell(c) for c in (
            f"`{f.name}`", f.zh, "、".join(f.headers), kind, "yes" if f.required else "",
            _ref(f) + tasks, _allowed(f), example_value(f))) + " |")
    return out + [""]


def render_records_doc(decl: Declaration) -> str:
    sources = ", ".join(f"`{s}`" for s in decl.sources) or "the policy"
    out = ["# Records reference", "",
           f"Generated from {sources} by `rulekit docs records > docs/records.md`; do not edit by hand.",
           "A CSV file's first row names its columns by the header (or an other header) below; a YAML or",
           "JSON file uses the field names. Columns not listed here are ignored (one warning per file);",
           "an empty cell, or a text of only spaces, is a missing value.", ""]
    for e in decl.entities:
        out += _entity(e)
    return "\n".join(out).rstrip("\n") + "\n"
