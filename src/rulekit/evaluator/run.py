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
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, Iterable, Mapping

from ..calendar import AcademicYear, DateError, Duration, Semester, parse_date
from ..diagnostics import Diagnostic, RulekitError
from ..dsl import types as T
from .aggregate import build_index, count_index
from .compile import Compiled, compile_rule
from .values import EvalError, identity_fields, record_label

STATUSES = ("pass", "fail", "pending", "not_applicable")
_TIME_TYPES = ("date", "semester", "academic_year")


@dataclass(frozen=True)
class Result:
    rule: str
    citation: str
    status: str  # "pass" | "fail" | "pending" | "not_applicable"
    subject: dict  # variable -> id, e.g. {"student": "S001", "semester": "113-1"}
    message: str
    severity: str
    values: dict  # let name -> JSON-able value


class Context:
    """One run: the records, as_of, and what is derived from them once (rows, indexes, domains)."""

    def __init__(self, records, as_of, entities: Mapping):
        self.records = records
        self.as_of = parse_date(as_of)
        self.entities = entities
        self._rows: dict[str, tuple] = {}
        self._indexes: dict[tuple, dict] = {}
        self._semesters: list | None = None

    def rows(self, entity: str) -> tuple:
        rows = self._rows.get(entity)
        if rows is None:
            rows = self._rows[entity] = tuple(self.records.get(entity).rows)
        return rows

    def index(self, entity: str, fields: tuple[str, ...]) -> dict:
        """Rows of `entity` grouped by the values of `fields`; built once per run."""
        key = (entity, fields, "rows")
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = build_index(self.rows(entity), fields)
        return index

    def counts(self, entity: str, fields: tuple[str, ...]) -> dict:
        """Number of rows of `entity` per value of `fields`; built once per run."""
        key = (entity, fields, "counts")
        counts = self._indexes.get(key)
        if counts is None:
            counts = self._indexes[key] = count_index(self.rows(entity), fields)
        return counts

    # ------------------------------------------------------------ domains
    def semesters(self) -> list[Semester]:
        """From the earliest semester any record touches to the semester of as_of."""
        if self._semesters is None:
            last = Semester.of(self.as_of)
            first = min([last] + [s for s in self._earliest_per_field() if s is not None])
            self._semesters = Semester.range(first, last)
        return self._semesters

    def academic_years(self) -> list[AcademicYear]:
        first = self.semesters()[0].year
        return [AcademicYear(y) for y in range(first, AcademicYear.of(self.as_of).year + 1)]

    def _earliest_per_field(self) -> Iterable[Semester | None]:
        for entity, fields in self.entities.items():
            try:
                rows = self.rows(entity)
            except KeyError:
                continue
            for name, ftype in fields.items():
                kind = str(getattr(ftype, "name", ftype)).rstrip("?")
                if kind in _TIME_TYPES and rows:
                    yield _earliest(kind, filter(None, map(itemgetter(name), rows)))

    def domain(self, name: str) -> list[tuple[Any, str]]:
        """(value, label) of every subject a for_each variable ranges over."""
        if name == "semesters":
            return [(s, s.id) for s in self.semesters()]
        if name == "academic_years":
            return [(y, y.id) for y in self.academic_years()]
        if name == "school":
            return [("school", "school")]
        keys = identity_fields(self.entities.get(name, {}))
        return [(row, record_label(row, keys)) for row in self.rows(name)]


_ORDER_KEYS = {"semester": attrgetter("year", "term"), "academic_year": attrgetter("year")}


def _earliest(kind: str, values) -> Semester | None:
    """The semester of the smallest value; semesters are compared by (year, term) tuples,
    which is much faster than their dataclass ordering over a million rows."""
    key = _ORDER_KEYS.get(kind)
    if key is None:
        return _as_semester(min(values, default=None))
    try:
        smallest = min(map(key, values), default=None)
    except AttributeError:  # not calendar objects (e.g. plain numbers): order them as they are
        return None
    if smallest is None:
        return None
    return _as_semester(Semester(*smallest) if kind == "semester" else AcademicYear(smallest))


