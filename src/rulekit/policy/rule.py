"""A checked rule of a policy, as the evaluator and the cache see it (policy/rules.py reads and
checks the entries that become these). Apart from the loader so that rebuilding a cached policy
imports no type checker and no YAML parser."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Span
from ..dsl import ast as A
from ..i18n import pick


@dataclass(frozen=True)
class Template:
    """A message: text with {expression} placeholders; `parts` alternates str and Expr."""

    text: str
    parts: tuple = ()


@dataclass(frozen=True)
class Rule:
    id: str
    citation: str
    title: Any
    severity: str
    for_each: tuple[tuple[str, str], ...]
    assert_: A.Expr
    where: A.Expr | None = None
    when: A.Expr | None = None
    lets: tuple[tuple[str, A.Expr], ...] = ()
    due: A.Expr | None = None
    messages: tuple[tuple[str, Template], ...] = ()
    span: Span = field(default=A.NO_SPAN, compare=False, repr=False)
    path: tuple = field(default=(), compare=False, repr=False)  # ("rules", i) in the document
    # the expressions above are typed trees (each node's `.type` set by the checker);
    # var_types: name -> Type of the for_each variables and lets
    var_types: Mapping = field(default_factory=dict, compare=False, repr=False)
    entities: Mapping = field(default_factory=dict, compare=False, repr=False)  # as given to load_rules
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # compiled closures
    # the title as written, before {param.NAME} was filled in (policy/wording.py): what an
    # amendment compares, so a title that follows its parameter is not a change of its own
    title_source: Any = field(default=None, compare=False, repr=False)

    def message(self, status: str) -> Template | None:
        for key, template in self.messages:
            if key == status:
                return template
        return None

    def nodes(self) -> list[A.Node]:
        """Every AST node of the rule (where, when, lets, assert, due, message placeholders)."""
        roots = [self.where, self.when, self.assert_, self.due] + [n for __, n in self.lets]
        roots += [p for __, t in self.messages for p in t.parts if not isinstance(p, str)]
        return [n for root in roots if root is not None for n in A.walk(root)]

    def title_text(self, prefer: str | None = None) -> str:
        """The title in the reader's language ({zh: ..., en: ...}), or the `prefer`red one (zh for
        the 修正條文對照表, a Chinese document whatever the language of the screen)."""
        if isinstance(self.title, Mapping):
            return pick(self.title, self.id, prefer)
        return str(self.title or self.id)
