"""Which encoding a CSV file is in: what it declares first, then what it can be read as.

Order: a byte order mark (UTF-32 before UTF-16, whose little-endian BOM begins the
UTF-32 one); then UTF-16 without a BOM when every other byte is NUL (an ASCII file
saved as "Unicode" by Excel); then UTF-8, strictly; then Big5 as Windows writes it
(cp950). A guess that is not UTF-8 is said in a warning naming the encoding
assumed, because Big5 read wrongly is plausible-looking text. An explicit
`--encoding` overrides all of this (`check_text_encoding` refuses codecs that do not
turn bytes into text: rot13, hex, base64, zlib).
"""
from __future__ import annotations

import codecs

from ..diagnostics import WARNING, Diagnostic, Span, UsageError
from ..i18n import N_, _

ENCODING_HINT = N_("name the file's encoding with --encoding (e.g. --encoding big5), or save it as UTF-8")

# Longest first: the UTF-32 little-endian BOM FF FE 00 00 begins with the UTF-16 one, FF FE.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_SAMPLE = 1 << 16


def check_text_encoding(encoding: str, where: str) -> None:
    """A UsageError unless `encoding` names a codec from bytes to text."""
    try:
        # LookupError for unknown names and for bytes-to-bytes codecs (not for b"": Python
        # answers "" without looking the codec up)
        b"\0\0\0\0".decode(encoding, "replace")
    except LookupError:
        try:
            codecs.lookup(encoding)
        except LookupError:
            message = _("unknown encoding {encoding}").format(encoding=encoding)
        else:
            message = _("{encoding} is not a text encoding: it does not turn bytes into text").format(encoding=encoding)
        raise UsageError([Diagnostic("unknown-encoding", message, Span(where),
                                     hint=_("e.g. utf-8, big5, cp950, utf-16"))]) from None


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: NUL high bytes (the commas, digits and line breaks of a CSV are
    ASCII) in at least a quarter of the characters, and next to no NUL low byte. UTF-8
    and Big5 text has no NUL at all."""
    sample = raw[:_SAMPLE]
    if len(raw) % 2 or len(sample) < 4:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= half / 4 and even <= half / 100:
        return "utf-16-le", _("UTF-16 (little-endian, without BOM)")
    if even >= half / 4 and odd <= half / 100:
        return "utf-16-be", _("UTF-16 (big-endian, without BOM)")
    return None


def _attempts(raw: bytes, encoding: str | None) -> tuple[list[tuple[str, str]], bool]:
    """(codec, label) pairs to try in order, and whether a success is only a guess."""
    if encoding:
        name = codecs.lookup(encoding).name
        return [("utf-8" if name == "utf-8" else encoding, encoding)], False
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            return [(codec, label)], False
    guess = _utf16_without_bom(raw)
    if guess:
        return [guess], True
    return [("utf-8", "UTF-8"), ("cp950", _("Big5 (cp950)"))], True


def decode(raw: bytes, file: str, encoding: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a one-line diagnostic naming the byte that cannot be read.

    The text may come with a warning (not None text and a Diagnostic): the encoding was
    guessed and is not UTF-8."""
    attempts, guessed = _attempts(raw, encoding)
    failures = []
    hint = _(ENCODING_HINT)
    for codec, label in attempts:
        skip = len(codecs.BOM_UTF8) if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8) else 0
        view = memoryview(raw)[skip:]
        try:
            text = str(view, codec)
        except UnicodeDecodeError as exc:
            failures.append((exc.start + skip, label))
            if codec == "utf-8" and not encoding and exc.start - len(str(view[:exc.start], "utf-8")) >= 6:
                # Several Chinese characters read fine as UTF-8 before this byte: a damaged
                # UTF-8 file, which read as Big5 would turn into plausible-looking garbage.
                hint = _("the file looks like UTF-8 with a damaged byte there: fix it, or ") + _(ENCODING_HINT)
                break
            continue
        if guessed and codec != "utf-8":
            return text, Diagnostic("encoding-assumed", _("the file is not UTF-8: read as {label}").format(label=label), Span(file),
                                    WARNING, hint=_("if its text looks wrong, ") + _(ENCODING_HINT))
        return text, None
    offset = min(max(start for start, __ in failures), max(len(raw) - 1, 0))
    row = raw[:offset].count(b"\n") + 1
    labels = " or ".join(label for __, label in failures)
    byte = f"byte 0x{raw[offset]:02x}" if raw else _("no bytes")
    return None, Diagnostic(
        "encoding", _("cannot read the file as {labels}: {byte} at offset {offset}").format(labels=labels, byte=byte, offset=offset),
        Span(file, row=row), hint=hint)
