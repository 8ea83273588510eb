"""Empty records files staff fill in: the declared Chinese headers and one example row.

`write_template(decl, folder, "csv")` writes one file per declared kind of record.
A format is one function from (declaration, entity) to the file's bytes: an Excel
writer (`xlsx`) is one more entry in `WRITERS`.
"""
from __future__ import annotations

import csv
import io
import os
from typing import Callable

from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _
from .declaration import Declaration, EntityDecl, FieldDecl

# What an example cell holds when the declaration gives no `example:`: a value of the type.
_SAMPLES = {"date": "113.09.01", "semester": "113-1", "academic_year": "113", "int": "1", "bool": "是",
            "size": "4 MB", "list[string]": "", "string": ""}


def example_value(f: FieldDecl) -> str:
    """The example cell of field `f`: its declared example, else its first value, else a sample of its type."""
    if f.example:
        return f.example
    if f.values:
        return f.values[0]
    if f.minimum is not None and f.type == "int":
        return str(int(f.minimum) if f.minimum >= 1 else 1) if f.maximum is None or f.maximum >= 1 else str(f.minimum)
    return _SAMPLES.get(f.type, "")


def header(f: FieldDecl) -> str:
    """The column header staff see: the field's Chinese name, else its name."""
    return f.zh or f.name


def csv_bytes(e: EntityDecl) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header(f) for f in e.fields])
    writer.writerow([example_value(f) for f in e.fields])
    # UTF-8 with a BOM: Excel on Windows then opens the Chinese headers as written
    return ("\ufeff" + out.getvalue()).encode("utf-8")


WRITERS: dict[str, tuple[str, Callable[[EntityDecl], bytes]]] = {"csv": (".csv", csv_bytes)}


def file_name(e: EntityDecl, ext: str) -> str:
    """Named so the loader reads it back as `e` (a Chinese name is one of its file names)."""
    return (e.zh or e.name) + ext


def write_template(decl: Declaration, folder: str, fmt: str = "csv") -> list[str]:
    """Write one file per kind of record into `folder` (made if missing); the paths written.
    Refuses, writing nothing, if any of them exists already."""
    ext, make = WRITERS[fmt]
    paths = [(os.path.join(folder, file_name(e, ext)), e) for e in decl.entities]
    taken = [p for p, _e in paths if os.path.lexists(p)]
    if taken:
        raise UsageError([Diagnostic("file-exists", _("{path} exists already; template writes only new files").format(
            path=p), Span(p), hint=_("choose an empty folder, or move the existing files away")) for p in taken])
    os.makedirs(folder, exist_ok=True)
    for path, e in paths:
        with open(path, "xb") as fh:  # "x": never replace a file made since the check above
            fh.write(make(e))
    return [p for p, _e in paths]
