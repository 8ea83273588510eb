"""Workbooks (.xlsx, .xls, .ods) as school offices export them: one sheet, one entity.

Each sheet becomes the same rows of text cells a CSV file gives, so headers, aliases,
conversions and findings are the CSV reader's (`csvfile.table_of_rows`); positions are
the sheet's own rows and columns, in a file named `book.xlsx[sheet]`. What a spreadsheet
stores differently from text is turned back into what the school typed: a whole number
Excel keeps as a float (1100101.0) is `1100101`, a date cell is its ISO date.
"""
from __future__ import annotations

import datetime as dt
import io
import math

from ..diagnostics import Diagnostic, Span
from ..files import read_input
from ..i18n import _
from .csvfile import table_of_rows
from .validate import RawTable

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")


def sheet_file(path: str, sheet: str) -> str:
    """How findings name a sheet: `學生資料.xlsx[students]`."""
    return f"{path}[{sheet}]"


def open_workbook(path: str) -> tuple[object | None, list[Diagnostic]]:
    """The workbook at `path` (read as a regular file, like every input), or one finding saying
    why it cannot be read: damaged, encrypted, or not a workbook at all."""
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        data = read_input(path, _("records file"))
    except OSError as exc:
        return None, [Diagnostic("unreadable", _("cannot read {file}: {reason}").format(
            file=path, reason=exc.strerror), Span(path), hint=_("check the file's permissions"))]
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data)), []
    except PasswordError:
        return None, [Diagnostic("workbook-protected", _("{file} is protected by a password").format(file=path),
                                 Span(path), hint=_("save a copy without the password, or export the sheets as CSV"))]
    except Exception as exc:  # noqa: BLE001 - CalamineError, ZipError, XmlError, ...: they vary by version and format
        return None, [_unreadable_workbook(path, exc)]


def _unreadable_workbook(path: str, exc: Exception) -> Diagnostic:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Diagnostic("invalid-workbook", _("cannot read {file} as a workbook: {reason}").format(
        file=path, reason=reason), Span(path),
        hint=_("open it in Excel or LibreOffice and save it again as .xlsx, or export each sheet as CSV"))


def read_sheet(book, path: str, sheet: str, entity: str, decl=None) -> tuple[RawTable | None, list[Diagnostic]]:
    """The raw table of `entity` from one sheet; rows and columns numbered as the sheet shows them."""
    file = sheet_file(path, sheet)
    try:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a readable workbook
        return None, [_unreadable_workbook(file, exc)]
    return table_of_rows(file, entity, ((n, [cell_text(c) for c in row]) for n, row in enumerate(rows, start=1)),
                         decl)


def cell_text(value) -> str:
    """A cell as the text the school wrote: 1100101.0 -> `1100101`, a date cell -> `2024-11-12`."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)
