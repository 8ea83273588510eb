"""The rules DSL as data: one frozen dataclass per construct.

Every node has a `span` (where it was written, in the policy file) and a `type`
(None until the checker fills it in), neither of which takes part in equality, so
an AST built by hand equals the one the parser produces:

    >>> Compare("<=", Var("n"), Param("quota")) == parse("n <= param.quota")
    True

The checker returns a typed copy of the tree (dsl.checker.Checker.check), the way
sqlglot annotates its expressions: every later pass -- the Python compiler, a SQL one
-- reads a node's type from the node itself and can rely on it being there.

Nothing here knows about lark; the parser is the only module that does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

from ..diagnostics import Span
from .types import Type

NO_SPAN = Span("")

COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
ARITH_OPS = ("+", "-")
QUANTIFIERS = ("count", "exists", "first")
FOLDS = ("sum", "min", "max", "list")
AGGREGATES = QUANTIFIERS + ("all",) + FOLDS
DURATION_UNITS = ("days", "weeks", "months", "years")
KEYWORDS = frozenset((
    "if", "then", "else", "default", "unless", "and", "or", "not", "in",
    "true", "false", "null", "where", "for", "satisfy",
) + AGGREGATES)
# Names with a meaning of their own: `param.x`, `policy.x`, `as_of`.
RESERVED = frozenset(("param", "policy", "as_of"))


def _span():
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


def _type():
    return field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Node:
    span: Span = _span()
    type: Type | None = _type()  # set by the checker; None on an unchecked or ill-typed node

    def children(self) -> Iterator["Node"]:
        """Direct sub-expressions, in source order."""
        return iter(())


@dataclass(frozen=True)
class IntLit(Node):
    value: int


@dataclass(frozen=True)
class StrLit(Node):
    value: str


@dataclass(frozen=True)
class BoolLit(Node):
    value: bool


@dataclass(frozen=True)
class NullLit(Node):
    pass


@dataclass(frozen=True)
class DateLit(Node):
    """`2024-01-19` or `date("113.01.19")`; `text` is as written, read by the checker."""

    text: str


@dataclass(frozen=True)
class SemesterLit(Node):
    """`semester("113-1")`."""

    text: str


@dataclass(frozen=True)
class DurationLit(Node):
    """`3 days`, `1 month`: unit is always the plural (days, weeks, months, years)."""

    amount: int
    unit: str


@dataclass(frozen=True)
class SizeLit(Node):
    """`4 MB`, `10MB`, `4194304 B`: a whole number of bytes (K, M, G are powers of 1024)."""

    value: int


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple["Expr", ...] = ()

    def children(self):
        return iter(self.items)


@dataclass(frozen=True)
class Var(Node):
    """A bound name: a for_each variable, a let, an aggregate binder, `as_of`,
    or an entity collection such as `course_outcomes`."""

    name: str


@dataclass(frozen=True)
class Param(Node):
    """`param.NAME`: a parameter of the policy (a count or a duration)."""

    name: str


@dataclass(frozen=True)
class Const(Node):
    """`policy.NAME`: a named constant the policy provides (e.g. a list of seats)."""

    name: str


@dataclass(frozen=True)
class Field(Node):
    obj: "Expr"
    name: str

    def children(self):
        yield self.obj


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple["Expr", ...] = ()

    def children(self):
        return iter(self.args)


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" | "-"
    operand: "Expr"

    def children(self):
        yield self.operand


@dataclass(frozen=True)
class BinOp(Node):
    """and, or, + and -."""

    op: str
    left: "Expr"
    right: "Expr"

    def children(self):
        yield self.left
        yield self.right


@dataclass(frozen=True)
class Compare(Node):
    """== != < <= > >=, and membership: `in`, `not in`."""

    op: str
    left: "Expr"
    right: "Expr"

    def children(self):
        yield self.left
        yield self.right


@dataclass(frozen=True)
class If(Node):
    cond: "Expr"
    then: "Expr"
    else_: "Expr"

    def children(self):
        yield self.cond
        yield self.then
        yield self.else_


@dataclass(frozen=True)
class Unless(Node):
    """One exception of a `default`: `unless cond then value`."""

    cond: "Expr"
    value: "Expr"

    def children(self):
        yield self.cond
        yield self.value


@dataclass(frozen=True)
class Default(Node):
    """`default E0 unless C1 then E1 unless C2 then E2`: the first true Ci gives Ei, else E0."""

    base: "Expr"
    exceptions: tuple[Unless, ...]

    def children(self):
        yield self.base
        yield from self.exceptions


@dataclass(frozen=True)
class Aggregate(Node):
    """count/exists/first(x in src where P), all(x in src where P satisfy Q),
    sum/min/max/list(E for x in src where P). `body` is Q or E, None for the quantifiers."""

    op: str
    var: str
    source: "Expr"
    where: "Expr | None" = None
    body: "Expr | None" = None

    def children(self):
        if self.op in FOLDS and self.body is not None:
            yield self.body
        yield self.source
        if self.where is not None:
            yield self.where
        if self.op == "all" and self.body is not None:
            yield self.body


Expr = Union[IntLit, StrLit, BoolLit, NullLit, DateLit, SemesterLit, DurationLit, SizeLit, ListLit,
             Var, Param, Const, Field, Call, Unary, BinOp, Compare, If, Default, Aggregate]


def walk(node: Node) -> Iterator[Node]:
    """The node and all its descendants, parents first."""
    yield node
    for child in node.children():
        yield from walk(child)


def free_vars(node: Node) -> frozenset[str]:
    """Names a node reads from its surroundings (aggregate binders are not free inside)."""
    if isinstance(node, Var):
        return frozenset((node.name,))
    if isinstance(node, Aggregate):
        inner = frozenset()
        for part in (node.where, node.body):
            if part is not None:
                inner |= free_vars(part)
        return free_vars(node.source) | (inner - {node.var})
    out = frozenset()
    for child in node.children():
        out |= free_vars(child)
    return out
