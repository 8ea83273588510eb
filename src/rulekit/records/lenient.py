"""Where records are read leniently: blank text is a missing value, undeclared fields are set aside.

Real exports carry columns rulekit does not use and cells of spaces; neither is a
reason to refuse a file. `validate.from_records` and `validate.finish` call these.
"""
from __future__ import annotations

import difflib

from ..diagnostics import WARNING, Diagnostic, Span
from ..i18n import _


def blank_is_missing(columns: dict, records: list, missing) -> None:
    """A text of nothing or only spaces is a missing value, as an empty CSV cell is."""
    for name, col in columns.items():
        try:
            blanks = {v for v in set(col) if isinstance(v, str) and not v.strip()}
        except TypeError:  # lists: a list is never blank text
            continue
        if not blanks:
            continue
        for i, v in enumerate(col):
            if isinstance(v, str) and v in blanks:
                col[i] = missing
                rec = records[i]
                if isinstance(rec, dict) and name in rec:
                    records[i] = {k: x for k, x in rec.items() if k != name}


def ignored_fields(raw: RawTable) -> list[Diagnostic]:  # noqa: F821 - validate.RawTable (it imports this module)
    """One warning per file naming the fields (or columns) it has that are not declared."""
    if not raw.ignored:
        return []
    names = ", ".join(raw.ignored)
    return [Diagnostic("ignored-columns", _("{entity} in this file has fields that are not declared, "
                                            "ignored: {names}").format(entity=raw.entity, names=names),
                       Span(raw.file, row=raw.csv_header) if raw.kind == "csv" else Span(raw.file), WARNING,
                       hint=_("declare them in the policy's records to use them in rules"))]


def misnamed(name: str, aliases, ignored) -> str:
    """A hint when a required field is missing and a set-aside column looks like it: `姓明` for 姓名."""
    for label in ignored:
        close = difflib.get_close_matches(str(label), [name, *aliases], n=1, cutoff=0.5)
        if close:
            return _("{label} is not a field of this file and was ignored: did you mean {close}?").format(
                label=label, close=close[0])
    return ""
