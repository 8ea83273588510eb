"""What the server keeps between requests: the policy, and the loaded records and roster,
each read again only when its file changes (a policy edited during the day is in force on
the next page, without a restart).

Nothing here is written to disk: the policy, records and roster are only read.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from ..diagnostics import RulekitError


@dataclass(frozen=True)
class Settings:
    """What `rulekit serve` was started with."""

    policy_path: str
    records_path: str | None = None
    roster_path: str | None = None
    token: str | None = None
    max_upload_bytes: int = 20 * 1024 * 1024
    allowed_hosts: tuple[str, ...] = ()  # Host headers accepted; () accepts any (behind a token)


def _stamp(path: str | None):
    """(mtime, size) of a file, or of every file in a folder: changes when the data does."""
    if not path:
        return None
    try:
        if os.path.isdir(path):
            return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size)
                                for e in os.scandir(path) if e.is_file()))
        st = os.stat(path)
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None


class _Reloading:
    """A value loaded from a path, loaded again when the path's stamp changes. A load that
    fails is kept as its error (shown on the page) until the file changes again."""

    def __init__(self, path: str | None, load):
        self.path, self._load = path, load
        self._stamp = self._value = self._error = None
        self._loaded = False
        self._lock = threading.Lock()

    def get(self):
        stamp = _stamp(self.path)
        with self._lock:
            if not self._loaded or stamp != self._stamp:
                self._stamp, self._loaded = stamp, True
                try:
                    self._value, self._error = self._load(self.path), None
                except RulekitError as exc:
                    self._value, self._error = None, exc
            if self._error is not None:
                raise self._error
            return self._value


class State:
    """The policy history, the records and the roster, as the CLI would load them."""

    def __init__(self, settings: Settings):
        from ..people.roster import load_roster
        from ..policy.load import require_history
        from ..records import load_records

        self.settings = settings
        self._history = _Reloading(settings.policy_path, require_history)
        # records as the policy in use declares them (its records.yaml), as `rulekit check` reads them
        self._records = _Reloading(settings.records_path, lambda p: load_records(p, self.history().latest.records))
        roster_path = settings.roster_path or settings.records_path
        self._roster = _Reloading(roster_path, lambda p: load_roster(p, self.history().latest))
        self._roster_optional = settings.roster_path is None  # the records' staff, when they have any

    def history(self):
        return self._history.get()

    def records(self):
        """The records given with --records, or None when none were."""
        return self._records.get() if self.settings.records_path else None

    def roster(self):
        """The roster (--roster, else the staff in --records), or None when there is none."""
        if not self._roster.path:
            return None
        try:
            return self._roster.get()
        except RulekitError as exc:
            if self._roster_optional and any(d.code == "no-staff" for d in exc.diagnostics):
                return None
            raise
