"""Type inference and checking for DSL expressions.

    checker = Checker(entity_types(), params={"quota": "int"}, constants={"seats": "list[string]"})
    t = checker.check(expr, {"student": record("students")}, role="assert", want_bool=True)
    checker.diagnostics   # every problem found so far, each with its span
    checker.types         # id(node) -> Type, for the compiler

The checker never stops at the first error: an ill-typed sub-expression gets no
type (None) and expressions built on it are not reported again.
"""
from __future__ import annotations

from typing import Mapping

from ..calendar import AcademicYear, DateError, Semester, parse_date
from ..diagnostics import Diagnostic, did_you_mean
from . import ast as A
from . import types as T
from .types import Type

Scope = Mapping[str, Type]

# function -> (accepted base types per argument, result base type)
FUNCTIONS: dict[str, tuple[tuple[tuple[str, ...], ...], str]] = {
    "semester_of": (((T.DATE,),), T.SEMESTER),
    "academic_year_of": (((T.DATE, T.SEMESTER),), T.ACADEMIC_YEAR),
    "start": (((T.SEMESTER, T.ACADEMIC_YEAR),), T.DATE),
    "end": (((T.SEMESTER, T.ACADEMIC_YEAR),), T.DATE),
    "days": (((T.DATE,), (T.DATE,)), T.INT),
    "len": (((T.LIST,),), T.INT),
    "is_null": (((T.ANY,),), T.BOOL),
    "academic_year": (((T.INT,),), T.ACADEMIC_YEAR),
    "valid_national_id": (((T.STRING,),), T.BOOL),
}
_ARITH = {  # (op, left, right) -> result
    ("+", T.INT, T.INT): T.INT, ("-", T.INT, T.INT): T.INT,
    ("+", T.DATE, T.DURATION): T.DATE, ("+", T.DURATION, T.DATE): T.DATE,
    ("-", T.DATE, T.DURATION): T.DATE, ("-", T.DATE, T.DATE): T.DURATION,
    ("+", T.DURATION, T.DURATION): T.DURATION, ("-", T.DURATION, T.DURATION): T.DURATION,
}
_DATE_HINT = 'write a date as 2024-01-19 or date("113.01.19"); shift a date by a duration: x + 3 days'


