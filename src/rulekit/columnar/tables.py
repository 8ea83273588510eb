"""School records as engine tables: one table per entity, a column per field.

CSV and Parquet records read with a DuckDB connection are already engine tables
(records/duckread.py). Other records are read and validated by rulekit.records (the
same findings as the Python evaluator gets), then handed to the engine as JSON Lines with an
explicit column type per field, so that the engine never guesses a type:
a date is a DATE, a semester the integer year*10+term (calendar_sql.py), a
list of strings a VARCHAR[]. Column types come from the entity types the rules
were checked against (records.model), never from one school's names.

Each table has a row number column (POS): a record's number in its table is
its place in the Python evaluator's domain, and how a record value (`first`)
is kept in a column.
"""
from __future__ import annotations

import datetime
import json
import os
import tempfile
from typing import Iterable, Mapping

from ..calendar import AcademicYear, Semester
from ..i18n import _
from ..records.duckread import POS, SQL_TYPES as _SQL_TYPES, table_name  # noqa: F401 - one naming for both



class NotTabular(Exception):
    """A value that does not fit its declared column (the run stays in Python)."""


def column_types(fields: Mapping) -> dict[str, str]:
    """field -> SQL type, from the records' field types (FieldType.name or a type name)."""
    out = {}
    for name, ftype in fields.items():
        kind = str(getattr(ftype, "name", ftype)).rstrip("?")
        if kind not in _SQL_TYPES:
            raise NotTabular(_("field {name} of type {kind}").format(name=name, kind=kind))
        out[name] = _SQL_TYPES[kind]
    return out


def _cell(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Semester):
        return value.year * 10 + value.term
    if isinstance(value, AcademicYear):
        return value.year
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise NotTabular(_("value {value}").format(value=repr(value)))


def write_jsonl(rows: Iterable[Mapping], names: list[str], path: str) -> None:
    dumps = json.dumps
    with open(path, "w", encoding="utf-8") as out:
        for pos, row in enumerate(rows):
            record = {name: _cell(row.get(name)) for name in names}
            record[POS] = pos
            out.write(dumps(record, ensure_ascii=False))
            out.write("\n")


class Staging:
    """A temporary folder of JSON Lines files, one per entity, removed by close()."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="rulekit-columnar-")
        self.files: list[str] = []

    def write(self, entity: str, rows, fields: Mapping) -> tuple[str, dict[str, str]]:
        types = column_types(fields)
        path = os.path.join(self.folder, f"{len(self.files)}.jsonl")
        write_jsonl(rows, list(types), path)
        self.files.append(path)
        return path, {**types, POS: "BIGINT"}

    def parquet(self, con, entity: str) -> str:
        """The engine table of `entity` in DuckDB connection `con`, written as a Parquet file."""
        path = os.path.join(self.folder, f"{len(self.files)}.parquet")
        con.execute(f"COPY (SELECT * FROM \"{table_name(entity)}\" ORDER BY {POS}) TO '{path}' (FORMAT parquet)")
        self.files.append(path)
        return path

    def close(self) -> None:
        for path in self.files:
            try:
                os.remove(path)
            except OSError:
                pass
        try:
            os.rmdir(self.folder)
        except OSError:
            pass
