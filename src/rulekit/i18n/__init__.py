"""Messages in the reader's language (zh-TW by default, English on request).

Every message a staff member or editor reads goes through `_()` with an English
message id and `str.format` named placeholders, so the catalogue can be extracted:

    _("{name} is not a recognised date").format(name=value)

Not `_(f"...")`: an f-string is formatted before the catalogue sees it.
Message codes such as `invalid-date` are never translated.
"""
from __future__ import annotations


def _(message: str) -> str:
    """The message in the current language (for now: as written; the catalogue comes with issue 15)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural message for n, in the current language."""
    return singular if n == 1 else plural
