"""Text -> AST. The only module that imports lark.

    expr = parse("n <= param.course_outcome_quota")            # raises RulekitError
    expr, diags = parse_expr(text, SourceMap.for_scalar(...))  # collects instead

Syntax errors become `dsl-syntax` Diagnostics that say, in words, what was
expected at the place the parser stopped, with the position in the YAML file.
"""
from __future__ import annotations

import functools
from importlib import resources

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import PatternStr

from ..diagnostics import Diagnostic, RulekitError
from ..i18n import _
from ..sourceyaml import MAX_NUMBER_DIGITS
from . import ast as A
from .source import SourceMap
from ..i18n import N_
from .units import SizeError, parse_size


# Limits that keep a hand-written (or hostile) expression from exhausting the
# stack or the clock: the checker and compiler recurse once per nesting level.
MAX_EXPRESSION_CHARS = 5000
MAX_NESTING = 100
# A whole number has at most the 18 digits every number rulekit reads may have (a policy,
# a records file, a rule's arithmetic), so a size in bytes can be written. A duration keeps
# 6 (999,999 days is 2,700 years: more is a typo, and no date could be shifted by it).
MAX_DURATION_DIGITS = 6


@functools.cache
def _lark() -> Lark:
    text = resources.files("rulekit.dsl").joinpath("grammar.lark").read_text("utf-8")
    return Lark(text, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=True)


def parse(text: str, source: SourceMap | None = None) -> A.Expr:
    """Parse one expression; a syntax error raises RulekitError."""
    node, diags = parse_expr(text, source)
    if node is None:
        raise RulekitError(diags)
    return node


def parse_expr(text: str, source: SourceMap | None = None) -> tuple[A.Expr | None, list[Diagnostic]]:
    """Parse one expression; returns (AST, []) or (None, [dsl-syntax diagnostic])."""
    src = source or SourceMap.identity(text)
    if not text.strip():
        return None, [Diagnostic("dsl-syntax", _("the expression is empty"), src.at_offset(0),
                                 hint=_("write an expression, e.g. count(x in students) > 0"))]
    if len(text) > MAX_EXPRESSION_CHARS:
        return None, [Diagnostic("dsl-too-large", _("the expression is {text} characters long, more than the limit of {MAX_EXPRESSION_CHARS}").format(text=len(text), MAX_EXPRESSION_CHARS=MAX_EXPRESSION_CHARS), src.at_offset(0),
                                 hint=_("split it into several `let` values"))]
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        return None, [_syntax_error(exc, text, src)]
    if _depth(tree) > MAX_NESTING:
        return None, [Diagnostic("dsl-too-deep", _("the expression nests more than {MAX_NESTING} levels deep").format(MAX_NESTING=MAX_NESTING),
                                 src.at_offset(0), hint=_("split it into several `let` values"))]
    try:
        return _Build(src).transform(tree), []
    except VisitError as exc:
        if isinstance(exc.orig_exc, _BadLiteral):
            return None, [exc.orig_exc.diagnostic]
        raise


