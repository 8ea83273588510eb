"""Run loaded rules over school records and report one Result per rule and subject.

    results = evaluate(rules, records, as_of=date(2025, 1, 31),
                       params={"course_outcome_quota": 6}, constants={"working_group_seats": [...]})

Outcomes are three-valued plus "not applicable":
  where false         -> the subject is not reported at all
  when false          -> not_applicable
  assert true         -> pass
  assert false, due given and as_of <= due -> pending (due is the last day to act)
  otherwise           -> fail
Null never crashes a rule: ordering comparisons with null are false, and null in
a yes/no position counts as false. Values that cannot be computed (a month
compared with days, an impossible date) become `dsl-runtime` diagnostics.
"""
from __future__ import annotations

import gc
import itertools
from typing import Mapping

from ..calendar import DateError, Duration, parse_date
from ..diagnostics import Diagnostic, RulekitError
from ..dsl import ast as A
from ..dsl import types as T
from .compile import Compiled, compile_rule
from .context import Context
from .period import period_fields
from .result import STATUSES, Result, RuleResults, renderers
from .values import EvalError

# ------------------------------------------------------------------ running

def evaluate(rules, records, as_of, params: Mapping | None = None,
             constants: Mapping | None = None,
             diagnostics: list | None = None, budget=None) -> tuple[Result, ...]:
    """Evaluate every rule for every subject; results in rule order, then subject order.

    Problems at run time (a parameter with no value, a value that cannot be computed)
    are appended to `diagnostics`; when it is None they are raised as RulekitError.
    A `Budget` (budget.py) stops the run with a UsageError once its time or results are spent.
    """
    rules = tuple(rules)
    entities = rules[0].entities if rules and rules[0].entities else _default_entities()
    ctx = Context(records, as_of, entities)
    out: list[Result] = []
    problems = _Problems()
    collecting = gc.isenabled()
    gc.disable()  # indexes and results are acyclic: collection passes would only re-scan the records
    try:
        for rule in rules:
            try:
                compiled = compiled_rule(rule)
            except Exception as exc:  # noqa: BLE001 - a checked rule should always compile
                problems.add(rule, rule.span, f"cannot compile rule {rule.id}: {exc}", "", "")
                continue
            env = prepare(rule, compiled, ctx, params or {}, constants or {}, problems)
            if env is not None:
                _run_rule(rule, compiled, ctx, env, out, problems, budget)
    finally:
        if collecting:
            gc.enable()
    found = problems.diagnostics()
    if found:
        if diagnostics is None:
            raise RulekitError(found)
        diagnostics.extend(found)
    return tuple(out)


def compiled_rule(rule) -> Compiled:
    compiled = rule.cache.get("compiled")
    if compiled is None:
        compiled = rule.cache["compiled"] = compile_rule(rule)
    return compiled


def prepare(rule, compiled: Compiled, ctx: Context, params: Mapping, constants: Mapping,
            problems: "_Problems") -> list | None:
    """A fresh environment with the run's parameters, constants and as_of in their slots."""
    env: list = [None] * compiled.nslots
    env[0] = ctx
    if compiled.as_of_slot is not None:
        env[compiled.as_of_slot] = ctx.as_of
    ok = True
    for name, slot in compiled.param_slots.items():
        try:
            if params.get(name) is None:
                raise KeyError(name)
            env[slot] = _coerce(params[name], compiled.param_types.get(name))
        except (KeyError, ValueError, TypeError, DateError) as exc:
            problems.add(rule, rule.span, f"parameter {name} has no usable value ({_why(exc)})",
                         "give it a value under params: in the policy", "")
            ok = False
    for name, slot in compiled.const_slots.items():
        if name not in constants:
            problems.add(rule, rule.span, f"policy constant {name} has no value", "", "")
            ok = False
        else:
            env[slot] = constants[name]
    return env if ok else None


def _why(exc: Exception) -> str:
    return "missing" if isinstance(exc, KeyError) else str(exc)


def _coerce(value, t: T.Type | None):
    if t is not None and t.name == T.DURATION and not isinstance(value, Duration):
        return Duration.parse(value)
    if t is not None and t.name == T.INT and isinstance(value, str):
        return int(value)
    if t is not None and t.name == T.DATE:
        return parse_date(value)
    return value


def subjects(rule, ctx: Context):
    """Every combination of for_each values: tuples of (value, label), in order."""
    return itertools.product(*domains(rule, ctx))


def domains(rule, ctx: Context) -> list[list]:
    """What each for_each variable ranges over; semesters from the rule's own records."""
    period = period_fields(rule, ctx.entities)
    return [ctx.domain(domain, period) for _, domain in rule.for_each]


