"""CSV and Parquet records read by DuckDB, straight into engine tables (issue 17).

For a large export, reading cells in Python is most of a check's time. Here DuckDB's
own readers load each file, and the loader's checks run as checks over columns:
each distinct cell of a typed or key column is judged once, in Python, by the very
functions the Python reader uses (`csvfile.convert_cells`, the schema's fast check,
`_convert_column`'s parsers, `keys._odd`), and the rest (required cells, surrounding
spaces, blank rows, row shape) are counted in SQL. A file passes only if nothing is
found; then it becomes

- an engine table `e_<entity>` (typed columns, `__pos` = row number, as
  columnar/tables.py stages them) in the given DuckDB connection, and
- the same `Table` the Python reader would have made (rows built from the same
  converted values), so reports, messages and `--explain` work unchanged.

Any finding, or any file shape this module does not vouch for (quoted cells, blank
lines, a header that is not plain), returns None: the caller reads that file with the
Python reader, whose findings and positions are the ones users know. So the findings
are the same by construction; tests/test_duckread.py checks the tables are too.
"""
from __future__ import annotations

import os
import re
import tempfile

from ..calendar import AcademicYear, DateError, Semester
from ..diagnostics import Diagnostic, Span, UsageError
from ..i18n import _
from .csvfile import _ignored_headers, convert_cells, read_header
from .encoding import decode
from .keys import _odd, key_fields
from .lenient import ignored_fields
from .model import LIST_STRING, POS, STRING, RowSpans, Table, entity_infos, entity_types, table_name  # noqa: F401
from .validate import MISSING, RawTable, _checks, _parser

SQL_TYPES = {"string": "VARCHAR", "int": "BIGINT", "bool": "BOOLEAN", "date": "DATE",
             "semester": "INTEGER", "academic_year": "INTEGER", "list[string]": "VARCHAR[]"}
# What str.strip() removes (every c with c.isspace(), tested in tests/test_duckread.py): a cell
# with any of it at either end, or of only that, is one the Python reader changes
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
          "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_PLAIN = "[^\\x21-\\x7e]"  # a key of printable ASCII without spaces is one `normalise_keys` leaves alone
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# a line of nothing or spaces (the final newline's empty remainder aside): Python skips it, and
# numbers the rows after it by line, which DuckDB cannot tell
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


def _has_blank_line(text: str) -> bool:
    first, _, rest = text.partition("\n")
    return not first.strip(" \t\r") or _BLANK_LINE.search(text) is not None or (rest and not rest.strip(" \t\r\n"))


class NotPlain(Exception):
    """The file needs the Python reader (it says what is wrong, or reads what is unusual)."""


def sql_type(ftype) -> str | None:
    return SQL_TYPES.get(str(getattr(ftype, "name", ftype)).rstrip("?"))


def sql_value(value):
    """A converted value as its engine column holds it (a semester as year*10+term)."""
    if isinstance(value, Semester):
        return value.year * 10 + value.term
    if isinstance(value, AcademicYear):
        return value.year
    if isinstance(value, tuple):
        return list(value)
    return value


def connect():
    """A DuckDB connection, or a usage error saying how to install DuckDB."""
    try:
        import duckdb
    except ImportError:
        raise UsageError([Diagnostic("engine-unavailable", _("reading Parquet needs DuckDB, which is not installed"),
                                     Span("<command line>"), hint=_("pip install 'rulekit[duckdb]'"))]) from None
    return duckdb.connect(":memory:")


