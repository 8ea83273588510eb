"""The DSL's built-in functions and arithmetic, as tables the checker reads.

Kept apart from the checker so that adding a function is one row here (plus its
run-time meaning in evaluator/compile.py and a line in docs/dsl.md).
"""
from __future__ import annotations

from . import types as T

# function -> (accepted base types per argument, result base type)
FUNCTIONS: dict[str, tuple[tuple[tuple[str, ...], ...], str]] = {
    "semester_of": (((T.DATE,),), T.SEMESTER),
    "academic_year_of": (((T.DATE, T.SEMESTER),), T.ACADEMIC_YEAR),
    "start": (((T.SEMESTER, T.ACADEMIC_YEAR),), T.DATE),
    "end": (((T.SEMESTER, T.ACADEMIC_YEAR),), T.DATE),
    "days": (((T.DATE,), (T.DATE,)), T.INT),
    "len": (((T.LIST, T.STRING),), T.INT),
    "is_null": (((T.ANY,),), T.BOOL),
    "academic_year": (((T.INT,),), T.ACADEMIC_YEAR),
    "valid_national_id": (((T.STRING,),), T.BOOL),
    "startswith": (((T.STRING,), (T.STRING,)), T.BOOL),
    "endswith": (((T.STRING,), (T.STRING,)), T.BOOL),
    # for messages: a list as one text, and any value as the text a message shows
    "join": (((T.LIST,), (T.STRING,)), T.STRING),
    "text": (((T.ANY,),), T.STRING),
}

ARITH = {  # (op, left, right) -> result
    ("+", T.INT, T.INT): T.INT, ("-", T.INT, T.INT): T.INT,
    ("+", T.DATE, T.DURATION): T.DATE, ("+", T.DURATION, T.DATE): T.DATE,
    ("-", T.DATE, T.DURATION): T.DATE, ("-", T.DATE, T.DATE): T.DURATION,
    ("+", T.DURATION, T.DURATION): T.DURATION, ("-", T.DURATION, T.DURATION): T.DURATION,
    ("+", T.SIZE, T.SIZE): T.SIZE, ("-", T.SIZE, T.SIZE): T.SIZE,
    ("+", T.STRING, T.STRING): T.STRING,  # joining texts, for messages
}
