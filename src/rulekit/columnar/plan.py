"""One rule as one query: its subjects, its lets as columns, a status per subject."""
from __future__ import annotations

from sqlglot import exp

from ..dsl import ast as A
from ..i18n import _
from ..dsl import types as T
from .compile import Binding, RuleCompiler, Unsupported, literal
from .tables import POS, table_name

STATUS = "status"
INDEX = "__i"
# lets the query returns beside the status (what a test compares with the Python values)
SHOWN_LETS = (T.INT, T.BOOL, T.STRING, T.DATE, T.SEMESTER, T.ACADEMIC_YEAR, T.LIST)


def rule_query(rule, domains: list[list], params, constants, as_of, with_lets: bool = False) -> exp.Expression:
    """The query giving (subject number, status) of every subject the rule reports, in
    the Python evaluator's order. `domains` are its for_each domains (Context.domain).
    `with_lets`: then the values of its scalar lets (SHOWN_LETS), in the order written."""
    c = RuleCompiler(rule, params, constants, as_of)
    base, scope = _subjects(c, rule, domains)
    query = base
    if rule.where is not None:
        query = _layer(query, None, None, where=c.pred(rule.where, scope))
    when = c.pred(rule.when, scope) if rule.when is not None else None
    for name, node in rule.lets:
        t = node.type
        if t is None:
            raise AssertionError("a let that was not type-checked")
        if t.name == T.DURATION:
            query, binding = _duration_let(c, query, name, c.duration(node, scope))
        elif t.name == T.RECORD:
            query, binding = _record_let(c, query, name, c.val(node, scope), t.entity, reads(rule).get(t.entity, ()))
        else:
            query = _layer(query, f"let.{name}", c.val(node, scope))
            binding = Binding(exp.column(f"let.{name}", "t", quoted=True), t.entity if t.name == T.RECORD else None)
        scope = {**scope, name: binding}
    status = exp.Case(ifs=[], default=exp.Literal.string("fail"))
    if when is not None:
        # a `when` that is null (a function of a missing value) is not met, as in Python
        met = exp.func("COALESCE", exp.Paren(this=when), exp.false())
        status = status.when(exp.Not(this=met), exp.Literal.string("not_applicable"))
    status = status.when(c.pred(rule.assert_, scope), exp.Literal.string("pass"))
    if rule.due is not None:
        if rule.due.type is None or rule.due.type.name != T.DATE:
            raise Unsupported(_("a due that is not a date"))
        due = c.val(rule.due, scope)
        status = status.when(exp.func("COALESCE", exp.LTE(this=literal(as_of), expression=due), exp.false()),
                             exp.Literal.string("pending"))
    # every let is selected, shown or not: an unselected column is never computed, and a let
    # that cannot be computed must stop the query as it stops the Python evaluator
    shown = [exp.column(f"let.{name}", "t", quoted=True) for name, node in rule.lets
             if not with_lets or node.type.name in SHOWN_LETS]
    return exp.select(exp.column(INDEX, "t", quoted=True), exp.alias_(status, STATUS), *shown) \
        .from_(query.subquery("t")).order_by(exp.column(INDEX, "t", quoted=True))


def _record_let(c, query, name: str, pos, entity: str, fields):
    """A record let as its row number and, beside it, every field the rule reads of its entity:
    an aggregate reading `window.start` then reads a column of the subject's row, not a lookup
    inside its own subquery (Spark resolves no outer column two subqueries down)."""
    column = f"let.{name}"
    query = _layer(query, column, pos)
    row = exp.column(column, "t", quoted=True)
    columns = {}
    for f in sorted(fields):
        query = _layer(query, f"{column}.{f}", c.lookup(entity, row.copy(), f))
        columns[f] = exp.column(f"{column}.{f}", "t", quoted=True)
    return query, Binding(row, entity, columns)


def _duration_let(c, query, name: str, dur):
    """A duration let as columns: its amount (`let.x`), and a date difference's two dates."""
    from .durations_sql import Dur
    parts = {"": dur.amount, ".start": dur.start, ".end": dur.end}
    columns = {}
    for suffix, value in parts.items():
        if value is not None:
            query = _layer(query, f"let.{name}{suffix}", value)
            columns[suffix] = exp.column(f"let.{name}{suffix}", "t", quoted=True)
    return query, Binding(columns[""], dur=Dur(dur.kind, columns[""], columns.get(".start"), columns.get(".end")))


def _layer(query, name, value, where=None) -> exp.Select:
    out = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("t"))).from_(query.subquery("t"))
    if name is not None:
        out = out.select(exp.alias_(value, name, quoted=True))
    return out.where(where) if where is not None else out


def _subjects(c: RuleCompiler, rule, domains: list[list]):
    """SELECT subject number, each variable's columns FROM the product of the domains."""
    sizes = [len(d) for d in domains]
    columns, tables, scope, index = [], [], {}, None
    for k, ((var, domain), values) in enumerate(zip(rule.for_each, domains)):
        d = f"d{k}"
        if domain in ("semesters", "academic_years", "school"):
            rows = [exp.Tuple(expressions=[exp.Literal.number(i), literal(v if domain != "school" else 0)])
                    for i, (v, _) in enumerate(values)]
            tables.append(exp.Values(expressions=rows, alias=exp.TableAlias(
                this=exp.to_identifier(d), columns=[exp.to_identifier("i"), exp.to_identifier("v")])))
            position = exp.column("i", d)
            columns.append(exp.alias_(exp.column("v", d), var, quoted=True))
            value = literal("school") if domain == "school" else exp.column(var, "t", quoted=True)
            scope[var] = Binding(value)
        else:
            tables.append(exp.to_table(table_name(domain)).as_(d))
            position = exp.column(POS, d, quoted=True)
            columns.append(exp.alias_(position.copy(), var, quoted=True))
            fields = {}
            for f in sorted(reads(rule).get(domain, ())):
                columns.append(exp.alias_(exp.column(f, d, quoted=True), f"{var}.{f}", quoted=True))
                fields[f] = exp.column(f"{var}.{f}", "t", quoted=True)
            scope[var] = Binding(exp.column(var, "t", quoted=True), domain, fields)
        stride = 1
        for n in sizes[k + 1:]:
            stride *= n
        term = position if stride == 1 else exp.Mul(this=position, expression=exp.Literal.number(stride))
        index = term if index is None else exp.Add(this=index, expression=term)
    query = exp.select(exp.alias_(index, INDEX, quoted=True), *columns).from_(tables[0])
    for table in tables[1:]:
        query = query.join(table, join_type="CROSS")
    return query, scope


def reads(rule) -> dict[str, set[str]]:
    """entity -> the fields a rule's query reads of it: the entities its for_each and its
    aggregates go through, with the fields its expressions name (only those are loaded)."""
    found: dict[str, set[str]] = {domain: set() for _, domain in rule.for_each if domain in rule.entities}
    for node in rule.nodes():
        t = node.type
        if isinstance(node, A.Var) and t is not None and t.name == T.LIST and t.elem is not None \
                and t.elem.name == T.RECORD:
            found.setdefault(t.elem.entity, set())
        if isinstance(node, A.Field) and node.obj.type is not None and node.obj.type.name == T.RECORD:
            found.setdefault(node.obj.type.entity, set()).add(node.name)
    return {e: f for e, f in found.items() if e in rule.entities}
