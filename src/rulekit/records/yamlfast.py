"""Records YAML read from libyaml's event stream, for files of a hundred thousand records.

`sourceyaml.load_text` composes a node tree (a Python object and two marks per
value) and walks it to record every position: right for policy files, slow for
records (about 20 s for 10 MB). Here the C parser's events become data directly,
with the same results as `load_text(..., text_scalars=True)`, and positions are kept
only for the records themselves. Every scalar stays the text written (a plain null is
None): the records schema types it later (`scalars`).
Whatever is not plain data -- an anchor or alias, a tag, a repeated key, a key
that is not text, nesting past MAX_DEPTH, a syntax error, several documents --
makes `fast_document` return None, and the caller uses `sourceyaml.load_text`,
which reports it. Finer positions (a field's line and column) are asked for only
when a finding is reported; the document is then composed the usual way, once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.events import (AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent,
                         ScalarEvent, SequenceEndEvent, SequenceStartEvent, StreamEndEvent, StreamStartEvent)
from yaml.resolver import Resolver

from ..diagnostics import Span
from ..sourceyaml import MAX_DEPTH, Document, load_text
from .scalars import NULL_TEXTS

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml: the usual path is as fast
    _Loader = None

_STR = "tag:yaml.org,2002:str"
_RESOLVERS = Resolver.yaml_implicit_resolvers


class _NotPlain(Exception):
    """Something only the full loader may judge."""


def _resolve(value: str) -> str:
    """The tag PyYAML's resolver gives a plain key (BaseResolver.resolve)."""
    for tag, regexp in _RESOLVERS.get(value[:1] if value else "", []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            return tag
    return _STR


class _Builder:
    def __init__(self, text: str):
        self.events = yaml.parse(text, Loader=_Loader)
        self.texts: dict = {}  # one object per distinct text: an id repeats in every reference to it
        self.marks: dict = {}  # (entity, i) -> (line, column, end line, end column), 1-based
        self.text_keys: set = set()  # plain keys known to be text

    def scalar(self, ev) -> str | None:
        if ev.anchor is not None or ev.tag is not None:
            raise _NotPlain
        value = ev.value
        if ev.implicit[0] and value in NULL_TEXTS:  # plain `~`, `null` or nothing; quoted is text
            return None
        return self.texts.setdefault(value, value)

    def key(self, ev) -> str:
        if ev.__class__ is not ScalarEvent or ev.anchor is not None or ev.tag is not None or not ev.value:
            raise _NotPlain
        if ev.implicit[0]:
            value = ev.value
            if value not in self.text_keys:
                if _resolve(value) != _STR:
                    raise _NotPlain  # `on:`, `1:`, `<<:`, `~:`: the full loader decides
                self.text_keys.add(value)
        return ev.value

    def node(self, ev, depth: int, path: tuple | None = None):
        cls = ev.__class__
        if cls is ScalarEvent:
            return self.scalar(ev)
        if cls is MappingStartEvent:
            value, end = self.mapping(ev, depth, path if path is not None and len(path) < 2 else None)
            if path is not None and len(path) == 2:
                s = ev.start_mark
                self.marks[path] = (s.line + 1, s.column + 1, end.line + 1, end.column + 1)
            return value
        if cls is SequenceStartEvent:
            if ev.anchor is not None or ev.tag is not None or depth >= MAX_DEPTH:
                raise _NotPlain
            out = []
            nxt = self.events.__next__
            while True:
                item = nxt()
                if item.__class__ is SequenceEndEvent:
                    return out
                out.append(self.node(item, depth + 1, path + (len(out),) if path is not None else None))
        raise _NotPlain  # an alias, or an event out of place

    def mapping(self, ev, depth: int, path: tuple | None):
        if ev.anchor is not None or ev.tag is not None or depth >= MAX_DEPTH:
            raise _NotPlain
        out: dict = {}
        nxt = self.events.__next__
        while True:
            k = nxt()
            if k.__class__ is MappingEndEvent:
                return out, k.end_mark
            key = self.key(k)
            if key in out:
                raise _NotPlain
            out[key] = self.node(nxt(), depth + 1, path + (key,) if path is not None else None)

    def document(self):
        nxt = self.events.__next__
        if nxt().__class__ is not StreamStartEvent or nxt().__class__ is not DocumentStartEvent:
            raise _NotPlain
        root = nxt()
        if root.__class__ in (AliasEvent, DocumentEndEvent):
            raise _NotPlain
        data = self.node(root, 0, ())
        if nxt().__class__ is not DocumentEndEvent or nxt().__class__ is not StreamEndEvent:
            raise _NotPlain  # several documents: the full loader says so
        return data


@dataclass(frozen=True)
class FastDocument(Document):
    """A Document whose spans, apart from each record's, come from composing it again on demand."""

    text: str = field(default="", repr=False, compare=False)
    marks: dict = field(default_factory=dict, repr=False, compare=False)
    _full: list = field(default_factory=list, repr=False, compare=False)

    def span(self, path, key: bool = False) -> Span:
        p = tuple(path)
        if not key and p in self.marks:
            line, column, end_line, end_column = self.marks[p]
            return Span(self.path, line, column, end_line, end_column)
        if not self._full:
            self._full.append(load_text(self.text, self.path, text_scalars=True))
        return self._full[0].span(p, key)


def fast_document(text: str, path: str) -> FastDocument | None:
    """The records file as data (scalars as text), or None where only sourceyaml.load_text may judge it."""
    if _Loader is None:
        return None
    builder = _Builder(text)
    try:
        data = builder.document()
    except (_NotPlain, yaml.YAMLError, RecursionError, StopIteration):
        return None
    if not isinstance(data, dict):
        return None
    return FastDocument(path, data, (), text=text, marks=builder.marks)
