"""Checked AST -> Python closures. No eval, no exec: every node becomes a small function.

Closures read an environment: a list of slots. Slot 0 holds the run Context
(records, indexes); every for_each variable, let, aggregate binder, parameter,
constant and `as_of` has a slot fixed at compile time, so a variable is one
`env[i]` (an operator.itemgetter), never a chain of dictionary lookups.

Aggregates over an entity whose `where` contains `x.field == E` (E not
mentioning x) look rows up in a hash index built once per run per
(entity, fields), so a per-student, per-semester count is O(1) per subject.

Every choice here is made from the types the checker put on the nodes: a node
without one was never checked, and the compiler refuses it (AssertionError)
rather than guess. What may be null (an optional type; null and any always are)
gets a null-safe closure, as docs/dsl.md "Missing values" says.
"""
from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Callable

from ..calendar import AcademicYear, Duration, Semester, parse_date
from ..dsl import ast as A
from ..dsl import types as T
from ..dsl.printer import unparse
from ..personal import is_valid_national_id
from . import aggregate as G
from . import dynamic as D
from .failure import located
from .values import add_durations, checked_arith, days_between, negate, same, shift

Fn = Callable[[list], object]
_NOT = object()
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
# the hot comparisons written out: one closure call fewer than operator.le(a(env), b(env))
_ORDERED = {
    "<": lambda a, b: lambda env: a(env) < b(env),
    "<=": lambda a, b: lambda env: a(env) <= b(env),
    ">": lambda a, b: lambda env: a(env) > b(env),
    ">=": lambda a, b: lambda env: a(env) >= b(env),
}
_ORDERED_CONST = {
    "<": lambda a, c: lambda env: a(env) < c,
    "<=": lambda a, c: lambda env: a(env) <= c,
    ">": lambda a, c: lambda env: a(env) > c,
    ">=": lambda a, c: lambda env: a(env) >= c,
}


@dataclass
class Compiled:
    """One rule as closures, plus the slot layout `run` fills in."""

    nslots: int
    var_slots: tuple[int, ...]
    where: Fn | None
    when: Fn | None
    lets: tuple[tuple[str, int, Fn], ...]
    assert_: Fn
    due: Fn | None
    messages: dict[str, Fn]
    param_slots: dict[str, int] = field(default_factory=dict)
    const_slots: dict[str, int] = field(default_factory=dict)
    param_types: dict[str, T.Type] = field(default_factory=dict)
    as_of_slot: int | None = None
    let_json: dict[str, Callable] = field(default_factory=dict)


def compile_rule(rule, trace: list | None = None, locate: bool = False) -> Compiled:
    """Compile a loaded Rule. With `trace`, evaluated sub-expressions are appended to it;
    with `locate`, a failing sub-expression raises failure.Failure naming itself (slower:
    for finding out why a subject failed, see run._failure)."""
    c = Compiler(rule, trace, locate)
    scope: dict[str, int] = {}
    for var, __ in rule.for_each:
        scope[var] = c.fresh()
    var_slots = tuple(scope.values())
    base = dict(scope)
    where = c.expr(rule.where, base) if rule.where is not None else None
    when = c.expr(rule.when, base) if rule.when is not None else None
    lets, let_json = [], {}
    for name, node in rule.lets:
        fn = c.expr(node, scope)
        scope[name] = c.fresh()
        lets.append((name, scope[name], fn))
        let_json[name] = G.json_of(c.type(node), rule.entities)
    assertion = c.expr(rule.assert_, scope)
    due = c.expr(rule.due, scope) if rule.due is not None else None
    messages = {status: c.template(t, base if status == "not_applicable" else scope)
                for status, t in rule.messages}
    return Compiled(c.nslots, var_slots, where, when, tuple(lets), assertion, due, messages,
                    c.param_slots, c.const_slots, c.param_types, c.as_of_slot, let_json)


