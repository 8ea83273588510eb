"""Why did a rule fail for a subject? Re-evaluate it, recording every sub-expression.

    for text, value in explain(rule, result, records, as_of, params, constants):
        print(f"{text} = {value}")

    count(o in course_outcomes where ...) = 7
    n = 7
    param.course_outcome_quota = 6
    n <= param.course_outcome_quota = false

Values inside an aggregate (one per row) are not listed; the aggregate's result is.
Records are shown by their id, never with their personal fields.
"""
from __future__ import annotations

from typing import Mapping

from ..diagnostics import Diagnostic, RulekitError
from ..dsl.printer import unparse
from .aggregate import json_of
from .compile import compile_rule
from .context import Context
from .result import Result
from .run import _failure, _label, _Problems, prepare, subjects
from ..i18n import _


def explain(rule, subject, records, as_of, params: Mapping | None = None,
            constants: Mapping | None = None) -> list[tuple[str, object]]:
    """(source text, value) for the lets and the assert of `rule` for one subject.

    `subject` is a Result of this rule or its subject dict ({"student": "S001", ...}).
    """
    wanted = dict(subject.subject if isinstance(subject, Result) else subject)
    trace: list = []
    compiled = compile_rule(rule, trace=trace)
    ctx = Context(records, as_of, rule.entities)
    problems = _Problems()
    env = prepare(rule, compiled, ctx, params or {}, constants or {}, problems)
    if env is None:
        raise RulekitError(problems.diagnostics())
    names = [var for var, __ in rule.for_each]
    for combo in subjects(rule, ctx):
        if {n: label for n, (__, label) in zip(names, combo)} == wanted:
            break
    else:
        raise RulekitError([Diagnostic("explain-no-subject", _("rule {id} has no subject {wanted}").format(id=rule.id, wanted=wanted),
                                       rule.span, hint=_("copy the subject from the result"))])
    for slot, (value, __) in zip(compiled.var_slots, combo):
        env[slot] = value
    try:
        for __, slot, fn in compiled.lets:
            env[slot] = fn(env)
        compiled.assert_(env)
    except Exception as exc:  # noqa: BLE001 - a subject that cannot be evaluated: said as evaluate says it
        found = _failure(rule, compiled, env, exc)
        problems.add(rule, found.span, found.message, found.hint, _label(names, combo), found.record)
        raise RulekitError(problems.diagnostics()) from None
    return _rows(rule, trace)


def _rows(rule, trace: list) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    seen: set[str] = set()
    for node, value in trace:
        text = unparse(node)
        if text in seen:
            continue
        seen.add(text)
        show = json_of(node.type, rule.entities)
        out.append((text, show(value)))
    return out
