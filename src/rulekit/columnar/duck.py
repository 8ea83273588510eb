"""DuckDB, embedded: the columnar engine of one machine."""
from __future__ import annotations

from collections import deque
from itertools import repeat

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

    def rows(self, query: exp.Expression) -> list:
        """Every row of the query as it is: subject number, status and the lets' values."""
        return self.con.execute(query.sql("duckdb")).fetchall()

    def run(self, query: exp.Expression):
        """(subject number, status) of each subject, in order. The subjects come back grouped by
        status, as one list of numbers each: two million rows of tuples cost twice as much to
        turn into Python. The lets are hashed so that a value that cannot be computed still
        stops the query (they would not be computed at all if nothing read them)."""
        lets = [exp.column(name, quoted=True) for name in query.named_selects[2:]]
        index, status = (exp.column(name, quoted=True) for name in query.named_selects[:2])
        grouped = exp.select(status, exp.func("list", exp.Order(this=index, expressions=[exp.Ordered(this=index.copy())]))) \
            .from_(query.subquery("q")).group_by(status.copy())
        if lets:
            grouped = grouped.select(exp.func("max", exp.func("hash", *lets)))
        groups = self.con.execute(grouped.sql("duckdb")).fetchall()
        if len(groups) == 1:
            return zip(groups[0][1], repeat(groups[0][0]))
        total = sum(len(numbers) for _, numbers, *_ in groups)
        top = max((numbers[-1] for _, numbers, *_ in groups if numbers), default=-1)
        if top >= 4 * total:  # few subjects out of a large product of domains
            return sorted((n, name) for name, numbers, *_ in groups for n in numbers)
        status_of = [None] * (top + 1)
        for name, numbers, *_ in groups:  # each status into its subjects' places, in C
            deque(map(status_of.__setitem__, numbers, repeat(name)), maxlen=0)
        return [(n, name) for n, name in enumerate(status_of) if name is not None]

    def close(self) -> None:
        if self.own:
            self.con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")
