"""Write a file so that an interrupted run leaves the old file intact.

The text goes to a temporary file in the same folder (same file system), is
flushed to disk, and then replaces the target in one `os.replace`.

`os.replace` swaps whatever the name points at, so the target is checked first: a
symlink is refused rather than followed (replacing it would cut the link, and
following it lets a planted link aim the report at any file the user can write),
so are a device, a FIFO, a folder and any of the command's own inputs; an existing
report keeps its permissions.
"""
from __future__ import annotations

import os
import stat
import tempfile

from .diagnostics import Diagnostic, Span, UsageError
from .files import kind_of
from .i18n import _


def write_atomic(path: str, text, inputs=()) -> None:
    """Write `text` to `path` in one step; `inputs` are the files the command read, never overwritten.
    `text`: a string, or an iterable of strings written one after another (a report streamed in
    pieces: the temporary file grows, the target changes only at the end), or bytes."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError([Diagnostic("no-folder", _("cannot write {path}: folder {folder} does not exist").format(path=path, folder=folder),
                                     Span(path), hint=_("create the folder first"))])
    mode = _mode_for(path, inputs)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rulekit-", suffix=".tmp", dir=folder)
        binary = isinstance(text, bytes)  # a workbook (report.xlsx), written as it is
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            for piece in [text] if isinstance(text, (str, bytes)) else text:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600 whatever the report had
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError([Diagnostic("unwritable", _("cannot write {path}: {strerror}").format(path=path, strerror=exc.strerror), Span(path),
                                     hint=_("check the folder's permissions"))]) from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def _mode_for(path: str, inputs) -> int:
    """The permissions the report gets: an existing report's own, else what `open` would give."""
    try:
        st = os.lstat(path)
    except OSError:
        return _default_mode()  # no such file (or no access: the write itself then says why)
    if stat.S_ISLNK(st.st_mode):
        raise _refused(path, "output-symlink", _("is a symbolic link"),
                       _("write to the file it points to ({path}) or remove the link").format(path=os.path.realpath(path)))
    if not stat.S_ISREG(st.st_mode):
        raise _refused(path, "not-a-file", _("is {st_mode}, not a regular file").format(st_mode=kind_of(st.st_mode)),
                       _("name a new or existing regular file for the report"))
    if any(_same_file(path, other) for other in inputs if other):
        raise _refused(path, "output-is-input", _("is one of the command's inputs"),
                       _("write the report to another file; -o replaces the file it names"))
    return stat.S_IMODE(st.st_mode)


def _same_file(path: str, other) -> bool:
    try:
        return os.path.samefile(path, other)
    except (OSError, TypeError, ValueError):
        return False  # an input that is not a file on disk (a git REV:path) is never the output


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _refused(path: str, code: str, what: str, hint: str) -> UsageError:
    return UsageError([Diagnostic(code, _("cannot write {path}: it {what}").format(path=path, what=what), Span(path), hint=hint)])