class Checker:
    def __init__(self, entities: Mapping, params: Mapping | None = None,
                 constants: Mapping | None = None):
        self.entities = {e: {f: T.from_field(ft) for f, ft in fields.items()}
                         for e, fields in entities.items()}
        self.params = {k: T.parse_type(v) for k, v in (params or {}).items()}
        self.constants = {k: T.parse_type(v) for k, v in (constants or {}).items()}
        self.types: dict[int, Type] = {}
        self._checked: list[A.Node] = []
        self.entity_refs: dict[int, str] = {}  # id(Var) -> entity, where a Var names a collection
        self.diagnostics: list[Diagnostic] = []
        # names that exist but may not be used here -> why (e.g. lets inside `when`)
        self.unavailable: dict[str, str] = {}

    # ------------------------------------------------------------ entry points
    def check(self, node: A.Node, scope: Scope, role: str = "expression",
              want_bool: bool = False) -> Type | None:
        """Infer the type of `node`; with want_bool, report it unless it is bool."""
        if want_bool:
            return self._bool(node, scope, role)
        return self._infer(node, scope)

    def error(self, code: str, message: str, node: A.Node, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, message, node.span, hint=hint))

    # ------------------------------------------------------------ dispatch
    def _infer(self, node: A.Node, scope: Scope) -> Type | None:
        method = getattr(self, "_" + type(node).__name__.lower())
        t = method(node, scope)
        self._checked.append(node)  # alive as long as the checker: ids in `types` stay unique
        if t is not None:
            self.types[id(node)] = t
        return t

    def _bool(self, node: A.Node, scope: Scope, role: str) -> Type | None:
        t = self._infer(node, scope)
        if t is None or t.name in (T.BOOL, T.NULL, T.ANY):
            return t
        hint = "compare it, e.g. ... > 0" if t.name == T.INT else \
            "compare it with == != < <= > >=, or test it with exists(...)"
        self.error("dsl-not-bool", f"{role} must be true or false, but this is {t.base}", node, hint)
        return None

    # ------------------------------------------------------------ literals
    def _intlit(self, n, scope):
        return T.T_INT

    def _strlit(self, n, scope):
        return T.T_STRING

    def _boollit(self, n, scope):
        return T.T_BOOL

    def _nulllit(self, n, scope):
        return T.T_NULL

    def _durationlit(self, n, scope):
        return T.T_DURATION

    def _datelit(self, n, scope):
        try:
            parse_date(n.text)
        except DateError as exc:
            self.error("dsl-bad-literal", exc.message, n, exc.hint)
            return None
        return T.T_DATE

    def _semesterlit(self, n, scope):
        try:
            Semester.parse(n.text)
        except DateError as exc:
            self.error("dsl-bad-literal", exc.message, n, exc.hint)
            return None
        return T.T_SEMESTER

    def _listlit(self, n, scope):
        out: Type | None = T.list_of(T.T_ANY)
        for item in n.items:
            t = self._infer(item, scope)
            if t is None or out is None:
                out = None
                continue
            elem = t if out.elem.name == T.ANY else T.unify(out.elem, t)
            if elem is None:
                self.error("dsl-type", f"a list cannot mix {out.elem.base} and {t.base}", item)
                out = None
            else:
                out = T.list_of(elem)
        return out

    # ------------------------------------------------------------ names
    def _var(self, n, scope):
        if n.name in scope:
            return scope[n.name]
        if n.name in self.unavailable:
            self.error("dsl-unknown-variable", f"{n.name} cannot be used here", n,
                       self.unavailable[n.name])
            return None
        if n.name == "as_of":
            return T.T_DATE
        if n.name in self.entities:
            self.entity_refs[id(n)] = n.name
            return T.list_of(T.record(n.name))
        hint = did_you_mean(n.name, list(scope) + list(self.entities) + ["as_of"])
        if not hint and n.name in ("param", "policy"):
            hint = f"write {n.name}.NAME"
        self.error("dsl-unknown-variable", f"unknown name {n.name}", n, hint)
        return None

    def _param(self, n, scope):
        if n.name in self.params:
            return self.params[n.name]
        hint = did_you_mean(n.name, self.params) or \
            f"declared parameters: {', '.join(sorted(self.params)) or 'none'}"
        self.error("dsl-unknown-param", f"unknown parameter param.{n.name}", n, hint)
        return None

    def _const(self, n, scope):
        if n.name in self.constants:
            return self.constants[n.name]
        hint = did_you_mean(n.name, self.constants) or \
            f"policy constants: {', '.join(sorted(self.constants)) or 'none'}"
        self.error("dsl-unknown-constant", f"unknown policy constant policy.{n.name}", n, hint)
        return None

    def _field(self, n, scope):
        t = self._infer(n.obj, scope)
        if t is None or t.name == T.ANY:
            return t
        if t.name == T.RECORD:
            fields, owner = self.entities.get(t.entity, {}), f"a {t.entity} record"
        else:
            fields, owner = T.VALUE_FIELDS.get(t.name, {}), f"a {t.base}"
        if n.name not in fields:
            hint = did_you_mean(n.name, fields)
            if not hint and t.name == T.LIST:
                hint = "use len(...) for the number of items"
            elif not hint and fields:
                hint = "its fields are " + ", ".join(fields)
            self.error("dsl-unknown-field", f"{owner} has no field {n.name}", n, hint)
            return None
        return fields[n.name].maybe(t.optional)

    # ------------------------------------------------------------ calls
    def _call(self, n, scope):
        if n.func in ("date", "semester"):
            example = 'date("113.01.19")' if n.func == "date" else 'semester("113-1")'
            self.error("dsl-bad-literal", f"{n.func}(...) takes one quoted text", n, f"e.g. {example}")
            return None
        if n.func not in FUNCTIONS:
            hint = did_you_mean(n.func, FUNCTIONS) or "functions: " + ", ".join(FUNCTIONS)
            self.error("dsl-unknown-function", f"unknown function {n.func}", n, hint)
            return None
        accepted, result = FUNCTIONS[n.func]
        arg_types = [self._infer(a, scope) for a in n.args]
        if len(n.args) != len(accepted):
            self.error("dsl-arity", f"{n.func} takes {len(accepted)} argument"
                       f"{'s' if len(accepted) != 1 else ''}, not {len(n.args)}", n)
            return None
        if any(t is None for t in arg_types):
            return None
        for arg, t, ok in zip(n.args, arg_types, accepted):
            if T.ANY not in ok and t.name not in ok and t.name != T.ANY:
                self.error("dsl-type", f"{n.func} takes {' or '.join(ok)}, not {t.base}", arg,
                           _literal_hint(arg, t, ok[0]))
                return None
        if n.func == "academic_year":
            return self._academic_year_literal(n)
        optional = n.func != "is_null" and any(t.optional for t in arg_types)
        return Type(result).maybe(optional)

    def _academic_year_literal(self, n) -> Type | None:
        if not isinstance(n.args[0], A.IntLit):
            self.error("dsl-bad-literal", "academic_year(...) takes a number", n, "e.g. academic_year(113)")
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
            return T.T_BOOL if self._bool(n.operand, scope, "the operand of not") else None
        t = self._infer(n.operand, scope)
        if t is None:
            return None
        if t.name not in (T.INT, T.DURATION, T.ANY):
            self.error("dsl-type", f"cannot negate {t.base}", n)
            return None
        return t

    def _binop(self, n, scope):
        if n.op in ("and", "or"):
            left = self._bool(n.left, scope, f"each side of {n.op}")
            right = self._bool(n.right, scope, f"each side of {n.op}")
            return T.T_BOOL if left and right else None
        left, right = self._infer(n.left, scope), self._infer(n.right, scope)
        if left is None or right is None:
            return None
        if T.ANY in (left.name, right.name):
            return T.T_ANY
        result = _ARITH.get((n.op, left.name, right.name))
        if result is None:
            verb = f"add {right.base} to {left.base}" if n.op == "+" else \
                f"subtract {right.base} from {left.base}"
            hint = ""
            if T.DATE in (left.name, right.name) and T.INT in (left.name, right.name):
                hint = "add a duration to a date: x + 3 days"
            elif left.name == T.DURATION and right.name == T.INT or \
                    left.name == T.INT and right.name == T.DURATION:
                hint = "give the number a unit: 3 days"
            self.error("dsl-type", f"cannot {verb}", n, hint)
            return None
        return Type(result).maybe(left.optional or right.optional)

    def _compare(self, n, scope):
        left, right = self._infer(n.left, scope), self._infer(n.right, scope)
        if left is None or right is None:
            return None
        if n.op in ("in", "not in"):
            return self._membership(n, left, right)
        if not T.compatible(left, right):
            self.error("dsl-type", f"cannot compare {left.base} with {right.base}", n,
                       _compare_hint(n, left, right))
            return None
        if n.op in ("==", "!="):
            return T.T_BOOL
        if T.NULL in (left.name, right.name):
            self.error("dsl-type", f"null cannot be compared with {n.op}", n,
                       "test for a missing value with x == null")
            return None
        kind = left.name if left.name != T.ANY else right.name
        if kind not in T.ORDERED + (T.ANY,):
            self.error("dsl-type", f"{kind} values have no order, so {n.op} does not apply", n,
                       "use == or !=")
            return None
        return T.T_BOOL

    def _membership(self, n, item: Type, container: Type) -> Type | None:
        if container.name == T.ANY:
            return T.T_BOOL
        if container.name != T.LIST:
            self.error("dsl-type", f"`{n.op}` needs a list on its right, not {container.base}", n.right,
                       "e.g. x.kind in [\"a\", \"b\"]; to search records use exists(x in ... where ...)")
            return None
        if not T.compatible(item, container.elem):
            self.error("dsl-type", f"cannot look for {item.base} in {container.base}", n,
                       _compare_hint(n, item, container.elem))
            return None
        return T.T_BOOL

    def _if(self, n, scope):
        cond = self._bool(n.cond, scope, "the condition of if")
        a, b = self._infer(n.then, scope), self._infer(n.else_, scope)
        return self._branches(n, [a, b], "the branches of if") if cond and a and b else None

    def _default(self, n, scope):
        values = [self._infer(n.base, scope)]
        ok = values[0] is not None
        for exc in n.exceptions:
            ok = bool(self._bool(exc.cond, scope, "the condition of unless")) and ok
            values.append(self._infer(exc.value, scope))
        if not ok or any(v is None for v in values):
            return None
        return self._branches(n, values, "default and its exceptions")

    def _branches(self, n, types: list[Type], what: str) -> Type | None:
        out = types[0]
        for t in types[1:]:
            merged = T.unify(out, t)
            if merged is None:
                self.error("dsl-type", f"{what} give different types: {out.base} and {t.base}", n)
                return None
            out = merged
        return out

    # ------------------------------------------------------------ aggregates
    def _aggregate(self, n, scope):
        elem = self._source(n.source, scope)
        if n.var in A.RESERVED:
            self.error("dsl-reserved", f"{n.var} is reserved and cannot name a variable", n)
            return None
        if elem is None:  # the binder's type is unknown: checking the rest would only cascade
            return None
        inner = dict(scope)
        inner[n.var] = elem
        where = self._bool(n.where, inner, "where") if n.where is not None else T.T_BOOL
        if n.op in ("count", "exists", "first"):
            result = {"count": T.T_INT, "exists": T.T_BOOL, "first": elem.maybe()}[n.op]
            return result if where else None
        if n.op == "all":
            body = self._bool(n.body, inner, "the condition after satisfy")
            return T.T_BOOL if where and body else None
        body = self._infer(n.body, inner)
        if not where or body is None:
            return None
        allowed = (T.INT, T.DURATION) if n.op == "sum" else T.ORDERED
        if body.name not in allowed:
            self.error("dsl-type", f"{n.op} needs {' or '.join(allowed)} values, not {body.base}", n.body)
            return None
        return body.required() if n.op == "sum" else body.maybe()

    def _source(self, src: A.Node, scope: Scope) -> Type | None:
        if isinstance(src, A.Var) and src.name not in scope and src.name not in self.entities \
                and src.name != "as_of":
            lists = [k for k, v in scope.items() if v.name == T.LIST]
            self.error("dsl-unknown-collection", f"unknown collection {src.name}", src,
                       did_you_mean(src.name, list(self.entities) + lists))
            return None
        t = self._infer(src, scope)
        if t is None or t.name == T.ANY:
            return t
        if t.name != T.LIST:
            self.error("dsl-type", f"cannot go through {t.base}: it is not a collection", src,
                       "aggregate over an entity (course_outcomes) or a list (policy.NAME)")
            return None
        return t.elem


