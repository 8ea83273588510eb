"""The rules DSL: grammar, AST, parser and printer.

    from rulekit.dsl import parse, unparse
    expr = parse("count(o in course_outcomes where o.student == student.id) <= param.quota")
    text = unparse(expr)
"""
from . import ast
from .parser import parse, parse_expr
from .printer import unparse
from .source import SourceMap

__all__ = ["ast", "parse", "parse_expr", "unparse", "SourceMap"]
