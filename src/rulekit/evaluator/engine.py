"""Which engine answers a check: `--engine auto|python|duckdb|spark`.

auto keeps the Python evaluator below AUTO_RECORDS records, where starting an
engine and handing it the records costs more than the rules themselves
(docs/performance.md, "Which engine"), and uses DuckDB above it when installed.
Spark is never picked by auto: it is for data that is already on a cluster.
"""
from __future__ import annotations

import importlib.util
import os

from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _

ENGINES = ("auto", "python", "duckdb", "spark")
# measured crossover (docs/performance.md): the school preset (93k records) is faster in Python
AUTO_RECORDS = 1_000_000
# the same crossover in bytes of CSV, for records not yet read (about 52 bytes a record)
AUTO_BYTES = 50_000_000
_MODULES = {"duckdb": ("duckdb", "sqlglot"), "spark": ("pyspark", "sqlglot")}


def available(engine: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in _MODULES.get(engine, ()))


def record_count(records) -> int:
    return sum(len(table) for table in getattr(records, "tables", {}).values())


def records_bytes(path) -> int:
    """The size on disk of a records file, or of the files of a records folder."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        return os.path.getsize(path) if os.path.exists(path) else 0
    total = 0
    for entry in os.scandir(path):
        if entry.is_file():
            total += entry.stat().st_size
    return total


def engine_for_records(engine: str, path) -> str:
    """The engine for records not yet read: auto decides by their size on disk (AUTO_BYTES)."""
    if engine == "auto":
        return "duckdb" if records_bytes(path) >= AUTO_BYTES and available("duckdb") else "python"
    return choose_engine(engine, None)


def reader_for(engine: str):
    """A DuckDB connection to read records into (the caller closes it) for the duckdb engine, and
    for spark when DuckDB is installed (Spark then reads its tables as Parquet); else None."""
    if engine not in ("duckdb", "spark") or not available("duckdb"):
        return None
    import duckdb

    return duckdb.connect(":memory:")


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
