"""Write a file so that an interrupted run leaves the old file intact.

The text goes to a temporary file in the same folder (same file system), is
flushed to disk, and then replaces the target in one `os.replace`.
"""
from __future__ import annotations

import os
import tempfile

from .diagnostics import Diagnostic, Span, UsageError


def write_atomic(path: str, text) -> None:
    """`text`: a string, or an iterable of strings written one after another (a report
    streamed in pieces: the temporary file grows, the target changes only at the end)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError([Diagnostic("no-folder", f"cannot write {path}: folder {folder} does not exist",
                                     Span(path), hint="create the folder first")])
    fd, tmp = tempfile.mkstemp(prefix=".rulekit-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for piece in [text] if isinstance(text, str) else text:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError([Diagnostic("unwritable", f"cannot write {path}: {exc.strerror}", Span(path),
                                     hint="check the folder's permissions")]) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
