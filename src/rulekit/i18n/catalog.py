"""The catalogue workflow (a developer's tool; needs Babel, which the run time never imports).

    python -m rulekit.i18n.catalog update    # extract from src/, merge into the .po, compile the .mo
    python -m rulekit.i18n.catalog check     # list msgids without a zh_TW translation (exit 1 if any)

docs/i18n.md describes the whole workflow.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LOCALES = ("zh_TW",)
# fixed, so that updating the catalogue changes only the lines whose messages changed
_STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_FIELD = re.compile(r"\{([^{}!:]*)[^{}]*\}")


def po_path(locale: str) -> Path:
    return Path(LOCALE_DIR) / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def extract() -> Catalog:
    """Every message id the source marks with `_`, `N_` or `ngettext`, with where it is."""
    template = Catalog(project=DOMAIN, charset="utf-8", creation_date=_STAMP, revision_date=_STAMP)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("i18n:",), strip_comment_tags=True):
        template.add(message, None, [(f"rulekit/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def load(locale: str) -> Catalog:
    with open(po_path(locale), "rb") as f:
        return read_po(f, locale=locale)


def update(locale: str) -> Catalog:
    """Merge the source's messages into the locale's .po (new ones untranslated, gone ones
    dropped), write it and compile the .mo beside it."""
    template = extract()
    path = po_path(locale)
    if path.exists():
        catalog = load(locale)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=locale, project=DOMAIN, charset="utf-8")
    # exact ids only: a guessed (fuzzy) translation of a changed message would be shown as if reviewed
    catalog.update(template, no_fuzzy_matching=True)
    catalog.creation_date = catalog.revision_date = _STAMP
    catalog.obsolete.clear()
    catalog.fuzzy = False  # the header: Babel marks a new catalogue fuzzy, and a fuzzy header is left out of the .mo
    with open(path, "wb") as f:
        write_po(f, catalog, width=100, sort_output=False, ignore_obsolete=True)
    compile_mo(locale)
    return catalog


def compile_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_mo(locale: str) -> None:
    mo_path(locale).write_bytes(compile_bytes(load(locale)))


def missing(locale: str) -> list[str]:
    """Message ids in the source that the locale's .po lacks or leaves untranslated (or fuzzy)."""
    catalog = load(locale)
    gaps = []
    for message in extract():
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        texts = strings if isinstance(strings, (tuple, list)) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def fields(text: str) -> set[str]:
    """The `{name}` placeholders of a message (`{{` is a literal brace, not one)."""
    return set(_FIELD.findall(text.replace("{{", "").replace("}}", "")))


def placeholder_mismatches(locale: str) -> list[str]:
    """Translations whose placeholders differ from their id's: `.format()` would fail or drop a value."""
    bad = []
    for message in load(locale):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        wanted = set().union(*(fields(i) for i in ids))
        for s in strings:
            if s and fields(s) != wanted:
                bad.append(f"{ids[0]!r} -> {s!r}")
    return bad


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        for locale in LOCALES:
            update(locale)
    elif command != "check":
        print("usage: python -m rulekit.i18n.catalog [update|check]", file=sys.stderr)
        return 2
    status = 0
    for locale in LOCALES:
        for msgid in missing(locale):
            print(f"{po_path(locale)}: untranslated: {msgid!r}")
            status = 1
        for line in placeholder_mismatches(locale):
            print(f"{po_path(locale)}: placeholders differ: {line}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
