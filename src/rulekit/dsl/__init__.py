"""The rules DSL: grammar, AST, parser, printer, types and type checker.

    from rulekit.dsl import parse, unparse, Checker
    expr = parse("count(o in course_outcomes where o.student == student.id) <= param.quota")
    text = unparse(expr)
"""
from . import ast
from .checker import Checker
from .parser import parse, parse_expr
from .printer import unparse
from .source import SourceMap
from .types import Type, parse_type

__all__ = ["ast", "Checker", "parse", "parse_expr", "unparse", "SourceMap", "Type", "parse_type"]
