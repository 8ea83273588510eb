"""Records YAML scalars: read as the text written, typed by the field's declared type only.

PyYAML resolves plain scalars by YAML 1.1, where `0110101` is octal (36929), `10:30`
is sexagesimal (630) and `yes`/`on` are booleans: an id or a time would be changed
before rulekit sees it. So the readers (`yamlfast`, `sourceyaml.load_text(...,
text_scalars=True)`) keep every scalar as its text, a plain null as None, and the
records schema decides: a text field keeps the text; an int or bool field takes only
what the YAML 1.2 core schema reads as one. Quoting does not matter, as in a CSV cell.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from .model import BOOL, INT

# A plain scalar that is null in YAML 1.1 and in the YAML 1.2 core schema alike.
NULL_TEXTS = frozenset({"", "~", "null", "Null", "NULL"})

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _number(text: str) -> Any:
    t = text.strip()
    if _INT.fullmatch(t):
        try:
            return int(t)
        except ValueError:  # past Python's 4300-digit limit: the schema check reports the text
            return text
    if _FLOAT.fullmatch(t):
        return float(t)  # 2.0 is a whole number; 2.5 is reported as not one
    return text


def _bool(text: str) -> Any:
    return _BOOLS.get(text.strip(), text)


_CONVERT: dict[str, Callable[[str], Any]] = {INT: _number, BOOL: _bool}


def typer(kind: str) -> Callable[[Any], Any] | None:
    """How a text value of a field of type `kind` becomes its value; None: it stays text.

    Anything that is not text (a list, a mapping, a value a typed document gave) passes
    through for the schema check to judge."""
    convert = _CONVERT.get(kind)
    if convert is None:
        return None
    return lambda v: convert(v) if isinstance(v, str) else v


def typed_column(kind: str, col: list) -> list:
    """A column of values as read -> as declared; each distinct text converted once."""
    one = typer(kind)
    if one is None:
        return col
    memo: dict = {}
    out = []
    for v in col:
        if isinstance(v, str):
            got = memo.get(v, memo)
            if got is memo:
                got = memo[v] = one(v)
            out.append(got)
        else:
            out.append(v)
    return out


def typed_record(infos: dict, rec: dict | None) -> dict | None:
    """One record as read -> as declared (fields the schema does not know are left alone)."""
    if rec is None:
        return None
    out = {}
    for name, v in rec.items():
        one = typer(infos[name].type.name) if name in infos else None
        out[name] = one(v) if one is not None else v
    return out