class Compiler:
    def __init__(self, rule, trace: list | None = None, locate: bool = False):
        self.entities = rule.entities
        self.locate = locate
        self.nslots = 1  # slot 0: the Context
        self.param_slots: dict[str, int] = {}
        self.param_types: dict[str, T.Type] = {}
        self.const_slots: dict[str, int] = {}
        self.as_of_slot: int | None = None
        self.trace = trace
        self._quiet = 0  # > 0 inside aggregates: their per-row values are not traced

    def fresh(self) -> int:
        self.nslots += 1
        return self.nslots - 1

    def type(self, node: A.Node) -> T.Type:
        if node.type is None:
            raise AssertionError(f"rulekit compiled an expression that was not type-checked: {unparse(node)}")
        return node.type

    def entity(self, node: A.Node, scope: dict[str, int]) -> str | None:
        """The entity whose records `node` names (`course_outcomes`), if it names one."""
        if isinstance(node, A.Var) and node.name not in scope and node.name != "as_of":
            return self.type(node).elem.entity
        return None

    def expr(self, node: A.Node, scope: dict[str, int]) -> Fn:
        self.type(node)
        value = constant(node)
        if value is not _NOT:
            return lambda env: value
        fn = getattr(self, "_" + type(node).__name__.lower())(node, scope)
        if self.trace is not None and not self._quiet:
            fn = _traced(fn, node, self.trace)
        if self.locate:
            fn = located(fn, node)
        return fn

    def template(self, template, scope: dict[str, int]) -> Fn:
        """A message as str.format over its placeholders' shown values."""
        fmt, values = [], []
        for part in template.parts:
            if isinstance(part, str):
                fmt.append(part.replace("{", "{{").replace("}", "}}"))
            else:
                fmt.append("{}")
                fn, show = self.expr(part, scope), G.display_of(self.type(part), self.entities)
                values.append(fn if show is None else (lambda env, fn=fn, show=show: show(fn(env))))
        text = "".join(fmt).format
        if not values:
            constant_text = text()
            return lambda env: constant_text
        return lambda env: text(*[v(env) for v in values])

    def _listlit(self, n, scope):
        items = [self.expr(i, scope) for i in n.items]
        return lambda env: [item(env) for item in items]

    # ------------------------------------------------------------ names
    def _var(self, n, scope):
        if n.name in scope:
            return itemgetter(scope[n.name])
        if n.name == "as_of":
            if self.as_of_slot is None:
                self.as_of_slot = self.fresh()
            return itemgetter(self.as_of_slot)
        entity = self.entity(n, scope)
        return lambda env: env[0].rows(entity)

    def _param(self, n, scope):
        if n.name not in self.param_slots:
            self.param_slots[n.name] = self.fresh()
            self.param_types[n.name] = self.type(n)
        return itemgetter(self.param_slots[n.name])

    def _const(self, n, scope):
        if n.name not in self.const_slots:
            self.const_slots[n.name] = self.fresh()
        return itemgetter(self.const_slots[n.name])

    def _field(self, n, scope):
        t, name = self.type(n.obj), n.name
        if t.name == T.RECORD and isinstance(n.obj, A.Var) and n.obj.name in scope and not t.optional:
            slot = scope[n.obj.name]
            return lambda env: env[slot][name]
        if t.name == T.RECORD:
            get = itemgetter(name)
        elif name in ("next", "prev"):
            get = operator.methodcaller(name)
        else:
            get = operator.attrgetter(name)
        if isinstance(n.obj, A.Var) and n.obj.name in scope and not t.optional:
            slot = scope[n.obj.name]
            return lambda env: get(env[slot])
        obj = self.expr(n.obj, scope)
        if t.optional:
            return lambda env: None if (v := obj(env)) is None else get(v)
        return lambda env: get(obj(env))

    def _call(self, n, scope):
        args = [self.expr(a, scope) for a in n.args]
        if n.func == "is_null":
            a = args[0]
            return lambda env: a(env) is None
        if n.func == "days":
            return _guarded2(args[0], args[1], G.day_count(n.span))
        if n.func in ("startswith", "endswith"):
            test = str.startswith if n.func == "startswith" else str.endswith
            return _guarded2(args[0], args[1], test)
        if n.func == "join":
            return _guarded2(args[0], args[1], G.joiner(self.type(n.args[0]).elem, self.entities))
        if n.func == "text":
            show = G.display_of(self.type(n.args[0]).required(), self.entities) or str
            a = args[0]
            return lambda env: None if (v := a(env)) is None else show(v)
        fn = _CALLS[n.func] if n.func != "academic_year_of" or self.type(n.args[0]).name == T.DATE \
            else operator.attrgetter("academic_year")
        a = args[0]
        return lambda env: None if (v := a(env)) is None else fn(v)

    # ------------------------------------------------------------ operators
    def _unary(self, n, scope):
        a = self.expr(n.operand, scope)
        if n.op == "not":
            return lambda env: not a(env)
        if self.type(n.operand).name == T.DURATION:
            return lambda env: None if (v := a(env)) is None else negate(v)
        return lambda env: None if (v := a(env)) is None else -v

    def _binop(self, n, scope):
        a, b = self.expr(n.left, scope), self.expr(n.right, scope)
        lt, rt = self.type(n.left), self.type(n.right)
        if n.op in ("and", "or"):
            strict = not (lt.optional or rt.optional)
            if n.op == "and":
                return (lambda env: a(env) and b(env)) if strict else (lambda env: bool(a(env)) and bool(b(env)))
            return (lambda env: a(env) or b(env)) if strict else (lambda env: bool(a(env)) or bool(b(env)))
        sign = 1 if n.op == "+" else -1
        const = constant(n.right)
        if lt.name == T.DATE and isinstance(const, Duration) and const.in_days() is not None:
            delta = datetime.timedelta(days=sign * const.in_days())
            return lambda env: None if (v := a(env)) is None else v + delta
        op2 = _arith(n.op, lt.name, rt.name, sign, n.span) if T.ANY not in (lt.name, rt.name) \
            else D.arith_of_values(n.op, sign, n.span, _arith)
        return _guarded2(a, b, op2) if lt.optional or rt.optional else (lambda env: op2(a(env), b(env)))

    def _compare(self, n, scope):
        if n.op in ("in", "not in"):
            return self._membership(n, scope)
        a, b = self.expr(n.left, scope), self.expr(n.right, scope)
        lt, rt = self.type(n.left), self.type(n.right)
        if _by_value(lt) or _by_value(rt):
            op2 = G.duration_compare(n.op, n.span)
            return _nullable_eq(a, b, op2, n.op == "!=") if n.op in ("==", "!=") \
                else _guarded2(a, b, op2, none=False)
        if n.op in ("==", "!=") and T.LIST in (lt.name, rt.name):
            return D.list_equal(a, b, n.op == "!=")
        if n.op in ("==", "!="):
            const = constant(n.right)
            if const is None:
                return (lambda env: a(env) is None) if n.op == "==" else (lambda env: a(env) is not None)
            if const is not _NOT:
                return (lambda env: a(env) == const) if n.op == "==" else (lambda env: a(env) != const)
            return (lambda env: a(env) == b(env)) if n.op == "==" else (lambda env: a(env) != b(env))
        if lt.optional or rt.optional:
            return _guarded2(a, b, _ORDER[n.op], none=False)
        const = constant(n.right)
        if const is not _NOT:
            return _ORDERED_CONST[n.op](a, const)
        return _ORDERED[n.op](a, b)

    def _membership(self, n, scope):
        a = self.expr(n.left, scope)
        if self.type(n.right).name == T.STRING:
            return _within_text(a, self.expr(n.right, scope), n.op == "not in")
        if _by_value(self.type(n.left)):
            return self._membership_by_value(n, a, scope)
        items = constant(n.right)
        if items is not _NOT:
            try:
                items = frozenset(items)
            except TypeError:
                pass
            if n.op == "in":
                return lambda env: a(env) in items
            return lambda env: a(env) not in items
        b = self.expr(n.right, scope)
        if n.op == "in":
            return lambda env: (c := b(env)) is not None and a(env) in c
        return lambda env: (c := b(env)) is None or a(env) not in c

    def _membership_by_value(self, n, a, scope):
        """`in` as the DSL's ==, item by item: a date difference can be in [1 month], and a
        list (a Python list at run time) in a list of literal lists (tuples)."""
        b, span, negated = self.expr(n.right, scope), n.span, n.op == "not in"

        def member(env):
            c = b(env)
            if c is None:
                return negated
            x = a(env)
            return any(same(x, item, span) for item in c) != negated
        return member

    def _if(self, n, scope):
        c, t, e = self.expr(n.cond, scope), self.expr(n.then, scope), self.expr(n.else_, scope)
        return lambda env: t(env) if c(env) else e(env)

    def _default(self, n, scope):
        base = self.expr(n.base, scope)
        pairs = tuple((self.expr(x.cond, scope), self.expr(x.value, scope)) for x in n.exceptions)

        def default(env):
            for cond, value in pairs:
                if cond(env):
                    return value(env)
            return base(env)
        return default

    def _aggregate(self, n, scope):
        return G.compile_aggregate(self, n, scope)


