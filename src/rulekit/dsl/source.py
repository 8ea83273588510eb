"""Where a DSL expression sits in its YAML file.

DSL text lives inside a YAML scalar, so a position the parser reports (line and
column inside the expression) must be moved to the file: a plain or quoted
scalar on one line is shifted by the scalar's column; a `|` block literal starts
on the next line at its indentation; a plain scalar folded over several lines is
rebuilt line by line. When the text cannot be matched to the file exactly (escape
sequences, `>` folded blocks) every position falls back to the scalar's start.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from ..diagnostics import Span

Pos = tuple[int, int]  # 1-based file line and column


class SourceMap:
    """Maps (line, column) inside a DSL text to a Span in the file it came from."""

    def __init__(self, file: str, text: str, positions: Sequence[Pos] | None, fallback: Span):
        self.file = file
        self.text = text
        self._positions = positions  # one per character of text, or None
        self._fallback = fallback
        starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                starts.append(i + 1)
        self._line_starts = starts

    @classmethod
    def identity(cls, text: str, file: str = "<dsl>", line: int = 1, column: int = 1) -> "SourceMap":
        """The text is itself the file, or starts at (line, column) of it."""
        positions: list[Pos] = []
        ln, col = line, column
        for ch in text:
            positions.append((ln, col))
            ln, col = (ln + 1, 1) if ch == "\n" else (ln, col + 1)
        return cls(file, text, positions, Span(file, line, column))

    @classmethod
    def for_scalar(cls, lines: Sequence[str], value_span: Span, text: str) -> "SourceMap":
        """Map `text`, the value of the YAML scalar at `value_span` in a file of `lines`."""
        positions = _locate(lines, value_span, text)
        return cls(value_span.file, text, positions, value_span)

    def sub(self, start: int, end: int) -> "SourceMap":
        """The map of text[start:end], e.g. a {placeholder} inside a message template."""
        positions = self._positions[start:end] if self._positions is not None else None
        return SourceMap(self.file, self.text[start:end], positions, self.at_offset(start, end))

    @property
    def exact(self) -> bool:
        return self._positions is not None

    def offset(self, line: int, column: int) -> int:
        line = min(max(line, 1), len(self._line_starts))
        return min(self._line_starts[line - 1] + max(column, 1) - 1, len(self.text))

    def at_offset(self, start: int, end: int | None = None) -> Span:
        """The file span of text[start:end] (end exclusive)."""
        if self._positions is None or not self._positions:
            return self._fallback
        end = start + 1 if end is None or end <= start else end
        n = len(self._positions)
        first = self._positions[min(start, n - 1)]
        last_line, last_col = self._positions[min(end - 1, n - 1)]
        if start >= n:  # at the very end of the text: just after the last character
            first = (last_line, last_col + 1)
        return Span(self.file, first[0], first[1], last_line, last_col + 1)

    def span(self, line: int, column: int, end_line: int | None = None,
             end_column: int | None = None) -> Span:
        start = self.offset(line, column)
        end = self.offset(end_line, end_column) if end_line else None
        return self.at_offset(start, end)

    def line_of(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)


def _locate(lines: Sequence[str], vs: Span, text: str) -> list[Pos] | None:
    if not 0 < vs.line <= len(lines):
        return None
    first = lines[vs.line - 1]
    lead = first[vs.column - 1] if 0 < vs.column <= len(first) else ""
    if lead == "|":
        candidate = _block_literal(lines, vs.line)
    elif lead == ">":
        return None
    elif lead in ("'", '"'):
        candidate = _flow(lines, vs.line, vs.column + 1, text)
    else:
        candidate = _flow(lines, vs.line, vs.column, text)
    if candidate is None:
        return None
    chars = "".join(ch for ch, __ in candidate)
    stripped = text.rstrip("\n")
    if chars.rstrip("\n") != stripped:
        return None
    return [pos for __, pos in candidate[: len(stripped)]]


def _block_literal(lines: Sequence[str], header_line: int) -> list[tuple[str, Pos]] | None:
    """`key: |` - content lines follow, indented at least as much as the first one."""
    body = list(range(header_line, len(lines)))  # 0-based indexes of the following lines
    indent = None
    for i in body:
        if lines[i].strip():
            indent = len(lines[i]) - len(lines[i].lstrip(" "))
            break
    if indent is None:
        return None
    out: list[tuple[str, Pos]] = []
    for i in body:
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip(" ")) < indent:
            break
        for j, ch in enumerate(line[indent:]):
            out.append((ch, (i + 1, indent + j + 1)))
        out.append(("\n", (i + 1, max(len(line), indent) + 1)))
    return out


def _flow(lines: Sequence[str], line: int, column: int, text: str) -> list[tuple[str, Pos]] | None:
    """A plain or quoted scalar: on one line, or folded over several (lines joined by a space)."""
    out: list[tuple[str, Pos]] = []
    row = lines[line - 1]
    start = column - 1
    i = line - 1
    while True:
        seg = row[start:]
        if i > line - 1:
            stripped = seg.lstrip(" \t")
            start += len(seg) - len(stripped)
            seg = stripped
        for j, ch in enumerate(seg):
            out.append((ch, (i + 1, start + j + 1)))
        if len(out) >= len(text) or i + 1 >= len(lines):
            break
        # the scalar goes on: YAML folds a line break into one space
        while out and out[-1][0] in " \t":
            out.pop()
        out.append((" ", (i + 1, start + len(seg) + 1)))
        i += 1
        row, start = lines[i], 0
    return out[: len(text)] if "".join(ch for ch, __ in out[: len(text)]) == text else None
