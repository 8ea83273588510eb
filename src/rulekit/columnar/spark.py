"""Spark: the same plans beyond one machine (PySpark; local mode in tests, a cluster
through spark-submit, docs/scale.md).

The query trees of plan.py are printed in Spark's dialect by sqlglot; the records
reach Spark as Parquet written by DuckDB from its engine tables when DuckDB read them
(records/duckread.py), else as the same JSON Lines files with the same column types. A rule whose
plan Spark does not accept (some correlated subqueries) is answered by the Python
evaluator, like any rule the engine stops on (run.py).
"""
from __future__ import annotations

from sqlglot import exp

from .calendar_sql import ERROR

_SPARK_TYPES = {"VARCHAR": "STRING", "BIGINT": "BIGINT", "BOOLEAN": "BOOLEAN", "DATE": "DATE",
                "INTEGER": "INT", "VARCHAR[]": "ARRAY<STRING>"}


def local_session(cores: int = 2):
    """A local Spark session for one check (or a test module): no UI, few shuffle partitions."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(f"local[{cores}]").appName("rulekit")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(cores * 2))
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    # a plan Spark refuses is answered in Python with a note: its stack trace is noise here
    session.sparkContext.setLogLevel("OFF")
    return session


class SparkBackend:
    def __init__(self, session=None):
        if session is None:
            from pyspark.sql import SparkSession
            session = SparkSession.getActiveSession()
        self.own = session is None  # a session this check started, and stops
        self.spark = session if session is not None else local_session()
        self.views: list[str] = []

    def load(self, entity: str, path: str, types: dict[str, str]) -> None:
        from .tables import table_name

        ddl = ", ".join(f"`{name}` {_SPARK_TYPES[t]}" for name, t in types.items())
        frame = self.spark.read.schema(ddl).option("dateFormat", "yyyy-MM-dd").json(path)
        name = table_name(entity)
        frame.cache().createOrReplaceTempView(name)
        self.views.append(name)

    def load_parquet(self, entity: str, path: str) -> None:
        """An engine table DuckDB wrote as Parquet: its column types travel with it."""
        from .tables import table_name

        name = table_name(entity)
        self.spark.read.parquet(path).cache().createOrReplaceTempView(name)
        self.views.append(name)

    def run(self, query: exp.Expression) -> list:
        return [tuple(row) for row in self.spark.sql(spark_sql(query)).collect()]

    def close(self) -> None:
        for name in self.views:
            self.spark.catalog.dropTempView(name)
        if self.own:
            self.spark.stop()


def spark_sql(query: exp.Expression) -> str:
    """The query in Spark SQL: DuckDB's error() is Spark's raise_error()."""
    def rename(node):
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == ERROR:
            return exp.Anonymous(this="raise_error", expressions=node.expressions)
        return node
    return query.copy().transform(rename).sql("spark")
