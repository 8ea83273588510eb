"""Which engine answers a check: `--engine auto|python|duckdb|spark`.

auto keeps the Python evaluator for small inputs, where starting an engine costs more
than the rules themselves (docs/performance.md, "Which engine"), and uses DuckDB above
that when installed: `rulekit check` decides by the records' bytes on disk before reading
them (AUTO_BYTES; DuckDB then reads them itself), a library caller with records already
read by Python by their number (AUTO_RECORDS; the engine must then be handed them).
Spark is never picked by auto: it is for data that is already on a cluster.
"""
from __future__ import annotations

import importlib.util
import os

from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _

ENGINES = ("auto", "python", "duckdb", "spark")
# records already read by Python: handing them to the engine costs more than DuckDB reading the
# files itself, so the crossover is later than AUTO_BYTES' (not measured: a city's 928k records)
AUTO_RECORDS = 1_000_000
# records not yet read: by their bytes on disk. Measured (W8, docs/performance.md "Which engine"):
# DuckDB and Python take the same time at 13.9 MB of CSV (three schools), DuckDB is 1.36x faster
# at 48 MB (a city), 0.66x at one school's 4.7 MB
AUTO_BYTES = 15_000_000
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
