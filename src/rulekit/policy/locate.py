"""Which policy file a command reads when it is run from any folder (issue 15).

In order: `--policy`, then the `RULEKIT_POLICY` environment variable, then the nearest
folder, from the current one up to the root (as git finds `.git`), that holds
`policy/regulation.yaml`, a `rulekit.toml` naming the policy (`policy = "..."`), or a
`pyproject.toml` with `[tool.rulekit] policy = "..."`. Within one folder they are tried in
that order; a nearer folder wins over a farther one, so a project nested in another
keeps its own policy. A path in a TOML file is relative to that file's folder.

Only the policy is found this way: record and roster paths stay relative to the
current folder, as the shell completes them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _

ENV_VAR = "RULEKIT_POLICY"
CONVENTIONAL = os.path.join("policy", "regulation.yaml")
CONFIG_FILES = ("rulekit.toml", "pyproject.toml")


@dataclass(frozen=True)
class Located:
    """The policy file found, and what named it (for a message that says why this one)."""

    path: str
    source: str  # "--policy", "RULEKIT_POLICY", "policy/regulation.yaml", or a TOML file's path


def find_policy(given: str | None = None, cwd: str | None = None, environ=None) -> Located:
    """The policy file to read; `UsageError` (policy-not-found) naming every place looked at."""
    environ = os.environ if environ is None else environ
    cwd = os.path.abspath(cwd or os.getcwd())
    if given:
        return Located(given, "--policy")
    from_env = environ.get(ENV_VAR, "").strip()
    if from_env:
        if not os.path.isfile(os.path.join(cwd, from_env)):
            raise UsageError([Diagnostic(
                "policy-not-found", _("{var}={path}: no such policy file").format(var=ENV_VAR, path=from_env),
                Span("<environment>"),
                hint=_("set {var} to the policy file (relative to the current folder), or unset it").format(var=ENV_VAR))])
        return Located(from_env, ENV_VAR)
    folder = cwd
    while True:
        found = _in_folder(folder, cwd)
        if found is not None:
            return found
        parent = os.path.dirname(folder)
        if parent == folder:
            raise _not_found(cwd)
        folder = parent


def _in_folder(folder: str, cwd: str) -> Located | None:
    candidate = os.path.join(folder, CONVENTIONAL)
    if os.path.isfile(candidate):
        return Located(_shown(candidate, cwd), CONVENTIONAL)
    for name in CONFIG_FILES:
        config = os.path.join(folder, name)
        if os.path.isfile(config):
            named = _named_in(config, cwd, table=("tool", "rulekit") if name == "pyproject.toml" else ())
            if named is not None:
                return named
    return None


def _named_in(config: str, cwd: str, table: tuple[str, ...]) -> Located | None:
    """The policy a TOML file names, or None when it names none (a pyproject without [tool.rulekit])."""
    import tomllib

    shown_config = _shown(config, cwd)
    try:
        with open(config, "rb") as f:
            text = f.read()
    except OSError:
        return None
    if table and b"[tool.rulekit]" not in text:  # another project's pyproject: not ours to judge
        return None
    try:
        data = tomllib.loads(text.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line, column, what = _toml_position(str(exc))
        raise UsageError([Diagnostic("bad-config", _("{file} is not valid TOML").format(file=shown_config),
                                     Span(shown_config, line, column),
                                     hint=_("TOML says: {what}").format(what=what))])
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    key = ".".join((*table, "policy")) if table else "policy"
    value = data.get("policy") if isinstance(data, dict) else None
    if value is None:
        if table:
            raise _config_error(shown_config, _("[tool.rulekit] in {file} names no policy").format(file=shown_config), key)
        raise _config_error(shown_config, _("{file} names no policy").format(file=shown_config), key)
    if not isinstance(value, str) or not value.strip():
        raise _config_error(shown_config, _("{key} in {file} is not a file path").format(key=key, file=shown_config), key)
    target = os.path.join(os.path.dirname(config), value)
    if not os.path.isfile(target):
        raise _config_error(shown_config, _("{file} names {path}, which is not a file").format(
            file=shown_config, path=value), key)
    return Located(_shown(target, cwd), shown_config)


def _config_error(config: str, message: str, key: str) -> UsageError:
    return UsageError([Diagnostic("bad-config", message, Span(config),
                                  hint=_('write {key} = "policy/regulation.yaml" (a path relative to {file})').format(
                                      key=key, file=os.path.basename(config)))])


def _toml_position(message: str) -> tuple[int, int, str]:
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if not m:
        return 0, 0, message
    return int(m.group(1)), int(m.group(2)), message[:m.start()]


def _shown(path: str, cwd: str) -> str:
    """A path as findings print it: relative to the current folder, as the user would type it."""
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive (Windows)
        return path


def _not_found(cwd: str) -> UsageError:
    return UsageError([Diagnostic(
        "policy-not-found",
        _("no policy file found from {folder}").format(folder=cwd),
        Span("<command line>"),
        hint=_("rulekit looks for --policy FILE, then the {var} environment variable, then in this folder and "
               "each one above it for {conventional}, a rulekit.toml with policy = \"FILE\", or a pyproject.toml "
               "with [tool.rulekit] policy = \"FILE\"").format(var=ENV_VAR, conventional=CONVENTIONAL))])
