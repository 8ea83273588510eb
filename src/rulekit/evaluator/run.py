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
compared with days, an impossible date) become `dsl-runtime` diagnostics that
name the rule, the subject and the record being read, in words (evaluator/failure.py).
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
from .failure import Failure, compile_failure, describe
from .result import STATUSES, Result, RuleResults, renderers
from ..i18n import _

# ------------------------------------------------------------------ running

def evaluate(rules, records, as_of, params: Mapping | None = None,
             constants: Mapping | None = None,
             diagnostics: list | None = None, budget=None, through=None) -> tuple[Result, ...]:
    """Evaluate every rule for every subject; results in rule order, then subject order.

    Problems at run time (a parameter with no value, a value that cannot be computed)
    are appended to `diagnostics`; when it is None they are raised as RulekitError.
    A `Budget` (budget.py) stops the run with a UsageError once its time or results are spent.
    `through`: semesters and academic years run to the one of this day instead of as_of's
    (deadlines ahead: their subjects are pending, judged on as_of all the same).
    """
    rules = tuple(rules)
    entities = rules[0].entities if rules and rules[0].entities else _default_entities()
    ctx = Context(records, as_of, entities, through)
    out: list[Result] = []
    problems = _Problems()
    collecting = gc.isenabled()
    gc.disable()  # indexes and results are acyclic: collection passes would only re-scan the records
    try:
        for rule in rules:
            try:
                compiled = compiled_rule(rule)
            except AssertionError:
                raise  # the rule was not type-checked: a bug of the caller, not of the policy
            except Exception as exc:  # noqa: BLE001 - a checked rule should always compile
                found = compile_failure(rule, exc)
                problems.add(rule, found.span, found.message, found.hint, "")
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
            problems.add(rule, rule.span, _("parameter {name} has no usable value ({exc})").format(name=name, exc=_why(exc)),
                         _("give it a value under params: in the policy"), "")
            ok = False
    for name, slot in compiled.const_slots.items():
        if name not in constants:
            problems.add(rule, rule.span, _("policy constant {name} has no value").format(name=name), "", "")
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


def domains(rule, ctx: Context, lazy: bool = False) -> list[list]:
    """What each for_each variable ranges over; semesters from the rule's own records.
    `lazy`: records labelled when read (Context.lazy_domain)."""
    period = period_fields(rule, ctx.entities)
    domain = ctx.lazy_domain if lazy else ctx.domain
    return [domain(name, period) for __, name in rule.for_each]


def _run_rule(rule, c: Compiled, ctx: Context, env: list, out: list, problems: "_Problems", budget=None) -> None:
    names = [var for var, __ in rule.for_each]
    where, when, assertion, due, as_of = c.where, c.when, c.assert_, c.due, ctx.as_of
    lets = [(slot, fn) for __, slot, fn in c.lets]
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
            found = _failure(rule, c, env, exc)
            problems.add(rule, found.span, found.message, found.hint, _label(names, combo), found.record)
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


def _failure(rule, c: Compiled, env: list, exc: Exception):
    """Where and why a subject could not be evaluated. The hot loop keeps no bookkeeping:
    this evaluates the subject again, compiled so that the innermost failing part names
    itself and the record it was reading (failure.py)."""
    located = rule.cache.get("located")
    if located is None:
        located = rule.cache["located"] = compile_rule(rule, locate=True)
    if located.nslots != c.nslots:  # compiled alike, so the environment fits; never else
        return describe(None, exc, rule.span)
    env = list(env)  # the same subject: for_each values, parameters, constants, as_of
    try:
        if located.where is not None and not located.where(env):
            return describe(None, exc, rule.span)
        if located.when is not None and not located.when(env):
            if "not_applicable" in located.messages:
                located.messages["not_applicable"](env)
            return describe(None, exc, rule.span)
        for __, slot, fn in located.lets:
            env[slot] = fn(env)
        located.assert_(env)
        if located.due is not None:
            located.due(env)
        for message in located.messages.values():
            message(env)
    except Failure as failure:
        return describe(failure, exc, rule.span)
    return describe(None, exc, rule.span)  # it did not fail again: say what is known


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
    return ", ".join(f"{n}={label}" for n, (__, label) in zip(names, combo))


class _Problems:
    """Run-time problems: one diagnostic per rule and place (the first subject's message),
    however many subjects hit it."""

    def __init__(self):
        self._seen: dict[tuple, list] = {}

    def add(self, rule, span, message: str, hint: str, subject: str, record: str = "") -> None:
        key = (rule.id, span)
        entry = self._seen.get(key)
        if entry is None:
            self._seen[key] = [rule, span, message, hint, subject, record, 1]
        else:
            entry[6] += 1

    def diagnostics(self) -> list[Diagnostic]:
        out = []
        for rule, span, message, hint, subject, record, count in self._seen.values():
            where = f" (rule {rule.id}" + (f", {subject}" if subject else "") + \
                (f", {record}" if record else "") + \
                (_(", and {count} more subjects").format(count=count - 1) if count > 1 else "") + ")"
            out.append(Diagnostic("dsl-runtime", message + where, span, hint=hint))
        return out


def _default_entities():
    from ..records import entity_types
    return entity_types()
