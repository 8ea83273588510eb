"""Why a subject could not be evaluated, in words a school's staff can act on.

A rule that type-checked can still meet values it cannot compute (a month
compared with 30 days, a date before the first academic year). The run loop
keeps no bookkeeping for that: on a failure, `locate` evaluates the subject
again with a copy of the rule compiled in "locating" mode, where every
sub-expression reports itself when it fails and every aggregate names the
record it was looking at. `describe` turns what it found into a message that
never contains Python's own text (`NoneType`, `not supported between ...`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from ..calendar import DateError
from ..dsl import ast as A
from ..dsl import types as T
from ..dsl.printer import unparse
from .values import EvalError, identity_fields, record_label
from ..i18n import N_, _

Fn = Callable[[list], object]
_LONGEST = 60  # characters of an expression quoted in a message
_REPORT = N_("the records hold a value this rule was not written for; "
           "please report it to rulekit's maintainers with the rule and the record")


class Failure(Exception):
    """Raised by a locating closure: the innermost failing node, the error, and the record."""

    def __init__(self, node: A.Node, cause: Exception):
        super().__init__(type(cause).__name__)
        self.node = node
        self.cause = cause
        self.record: tuple[str, str] | None = None  # (entity, label) of the record being read


def located(fn: Fn, node: A.Node) -> Fn:
    """fn, raising Failure(node) when it fails for a reason of its own."""
    def locating(env):
        try:
            return fn(env)
        except Failure:
            raise
        except Exception as exc:  # noqa: BLE001 - anything at all: it is reported in words
            raise Failure(node, exc) from None
    return locating


def per_row(fn: Fn | None, binder: int, item: T.Type, entities: Mapping) -> Fn | None:
    """fn (a where or body inside an aggregate), naming the record bound at `binder` in
    any Failure that has no record yet: the innermost aggregate's row is the one meant."""
    if fn is None or item.name != T.RECORD:
        return fn
    keys = identity_fields(entities.get(item.entity, {}))

    def on_row(env):
        try:
            return fn(env)
        except Failure as failure:
            if failure.record is None and isinstance(env[binder], Mapping):
                failure.record = (item.entity, record_label(env[binder], keys))
            raise
    return on_row


@dataclass(frozen=True)
class Described:
    span: object
    message: str
    hint: str
    record: str = ""  # "course_outcomes record O17": the record an aggregate was reading


def describe(failure: Failure | None, cause: Exception, fallback_span) -> Described:
    """The span, message and hint of a failure (None: it could not be reproduced)."""
    node = failure.node if failure is not None else None
    cause = failure.cause if failure is not None else cause
    record = f"{failure.record[0]} record {failure.record[1]}" \
        if failure is not None and failure.record else ""
    span = _span(node, fallback_span)
    if isinstance(cause, EvalError):
        return Described(cause.span or span, cause.message, cause.hint, record)
    if isinstance(cause, DateError):
        return Described(span, _("cannot evaluate: {message}").format(message=cause.message), cause.hint, record)
    what = f" {_quoted(node)}" if node is not None else ""
    if isinstance(cause, OverflowError):
        return Described(span, _("cannot evaluate{what}: a date or number is out of range").format(what=what),
                         _("dates run from the year 1 to 9999"), record)
    return Described(span, _("cannot evaluate{what}: its values do not fit together").format(what=what), _(_REPORT), record)


def compile_failure(rule, cause: Exception) -> Described:
    """A rule that type-checked but could not be compiled: rulekit's fault, said so."""
    why = f": {cause.message}" if isinstance(cause, (EvalError, DateError)) else ""
    return Described(rule.span, _("cannot compile rule {id}{why}").format(id=rule.id, why=why),
                     getattr(cause, "hint", "") or _("please report it to rulekit's maintainers with the rule"))


def _span(node: A.Node | None, fallback):
    return node.span if node is not None and node.span.file else fallback


def _quoted(node: A.Node) -> str:
    text = " ".join(unparse(node).split())
    return f"`{text if len(text) <= _LONGEST else text[:_LONGEST - 1] + '…'}`"
