"""Names in the policy spelt one way, and told apart: the policy's side of `textnorm`.

`build.py` reads every role, office, section, body and task (declared, and where
it is named) through `normalize_key`, as the records are read. These checks say
where that changed what was written (a Kangxi radical ⾧ for 長, a zero-width
space), where two declarations become one name (a duplicate the YAML parser
could not see), and where two declared names differ but look alike (a CJK radical
supplement form ⻑, a Cyrillic о): TR39's idea of a skeleton, with the small table
in `textnorm.skeleton`.
"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..sourceyaml import Document
from ..textnorm import normalize_key, skeleton, what_changed
from .model import Policy
from ..i18n import _

# Mappings whose keys declare names, and what each kind is called in a message.
DECLARED = (
    (("organization", "offices"), "office"),
    (("organization", "sections"), "section"),
    (("organization", "bodies"), "body"),
    (("organization", "roles"), "role"),
    (("tasks",), "task"),
)
# Mappings whose keys name something declared elsewhere ("*": every key or list index).
NAMING_KEYS = (("substitutes", "chains"), ("duty_table", "rows", "*", "parts"))
# Values that name something declared.
NAMING_VALUES = (
    ("organization", "sections", "*", "office"),
    ("organization", "roles", "*", "unit"),
    ("organization", "roles", "*", "held_by"),
    ("substitutes", "chains", "*", "*"),
    ("substitutes", "decided_by"),
    ("substitutes", "teacher_provisions", "task"),
    ("substitutes", "teacher_provisions", "role"),
    ("substitutes", "student_provision", "task"),
    ("substitutes", "student_provision", "responsible"),
    ("working_group", "seats", "*", "role"),
    ("working_group", "convener"),
    ("working_group", "executive_secretary"),
    ("tasks", "*", "aliases", "*"),
    ("tasks", "*", "stated_in", "*", "parties", "*"),
    ("duty_table", "rows", "*", "administration", "*"),
    ("known_conflicts", "*", "task"),
)


def _children(value):
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        return list(enumerate(value))
    return []


def _at(data, pattern: tuple, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """(path, value) of everything `pattern` matches in `data`."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    for key, child in _children(data):
        if head == "*" or head == key:
            yield from _at(child, rest, path + (key,))


def _keys(data, pattern: tuple) -> Iterator[tuple[tuple, str]]:
    for path, mapping in _at(data, pattern):
        if isinstance(mapping, dict):
            yield from ((path + (k,), k) for k in mapping if isinstance(k, str))


def names_normal(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A name that normalisation changed: it is read as its normal form, and said so."""
    places = [(p, name, True, pattern) for pattern, __ in DECLARED for p, name in _keys(doc.data, pattern)]
    places += [(p, name, True, pattern) for pattern in NAMING_KEYS for p, name in _keys(doc.data, pattern)]
    places += [(p, v, False, pattern) for pattern in NAMING_VALUES for p, v in _at(doc.data, pattern)
               if isinstance(v, str)]
    for path, name, is_key, pattern in places:
        normal = normalize_key(name)
        if normal != name and normal:
            yield Diagnostic("normalised-name", _("name read as {normal}: {normal2}").format(normal=normal, normal2=what_changed(name, normal)),
                             doc.span(path, key=is_key), WARNING, field=[p for p in pattern if p != "*"][-1],
                             hint=_("write it as {normal}, so the policy and the records spell it the same way").format(normal=normal))


def names_distinct(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """Two declarations that are one name once normalised (校⾧ and 校長)."""
    for pattern, kind in DECLARED:
        first: dict[str, str] = {}
        for path, name in _keys(doc.data, pattern):
            normal = normalize_key(name)
            if normal in first:
                yield Diagnostic("duplicate-name", _("{kind} {normal} is declared twice: {normal2!r} and {name!r} are the same name once normalised (NFKC)").format(kind=kind, normal=normal, normal2=first[normal], name=name),
                                 doc.span(path, key=True), ERROR, field=kind,
                                 hint=_("remove one, or write both as {normal}").format(normal=normal))
            else:
                first[normal] = name


def names_not_confusable(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """Two declared names that differ but look alike (校⻑ and 校長): one is probably a copy-paste."""
    seen: dict[str, tuple[str, str]] = {}
    for pattern, kind in DECLARED:
        for path, name in _keys(doc.data, pattern):
            normal = normalize_key(name)
            look = skeleton(normal)
            if look in seen and seen[look][0] != normal:
                other, other_kind = seen[look]
                yield Diagnostic(
                    "confusable-name", _("{kind} {normal} looks like {other_kind} {other} but is a different name").format(kind=kind, normal=normal, other_kind=other_kind, other=other),
                    doc.span(path, key=True), WARNING, field=kind,
                    hint=_("if they are the same, write {other}; otherwise rename one so they can be told apart").format(other=other))
            else:
                seen.setdefault(look, (normal, kind))
