"""The rules DSL: grammar, AST, parser, printer, types and type checker.

    from rulekit.dsl import parse, unparse, Checker
    expr = parse("count(o in course_outcomes where o.student == student.id) <= param.quota")
    text = unparse(expr)

The names below are imported on first use: the parser brings in lark, which a command
reading a cached compiled policy (`who`) never needs.
"""
from __future__ import annotations

import importlib

_NAMES = {"Checker": "checker", "parse": "parser", "parse_expr": "parser", "unparse": "printer",
          "SourceMap": "source", "Type": "types", "parse_type": "types"}

__all__ = ["ast", "Checker", "parse", "parse_expr", "unparse", "SourceMap", "Type", "parse_type"]


def __getattr__(name: str):
    if name == "ast":  # not `from . import ast`: that asks this function for `ast` again
        return importlib.import_module(f"{__name__}.ast")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