# ------------------------------------------------------------------ helpers

def constant(node: A.Node):
    """The value of a literal node (and of lists of literals), else _NOT."""
    if isinstance(node, (A.IntLit, A.StrLit, A.BoolLit, A.SizeLit)):
        return node.value
    if isinstance(node, A.NullLit):
        return None
    if isinstance(node, A.DateLit):
        return parse_date(node.text)
    if isinstance(node, A.SemesterLit):
        return Semester.parse(node.text)
    if isinstance(node, A.DurationLit):
        return Duration(node.amount, node.unit)
    if isinstance(node, A.Call) and node.func == "academic_year" and isinstance(node.args[0], A.IntLit):
        return AcademicYear(node.args[0].value)
    if isinstance(node, A.ListLit):
        items = tuple(constant(i) for i in node.items)
        return _NOT if any(i is _NOT for i in items) else items
    return _NOT


def _within_text(a: Fn, b: Fn, negate: bool) -> Fn:
    """`part in text`: a missing text holds nothing, and a missing part is in no text."""
    def within(env):
        text, part = b(env), a(env)
        if text is None or part is None:
            return negate
        return (part in text) != negate
    return within


def _nullable_eq(a: Fn, b: Fn, op2, negate: bool) -> Fn:
    """== / != where op2 compares non-null values; null equals only null."""
    def nullable_eq(env):
        x, y = a(env), b(env)
        if x is None or y is None:
            return (x is None and y is None) != negate
        return op2(x, y)
    return nullable_eq


