"""What a rule costs to run: a `for_each` over several record collections is their product.

`rulekit check` evaluates a rule once per combination of its `for_each` values. Semesters,
academic years and the school are a handful of values; a record collection can be a
million rows. One collection, or one with a period, is as many subjects as records. Two
collections are their product, bounded only when a `where` conjunct joins them
(`o.student == s.id`); three or more are a product nothing bounds: five collections of a
thousand rows are 10^15 combinations, which validate passed without a word while check
ran for hours.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Diagnostic
from ..dsl import ast as A
from ..sourceyaml import Document
from .model import Policy
from ..i18n import N_, _

# for_each domains that are not record collections: a few values each
PERIODS = frozenset({"semesters", "academic_years", "school"})
_HINT = N_("range over one collection and reach the others with an aggregate, whose where is "
         "answered by an index: count(o in course_outcomes where o.student == student.id)")


def _conjuncts(node) -> list:
    if isinstance(node, A.BinOp) and node.op == "and":
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [] if node is None else [node]


def _joins(where, a: str, b: str) -> bool:
    """A conjunct `X == Y` where one side reads only `a` and the other only `b`."""
    for term in _conjuncts(where):
        if isinstance(term, A.Compare) and term.op == "==":
            sides = {A.free_vars(term.left), A.free_vars(term.right)}
            if sides == {frozenset({a}), frozenset({b})}:
                return True
    return False


def unbounded_products(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    for rule in policy.rules:
        collections = [(var, domain) for var, domain in rule.for_each if domain not in PERIODS]
        if len(collections) < 2:
            continue
        product = " × ".join(domain for __, domain in collections)
        if len(collections) > 2:
            why = _("the product of {collections} record collections ({product})").format(collections=len(collections), product=product)
        elif not _joins(rule.where, collections[0][0], collections[1][0]):
            (a, __), (b, __) = collections
            why = _("every pair of {product}: no `where` joins {a} and {b} (e.g. {a}.x == {b}.y)").format(product=product, a=a, b=b)
        else:
            continue
        yield Diagnostic("unbounded-product", _("rule {id} is evaluated for {why}; the number of combinations grows with the product of their sizes").format(id=rule.id, why=why),
                         doc.span(rule.path + ("for_each",)), WARNING, field="for_each", hint=_(_HINT))
