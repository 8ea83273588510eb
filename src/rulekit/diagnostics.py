"""One shape for everything a user can get wrong: a located, coded finding.

Every stage (YAML loading, schema, semantic checks, DSL parsing, records) reports
through `Diagnostic`, so the CLI renders them all the same way:

    policy/regulation.yaml:12:7: error[unknown-role]: role 註冊組長x is not declared
       12 |       - 註冊組長x
          |         ^^^^^^^^^
      hint: did you mean 註冊組長?
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence
from .i18n import _

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Span:
    """A place in a source file. Lines and columns are 1-based; `row` is for CSV."""

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    row: int = 0

    def location(self) -> str:
        if self.row:
            return _("{file}:row {row}").format(file=self.file, row=self.row)
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    severity: str = ERROR
    hint: str = ""
    field: str = ""
    related: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def headline(self) -> str:
        where = self.span.location()
        fld = f" [{self.field}]" if self.field else ""
        return f"{where}: {self.severity}[{self.code}]{fld}: {self.message}"

    def to_json(self) -> dict:
        return {
            "file": self.span.file,
            "line": self.span.line or None,
            "column": self.span.column or None,
            "row": self.span.row or None,
            "severity": self.severity,
            "code": self.code,
            "field": self.field or None,
            "message": self.message,
            "hint": self.hint or None,
        }


class RulekitError(Exception):
    """Raised to stop a stage; carries the findings that explain why."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.headline() for d in self.diagnostics))


class UsageError(RulekitError):
    """Bad command-line use (missing file, unknown option value): exit code 2."""


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> str:
    """A hint built from what the user declared, never from a fixed list."""
    import difflib  # when a name is wrong, not on every start

    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=n, cutoff=0.5)
    if not close:
        return ""
    return _("did you mean {names}?").format(names=_(" or ").join(close))


def _plain_width(text: str) -> int | None:
    """The width of text made only of characters whose width is plain (printable ASCII, ✓ and ✗
    take one column; the CJK ideographs, the CJK punctuation before its combining marks at
    U+302A and the fullwidth forms take two), else None. tests/test_startup.py checks each of
    them against wcwidth; measuring them here spares a short command wcwidth's 15 ms import.
    (A loop, not a regex: compiling a character class this wide takes 7 ms.)"""
    width = 0
    for ch in text:
        if " " <= ch <= "~" or ch == "\u2713" or ch == "\u2717":
            width += 1
        elif ("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u3029" or "\u3400" <= ch <= "\u4dbf"
              or "\uff01" <= ch <= "\uff60"):
            width += 2
        else:
            return None
    return width


def display_width(text: str) -> int:
    """Terminal columns, as wcwidth counts them (tabulate uses it too, so a caret, the text
    tables and tabulate's tables agree): CJK and fullwidth forms take two, combining marks none.
    A control character takes none: wcwidth calls it -1, and so would wcswidth for the whole text."""
    width = _plain_width(text)
    if width is not None:
        return width
    from wcwidth import wcswidth, wcwidth  # on first use: commands that draw nothing never import it

    width = wcswidth(text)
    if width < 0:
        width = wcswidth("".join(ch for ch in text if wcwidth(ch) >= 0))
    return width


def sort_key(d: Diagnostic) -> tuple:
    return (d.span.file, d.span.line, d.span.row, d.span.column, d.code, d.message)


def render(d: Diagnostic, sources: dict[str, list[str]] | None = None) -> str:
    """The headline, the source line with a caret under the span, and the hint."""
    lines = [d.headline()]
    text = (sources or {}).get(d.span.file)
    if text and 0 < d.span.line <= len(text):
        src = text[d.span.line - 1].rstrip("\n").replace("\t", " ")  # one column per tab keeps the caret aligned
        gutter = f"{d.span.line:>5} | "
        lines.append(gutter + src)
        col = max(d.span.column, 1)
        pad = display_width(src[: col - 1])
        if d.span.end_line == d.span.line and d.span.end_column > col:
            width = display_width(src[col - 1 : d.span.end_column - 1])
        else:
            width = max(display_width(src[col - 1 :].rstrip()), 1)
        lines.append(" " * 5 + " | " + " " * pad + "^" * max(width, 1))
    if d.hint:
        lines.append("  " + _("hint: {hint}").format(hint=d.hint))
    return "\n".join(lines)


def render_all(diags: Sequence[Diagnostic], sources: dict[str, list[str]] | None = None) -> str:
    return "\n".join(render(d, sources) for d in diags)


def to_json(diags: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diags], ensure_ascii=False, indent=2)


def errors_in(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.is_error]


@dataclass(frozen=True)
class Findings:
    """Findings of one run plus the source texts needed to show carets."""

    diagnostics: tuple[Diagnostic, ...] = ()
    sources: dict = field(default_factory=dict, compare=False)
