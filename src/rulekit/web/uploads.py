"""Files uploaded for one check: a temporary folder, removed before the page is sent.

The records loader reads them exactly as it reads a folder given to `rulekit check`, so an
upload gets the same findings (located in the file as uploaded) and the same limits. What
this adds is the web's own limits: the request's size, the number of files, their names.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import asynccontextmanager

from ..i18n import _
from ..records.load import DATA_EXTENSIONS, DOCUMENT_EXTENSIONS

# a folder's files (.csv, .jsonl), one document (.yaml, .json) or one workbook (.xlsx, .xls, .ods: read by
# the records loader once it reads Excel files; until then the loader says it cannot)
ACCEPTED = (*DATA_EXTENSIONS, *DOCUMENT_EXTENSIONS, ".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILES = 64
CHUNK = 1 << 16


class UploadRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _declared_size(request, limit: int) -> None:
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise UploadRefused(_("the upload did not say its size"), 411)
    if int(length) > limit:
        raise UploadRefused(_("the upload is {size} bytes, more than the limit of {limit}").format(
            size=int(length), limit=limit), 413)


def _safe_name(name: str) -> str:
    """The file's own name (no folders), refused when it is not a records file."""
    base = os.path.basename((name or "").replace("\\", "/"))
    if not base or base.startswith(".") or os.path.splitext(base)[1].lower() not in ACCEPTED:
        raise UploadRefused(_("{name} is not a records file (.csv, .jsonl, .yaml, .json, or a workbook .xlsx, .xls, .ods)").format(
            name=base or "?"))
    return base


@asynccontextmanager
async def saved_upload(request, limit: int):
    """(the path to load: the one file, or the folder of several; the folder; the form's other
    fields), the files written under a temporary folder that is removed on the way out."""
    _declared_size(request, limit)
    async with request.form(max_files=MAX_FILES, max_fields=32) as form:
        uploads = [f for f in form.getlist("files") if hasattr(f, "read") and f.filename]
        if not uploads:
            raise UploadRefused(_("choose the records files (or one workbook) to check"))
        with tempfile.TemporaryDirectory(prefix="rulekit-upload-") as folder:
            names = [await _write(f, folder, limit) for f in uploads]
            if len(set(names)) < len(names):
                raise UploadRefused(_("two uploaded files have the same name"))
            path = os.path.join(folder, names[0]) if len(names) == 1 else folder
            yield path, folder, form


async def _write(upload, folder: str, limit: int) -> str:
    name = _safe_name(upload.filename)
    written = 0
    with open(os.path.join(folder, name), "xb") as out:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise UploadRefused(_("{name} is larger than the limit of {limit} bytes").format(
                    name=name, limit=limit), 413)
            out.write(chunk)
    return name
