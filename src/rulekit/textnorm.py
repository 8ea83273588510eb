"""What counts as the same name: one normalisation for ids, roles and every other key.

A key (an id, a role, an office, a task, a column header) is compared after
`normalize_key`: NFKC (full-width ＳＯＯ１ and the Kangxi radical ⾧ fold to S001
and 長), zero-width characters removed, surrounding spaces stripped. Files
exported by different systems spell the same student differently in exactly
these ways, and every one is invisible on screen, so records, headers and the
policy all go through this one function.

Control characters are not folded: a NUL or an escape in a key is damage, not
spelling, and is reported (`control_char`). Output meant for a terminal escapes
them (`escape_controls`), so a cell cannot retitle or clear the user's terminal.

`skeleton` is a small stand-in for the Unicode TR39 skeleton: NFKC plus a table
of look-alikes NFKC keeps apart (CJK radical supplement forms, Cyrillic and Greek
letters that look Latin). Two declared names with one skeleton are confusable.
"""
from __future__ import annotations

import re
import unicodedata
from .i18n import _

# U+200B..U+200D (zero-width space, non-joiner, joiner), U+2060 word joiner, U+FEFF BOM.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_DROP_ZERO_WIDTH = dict.fromkeys(map(ord, ZERO_WIDTH))

# C0 controls but tab and line feed, DEL, the C1 controls (U+0080..U+009F: U+009B is a
# one-byte CSI on some terminals), and the bidirectional embeddings, overrides and
# isolates, which make a line display in another order than it reads ("Trojan Source").
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def normalize_key(text: str) -> str:
    """`text` as a key: zero-width characters removed, NFKC, surrounding spaces stripped."""
    if text.isascii():  # NFKC leaves ASCII alone, and no zero-width character is ASCII
        return text.strip()
    return unicodedata.normalize("NFKC", text.translate(_DROP_ZERO_WIDTH)).strip()


def what_changed(original: str, normal: str) -> str:
    """Why `normal` differs from `original`, in words."""
    reasons = []
    gone = sorted({f"U+{ord(c):04X}" for c in original if c in ZERO_WIDTH})
    if gone:
        reasons.append(_("zero-width character {chars} removed").format(chars=", ".join(gone)))
    if unicodedata.normalize("NFKC", original.translate(_DROP_ZERO_WIDTH)).strip() != original.translate(
            _DROP_ZERO_WIDTH).strip():
        reasons.append(_("full-width or compatibility characters folded (NFKC)"))
    if not reasons:
        reasons.append(_("surrounding spaces removed"))
    return "; ".join(reasons)


def control_char(text: str) -> str | None:
    """The first control character in `text` (tab and line feed included), or None."""
    m = re.search("[\x00-\x1f\x7f-\x9f]", text)
    return m.group() if m else None


def char_name(ch: str) -> str:
    """U+0000 (NUL)-style name of one character, for messages about invisible ones."""
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ch, "control character")
    return f"U+{ord(ch):04X} ({name})"


_CONTROL_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BACKSPACE", "\t": "TAB", "\n": "LINE FEED",
                  "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE", "\x9b": "CSI"}


def escape_controls(text: str) -> str:
    """Control characters (but tab and line feed) and bidirectional controls as a visible
    `\\u001b`: readable in a terminal, and the same string inside JSON (a valid escape there)."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Look-alikes NFKC does not fold, each to the character it imitates. Not the whole TR39
# table (thousands of rows): the scripts a Taiwanese school's names and ids are written in.
_LOOKALIKES = str.maketrans({
    # CJK Radicals Supplement forms of common characters (NFKC folds the Kangxi radicals
    # U+2F00..U+2FD5, but not these)
    "⺠": "民", "⻑": "長", "⻒": "镸", "⻘": "青", "⻝": "食", "⻣": "骨", "⻤": "鬼", "⻩": "黄", "⻫": "齐",
    "⻭": "齿", "⻳": "龟", "⺟": "母", "⻄": "西", "⻆": "角", "⻌": "辶", "⻍": "辶",
    "⺼": "肉", "⺮": "竹", "⺶": "羊", "⺷": "羊", "⻊": "足", "⻏": "阝", "⻖": "阝",
    # Cyrillic and Greek letters that look like Latin ones
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ѕ": "s",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
    # digits and letters that pass for each other
    "0": "O", "l": "I", "1": "I", "|": "I",
    # the ideographic one and the horizontal bars
    "一": "-", "ー": "-", "－": "-", "—": "-", "–": "-",
})


def skeleton(text: str) -> str:
    """What `text` looks like: normalised, look-alikes replaced. Equal skeletons, look-alike names."""
    return normalize_key(text).translate(_LOOKALIKES)
