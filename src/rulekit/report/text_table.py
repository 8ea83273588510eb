"""A plain-text table whose cells wrap Chinese: two columns a character, no line starting with 、 or ,
and as a whole no wider than the terminal (`COLUMNS` when set)."""
from __future__ import annotations

import re
import shutil

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
    """Columns the output may use: `COLUMNS` if set, else the terminal's, else DEFAULT_WIDTH."""
    return max(NARROWEST, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def _pieces(token: str, width: int) -> list[str]:
    if display_width(token) <= width:
        return [token]
    out: list[str] = []
    for part in _PART.findall(token) if token.isascii() else [token]:
        out.extend([part] if display_width(part) <= width else list(part))
    return out


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns; Chinese breaks between any two characters, but a
    line never starts with closing punctuation (the character before moves down with it)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            for piece in _pieces(token, width):
                if line and display_width(line + piece) > width:
                    lines.append(line.rstrip())
                    line = ""
                if piece != " " or line:
                    line += piece
        lines.append(line.rstrip())
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _lines(cell: str, width: int) -> list[str]:
    """A cell's lines in `width` columns; a short cell (most are) is measured once, not wrapped."""
    if "\n" not in cell and display_width(cell) <= width:
        return [cell]
    return wrap(cell, width)


def _natural(cell: str) -> int:
    return max(map(display_width, cell.split("\n"))) if "\n" in cell else display_width(cell)


def text_table(headers: list[str], rows: list[list[str]], widths) -> str:
    """Columns of at most `widths` display columns, two spaces apart, each cell wrapped."""
    cells = [[_lines(cell, w) for cell, w in zip(row, widths)] for row in rows]
    widths = [min(w, max([display_width(line) for row in cells for line in row[i]] + [display_width(h)]))
              for i, (h, w) in enumerate(zip(headers, widths))]
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    for row in cells:
        for i in range(max(map(len, row))):
            out.append("  ".join(_pad(c[i] if i < len(c) else "", w) for c, w in zip(row, widths)).rstrip())
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


def fitted_table(headers: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """A text table no wider than `width` (default: the terminal's), wrapping the widest cells."""
    natural = [max([_natural(str(row[i])) for row in rows] + [display_width(h)]) for i, h in enumerate(headers)]
    widths = fit_widths(natural, width or terminal_width())
    return text_table(headers, [[str(c) for c in row] for row in rows], widths)
