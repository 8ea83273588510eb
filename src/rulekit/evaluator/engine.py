"""Which engine answers a check: `--engine auto|python|duckdb|spark`.

auto keeps the Python evaluator below AUTO_RECORDS records, where starting an
engine and handing it the records costs more than the rules themselves
(docs/performance.md, "Which engine"), and uses DuckDB above it when installed.
Spark is never picked by auto: it is for data that is already on a cluster.
"""
from __future__ import annotations

import importlib.util

from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _

ENGINES = ("auto", "python", "duckdb", "spark")
# measured crossover (docs/performance.md): the school preset (93k records) is faster in Python
AUTO_RECORDS = 1_000_000
_MODULES = {"duckdb": ("duckdb", "sqlglot"), "spark": ("pyspark", "sqlglot")}


def available(engine: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in _MODULES.get(engine, ()))


def record_count(records) -> int:
    return sum(len(table) for table in getattr(records, "tables", {}).values())


def choose_engine(engine: str, records) -> str:
    """The engine that runs: auto decided by size; an engine that is not installed is a usage error."""
    if engine == "auto":
        return "duckdb" if record_count(records) >= AUTO_RECORDS and available("duckdb") else "python"
    if engine not in ENGINES:
        raise ValueError(engine)
    if engine != "python" and not available(engine):
        extra = "spark" if engine == "spark" else "duckdb"
        raise UsageError([Diagnostic(
            "engine-unavailable", _("the {engine} engine is not installed").format(engine=engine),
            Span("<command line>"),
            hint=_("pip install 'rulekit[{extra}]', or use --engine python").format(extra=extra))])
    return engine
