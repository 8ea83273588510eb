"""Where a policy's text comes from: a file, or `REV:path` read through `git show`."""
from __future__ import annotations

import os
import subprocess

from ..diagnostics import Diagnostic, Span, UsageError
from .load import LoadedPolicy, load_policy, load_policy_text
from ..i18n import _


def is_git_spec(spec: str) -> bool:
    if os.path.exists(spec) or ":" not in spec:
        return False
    rev = spec.split(":", 1)[0]
    return len(rev) > 1  # a one-letter prefix is a Windows drive (C:), not a revision


def git_text(spec: str) -> str:
    rev, path = spec.split(":", 1)
    if not path:
        raise UsageError([Diagnostic("git-revision", _("{spec} names no file").format(spec=spec), Span(spec),
                                     hint=_("write REV:path, e.g. HEAD~1:policy/regulation.yaml"))])
    if rev.startswith("-"):  # git would read it as an option: `--output=FILE` writes a file
        raise UsageError([Diagnostic(
            "git-revision", _("revision {rev} starts with '-', so git would read it as an option").format(rev=rev), Span(spec),
            hint=_("name a commit, branch or tag, e.g. HEAD~1:policy/regulation.yaml"))])
    # --end-of-options, not `--`: after `--` git show reads REV:path as a path, not an object
    command = ["git", "show", "--end-of-options", f"{rev}:{path}"]
    try:
        out = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError([Diagnostic("git-unavailable", _("cannot run git: {exc}").format(exc=exc), Span(spec),
                                     hint=_("install git, or compare two files"))]) from None
    if out.returncode != 0:
        reason = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError([Diagnostic("git-revision", _("git cannot show {spec}: {error}").format(spec=spec, error=reason[-1] if reason else _('unknown error')),
                                     Span(spec), hint=_("check the revision (git log) and the path inside the repository"))])
    try:
        return out.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError([Diagnostic("encoding", _("{spec} is not UTF-8").format(spec=spec), Span(spec), hint=_("policy files are UTF-8"))]) from None


def load_any(spec: str) -> LoadedPolicy:
    """A policy from a file path or a git `REV:path`."""
    if is_git_spec(spec):
        return load_policy_text(git_text(spec), spec)
    return load_policy(spec)
