"""DuckDB, embedded: the columnar engine of one machine."""
from __future__ import annotations

from sqlglot import exp


class DuckBackend:
    """Runs queries on `con`, the connection the records were read with (its caller closes
    it), or on a connection of its own, closed by close()."""

    def __init__(self, con=None):
        self.own = con is None
        if con is None:
            import duckdb

            con = duckdb.connect(":memory:")
        self.con = con

    def load(self, entity: str, path: str, types: dict[str, str]) -> None:
        from .tables import table_name

        # OR REPLACE: a shared connection keeps the tables of an earlier run (another text in force)
        columns = "{" + ", ".join(f"'{_quote(n)}': '{t}'" for n, t in types.items()) + "}"
        self.con.execute(f'CREATE OR REPLACE TABLE "{table_name(entity)}" AS SELECT * FROM read_json('
                         f"'{_quote(path)}', format='newline_delimited', columns={columns})")

    def run(self, query: exp.Expression) -> list:
        return self.con.execute(query.sql("duckdb")).fetchall()

    def close(self) -> None:
        if self.own:
            self.con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")
