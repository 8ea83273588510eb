"""AST -> DSL text, with the fewest parentheses that keep the meaning.

`parse(unparse(e)) == e` for every AST the parser can produce (a property test
checks it), so `unparse` is also the canonical way to show an expression.
"""
from __future__ import annotations

import re

from . import ast as A
from .units import format_size

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Binding strength, loosest first; an operand weaker than its slot is parenthesised.
IF, OR, AND, NOT, CMP, SUM, NEG, POST, ATOM = range(9)
_BINARY = {"or": OR, "and": AND, "+": SUM, "-": SUM}


def precedence(node: A.Node) -> int:
    if isinstance(node, (A.If, A.Default)):
        return IF
    if isinstance(node, A.BinOp):
        return _BINARY[node.op]
    if isinstance(node, A.Unary):
        return NOT if node.op == "not" else NEG
    if isinstance(node, A.Compare):
        return CMP
    if isinstance(node, A.Field):
        return POST
    return ATOM


def unparse(node: A.Node) -> str:
    return _text(node, IF)


def quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def _text(node: A.Node, slot: int) -> str:
    out = _bare(node)
    return f"({out})" if precedence(node) < slot else out


def _bare(node: A.Node) -> str:
    fn = _PRINTERS.get(type(node))
    if fn is None:
        raise TypeError(f"cannot print {type(node).__name__}")
    return fn(node)


def _binop(n: A.BinOp) -> str:
    p = _BINARY[n.op]
    return f"{_text(n.left, p)} {n.op} {_text(n.right, p + 1)}"


def _unary(n: A.Unary) -> str:
    if n.op == "not":
        return f"not {_text(n.operand, NOT)}"
    return f"-{_text(n.operand, NEG)}"


def _compare(n: A.Compare) -> str:
    return f"{_text(n.left, SUM)} {n.op} {_text(n.right, SUM)}"


def _if(n: A.If) -> str:
    return f"if {_text(n.cond, IF)} then {_text(n.then, IF)} else {_text(n.else_, IF)}"


def _default(n: A.Default) -> str:
    parts = [f"default {_text(n.base, OR)}"]
    for exc in n.exceptions:
        parts.append(f"unless {_text(exc.cond, OR)} then {_text(exc.value, OR)}")
    return " ".join(parts)


def _aggregate(n: A.Aggregate) -> str:
    head = f"{n.var} in {_text(n.source, POST)}"
    where = f" where {_text(n.where, IF)}" if n.where is not None else ""
    if n.op in A.FOLDS:
        return f"{n.op}({_text(n.body, IF)} for {head}{where})"
    if n.op == "all":
        return f"all({head}{where} satisfy {_text(n.body, IF)})"
    return f"{n.op}({head}{where})"


def _duration(n: A.DurationLit) -> str:
    unit = n.unit[:-1] if n.amount == 1 and n.unit.endswith("s") else n.unit
    return f"{n.amount} {unit}"


def _date(n: A.DateLit) -> str:
    return n.text if _ISO.fullmatch(n.text) else f"date({quote(n.text)})"


_PRINTERS = {
    A.IntLit: lambda n: str(n.value),
    A.StrLit: lambda n: quote(n.value),
    A.BoolLit: lambda n: "true" if n.value else "false",
    A.NullLit: lambda n: "null",
    A.DateLit: _date,
    A.SemesterLit: lambda n: f"semester({quote(n.text)})",
    A.DurationLit: _duration,
    A.SizeLit: lambda n: format_size(n.value),
    A.ListLit: lambda n: "[" + ", ".join(_text(i, IF) for i in n.items) + "]",
    A.Var: lambda n: n.name,
    A.Param: lambda n: f"param.{n.name}",
    A.Const: lambda n: f"policy.{n.name}",
    A.Field: lambda n: f"{_text(n.obj, POST)}.{n.name}",
    A.Call: lambda n: f"{n.func}(" + ", ".join(_text(a, IF) for a in n.args) + ")",
    A.Unary: _unary,
    A.BinOp: _binop,
    A.Compare: _compare,
    A.If: _if,
    A.Default: _default,
    A.Aggregate: _aggregate,
}
