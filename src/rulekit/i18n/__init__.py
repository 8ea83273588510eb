"""Messages in the reader's language (zh-TW by default, English on request).

Every message a staff member or editor reads goes through `_()` with an English
message id and `str.format` named placeholders, so the catalogue can be extracted:

    _("{name} is not a recognised date").format(name=value)

Not `_(f"...")`: an f-string is formatted before the catalogue sees it.
Message codes such as `invalid-date` are never translated.

The catalogue is standard gettext (`locale/zh_TW/LC_MESSAGES/rulekit.po`, compiled to
the `.mo` beside it); only the stdlib reads it at run time. docs/i18n.md has the
workflow (extract, translate, compile) with Babel.

The language is, in this order: the one a command chose (`--lang`, `set_language`),
`RULEKIT_LANG`, else zh-TW. The environment is read at each message, not at import, so
a library caller (or a test) that sets RULEKIT_LANG gets it without calling anything.
"""
from __future__ import annotations

import gettext
import os
from contextlib import contextmanager

DOMAIN = "rulekit"
# a str, not a Path: pathlib is a 5 ms import that a short command (`who`) has no other use for
LOCALE_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "locale")
DEFAULT = "zh_TW"
ENGLISH = "en"
ENV = "RULEKIT_LANG"

# every spelling a user may write, after lower-casing: the catalogue's own name and the BCP 47 tag
_SPELLINGS = {"zh": DEFAULT, "zh-tw": DEFAULT, "zh_tw": DEFAULT, "zh-hant": DEFAULT, "zh-hant-tw": DEFAULT,
              "en": ENGLISH, "en-us": ENGLISH, "en_us": ENGLISH, "en-gb": ENGLISH, "en_gb": ENGLISH}
LANGUAGES = ("zh-TW", "en")

_chosen: str | None = None
_loaded: dict[str, gettext.NullTranslations] = {}


class UnknownLanguage(ValueError):
    """A language rulekit has no catalogue for."""

    def __init__(self, value: str):
        self.value = value
        super().__init__(value)


def normalize_language(value: str) -> str:
    """`zh`, `zh-TW`, `zh_TW` -> zh_TW; `en` -> en; anything else raises UnknownLanguage."""
    code = _SPELLINGS.get(str(value).strip().lower())
    if code is None:
        raise UnknownLanguage(str(value))
    return code


def set_language(value: str | None) -> None:
    """Choose the language for what follows (None: back to RULEKIT_LANG or the default)."""
    global _chosen
    _chosen = None if value is None else normalize_language(value)


@contextmanager
def using(value: str):
    """Messages in `value` for the duration of a block, then the choice before it again."""
    global _chosen
    saved = _chosen
    set_language(value)
    try:
        yield
    finally:
        _chosen = saved


def language() -> str:
    """The language messages are in now: zh_TW or en. An unusable RULEKIT_LANG counts as
    unset here; the CLI refuses it with a message before any command runs."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(ENV)
    if env:
        try:
            return normalize_language(env)
        except UnknownLanguage:
            pass
    return DEFAULT


def translations(code: str | None = None) -> gettext.NullTranslations:
    """The catalogue of `code` (default: the current language); English is the message ids."""
    code = code or language()
    found = _loaded.get(code)
    if found is None:
        if code == ENGLISH:
            found = gettext.NullTranslations()
        else:
            found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
        _loaded[code] = found
    return found


_by_env: dict = {}
# os.environ.get of an unset variable raises and catches a KeyError inside: ~50 times the cost
# of the lookup itself, paid by every message of a school-sized report. The mapping's own
# dict (what os.environ reads and writes, monkeypatch and putenv included) answers directly.
_ENV_DATA = getattr(os.environ, "_data", None)
_ENV_KEY = os.environ.encodekey(ENV) if _ENV_DATA is not None and hasattr(os.environ, "encodekey") else None


def _env_raw():
    if _ENV_KEY is not None:
        return _ENV_DATA.get(_ENV_KEY)
    return os.environ.get(ENV)


def _current() -> gettext.NullTranslations:
    """translations() on the hot path (a report calls _() for every row): the catalogue
    found once per RULEKIT_LANG value, not resolved again at each message."""
    if _chosen is not None:
        return _loaded.get(_chosen) or translations(_chosen)
    raw = _env_raw()
    found = _by_env.get(raw)
    if found is None:
        found = _by_env[raw] = translations()
    return found


def _(message: str) -> str:
    """The message in the current language (the English id when the catalogue lacks it)."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural message for n, in the current language."""
    return _current().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue where it is defined (a module constant, a click help
    text) and translate it with `_()` where it is shown, when the language is known."""
    return message


def pick(texts: dict, fallback: str = "", prefer: str | None = None) -> str:
    """From a policy's bilingual text `{zh: ..., en: ...}`, the one in the current language
    (else the other one), or the `prefer`red one: policy data is translated by its authors,
    not by the catalogue."""
    if not isinstance(texts, dict):
        return str(texts) if texts is not None else fallback
    first = prefer or ("en" if language() == ENGLISH else "zh")
    order = (first, "zh" if first == "en" else "en")
    for key in order:
        if texts.get(key):
            return str(texts[key])
    return str(next(iter(texts.values()), fallback) or fallback)