def _depth(tree) -> int:
    """Nesting depth of a parse tree, without recursion (the tree may be deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in getattr(node, "children", ()) if hasattr(child, "children"))
    return deepest


# ------------------------------------------------------------------ tree -> AST

class _BadLiteral(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}


def unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@v_args(meta=True)
class _Build(Transformer):
    def __init__(self, source: SourceMap):
        super().__init__()
        self.src = source

    def _s(self, meta):
        if getattr(meta, "empty", True):
            return self.src.at_offset(0)
        return self.src.span(meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token):
        return self.src.span(tok.line, tok.column, tok.end_line, tok.end_column)

    # --- structure
    def if_expr(self, meta, c):
        return A.If(c[0], c[1], c[2], span=self._s(meta))

    def default_expr(self, meta, c):
        return A.Default(c[0], tuple(c[1:]), span=self._s(meta))

    def unless_clause(self, meta, c):
        return A.Unless(c[0], c[1], span=self._s(meta))

    def or_op(self, meta, c):
        return A.BinOp("or", c[0], c[1], span=self._s(meta))

    def and_op(self, meta, c):
        return A.BinOp("and", c[0], c[1], span=self._s(meta))

    def not_op(self, meta, c):
        return A.Unary("not", c[0], span=self._s(meta))

    def compare(self, meta, c):
        return A.Compare(str(c[1]), c[0], c[2], span=self._s(meta))

    def in_op(self, meta, c):
        return A.Compare("in", c[0], c[1], span=self._s(meta))

    def not_in_op(self, meta, c):
        return A.Compare("not in", c[0], c[1], span=self._s(meta))

    def arith(self, meta, c):
        return A.BinOp(str(c[1]), c[0], c[2], span=self._s(meta))

    def neg(self, meta, c):
        return A.Unary("-", c[1], span=self._s(meta))

    def field(self, meta, c):
        obj, name = c[0], str(c[1])
        if isinstance(obj, A.Var) and obj.name == "param":
            return A.Param(name, span=self._s(meta))
        if isinstance(obj, A.Var) and obj.name == "policy":
            return A.Const(name, span=self._s(meta))
        return A.Field(obj, name, span=self._s(meta))

    # --- atoms
    def int_lit(self, meta, c):
        return A.IntLit(self._number(meta, str(c[0])), span=self._s(meta))

    def _number(self, meta, digits: str, limit: int = MAX_NUMBER_DIGITS) -> int:
        """Whole numbers a regulation can mean: a count of days, items, people, bytes."""
        if len(digits) > limit:
            raise _BadLiteral(Diagnostic("dsl-bad-literal", _("the number {digits}... has {digits2} digits, more than the {MAX_NUMBER_DIGITS} rulekit accepts").format(digits=digits[:12], digits2=len(digits), MAX_NUMBER_DIGITS=limit), self._s(meta),
                                         hint=_("counts, days and years in a regulation are small numbers")))
        return int(digits)

    def size_lit(self, meta, c):
        text = str(c[0])
        self._number(meta, text.split(".")[0].rstrip("BKMGTi \t"))
        try:
            return A.SizeLit(parse_size(text), span=self._s(meta))
        except SizeError as exc:
            raise _BadLiteral(Diagnostic("dsl-bad-literal", str(exc), self._s(meta),
                                         hint=_("write a size as 4 MB, 512 KB or 1048576 B"))) from None

    def str_lit(self, meta, c):
        return A.StrLit(unescape(str(c[0])[1:-1]), span=self._s(meta))

    def date_lit(self, meta, c):
        return A.DateLit(str(c[0]), span=self._s(meta))

    def duration_lit(self, meta, c):
        amount, unit = str(c[0]).split()
        unit = _UNITS.get(unit, unit)
        return A.DurationLit(self._number(meta, amount, MAX_DURATION_DIGITS), unit, span=self._s(meta))

    def true_lit(self, meta, c):
        return A.BoolLit(True, span=self._s(meta))

    def false_lit(self, meta, c):
        return A.BoolLit(False, span=self._s(meta))

    def null_lit(self, meta, c):
        return A.NullLit(span=self._s(meta))

    def var(self, meta, c):
        return A.Var(str(c[0]), span=self._s(meta))

    def call(self, meta, c):
        name, args = str(c[0]), tuple(a for a in c[1:] if a is not None)
        span = self._s(meta)
        if name in ("date", "semester") and len(args) == 1 and isinstance(args[0], A.StrLit):
            cls = A.DateLit if name == "date" else A.SemesterLit
            return cls(args[0].value, span=span)
        return A.Call(name, args, span=span)

    def list_lit(self, meta, c):
        return A.ListLit(tuple(a for a in c if a is not None), span=self._s(meta))

    # --- aggregates
    def quant(self, meta, c):
        return str(c[0])

    def fold(self, meta, c):
        return str(c[0])

    def quant_agg(self, meta, c):
        op, var, src, where = c
        return A.Aggregate(op, str(var), src, where, None, span=self._s(meta))

    def all_agg(self, meta, c):
        __, var, src, where, body = c
        return A.Aggregate("all", str(var), src, where, body, span=self._s(meta))

    def fold_agg(self, meta, c):
        op, body, var, src, where = c
        return A.Aggregate(op, str(var), src, where, body, span=self._s(meta))


# ------------------------------------------------------------------ syntax errors

_WORDS = {
    "NAME": N_("a name"), "INT": N_("a number"), "STRING": N_('a quoted text ("...")'),
    "DATE": N_("a date"), "DURATION": N_("a duration (3 days)"), "SIZE": N_("a size (4 MB)"),
    "$END": N_("the end of the expression"),
    "COMPARE": N_("a comparison (== != < <= > >=)"),
}
# the order "expected" words are listed in: punctuation, keywords, then kinds of value
_KIND_ORDER = ("COMPARE", "NAME", "INT", "STRING", "DATE", "DURATION", "SIZE", "$END")
_HINTS = {
    "=": N_("compare with == (a single = is not an operator)"),
    "&": N_("write `and`"), "|": N_("write `or`"), "!": N_("write `not`, or != to compare"),
    "'": N_('quote text with double quotes: "..."'),
    "*": N_("only + and - are supported"), "/": N_("only + and - are supported"),
}


def _describe(term: str) -> str:
    if term in _WORDS:
        return _(_WORDS[term])
    try:
        pattern = _lark().get_terminal(term).pattern
    except KeyError:
        return term.lower()
    return f"`{pattern.value}`" if isinstance(pattern, PatternStr) else term.lower()


def expected_words(expected) -> str:
    terms = set(expected)
    if {"NAME", "INT"} <= terms:
        return _("an expression (a name, number, \"text\", date, `(`, count(...), ...)")
    literal = sorted((t for t in terms if t not in _KIND_ORDER), key=_describe)
    kinds = [t for t in _KIND_ORDER if t in terms]
    words = [_describe(t) for t in literal + kinds]
    if len(words) > 10:
        words = words[:9] + ["..."]
    return words[0] if len(words) == 1 else _("one of: ") + ", ".join(words)


def _syntax_error(exc: UnexpectedInput, text: str, src: SourceMap) -> Diagnostic:
    hint = ""
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        span = src.at_offset(exc.pos_in_stream)
        allowed = _accepted_after(text[: exc.pos_in_stream])
        message = (_("unexpected character `{ch}`; expected {expected}").format(ch=ch, expected=expected_words(allowed))
                   if allowed else _("unexpected character `{ch}`").format(ch=ch))
        hint = _(_HINTS[ch]) if ch in _HINTS else ""
        if ch == "=" and text[exc.pos_in_stream:exc.pos_in_stream + 2] == "=>":
            hint = _("write >= for greater-or-equal")
    elif isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        span = src.at_offset(len(text.rstrip()))
        message = _("the expression ends too early; expected {expected}").format(expected=expected_words(exc.expected))
        if {"NAME", "INT"} <= set(exc.expected):
            hint = _("an expression may not stop after an operator or an open bracket")
    elif isinstance(exc, UnexpectedToken):
        tok = exc.token
        start = tok.start_pos if tok.start_pos is not None else 0
        span = src.at_offset(start, tok.end_pos)
        message = _("unexpected `{tok}`; expected {expected}").format(tok=tok, expected=expected_words(exc.expected))
        hint = _token_hint(str(tok), exc.expected)
    else:  # pragma: no cover - LALR raises only the two above
        span = src.at_offset(0)
        message = _("cannot read the expression")
    return Diagnostic("dsl-syntax", message, span, hint=hint)


def _accepted_after(prefix: str) -> set[str]:
    """Terminals the parser would accept after `prefix` (empty if the prefix itself fails)."""
    try:
        interactive = _lark().parse_interactive(prefix)
        interactive.exhaust_lexer()
        return set(interactive.accepts())
    except UnexpectedInput:
        return set()


def _token_hint(tok: str, expected) -> str:
    if tok in A.KEYWORDS and "NAME" in expected:
        return _("`{tok}` is a keyword and cannot be used as a name").format(tok=tok)
    if tok in ("==", "!=", "<", "<=", ">", ">=") and "COMPARE" not in expected:
        return _("comparisons do not chain: write a <= b and b <= c")
    if tok == "in" and "NAME" not in expected:
        return _("write aggregates as count(x in collection where ...)")
    if tok == "for":
        return _("only sum, min, max and list take a value before `for`: list(x.name for x in collection)")
    if set(expected) == {"LPAR"}:
        return _("count, exists, first, all, sum, min, max and list are aggregates: count(x in collection where ...)")
    return ""