def read_csv_file(con, file: str, entity: str, encoding, decl) -> tuple[Table, list[Diagnostic]] | None:
    """`file`'s table and warnings, its engine table made in `con`; None: use the Python reader."""
    try:
        with open(file, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    text, notice = decode(data, file, encoding)
    if text is None or '"' in text or any(c in text for c in _OTHER_BREAKS) \
            or text.count("\r") != text.count("\r\n") or _has_blank_line(text):
        return None
    header = text.split("\n", 1)[0].rstrip("\r").split(",")
    if not any(cell.strip() for cell in header):
        return None
    source, temp = file, None
    if text.encode("utf-8") != data:  # Big5, UTF-16 or a BOM: DuckDB reads it as UTF-8
        fd, temp = tempfile.mkstemp(prefix="rulekit-utf8-", suffix=".csv")  # Big5 (or a BOM) as UTF-8
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        source = temp
    del data
    columns = "{" + ", ".join(f"'c{k}': 'VARCHAR'" for k in range(len(header))) + "}"
    path = source.replace("'", "''")
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "raw_{entity}" AS SELECT * FROM read_csv(\'{path}\', '
                    f"header=false, skip=1, auto_detect=false, delim=',', quote='', escape='', "
                    f"columns={columns}, null_padding=false)")
    except Exception:  # noqa: BLE001 - a row DuckDB cannot read: the Python reader says why
        return None
    finally:
        if temp:
            os.remove(temp)
    return _finish(con, file, entity, header, decl, [notice] if notice else [], text)


def read_parquet_file(con, file: str, entity: str, decl) -> tuple[Table, list[Diagnostic]] | None:
    """A Parquet file as the CSV it would be exported as: each column's cells as text (a list
    as its items joined by ';'), read by the same rules. None: read its text cells in Python."""
    path = file.replace("'", "''")
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    header = [name for name, *_ in described]
    cells = [f"array_to_string(\"{_q(name)}\", ';')" if kind.endswith("[]") else f'CAST("{_q(name)}" AS VARCHAR)'
             for name, kind, *_ in described]
    select = ", ".join(f"nullif({cell}, '') AS c{k}" for k, cell in enumerate(cells))
    con.execute(f'CREATE OR REPLACE TEMP TABLE "raw_{entity}" AS SELECT {select} FROM read_parquet(\'{path}\')')
    return _finish(con, file, entity, header, decl, [])


def parquet_cells(con, file: str, entity: str):
    """(row number, cells) of a Parquet file as text, its column names as row 1: for the
    Python reader (`csvfile.table_of_rows`) when the fast path found something."""
    path = file.replace("'", "''")
    header = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    yield 1, header
    cols = ", ".join(f"coalesce(c{k}, '')" for k in range(len(header)))
    for i, row in enumerate(con.execute(f'SELECT {cols} FROM "raw_{entity}" ORDER BY rowid').fetchall()):
        yield i + 2, list(row)


def _blank(col: str) -> str:
    """SQL: the cell is empty or only spaces."""
    spaces = _sql_text(SPACES)  # the first character tested first: trim() with a set is slow
    return f"({col} IS NULL OR (strpos({spaces}, left({col}, 1)) > 0 AND trim({col}, {spaces}) = ''))"


def _edged(col: str) -> str:
    """SQL: the cell starts or ends with a space str.strip() removes."""
    spaces = _sql_text(SPACES)
    return f"(strpos({spaces}, left({col}, 1)) > 0 OR strpos({spaces}, right({col}, 1)) > 0)"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return name.replace('"', '""')


def _finish(con, file, entity, header, decl, notices, text: str | None = None) -> tuple[Table, list[Diagnostic]] | None:
    head = read_header(file, entity, 1, header, decl)
    infos = entity_infos(decl)[entity]
    if head.diags or any(info.type.required and n not in head.column_of for n, info in infos.items()):
        return None
    raw = f'"raw_{entity}"'
    checks, keys = _checks(decl, entity), {info.name for info in key_fields(decl, entity)}
    if any(checks.get(name) is None for name in head.column_of):
        return None  # a schema keyword the fast check does not know: jsonschema must see every row
    unnamed = [k for k, label in head.unknown if not label]
    counts = _scan(con, raw, len(header), head.column_of, infos, checks, keys, unnamed)
    if counts.pop("blank rows") or any(v for k, v in counts.items() if not k.startswith(("valued ", "odd "))):
        return None
    memos = {}
    for name, column in head.column_of.items():
        memos[name] = _column(con, raw, f"c{column - 1}", infos[name], checks[name], name in keys,
                              counts.get(f"odd {name}", 0))
    valued = {k for k in unnamed if counts[f"valued {k}"]}
    ignored = _ignored_headers(list(head.unknown), valued)
    n = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
    _engine_table(con, raw, entity, head.column_of, memos, decl)
    cells = _text_cells(text, n, head.column_of) if text is not None else _engine_cells(con, raw, head.column_of, n)
    table = _python_table(file, entity, head.column_of, memos, infos, n, cells)
    con.execute(f"DROP TABLE {raw}")  # the cells are in both tables now
    stub = RawTable(entity, file, "csv", {}, (), None, ignored=ignored, csv_header=1)
    return table, notices + ignored_fields(stub)


def _scan(con, raw: str, ncol: int, column_of: dict, infos, checks, keys, unnamed) -> dict[str, int]:
    """One pass over the file's cells counting what the Python reader would find or change:
    blank rows, required cells left empty, text with spaces around it, keys that are not plain
    ASCII (looked at closely next), and the unnamed columns holding values."""
    counts = {"blank rows": " AND ".join(_blank(f"c{k}") for k in range(ncol))}
    for name, column in column_of.items():
        c, info = f"c{column - 1}", infos[name]
        if info.type.required:
            counts[f"empty {name}"] = f"{c} IS NULL"
        if info.type.name == STRING and str in getattr(checks[name], "exact_types", ()):
            counts[f"spaces {name}"] = _edged(c)
            if name in keys:
                counts[f"odd {name}"] = f"regexp_matches({c}, '{_PLAIN}')"
    counts.update((f"valued {k}", f"NOT {_blank(f'c{k}')}") for k in unnamed)
    select = ", ".join(f"count_if({cond})" for cond in counts.values())
    return dict(zip(counts, con.execute(f"SELECT {select} FROM {raw}").fetchone()))


def _column(con, raw: str, col: str, info, check, is_key: bool, odd: int) -> dict | None:
    """Each distinct cell -> its converted value (None for a string column whose cells are its
    values), or NotPlain when a cell would give a finding or be read differently."""
    kind = info.type.name
    if kind == STRING and str in getattr(check, "exact_types", ()):
        if odd:
            cells = con.execute(f"SELECT DISTINCT {col} FROM {raw} WHERE regexp_matches({col}, '{_PLAIN}')")
            if any(_odd(v) for v, in cells.fetchall()):
                raise NotPlain(info.name)
        return None
    memo = {}
    parsed = _parser(kind)
    for cell, in con.execute(f"SELECT DISTINCT {col} FROM {raw} WHERE {col} IS NOT NULL").fetchall():
        value = convert_cells(kind, [cell])[0]
        if value is MISSING:
            if info.type.required:
                raise NotPlain(info.name)
            memo[cell] = None
            continue
        items = value if isinstance(value, list) else [value]
        if (is_key and any(isinstance(v, str) and _odd(v) for v in items)) or not check(value):
            raise NotPlain(info.name)
        if kind == STRING:
            if value != cell:
                raise NotPlain(info.name)
        elif kind == LIST_STRING:
            value = tuple(value)
        elif parsed is not None:
            try:
                value = parsed[0](value)
            except DateError:
                raise NotPlain(info.name) from None
        memo[cell] = value
    return memo


def _engine_table(con, raw: str, entity: str, column_of: dict, memos: dict, decl) -> None:
    """`e_<entity>`: every declared field the engine can hold, typed, in row order."""
    exprs, joins, params = [f"r.rowid AS {POS}"], [], []
    for name, ftype in entity_types(decl)[entity].items():
        kind = sql_type(ftype)
        if kind is None:
            continue
        column = column_of.get(name)
        if column is None:
            exprs.append(f'CAST(NULL AS {kind}) AS "{_q(name)}"')
        elif memos[name] is None:
            exprs.append(f'r.c{column - 1} AS "{_q(name)}"')
        else:
            exprs.append(mapped(f"r.c{column - 1}", memos[name], kind, _q(name), joins, params))
    con.execute(f'CREATE OR REPLACE TABLE "{table_name(entity)}" AS SELECT {", ".join(exprs)} '
                f"FROM {raw} r {' '.join(joins)} ORDER BY r.rowid", params)


def mapped(cell: str, memo: dict, kind: str, quoted: str, joins: list, params: list) -> str:
    """The select item of a column whose cells become values through `memo` (cell -> converted
    value, as the Python reader converts them): a join on a table made of the memo, added to
    `joins` with its two lists in `params`."""
    pairs = {k: v for k, v in memo.items() if k is not None and v is not None}
    if not pairs:
        return f'CAST(NULL AS {kind}) AS "{quoted}"'
    m = f"m{len(joins)}"
    joins.append(f"LEFT JOIN (SELECT unnest(?) AS k, CAST(unnest(?) AS {kind}) AS v) {m} ON {m}.k = {cell}")
    params += [list(pairs), [sql_value(v) for v in pairs.values()]]
    return f'{m}.v AS "{quoted}"'


def _text_cells(text: str, n: int, column_of: dict) -> dict[str, tuple]:
    """Each field's cells from the CSV text itself: with no quotes and no blank lines (checked),
    splitting lines at commas is the CSV reader, and faster than fetching the cells from DuckDB."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")[1:n + 1]
    columns = list(zip(*(line.split(",") for line in lines)))
    return {name: _empty_is_none(columns[k - 1]) if columns else () for name, k in column_of.items()}


def _empty_is_none(cells: tuple) -> tuple:
    return tuple(None if c == "" else c for c in cells) if "" in cells else cells


def _engine_cells(con, raw: str, column_of: dict, n: int) -> dict[str, tuple]:
    present = list(column_of)
    fetched = con.execute(f"SELECT {', '.join(f'c{column_of[m] - 1}' for m in present) or 'NULL'} "
                          f"FROM {raw} ORDER BY rowid").fetchall() if n else []
    return dict(zip(present, zip(*fetched))) if fetched else {name: () for name in present}


def _python_table(file: str, entity: str, column_of: dict, memos: dict, infos, n: int, cols: dict) -> Table:
    """The Table the Python reader makes: the same rows of converted values, spans and columns."""
    names = list(infos)
    columns = []
    for name in names:
        if name not in column_of:
            columns.append((None,) * n)
        elif memos[name] is None:
            columns.append(cols[name])
        else:
            memo = memos[name]
            memo[None] = None
            columns.append(list(map(memo.__getitem__, cols[name])))
    rows = tuple(dict(zip(names, values)) for values in zip(*columns)) if n else ()
    missing = tuple(name for name in names if name not in column_of)
    return Table(entity, rows, RowSpans(file, range(2, n + 2)), columns=dict(column_of), missing_columns=missing)


def read_file(con, file: str, entity: str, encoding, decl) -> tuple[Table, list[Diagnostic]] | None:
    """The fast path for one CSV or Parquet file; None when the Python reader must read it."""
    if file.lower().endswith(".parquet"):
        return guarded(con, entity, read_parquet_file, con, file, entity, decl)
    return guarded(con, entity, read_csv_file, con, file, entity, encoding, decl)


def guarded(con, entity: str, read, *args):
    """read(*args), or None (and no engine table) when it found the file not plain."""
    try:
        return read(*args)
    except NotPlain:
        con.execute(f'DROP TABLE IF EXISTS "{table_name(entity)}"')
        return None


def references_clean(records) -> bool:
    """True when the engine tables show no duplicate key and no reference to a missing record,
    so that `check_references` would find nothing but the loading warnings. False when they
    show something, or some records are not engine tables: then Python looks, and says where."""
    engine, decl = records.engine, records.declaration
    if engine is None or decl is None or set(records.tables) - engine.entities:
        return False
    targets = [t for t in decl.ref_targets() if t in records.tables]
    if len(targets) < len(decl.ref_targets()):
        return False  # a kind that was not loaded: `unchecked-reference` warnings, said by Python
    counts = []
    for target in targets:
        key = f'"{_q(decl.entity(target).key)}"'
        counts.append(f'(SELECT count({key}) - count(DISTINCT {key}) FROM "{table_name(target)}")')
    for entity, fields in entity_infos(decl).items():
        for name, info in fields.items():
            target = info.type.ref
            if target not in targets or entity not in records.tables:
                continue
            key, col = f'"{_q(decl.entity(target).key)}"', f'"{_q(name)}"'
            values = (f'(SELECT unnest({col}) AS v FROM "{table_name(entity)}")' if info.type.name == LIST_STRING
                      else f'(SELECT {col} AS v FROM "{table_name(entity)}")')
            counts.append(f'(SELECT count(*) FROM {values} x WHERE x.v IS NOT NULL AND NOT EXISTS '
                          f'(SELECT 1 FROM "{table_name(target)}" k WHERE k.{key} = x.v))')
    if not counts:
        return True
    return not any(engine.con.execute(f"SELECT {', '.join(counts)}").fetchone())
