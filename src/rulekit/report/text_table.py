"""A plain-text table whose cells wrap Chinese: two columns a character, no line starting with 、 or ,."""
from __future__ import annotations

import re

from ..diagnostics import display_width


# A token never splits when it fits: a run of ASCII (a name, a number) or one character,
# each with the closing punctuation after it, so that no line starts with 、 or ,
_TOKEN = re.compile(r"(?:[!-~]+|.)[、,。;:?!)」』】》〉,.;:?!)\]]*")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns; Chinese breaks between any two characters, but a
    line never starts with closing punctuation (the character before moves down with it)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            for piece in [token] if display_width(token) <= width else list(token):
                if line and display_width(line + piece) > width:
                    lines.append(line.rstrip())
                    line = ""
                if piece != " " or line:
                    line += piece
        lines.append(line.rstrip())
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(headers: list[str], rows: list[list[str]], widths) -> str:
    """Columns of fixed display width, two spaces apart, each cell wrapped."""
    widths = [min(w, max([display_width(line) for row in rows for line in wrap(row[i], w)] + [display_width(h)]))
              for i, (h, w) in enumerate(zip(headers, widths))]
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    for row in rows:
        cells = [wrap(cell, w) for cell, w in zip(row, widths)]
        for i in range(max(map(len, cells))):
            out.append("  ".join(_pad(c[i] if i < len(c) else "", w) for c, w in zip(cells, widths)).rstrip())
    return "\n".join(out)
