"""DuckDB, embedded: the columnar engine of one machine."""
from __future__ import annotations

from sqlglot import exp


class DuckBackend:
    def __init__(self):
        import duckdb

        self.con = duckdb.connect(":memory:")

    def load(self, entity: str, path: str, types: dict[str, str]) -> None:
        from .tables import table_name

        columns = "{" + ", ".join(f"'{_quote(n)}': '{t}'" for n, t in types.items()) + "}"
        self.con.execute(f'CREATE TABLE "{table_name(entity)}" AS SELECT * FROM read_json('
                         f"'{_quote(path)}', format='newline_delimited', columns={columns})")

    def run(self, query: exp.Expression) -> list:
        return self.con.execute(query.sql("duckdb")).fetchall()

    def close(self) -> None:
        self.con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")
