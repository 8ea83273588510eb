"""Type inference and checking for DSL expressions.

    checker = Checker(entity_types(), params={"quota": "int"}, constants={"seats": "list[string]"})
    typed = checker.check(expr, {"student": record("students")}, role="assert", want_bool=True)
    typed.type            # the expression's type; every node below has its own `.type`
    checker.diagnostics   # every problem found so far, each with its span

The checker returns a copy of the tree with each node's `type` filled in, so the
compiler (and any later back-end) reads types off the nodes it compiles. It never
stops at the first error: an ill-typed sub-expression gets no type (None) and
expressions built on it are not reported again.

Null: whatever may be null has an optional type (`date?`), and every operator
carries that mark on -- arithmetic, fields, function calls, `first`, `min`, `max`
(see docs/dsl.md, "Missing values"). Where a yes/no value is required
(`where`, `when`, `assert`, `and`, `or`, `not`, `if`, `satisfy`), only a bool
will do; a bool that may be null counts as false when it is.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from ..calendar import AcademicYear, DateError, Semester, parse_date
from ..diagnostics import Diagnostic, did_you_mean
from ..i18n import _
from . import ast as A
from . import types as T
from .functions import ARITH, FUNCTIONS
from .hints import arith_hint, compare_hint, literal_hint, not_bool
from .types import Type
from ..i18n import ngettext

# name -> its type; None for a name that exists but whose type is unknown (its
# definition was reported), so that its uses are not reported again
Scope = Mapping[str, "Type | None"]

class Checker:
    def __init__(self, entities: Mapping, params: Mapping | None = None,
                 constants: Mapping | None = None):
        self.entities = {e: {f: T.from_field(ft) for f, ft in fields.items()}
                         for e, fields in entities.items()}
        self.params = {k: T.parse_type(v) for k, v in (params or {}).items()}
        self.constants = {k: T.parse_type(v) for k, v in (constants or {}).items()}
        self.diagnostics: list[Diagnostic] = []
        # names that exist but may not be used here -> why (e.g. lets inside `when`)
        self.unavailable: dict[str, str] = {}

    # ------------------------------------------------------------ entry points
    def check(self, node: A.Node, scope: Scope, role: str = "expression",
              want_bool: bool = False) -> A.Node:
        """`node` with the type of it and of every sub-expression filled in; with want_bool,
        report it unless it is bool (then its `.type` is None)."""
        if want_bool:
            return self._bool(node, scope, role)
        return self._infer(node, scope)

    def error(self, code: str, message: str, node: A.Node, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, message, node.span, hint=hint))

    # ------------------------------------------------------------ dispatch
    def _infer(self, node: A.Node, scope: Scope) -> A.Node:
        return getattr(self, "_" + type(node).__name__.lower())(node, scope)

    def _bool(self, node: A.Node, scope: Scope, role: str) -> A.Node:
        typed = self._infer(node, scope)
        t = typed.type
        if t is None or t.name == T.BOOL:
            return typed
        message, hint = not_bool(role, t)
        self.error("dsl-not-bool", message, node, hint)
        return _at(typed, None)

    # ------------------------------------------------------------ literals
    def _intlit(self, n, scope):
        return _at(n, T.T_INT)

    def _strlit(self, n, scope):
        return _at(n, T.T_STRING)

    def _boollit(self, n, scope):
        return _at(n, T.T_BOOL)

    def _nulllit(self, n, scope):
        return _at(n, T.T_NULL)

    def _durationlit(self, n, scope):
        return _at(n, T.T_DURATION)

    def _sizelit(self, n, scope):
        return _at(n, T.T_SIZE)

    def _datelit(self, n, scope):
        try:
            parse_date(n.text)
        except DateError as exc:
            self.error("dsl-bad-literal", exc.message, n, exc.hint)
            return _at(n, None)
        return _at(n, T.T_DATE)

    def _semesterlit(self, n, scope):
        try:
            Semester.parse(n.text)
        except DateError as exc:
            self.error("dsl-bad-literal", exc.message, n, exc.hint)
            return _at(n, None)
        return _at(n, T.T_SEMESTER)

    def _listlit(self, n, scope):
        items = tuple(self._infer(item, scope) for item in n.items)
        if any(item.type is None for item in items):
            return _at(n, None, items=items)
        elem = items[0].type if items else T.T_ANY  # [] has items of no known type
        for item in items[1:]:
            merged = T.unify(elem, item.type)  # [first(x in []), 1] is a list[int?]
            if merged is None:
                self.error("dsl-type", _("a list cannot mix {base} and {base2}").format(base=elem.base, base2=item.type.base), item)
                return _at(n, None, items=items)
            elem = merged
        return _at(n, T.list_of(elem), items=items)

    # ------------------------------------------------------------ names
    def _var(self, n, scope):
        if n.name in scope:
            return _at(n, scope[n.name])
        if n.name in self.unavailable:
            self.error("dsl-unknown-variable", _("{name} cannot be used here").format(name=n.name), n,
                       self.unavailable[n.name])
            return _at(n, None)
        if n.name == "as_of":
            return _at(n, T.T_DATE)
        if n.name in self.entities:
            return _at(n, T.list_of(T.record(n.name)))
        hint = did_you_mean(n.name, list(scope) + list(self.entities) + ["as_of"])
        if not hint and n.name in ("param", "policy"):
            hint = _("write {name}.NAME").format(name=n.name)
        self.error("dsl-unknown-variable", _("unknown name {name}").format(name=n.name), n, hint)
        return _at(n, None)

    def _param(self, n, scope):
        if n.name in self.params:
            return _at(n, self.params[n.name])
        hint = did_you_mean(n.name, self.params) or \
            _("declared parameters: {none}").format(none=', '.join(sorted(self.params)) or _('none'))
        self.error("dsl-unknown-param", _("unknown parameter param.{name}").format(name=n.name), n, hint)
        return _at(n, None)

    def _const(self, n, scope):
        if n.name in self.constants:
            return _at(n, self.constants[n.name])
        hint = did_you_mean(n.name, self.constants) or \
            _("policy constants: {none}").format(none=', '.join(sorted(self.constants)) or _('none'))
        self.error("dsl-unknown-constant", _("unknown policy constant policy.{name}").format(name=n.name), n, hint)
        return _at(n, None)

    def _field(self, n, scope):
        obj = self._infer(n.obj, scope)
        return _at(n, self._field_type(n, obj.type), obj=obj)

    def _field_type(self, n, t: Type | None) -> Type | None:
        if t is None or t.name == T.ANY:
            return t
        if t.name == T.RECORD:
            fields, owner = self.entities.get(t.entity, {}), f"a {t.entity} record"
        else:
            fields, owner = T.VALUE_FIELDS.get(t.name, {}), f"a {t.base}"
        if n.name not in fields:
            hint = did_you_mean(n.name, fields)
            if not hint and t.name == T.LIST:
                hint = _("use len(...) for the number of items")
            elif not hint and fields:
                hint = _("its fields are ") + ", ".join(fields)
            self.error("dsl-unknown-field", _("{owner} has no field {name}").format(owner=owner, name=n.name), n, hint)
            return None
        return fields[n.name].maybe(t.optional)  # a field of a missing record is missing

    # ------------------------------------------------------------ calls
    def _call(self, n, scope):
        if n.func in ("date", "semester"):
            example = 'date("113.01.19")' if n.func == "date" else 'semester("113-1")'
            self.error("dsl-bad-literal", _("{func}(...) takes one quoted text").format(func=n.func), n, f"e.g. {example}")
            return _at(n, None)
        if n.func not in FUNCTIONS:
            hint = did_you_mean(n.func, FUNCTIONS) or "functions: " + ", ".join(FUNCTIONS)
            self.error("dsl-unknown-function", _("unknown function {func}").format(func=n.func), n, hint)
            return _at(n, None)
        args = tuple(self._infer(a, scope) for a in n.args)
        return _at(n, self._call_type(n, args), args=args)

    def _call_type(self, n, args: tuple) -> Type | None:
        accepted, result = FUNCTIONS[n.func]
        if len(args) != len(accepted):
            self.error("dsl-arity", ngettext("{func} takes {accepted} argument, not {args}", "{func} takes {accepted} arguments, not {args}",
                                             len(accepted)).format(func=n.func, accepted=len(accepted), args=len(args)), n)
            return None
        if any(a.type is None for a in args):
            return None
        for arg, ok in zip(args, accepted):
            t = arg.type
            if T.ANY not in ok and t.name not in ok and t.name != T.ANY:
                self.error("dsl-type", _("{func} takes {ok}, not {base}").format(func=n.func, ok=' or '.join(ok), base=t.base), arg,
                           literal_hint(arg, t, ok[0]))
                return None
        if n.func == "academic_year":
            return self._academic_year_literal(n)
        # a function of a missing value is missing (is_null is the one that looks at it)
        optional = n.func != "is_null" and any(a.type.optional for a in args)
        return Type(result).maybe(optional)

    def _academic_year_literal(self, n) -> Type | None:
        if not isinstance(n.args[0], A.IntLit):
            self.error("dsl-bad-literal", _("academic_year(...) takes a number"), n, _("e.g. academic_year(113)"))
            return None
        try:
            AcademicYear(n.args[0].value)
        except DateError as exc:
            self.error("dsl-bad-literal", exc.message, n, exc.hint)
            return None
        return T.T_AY

    # ------------------------------------------------------------ operators
    def _unary(self, n, scope):
        if n.op == "not":
            operand = self._bool(n.operand, scope, _("the operand of not"))
            return _at(n, T.T_BOOL if operand.type else None, operand=operand)
        operand = self._infer(n.operand, scope)
        t = operand.type
        if t is not None and t.name not in (T.INT, T.DURATION, T.ANY):
            self.error("dsl-type", _("cannot negate {base}").format(base=t.base), n)
            t = None
        return _at(n, t, operand=operand)

    def _binop(self, n, scope):
        if n.op in ("and", "or"):
            left = self._bool(n.left, scope, _("each side of {op}").format(op=n.op))
            right = self._bool(n.right, scope, _("each side of {op}").format(op=n.op))
            return _at(n, T.T_BOOL if left.type and right.type else None, left=left, right=right)
        left, right = self._infer(n.left, scope), self._infer(n.right, scope)
        t = None
        if left.type is not None and right.type is not None:
            t = self._arith(n, left.type, right.type)
        return _at(n, t, left=left, right=right)

    def _arith(self, n, left: Type, right: Type) -> Type | None:
        result = _arith_result(n.op, left.name, right.name)
        if result is None:
            verb = _("add {base} to {base2}").format(base=right.base, base2=left.base) if n.op == "+" else \
                _("subtract {base} from {base2}").format(base=right.base, base2=left.base)
            self.error("dsl-type", f"cannot {verb}", n, arith_hint(left, right))
            return None
        return Type(result).maybe(left.optional or right.optional)  # null + x is null

    def _compare(self, n, scope):
        left, right = self._infer(n.left, scope), self._infer(n.right, scope)
        t = None
        if left.type is not None and right.type is not None:
            t = self._membership(n, left.type, right.type) if n.op in ("in", "not in") \
                else self._comparison(n, left.type, right.type)
        return _at(n, t, left=left, right=right)

    def _comparison(self, n, left: Type, right: Type) -> Type | None:
        if not T.compatible(left, right):
            self.error("dsl-type", _("cannot compare {base} with {base2}").format(base=left.base, base2=right.base), n,
                       compare_hint(n, left, right))
            return None
        if n.op in ("==", "!="):
            return T.T_BOOL
        if T.NULL in (left.name, right.name):
            self.error("dsl-type", _("null cannot be compared with {op}").format(op=n.op), n,
                       _("test for a missing value with x == null"))
            return None
        kind = left.name if left.name != T.ANY else right.name
        if kind not in T.ORDERED + (T.ANY,):
            self.error("dsl-type", _("{kind} values have no order, so {op} does not apply").format(kind=kind, op=n.op), n,
                       _("use == or !="))
            return None
        return T.T_BOOL  # a null side makes it false, never null

    def _membership(self, n, item: Type, container: Type) -> Type | None:
        if container.name == T.ANY:
            return T.T_BOOL
        if container.name == T.STRING:  # a text within a text
            if item.name in (T.STRING, T.NULL, T.ANY):
                return T.T_BOOL
            self.error("dsl-type", _("cannot look for {item} in a text").format(item=item.base), n,
                       _("only a text can be part of a text; turn a value into text with text(x)"))
            return None
        if container.name != T.LIST:
            self.error("dsl-type", _("`{op}` needs a list or a text on its right, not {base}").format(op=n.op, base=container.base), n.right,
                       _("e.g. x.kind in [\"a\", \"b\"]; to search records use exists(x in ... where ...)"))
            return None
        if not T.compatible(item, container.elem):
            self.error("dsl-type", _("cannot look for {base} in {base2}").format(base=item.base, base2=container.base), n,
                       compare_hint(n, item, container.elem))
            return None
        return T.T_BOOL

    def _if(self, n, scope):
        cond = self._bool(n.cond, scope, _("the condition of if"))
        then, else_ = self._infer(n.then, scope), self._infer(n.else_, scope)
        t = None
        if cond.type and then.type and else_.type:
            t = self._branches(n, [then.type, else_.type], _("the branches of if"))
        return _at(n, t, cond=cond, then=then, else_=else_)

    def _default(self, n, scope):
        base = self._infer(n.base, scope)
        exceptions = []
        for exc in n.exceptions:
            cond = self._bool(exc.cond, scope, _("the condition of unless"))
            value = self._infer(exc.value, scope)
            exceptions.append(_at(exc, value.type if cond.type else None, cond=cond, value=value))
        values = [base.type] + [exc.value.type for exc in exceptions]
        t = None
        if all(e.type is not None for e in exceptions) and all(v is not None for v in values):
            t = self._branches(n, values, _("default and its exceptions"))
        return _at(n, t, base=base, exceptions=tuple(exceptions))

    def _branches(self, n, types: list[Type], what: str) -> Type | None:
        out = types[0]
        for t in types[1:]:
            merged = T.unify(out, t)
            if merged is None:
                self.error("dsl-type", _("{what} give different types: {base} and {base2}").format(what=what, base=out.base, base2=t.base), n)
                return None
            out = merged
        return out

    # ------------------------------------------------------------ aggregates
    def _aggregate(self, n, scope):
        source, elem = self._source(n.source, scope)
        if n.var in A.RESERVED:
            self.error("dsl-reserved", _("{var} is reserved and cannot name a variable").format(var=n.var), n)
            return _at(n, None, source=source)
        if elem is None:  # the binder's type is unknown: checking the rest would only cascade
            return _at(n, None, source=source)
        inner = {**scope, n.var: elem}
        where = self._bool(n.where, inner, "where") if n.where is not None else None
        if n.op == "all":
            body = self._bool(n.body, inner, _("the condition after satisfy"))
        else:
            body = self._infer(n.body, inner) if n.body is not None else None
        t = None
        if (where is None or where.type) and (body is None or body.type):
            t = self._aggregate_type(n, elem, body)
        return _at(n, t, source=source, where=where, body=body)

    def _aggregate_type(self, n, elem: Type, body: A.Node | None) -> Type | None:
        if n.op in ("count", "exists", "first", "all"):
            # first of no items is null
            return {"count": T.T_INT, "exists": T.T_BOOL, "first": elem.maybe(), "all": T.T_BOOL}[n.op]
        if n.op == "list":  # null values are left out, so the items are never null
            return T.list_of(body.type.required())
        allowed = (T.INT, T.DURATION, T.SIZE) if n.op == "sum" else T.ORDERED
        if body.type.name not in allowed:
            self.error("dsl-type", _("{op} needs {allowed} values, not {base}").format(op=n.op, allowed=' or '.join(allowed), base=body.type.base), n.body)
            return None
        # the sum of no values is 0; the min or max of none is null
        return body.type.required() if n.op == "sum" else body.type.maybe()

    def _source(self, src: A.Node, scope: Scope) -> tuple[A.Node, Type | None]:
        """The typed collection, and the type of its items (None when it is not one)."""
        if isinstance(src, A.Var) and src.name not in scope and src.name not in self.entities \
                and src.name != "as_of":
            lists = [k for k, v in scope.items() if v is not None and v.name == T.LIST]
            self.error("dsl-unknown-collection", _("unknown collection {name}").format(name=src.name), src,
                       did_you_mean(src.name, list(self.entities) + lists))
            return _at(src, None), None
        typed = self._infer(src, scope)
        t = typed.type
        if t is None or t.name == T.ANY:
            return typed, t
        if t.name != T.LIST:
            self.error("dsl-type", _("cannot go through {base}: it is not a collection").format(base=t.base), src,
                       _("aggregate over an entity (course_outcomes) or a list (policy.NAME)"))
            return typed, None
        return typed, t.elem


def _at(node: A.Node, t: Type | None, **children) -> A.Node:
    """A copy of `node` with its type, and its sub-expressions replaced by their typed copies."""
    return replace(node, type=t, **children)


def _arith_result(op: str, left: str, right: str) -> str | None:
    """The result type name of `left op right`. A side of type any (an item of an empty
    list) fits whatever makes the operation valid; when that leaves more than one
    result, the result is any too."""
    results = {result for (o, a, b), result in ARITH.items()
               if o == op and left in (a, T.ANY) and right in (b, T.ANY)}
    if len(results) == 1:
        return results.pop()
    return T.ANY if results else None
