"""Run rules on a columnar engine, falling back to the Python evaluator rule by rule.

    results, notes = evaluate_columnar(rules, records, as_of, params, constants, engine="duckdb")

The engine decides each subject's status; a Result keeps only that and its subject
number, like the Python evaluator's, and its message and values are made by the
Python closures when first read (evaluator/result.py), so a report formats the
messages of the results it shows and no others. A rule the compiler does not
translate, or whose query stops (a value that cannot be computed), is run by the
Python evaluator, which gives the answer and the diagnostics it always gives:
never a different answer, and a note saying which rules ran where.
"""
from __future__ import annotations

import gc
from typing import Mapping

from ..i18n import _
from ..evaluator.context import Context
from ..evaluator.result import STATUSES, Result, RuleResults, renderers
from ..evaluator.run import _Problems, compiled_rule, domains, evaluate, prepare
from .compile import Unsupported
from .plan import reads, rule_query
from .tables import NotTabular, Staging


class Fallback(Exception):
    """This rule is answered by the Python evaluator."""


def evaluate_columnar(rules, records, as_of, params: Mapping | None = None, constants: Mapping | None = None,
                      diagnostics: list | None = None, engine: str = "duckdb", session=None, budget=None):
    """(results, notes): the same results as evaluator.evaluate, computed on `engine`
    ("duckdb" or "spark"); `notes` say which rules the Python evaluator answered and why."""
    from ..evaluator.run import _default_entities

    rules = tuple(rules)
    params, constants = params or {}, constants or {}
    entities = rules[0].entities if rules and rules[0].entities else _default_entities()
    ctx = Context(records, as_of, entities)
    shared = getattr(records, "engine", None)
    backend = _backend(engine, session, shared.con if shared is not None and engine == "duckdb" else None)
    staging = Staging()
    collecting = gc.isenabled()
    gc.disable()  # results are acyclic: collection passes would only re-scan the records (as in run.py)
    notes: list[str] = []
    answered: dict[str, list] = {}
    needed: dict[str, set[str]] = {}
    for rule in rules:  # each entity is loaded once, with every field some rule reads
        for entity, names in reads(rule).items():
            needed.setdefault(entity, set()).update(names)
    try:
        if shared is not None and engine == "spark":  # DuckDB's tables, handed over as Parquet
            for entity in sorted(shared.entities):
                backend.load_parquet(entity, staging.parquet(shared.con, entity))
        loaded: set[str] = set(shared.entities) if shared is not None else set()  # tables already
        for rule in rules:
            try:
                answered[rule.id] = _run(rule, ctx, backend, staging, loaded, needed, params, constants)
            except (Unsupported, NotTabular, Fallback) as why:
                notes.append(_("rule {rule} ran in the Python evaluator ({why})").format(rule=rule.id, why=why))
                continue
            if budget is not None:
                budget.check(rule, sum(map(len, answered.values())), None)
    finally:
        backend.close()
        staging.close()
        if collecting:
            gc.enable()
    rest = [rule for rule in rules if rule.id not in answered]
    if rest:
        by_rule: dict[str, list] = {}
        for r in evaluate(rest, records, as_of, params, constants, diagnostics=diagnostics, budget=budget):
            by_rule.setdefault(r.rule, []).append(r)
        answered.update({rule.id: by_rule.get(rule.id, []) for rule in rest})
    out = [r for rule in rules for r in answered[rule.id]]
    return tuple(out), tuple(notes)


def _run(rule, ctx: Context, backend, staging: Staging, loaded: set, needed: dict, params, constants) -> list:
    compiled = compiled_rule(rule)
    problems = _Problems()
    env = prepare(rule, compiled, ctx, params, constants, problems)
    if env is None or problems.diagnostics():
        raise Fallback(_("a parameter or constant has no value"))
    ranges = domains(rule, ctx, lazy=True)
    query = rule_query(rule, ranges, params, constants, ctx.as_of)
    for entity in sorted(set(reads(rule)) - loaded):
        fields = ctx.entities.get(entity, {})
        backend.load(entity, *staging.write(entity, ctx.rows(entity),
                                            {f: fields[f] for f in fields if f in needed[entity]}))
        loaded.add(entity)
    try:
        rows = backend.run(query)
    except Exception as exc:  # noqa: BLE001 - any engine error: Python answers this rule
        raise Fallback(_("the engine stopped: {kind}").format(kind=type(exc).__name__)) from None
    return _results(rule, compiled, env, ranges, rows)


def _results(rule, compiled, env: list, ranges: list, rows) -> list:
    names = [var for var, _ in rule.for_each]
    shared = RuleResults(rule, compiled, env, names, renderers(rule, compiled))
    shared.domains = ranges
    eager = {status for status in STATUSES if not shared.lazy[status]}
    new = object.__new__
    out = []
    for index, status, *_lets in rows:  # Spark's rows carry the lets too
        result = new(Result)
        result.status = status
        result._rule = shared
        result._combo = index  # its place in the domain (RuleResults.combo)
        result._message = None
        if status in eager:  # a placeholder that may fail: the Python path would report it now
            try:
                result._message = shared.message(result)
            except Exception:  # noqa: BLE001 - Python answers the rule with its diagnostic
                raise Fallback(_("a message could not be made")) from None
        out.append(result)
    return out


def _backend(engine: str, session, con=None):
    if engine == "duckdb":
        from .duck import DuckBackend
        return DuckBackend(con)
    if engine == "spark":
        from .spark import SparkBackend
        return SparkBackend(session)
    raise ValueError(engine)
