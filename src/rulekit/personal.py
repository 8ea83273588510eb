"""Personal data: Taiwanese ID numbers, their checksum, and masking in every output.

The ID rules are national (內政部), not a school's, so they live in code: a letter
and nine digits, the letter worth two digits, weighted 1 9 8 7 6 5 4 3 2 1 1,
the sum divisible by 10. New resident certificates (2021) use 8 or 9 as the
second character; old ones a letter A-D in that place.

Output is masked as school documents do (國教署): the last four characters
hidden, `A12345****`. Masking is applied to everything a command writes, so no
message, table or log can leak an ID; `rulekit --show-personal-data` turns it off.
"""
from __future__ import annotations

import io
import re

from .textnorm import escape_controls, normalize_key

_LETTER_CODES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                         (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29,
                          32, 30, 31, 33)))
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
_SHAPE = re.compile(r"^[A-Z][1289][0-9]{8}$")
_OLD_RESIDENT = re.compile(r"^[A-Z][A-D][0-9]{8}$")
# An ID anywhere in a text: not glued to other letters or digits. It is searched for in a
# folded copy of the text (see _FOLD), so it is found in any case and width.
_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z][12489A-D][0-9]{4})([0-9]{4})(?![0-9])")
# Lower case and full-width letters and digits to ASCII capitals, one character for one, so
# a match in the folded copy is at the same place in the original.
_FOLD = str.maketrans(
    "abcdefghijklmnopqrstuvwxyz" + "".join(map(chr, range(0xFF21, 0xFF3B))) + "".join(map(chr, range(0xFF41, 0xFF5B)))
    + "".join(map(chr, range(0xFF10, 0xFF1A))),
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 3 + "0123456789")


def is_valid_national_id(value) -> bool:
    """Format and checksum of a national ID or resident certificate number."""
    if not isinstance(value, str):
        return False
    text = normalize_key(value).upper()  # full-width Ａ１２... is the same number
    if _SHAPE.match(text):
        digits = [int(c) for c in text[1:]]
    elif _OLD_RESIDENT.match(text):  # the second letter counts by the last digit of its code
        digits = [_LETTER_CODES[text[1]] % 10] + [int(c) for c in text[2:]]
    else:
        return False
    code = _LETTER_CODES[text[0]]
    numbers = [code // 10, code % 10] + digits
    return sum(w * n for w, n in zip(_WEIGHTS, numbers)) % 10 == 0


def mask_ids(text: str) -> str:
    """`text` with the last four digits of every ID-shaped number hidden, in any case and width."""
    folded = text.translate(_FOLD)
    spans = [m.span(2) for m in _IN_TEXT.finditer(folded)]
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append("****")
        last = end
    parts.append(text[last:])
    return "".join(parts)


class MaskingStream(io.TextIOBase):
    """A text stream for what a command prints: IDs masked (unless `mask` is false) and
    control characters from the data escaped, so a cell cannot drive the terminal."""

    def __init__(self, inner, mask: bool = True):
        self.inner = inner
        self.mask = mask

    def write(self, text: str) -> int:
        safe = escape_controls(text)
        self.inner.write(mask_ids(safe) if self.mask else safe)
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    @property
    def encoding(self):
        return getattr(self.inner, "encoding", "utf-8")

    def isatty(self) -> bool:
        return getattr(self.inner, "isatty", lambda: False)()