def _as_semester(value) -> Semester | None:
    try:
        if value is None or isinstance(value, Semester):
            return value
        if isinstance(value, AcademicYear):
            return value.semesters[0]
        if isinstance(value, int):
            return AcademicYear(value).semesters[0]
        return Semester.of(value)
    except DateError:
        return None


# ------------------------------------------------------------------ running

def evaluate(rules, records, as_of, params: Mapping | None = None,
             constants: Mapping | None = None,
             diagnostics: list | None = None) -> tuple[Result, ...]:
    """Evaluate every rule for every subject; results in rule order, then subject order.

    Problems at run time (a parameter with no value, a value that cannot be computed)
    are appended to `diagnostics`; when it is None they are raised as RulekitError.
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
                _run_rule(rule, compiled, ctx, env, out, problems)
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
    return itertools.product(*[ctx.domain(domain) for _, domain in rule.for_each])


def _run_rule(rule, c: Compiled, ctx: Context, env: list, out: list, problems: "_Problems") -> None:
    names = [var for var, _ in rule.for_each]
    where, when, assertion, due, as_of = c.where, c.when, c.assert_, c.due, ctx.as_of
    lets = [(slot, fn) for _, slot, fn in c.lets]
    values_of, render = _values_maker(c), _renderers(rule, c)
    make = _result_factory(rule)
    bind, subject_of = _binder(c.var_slots, env), _subject_maker(names)
    for combo in subjects(rule, ctx):
        bind(combo)
        try:
            if where is not None and not where(env):
                continue
            if when is not None and not when(env):
                status, values = "not_applicable", {}
            else:
                for slot, fn in lets:
                    env[slot] = fn(env)
                if assertion(env):
                    status = "pass"
                elif due is not None and (deadline := due(env)) is not None and as_of <= deadline:
                    status = "pending"
                else:
                    status = "fail"
                values = values_of(env)
            message = render[status](env)
        except Exception as exc:  # noqa: BLE001 - a rule must never crash the run
            span, message, hint = _failure(rule, c, env, exc)
            problems.add(rule, span, message, hint, _label(names, combo))
            continue
        out.append(make(status, subject_of(combo), message, values))


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


def _values_maker(c: Compiled):
    """env -> the let values as JSON-able data."""
    shown = [(name, slot, c.let_json[name]) for name, slot, _ in c.lets]
    if not shown:
        return lambda env: {}
    if len(shown) == 1:
        (name, slot, show), = shown
        return lambda env: {name: show(env[slot])}
    return lambda env: {name: show(env[slot]) for name, slot, show in shown}


def _renderers(rule, c: Compiled) -> dict:
    """status -> env -> message: the rule's template, else the title (fail, pending) or ""."""
    title = rule.title_text()
    defaults = {"pass": "", "fail": title, "pending": title, "not_applicable": ""}
    return {status: c.messages.get(status) or (lambda env, text=text: text)
            for status, text in defaults.items()}


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


def _subject_maker(names: list[str]):
    """combo -> {"student": "S001", "semester": "113-1"}."""
    if len(names) == 1:
        (n0,) = names
        return lambda combo: {n0: combo[0][1]}
    if len(names) == 2:
        n0, n1 = names
        return lambda combo: {n0: combo[0][1], n1: combo[1][1]}
    return lambda combo: dict(zip(names, [pair[1] for pair in combo]))


def _result_factory(rule):
    """Result(...) for this rule. Results are built by the hundred thousand, so this fills
    the frozen dataclass's fields directly instead of through its __init__ (2-3x faster)."""
    rid, citation, severity, new = rule.id, rule.citation, rule.severity, object.__new__

    def make(status: str, subject: dict, message: str, values: dict) -> Result:
        result = new(Result)
        fields = result.__dict__
        fields["rule"] = rid
        fields["citation"] = citation
        fields["status"] = status
        fields["subject"] = subject
        fields["message"] = message
        fields["severity"] = severity
        fields["values"] = values
        return result
    return make


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