def _by_value(t: T.Type) -> bool:
    """Durations and lists are compared by values.same: Python's == would call a date difference
    of exactly 1 month unequal to 1 month, and a run-time list unequal to the same literal (a tuple)."""
    return t.name in (T.DURATION, T.LIST, T.RECORD, T.ANY)  # records and any: may hold either


def _guarded2(a: Fn, b: Fn, op2, none=None) -> Fn:
    """op2(a, b), or `none` when either side is null."""
    def guarded(env):
        x = a(env)
        if x is None:
            return none
        y = b(env)
        return none if y is None else op2(x, y)
    return guarded


def _arith(op: str, left: str, right: str, sign: int, span):
    if left in (T.INT, T.SIZE):  # a size is a whole number of bytes at run time
        return checked_arith(sign, span)
    if left == T.STRING:
        return operator.add
    if left == T.DATE and right == T.DATE:
        return days_between
    if left == T.DATE:
        return lambda d, u: shift(d, u, sign, span)
    if right == T.DATE:
        return lambda u, d: shift(d, u, 1, span)
    return lambda x, y: add_durations(x, y, sign, span)


def _traced(fn: Fn, node: A.Node, trace: list) -> Fn:
    def traced(env):
        value = fn(env)
        trace.append((node, value))
        return value
    return traced


_CALLS = {
    "semester_of": Semester.of,
    "academic_year_of": AcademicYear.of,
    "start": operator.attrgetter("start"),
    "end": operator.attrgetter("end"),
    "len": len,
    "valid_national_id": is_valid_national_id,
}
