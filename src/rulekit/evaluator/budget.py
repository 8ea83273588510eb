"""A check's budget: `--max-seconds` and `--max-results`, so that a rule whose for_each
is a product of large collections stops with a clear message instead of running for hours.

The clock is read once per 1,024 subjects: a subject costs microseconds, so a check stops
within a few milliseconds of its limit, and the hot loop pays one counter per subject.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import N_, _

EVERY = 1024
_HINT = N_("raise the limit, check fewer rules with --rule, or see `rulekit validate` for rules "
         "whose for_each is a product of record collections (unbounded-product)")


@dataclass
class Budget:
    max_seconds: float | None = None
    max_results: int | None = None
    started: float = field(default_factory=time.monotonic)

    def watch(self, combos, rule, out: list):
        """The combinations of one rule, stopping the check once the budget is spent."""
        for i, combo in enumerate(combos):
            if not i % EVERY:
                self.check(rule, len(out), i)
            yield combo
        self.check(rule, len(out), None)

    def check(self, rule, results: int, subjects: int | None) -> None:
        elapsed = time.monotonic() - self.started
        where = _("in rule {id}").format(id=rule.id) + (_(" after {subjects} of its subjects").format(subjects=subjects) if subjects else "")
        if self.max_results is not None and results > self.max_results:
            raise _stopped(_("check stopped: more than {max_results} results (--max-results) {where}").format(max_results=self.max_results, where=where))
        if self.max_seconds is not None and elapsed > self.max_seconds:
            raise _stopped(_("check stopped after {elapsed:.1f} seconds (--max-seconds {max_seconds:g}) {where}").format(elapsed=elapsed, max_seconds=self.max_seconds, where=where))


def _stopped(message: str) -> UsageError:
    return UsageError([Diagnostic("check-stopped", message, Span("<command line>"), hint=_(_HINT))])