def _compare_hint(n: A.Compare, left: Type, right: Type) -> str:
    names = {left.name, right.name}
    lit = n.right if isinstance(n.right, A.StrLit) else n.left if isinstance(n.left, A.StrLit) else None
    if names == {T.SEMESTER, T.STRING}:
        return f'write the semester as semester("{lit.value if lit else "113-1"}")'
    if names == {T.DATE, T.STRING}:
        return f'write the date as date("{lit.value}")' if lit else _DATE_HINT
    if T.DATE in names:
        return _DATE_HINT
    if names == {T.DURATION, T.INT}:
        return "give the number a unit: 3 days, 2 weeks, 1 month"
    if names == {T.ACADEMIC_YEAR, T.INT}:
        return "write the academic year as academic_year(113), or compare its .year"
    if T.RECORD in names and T.STRING in names:
        rec = left if left.name == T.RECORD else right
        return f"a record is not its id: compare the {rec.entity} record's .id"
    return ""


def _literal_hint(arg: A.Node, t: Type, wanted: str) -> str:
    if wanted == T.DATE and isinstance(arg, A.StrLit):
        return f'write the date as date("{arg.value}")'
    if wanted == T.SEMESTER and isinstance(arg, A.StrLit):
        return f'write the semester as semester("{arg.value}")'
    return ""
