"""JSON Lines records into engine tables (issue 17): DuckDB's reader makes the typed table,
Python's C scanner the rows, and the loader's checks run once per distinct value.

As for CSV (records/duckread.py), the fast path only vouches for plain files: every line one
JSON object the C scanner reads without a closer look (`jsonfile.stream_lines`), no blank
text, values of the JSON type each field's check wants (no floats, no numbers past 18
digits), and nothing the Python reader would report or change. Anything else returns None
and the Python reader reads the file, with its own findings and positions.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic
from ..files import open_input
from ..i18n import _
from ..sourceyaml import MAX_NUMBER_DIGITS
from . import jsonfile
from .duckread import NotPlain, mapped, sql_type
from .keys import _odd, key_fields
from .lenient import ignored_fields
from .model import INT, LIST_STRING, SIZE, STRING, LineSpans, Table, entity_infos, entity_types, table_name
from .validate import RawTable, _checks, _parser

_LIMIT = 10 ** MAX_NUMBER_DIGITS  # a longer number is a finding of the Python reader


def read_jsonl_file(con, file: str, entity: str, decl) -> tuple[Table, list[Diagnostic]] | None:
    try:
        with open_input(file, _("records file")) as fh:
            lines = jsonfile.stream_lines(fh)
    except OSError:
        return None
    if lines is None or any(value is None for _n, value, _t in lines):
        return None
    numbers = [number for number, _v, _t in lines]
    records = [value for _n, value, _t in lines]
    del lines
    infos = entity_infos(decl)[entity]
    allowed = set(infos)
    ignored: dict = {}
    for rec in records:
        if not allowed.issuperset(rec):
            ignored.update(dict.fromkeys(k for k in rec if k not in allowed))
    checks, keys = _checks(decl, entity), {info.name for info in key_fields(decl, entity)}
    columns, memos = {}, {}
    for name, info in infos.items():
        col = [rec.get(name) for rec in records]
        memos[name] = _column(col, info, checks.get(name), name in keys)
        columns[name] = col
    if not _engine_table(con, file, entity, memos, infos, decl, len(records)):
        return None
    names = list(infos)
    typed = [col if memos[name] is None else [memos[name][_key(v)] for v in col]
             for name, col in columns.items()]
    del columns
    rows = tuple(dict(zip(names, values)) for values in zip(*typed)) if records else ()
    table = Table(entity, rows, LineSpans(file, numbers))
    stub = RawTable(entity, file, "jsonl", {}, (), None, ignored=tuple(map(str, ignored)))
    return table, ignored_fields(stub)


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def _column(col: list, info, check, is_key: bool) -> dict | None:
    """distinct value -> converted value (None for a text column whose values stay as they are);
    NotPlain when a value would give a finding or be changed."""
    if check is None:
        raise NotPlain(info.name)
    kind = info.type.name
    try:
        distinct = set(col)
    except TypeError:  # lists (or objects, which no field takes)
        try:
            distinct = {_key(v) for v in col}
        except TypeError:
            raise NotPlain(info.name) from None
    if None in distinct and info.type.required:
        raise NotPlain(info.name)
    distinct.discard(None)
    plain_text = kind == STRING and str in getattr(check, "exact_types", ())
    memo = {None: None}
    parsed = _parser(kind)
    for value in distinct:
        raw = list(value) if isinstance(value, tuple) else value
        if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= _LIMIT):
            raise NotPlain(info.name)
        if isinstance(raw, str) and not raw.strip():
            raise NotPlain(info.name)  # blank text is missing: the Python reader decides
        items = raw if isinstance(raw, list) else [raw]
        if is_key and any(isinstance(v, str) and _odd(v) for v in items):
            raise NotPlain(info.name)
        if plain_text:
            if not isinstance(raw, str):
                raise NotPlain(info.name)
            continue
        if not check(raw) or (parsed is not None and kind not in ("academic_year", SIZE) and not isinstance(raw, str)):
            raise NotPlain(info.name)
        if kind == LIST_STRING:
            memo[value] = tuple(raw)
        elif kind == INT or parsed is None:
            memo[value] = raw
        else:
            try:
                memo[value] = parsed[0](raw)
            except Exception:  # noqa: BLE001 - DateError and the like: a finding, said by Python
                raise NotPlain(info.name) from None
    return None if plain_text else memo


def _engine_table(con, file: str, entity: str, memos: dict, infos, decl, n: int) -> bool:
    """`e_<entity>` from DuckDB's JSON reader: text and numbers as they are, every other
    value through its distinct values' conversions. False when DuckDB reads other rows."""
    types = entity_types(decl)[entity]
    read, exprs, joins, params = {}, ["r.rowid AS __pos"], [], []
    for name, ftype in types.items():
        kind = sql_type(ftype)
        if kind is None:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        memo = memos.get(name)
        if memo is None or infos[name].type.name in ("string", "int", "bool", "list[string]"):
            read[name] = kind
            exprs.append(f"r.{quoted} AS {quoted}")
            continue
        read[name] = "VARCHAR"  # a date, semester or year as written: mapped to its value
        as_text = {str(k): v for k, v in memo.items() if k is not None}
        exprs.append(mapped(f"r.{quoted}", as_text, kind, name.replace('"', '""'), joins, params))
    spec = "{" + ", ".join("'" + k.replace("'", "''") + "': '" + t + "'" for k, t in read.items()) + "}"
    path = file.replace("'", "''")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE \"rawj_{entity}\" AS SELECT * FROM read_json('{path}', "
                    f"format='newline_delimited', columns={spec})")
        if con.execute(f'SELECT count(*) FROM "rawj_{entity}"').fetchone()[0] != n:
            return False
        con.execute(f'CREATE OR REPLACE TABLE "{table_name(entity)}" AS SELECT {", ".join(exprs)} '
                    f'FROM "rawj_{entity}" r {" ".join(joins)} ORDER BY r.rowid', params)
    except Exception:  # noqa: BLE001 - a value DuckDB reads otherwise: the Python reader decides
        return False
    finally:
        con.execute(f'DROP TABLE IF EXISTS "rawj_{entity}"')
    return True
