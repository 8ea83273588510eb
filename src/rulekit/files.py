"""Open a file a user named only if it is a regular file, and read no more than a limit.

A FIFO blocks `open` until some writer appears, `/dev/zero` never ends, a socket or
a terminal is not a file at all, and `stat`'s size says nothing about any of them.
So the kind is checked (following symlinks) before the file is opened, the open
does not block, the kind is checked again on the descriptor (the name may point
elsewhere by then), and a limited read stops one byte past the limit.
"""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from typing import BinaryIO, Iterator

from .diagnostics import Diagnostic, RulekitError, Span, UsageError
from .i18n import N_, _

# The largest policy or records file read as YAML; here, so a command that only hashes the policy
# file (a cache hit) need not import the YAML reader to know it.
MAX_FILE_BYTES = 10 * 1024 * 1024

# O_NONBLOCK: opening a FIFO must return at once, not wait for a writer (no-op on regular files);
# O_NOCTTY: a terminal named as an input must not become the controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

_KINDS = (
    (stat.S_ISFIFO, N_("a FIFO (named pipe)")),
    (stat.S_ISCHR, N_("a character device")),
    (stat.S_ISBLK, N_("a block device")),
    (stat.S_ISSOCK, N_("a socket")),
)


def kind_of(mode: int) -> str:
    """How a non-regular file is named in a finding."""
    if stat.S_ISDIR(mode):
        return "a directory"
    return next((_(name) for test, name in _KINDS if test(mode)), _("not a regular file"))


def refuse_unless_regular(path: str, mode: int, what: str = N_("file"), dir_hint: str = N_("name the file inside it")) -> None:
    """A usage error unless `mode` (from stat) is a regular file's."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise UsageError([Diagnostic("is-a-directory", _("{path} is a directory, expected a {what}").format(path=path, what=_(what)),
                                     Span(path), hint=_(dir_hint))])
    raise UsageError([Diagnostic(
        "not-a-file", _("{path} is {mode}, not a regular file").format(path=path, mode=kind_of(mode)), Span(path),
        hint=_("give a file saved on disk; rulekit does not read pipes, devices or sockets"))])


@contextmanager
def open_input(path: str, what: str = N_("file"), dir_hint: str = N_("name the file inside it")) -> Iterator[BinaryIO]:
    """`path` opened for binary reading, if it is a regular file (a symlink counts as what it
    points to). OSError (missing, permission denied) is left to the caller, which knows
    what to call the file; a wrong kind is a UsageError (`is-a-directory`, `not-a-file`)."""
    path = os.fspath(path)
    refuse_unless_regular(path, os.stat(path).st_mode, what, dir_hint)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        refuse_unless_regular(path, os.fstat(fd).st_mode, what, dir_hint)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def read_input(path: str, what: str = N_("file"), limit: int | None = None,
               dir_hint: str = N_("name the file inside it")) -> bytes:
    """The bytes of a regular file; past `limit` bytes (counted as read, not as `stat`
    says) it is `file-too-large`, and at most limit+1 bytes are read."""
    with open_input(path, what, dir_hint) as fh:
        if limit is None:
            return fh.read()
        data = fh.read(limit + 1)
        size = max(os.fstat(fh.fileno()).st_size, len(data))
    if len(data) > limit:
        raise RulekitError([Diagnostic(
            "file-too-large", _("{path} is {size} bytes, more than the limit of {limit}").format(path=path, size=size, limit=limit),
            Span(path), hint=_("split the file, or check that it is the right one"))])
    return data
