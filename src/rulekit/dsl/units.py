"""File sizes as a regulation writes them: `4 MB`, `10MB`, `512 KB`, `4 MiB`, `1.5 GB`.

One meaning for every spelling: a size is a whole number of bytes, and K/M/G are
powers of 1024 whether written KB or KiB, because that is what the upload systems
schools use (and the 國教署 platform's "4MB") mean by them. Shared by the DSL (size
literals and parameters) and the records (a field of type `size`).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from ..i18n import _

UNITS = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}
_ALIASES = {"BYTE": "B", "BYTES": "B", "位元組": "B", "K": "KB", "KIB": "KB", "M": "MB",
            "MIB": "MB", "G": "GB", "GIB": "GB", "T": "TB", "TIB": "TB"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z位元組]*)\s*$")
# Beyond this a "size" is a typo, not a file (and keeps numbers exact in every engine).
MAX_BYTES = 1024 ** 5


class SizeError(ValueError):
    """A text that is not a size; the message says why, for a diagnostic."""


def parse_size(text: str | int) -> int:
    """Bytes in `text`: `4 MB` -> 4194304; a bare whole number is bytes."""
    if isinstance(text, bool):
        raise SizeError(_("{text!r} is not a size").format(text=text))
    if isinstance(text, int):
        value, unit = Decimal(text), "B"
    else:
        match = _SIZE.match(str(text))
        if not match:
            raise SizeError(_("{text!r} is not a size (write it like 4 MB, 512 KB or 1048576)").format(text=text))
        unit = match.group(2).upper() or "B"
        unit = _ALIASES.get(unit, unit)
        if unit not in UNITS:
            raise SizeError(_("{group!r} is not a unit of size (B, KB, MB, GB, TB)").format(group=match.group(2)))
        try:
            value = Decimal(match.group(1))
        except InvalidOperation as exc:  # the pattern admits only digits; kept for safety
            raise SizeError(_("{text!r} is not a size").format(text=text)) from exc
    total = value * UNITS[unit]
    if total != total.to_integral_value():
        raise SizeError(_("{text!r} is not a whole number of bytes").format(text=text))
    if total < 0 or total > MAX_BYTES:
        raise SizeError(_("{text!r} is outside 0 B to 1024 TB").format(text=text))
    return int(total)


def format_size(n: int) -> str:
    """The largest unit that shows `n` bytes exactly: 4194304 -> `4 MB`, 1536 -> `1.5 KB`."""
    for unit in ("TB", "GB", "MB", "KB"):
        scaled = Decimal(n) / UNITS[unit]
        if scaled >= 1 and scaled == scaled.quantize(Decimal("0.01")):
            text = f"{scaled.normalize():f}"
            return f"{text} {unit}"
    return f"{n} B"
