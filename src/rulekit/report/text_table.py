"""A plain-text table whose cells wrap Chinese: two columns a character, no line starting with 、 or ,
and as a whole no wider than the terminal (`COLUMNS` when set)."""
from __future__ import annotations

import functools
import os
import re
import sys

from ..diagnostics import display_width


# A token never splits when it fits: a run of ASCII (a name, a number) or one character,
# each with the closing punctuation after it, so that no line starts with 、 or ,
_TOKEN = re.compile(r"(?:[!-~]+|.)[、,。;:?!)」』】》〉,.;:?!)\]]*")
# a run of ASCII too long for its column breaks after a hyphen or slash before anywhere else
_PART = re.compile(r"[^-/]*[-/]+|[^-/]+")

GAP = 2  # spaces between two columns
NARROWEST = 40  # a terminal narrower than this still gets tables of this width
# When output is not a terminal and COLUMNS is unset (a pipe, a file, a test): the width
# of the reports in the documentation.
DEFAULT_WIDTH = 100


def terminal_width() -> int:
    """Columns the output may use: `COLUMNS` if set, else the terminal's, else DEFAULT_WIDTH.
    The columns as shutil.get_terminal_size gives them, without importing shutil (and the
    compression modules it imports) for a short command's answer."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = DEFAULT_WIDTH
        columns = columns or DEFAULT_WIDTH
    return max(NARROWEST, columns)


def _pieces(token: str, width: int) -> list[str]:
    if cell_width(token) <= width:
        return [token]
    out: list[str] = []
    for part in _PART.findall(token) if token.isascii() else [token]:
        out.extend([part] if cell_width(part) <= width else list(part))
    return out


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns; Chinese breaks between any two characters, but a
    line never starts with closing punctuation (the character before moves down with it)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0  # widths add up: wcswidth is the sum of its characters' widths
        for token in _TOKEN.findall(paragraph):
            for piece in _pieces(token, width):
                w = cell_width(piece)
                if line and used + w > width:
                    lines.append(line.rstrip())
                    line, used = "", 0
                if piece != " " or line:
                    line += piece
                    used += w
        lines.append(line.rstrip())
    return lines


@functools.lru_cache(maxsize=1 << 16)
def _cjk_width(text: str) -> int:
    return display_width(text)


def cell_width(text: str) -> int:
    """display_width, quick for the usual cell: printable ASCII is one column a character, and
    other text (the same names, statuses and dates again and again) is measured once."""
    if text.isascii() and text.isprintable():
        return len(text)
    return _cjk_width(text) if len(text) <= 64 else display_width(text)


def _lines(cell: str, width: int, natural: int) -> list[tuple[str, int]]:
    """A cell's lines in `width` columns, each with its width; a short cell (most are) is
    not wrapped."""
    if natural <= width and "\n" not in cell:
        return [(cell, natural)]
    return [(line, cell_width(line)) for line in wrap(cell, width)]


def _natural(cell: str) -> int:
    return max(map(cell_width, cell.split("\n"))) if "\n" in cell else cell_width(cell)


def text_table(headers: list[str], rows: list[list[str]], widths, naturals=None) -> str:
    """Columns of at most `widths` display columns, two spaces apart, each cell wrapped.
    `naturals`: each cell's width when already measured."""
    if naturals is None:
        naturals = [[_natural(cell) for cell in row] for row in rows]
    cells = [[_lines(cell, w, n) for cell, w, n in zip(row, widths, ns)] for row, ns in zip(rows, naturals)]
    widths = [min(w, max([n for row in cells for _, n in row[i]] + [cell_width(h)]))
              for i, (h, w) in enumerate(zip(headers, widths))]
    blank = [("", 0)]
    out = ["  ".join(h + " " * (w - cell_width(h)) for h, w in zip(headers, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    for row in cells:
        if all(len(c) == 1 for c in row):  # one line: no wrapped cell
            out.append("  ".join(text + " " * (w - n) for (text, n), w in zip((c[0] for c in row), widths)).rstrip())
            continue
        for i in range(max(map(len, row))):
            out.append("  ".join(text + " " * (w - n) for (text, n), w in
                                 zip(((c[i] if i < len(c) else blank[0]) for c in row), widths)).rstrip())
    return "\n".join(out)


def fit_widths(natural: list[int], total: int, narrowest: int = 6) -> list[int]:
    """Column widths that add up (with the gaps) to at most `total`: columns narrower than a
    common cap keep their width, the wider ones share what is left (the cap), and the columns
    at the right take what the cap leaves over. Never narrower than `narrowest` (or the
    column's own width): on a very narrow terminal the table is wider than the screen rather
    than one character a line."""
    budget = total - GAP * (len(natural) - 1)
    if sum(natural) <= budget:
        return list(natural)
    low, high = narrowest, max(natural)
    while low < high:  # the largest cap at which the columns fit
        cap = (low + high + 1) // 2
        if sum(min(n, cap) for n in natural) <= budget:
            low = cap
        else:
            high = cap - 1
    widths = [min(n, low) for n in natural]
    spare = budget - sum(widths)
    for i in reversed(range(len(widths))):
        if spare <= 0:
            break
        extra = min(spare, natural[i] - widths[i])
        widths[i] += extra
        spare -= extra
    return widths


def fitted_table(headers: list[str], rows: list[list[str]], width: int | None = None,
                 keep: tuple[int, ...] = ()) -> str:
    """A text table no wider than `width` (default: the terminal's), wrapping the widest cells;
    the columns in `keep` (ids a reader searches for, such as rule ids) are never wrapped."""
    rows = [[str(c) for c in row] for row in rows]
    naturals = [[_natural(cell) for cell in row] for row in rows]
    natural = [max([ns[i] for ns in naturals] + [cell_width(h)]) for i, h in enumerate(headers)]
    total = width or terminal_width()
    rest = [i for i in range(len(natural)) if i not in keep]
    if len(rest) == len(natural) or not rest:
        return text_table(headers, rows, fit_widths(natural, total), naturals)
    widths = list(natural)
    fitted = fit_widths([natural[i] for i in rest], total - sum(natural[i] + GAP for i in keep))
    for i, w in zip(rest, fitted):
        widths[i] = w
    return text_table(headers, rows, widths, naturals)
