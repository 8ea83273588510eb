"""docs/records.md: the records reference, generated from the policy's records declaration."""
from __future__ import annotations

from ..i18n import N_, _
from ..records.declaration import Declaration, EntityDecl, FieldDecl, stems_of
from ..records.template import example_value

_TYPE_WORDS = {"string": N_("text"), "int": N_("whole number"), "bool": N_("yes/no (是/否)"),
               "date": N_("date (113.09.01 or 2024-09-01)"), "semester": N_("semester (113-1)"),
               "academic_year": N_("academic year (113)"), "list[string]": N_("list (、 or ; between items)"),
               "size": N_("size in bytes (4 MB, 4194304)")}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ref(f: FieldDecl) -> str:
    if not f.ref:
        return ""
    if f.ref == "person":
        return _("a person: staff id, role, or office/section")
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
    out.append("- " + _("file names: {names}").format(names=", ".join(f"`{s}.csv`" for s in stems_of(e))))
    if e.key:
        out.append("- " + _("key: `{key}`").format(key=e.key))
    if e.label:
        out.append("- " + _("shown to staff as: `{label}`").format(label=e.label))
    if e.dated_by:
        out.append("- " + _("dated by: `{field}` (`--as-of` sets aside records dated after it)").format(field=e.dated_by))
    headers = [_("field"), _("header"), _("other headers"), _("type"), _("required"), _("refers to"), _("values"),
               _("example")]
    out += ["", "| " + " | ".join(headers) + " |", "|---|---|---|---|---|---|---|---|"]
    for f in e.fields:
        kind = (_(_TYPE_WORDS[f.type]) if f.type in _TYPE_WORDS else f.type) + (_(" (personal: masked)") if f.personal else "")
        tasks = _(" — does {tasks}").format(tasks=", ".join(f.does)) if f.does else ""
        out.append("| " + " | ".join(_cell(c) for c in (
            f"`{f.name}`", f.zh, "、".join(f.headers), kind, _("yes") if f.required else "",
            _ref(f) + tasks, _allowed(f), example_value(f))) + " |")
    return out + [""]


def render_records_doc(decl: Declaration) -> str:
    sources = ", ".join(f"`{s}`" for s in decl.sources) or _("the policy")
    out = ["# " + _("Records reference"), "",
           _("Generated from {sources} by `rulekit --lang en docs records > docs/records.md`; do not edit by hand.").format(
               sources=sources),
           _("A CSV file's first row names its columns by the header (or an other header) below; a YAML or\n"
             "JSON file uses the field names. Columns not listed here are ignored (one warning per file);\n"
             "an empty cell, or a text of only spaces, is a missing value."), ""]
    for e in decl.entities:
        out += _entity(e)
    return "\n".join(out).rstrip("\n") + "\n"