def _run_rule(rule, c: Compiled, ctx: Context, env: list, out: list, problems: "_Problems", budget=None) -> None:
    names = [var for var, _ in rule.for_each]
    where, when, assertion, due, as_of = c.where, c.when, c.assert_, c.due, ctx.as_of
    lets = [(slot, fn) for _, slot, fn in c.lets]
    render = renderers(rule, c)
    shared = RuleResults(rule, c, env, names, render)
    eager = {status: (None if shared.lazy[status] else render[status]) for status in STATUSES}
    eager_na = eager["not_applicable"]
    new = object.__new__
    bind = _binder(c.var_slots, env)
    ranges = domains(rule, ctx)
    if where is not None and len(ranges) > 1:
        hoisted = _hoist_where(rule, c, env, names, ranges)
        if hoisted is not None:
            ranges, where = hoisted, None
    shared.domains = ranges
    # A result names its subject by the (value, label) pair of a single variable, or by the
    # combination's position in the product of several (an int is smaller than a tuple).
    combos = ranges[0] if len(ranges) == 1 else itertools.product(*ranges)
    if budget is not None:
        combos = budget.watch(combos, rule, out)
    single = len(ranges) == 1
    for index, combo in enumerate(combos):
        if single:
            combo = (combo,)
        bind(combo)
        try:
            if where is not None and not where(env):
                continue
            if when is not None and not when(env):
                status = "not_applicable"
                message = eager_na(env) if eager_na is not None else None
            else:
                for slot, fn in lets:
                    env[slot] = fn(env)
                if assertion(env):
                    status = "pass"
                elif due is not None and (deadline := due(env)) is not None and as_of <= deadline:
                    status = "pending"
                else:
                    status = "fail"
                message = eager[status](env) if eager[status] is not None else None
        except Exception as exc:  # noqa: BLE001 - a rule must never crash the run
            span, message, hint = _failure(rule, c, env, exc)
            problems.add(rule, span, message, hint, _label(names, combo))
            continue
        result = new(Result)
        result.status = status
        result._rule = shared
        result._combo = combo[0] if single else index
        result._message = message
        out.append(result)


def _hoist_where(rule, c: Compiled, env: list, names: list[str], domains: list) -> list | None:
    """A `where` about one variable of several (e.g. "the semester has windows") decided once
    per value of that variable instead of once per combination: the domains with that
    variable's values kept where it holds. None (no change) when it reads more than one
    variable, or fails for some value -- then each combination reports its own failure."""
    used = [k for k, name in enumerate(names) if name in A.free_vars(rule.where)]
    if len(used) != 1:
        return None
    k = used[0]
    slot, where = c.var_slots[k], c.where
    kept = []
    try:
        for pair in domains[k]:
            env[slot] = pair[0]
            if where(env):
                kept.append(pair)
    except Exception:  # noqa: BLE001 - the per-combination path reports it
        return None
    return domains[:k] + [kept] + domains[k + 1:]


def _failure(rule, c: Compiled, env: list, exc: Exception) -> tuple:
    """Where and why a subject could not be evaluated. The hot loop keeps no bookkeeping;
    this re-runs the rule's parts one by one to find the one that fails."""
    if isinstance(exc, EvalError):
        return exc.span or rule.span, exc.message, exc.hint
    parts = [(rule.where, c.where), (rule.when, c.when)] + \
        [(node, fn) for (_, node), (_, _, fn) in zip(rule.lets, c.lets)] + \
        [(rule.assert_, c.assert_), (rule.due, c.due)]
    slots = iter([slot for _, slot, _ in c.lets])
    for node, fn in parts:
        if fn is None:
            continue
        try:
            value = fn(env)
        except Exception:  # noqa: BLE001 - this is the part that fails
            return node.span, f"cannot evaluate: {exc}", ""
        if any(node is let for _, let in rule.lets):
            env[next(slots)] = value
    return rule.span, f"cannot evaluate: {exc}", ""


def _binder(slots: tuple[int, ...], env: list):
    """Put one subject's values (combo = ((value, label), ...)) into their slots."""
    if len(slots) == 1:
        (s0,) = slots

        def bind1(combo):
            env[s0] = combo[0][0]
        return bind1
    if len(slots) == 2:
        s0, s1 = slots

        def bind2(combo):
            env[s0] = combo[0][0]
            env[s1] = combo[1][0]
        return bind2

    def bind(combo):
        for slot, pair in zip(slots, combo):
            env[slot] = pair[0]
    return bind


def _label(names, combo) -> str:
    return ", ".join(f"{n}={label}" for n, (_, label) in zip(names, combo))


class _Problems:
    """Run-time problems: one diagnostic per rule and place (the first subject's message),
    however many subjects hit it."""

    def __init__(self):
        self._seen: dict[tuple, list] = {}

    def add(self, rule, span, message: str, hint: str, subject: str) -> None:
        key = (rule.id, span)
        entry = self._seen.get(key)
        if entry is None:
            self._seen[key] = [rule, span, message, hint, subject, 1]
        else:
            entry[5] += 1

    def diagnostics(self) -> list[Diagnostic]:
        out = []
        for rule, span, message, hint, subject, count in self._seen.values():
            where = f" (rule {rule.id}" + (f", {subject}" if subject else "") + \
                (f", and {count - 1} more subjects" if count > 1 else "") + ")"
            out.append(Diagnostic("dsl-runtime", message + where, span, hint=hint))
        return out


def _default_entities():
    from ..records import entity_types
    return entity_types()
