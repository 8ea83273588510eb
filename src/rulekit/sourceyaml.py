"""YAML that remembers where every value came from and refuses what PyYAML accepts silently.

PyYAML's safe loader lets a second `課程認證:` key erase the first, turns
`2024-01-19` into a date object, and expands aliases without limit. Policy files
are edited by hand, so here: duplicate keys, unknown tags and aliases are
findings; dates stay text (the ROC parser reads them later); and each value's
position is kept so a schema error deep in the tree points at its line.
Records files are read with `text_scalars=True`: YAML 1.1 would turn an id
`0110101` into 36929 and a time `10:30` into 630, so every scalar stays its text
and the records schema types it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from .textnorm import char_name
from .diagnostics import Diagnostic, RulekitError, Span, UsageError
from .files import MAX_FILE_BYTES, read_input
from .i18n import N_, _

MAX_DEPTH = 64
# Counts, days and years in a regulation are small numbers; a longer one is a slip of the
# keyboard, and past 4300 digits Python refuses to read it at all.
MAX_NUMBER_DIGITS = 18
_INT = "tag:yaml.org,2002:int"

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",  # kept as text: dates are parsed by rulekit.calendar
}
_CONSTRUCTED_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
# keys read as their text; a null key (`~:`) stays an error
_NULL = "tag:yaml.org,2002:null"
_TEXT_KEY_TAGS = (_PLAIN_TAGS | _CONSTRUCTED_TAGS) - {_NULL}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

Path = tuple  # of str keys and int indexes

try:  # the C parser is several times faster; positions and checks are the same
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Document:
    """Plain data plus the source position of every value and key in it."""

    path: str
    data: Any
    lines: tuple[str, ...] = field(repr=False)
    value_spans: dict = field(default_factory=dict, repr=False, compare=False)
    key_spans: dict = field(default_factory=dict, repr=False, compare=False)

    def span(self, path: Path, key: bool = False) -> Span:
        """The span of the value at `path` (or its key), else of the nearest ancestor."""
        table = self.key_spans if key else self.value_spans
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if key and p in self.value_spans:
                return self.value_spans[p]
            p = p[:-1]
        return self.value_spans.get((), Span(self.path, 1, 1))


def read_text(path: str, what: str = "file") -> str:
    """Read a UTF-8 text file; every way this can fail is a usage error with a hint."""
    if not os.path.exists(path):
        raise UsageError([Diagnostic("file-not-found", _("{what} {path} does not exist").format(what=what, path=path),
                                     Span(path), hint=_("check the path and spelling"))])
    try:
        raw = read_input(path, what, MAX_FILE_BYTES, dir_hint=_("name the YAML file inside it"))
    except OSError as exc:
        raise UsageError([Diagnostic("unreadable", _("cannot read {path}: {strerror}").format(path=path, strerror=exc.strerror),
                                     Span(path), hint=_("check the file's permissions"))]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RulekitError([Diagnostic(
            "encoding", _("{path} is not UTF-8 (byte 0x{start:02x} at offset {start2})").format(path=path, start=raw[exc.start], start2=exc.start),
            Span(path, line, 1), hint=_("save the file as UTF-8 (Big5 files must be converted)"))]) from None


def load_file(path: str, empty_hint: str | None = None) -> Document:
    text = read_text(path)
    return load_text(text, path) if empty_hint is None else load_text(text, path, empty_hint)


def _scan_events(text: str, path: str) -> list[Diagnostic]:
    """Walk the parser's event stream (which does not recurse) before composing (which does).

    The C composer recurses once per nesting level and can crash the process on
    `[[[[...`; aliases are reported here because only events know where `*name` is.
    """
    found, depth, last = [], 0, 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            last = event.end_mark.index
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    m = event.start_mark
                    return [_too_deep(path, m.line + 1, m.column + 1)]
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                s, e = event.start_mark, event.end_mark
                found.append(Diagnostic("yaml-alias", _("YAML alias *{anchor} is not allowed in rulekit files").format(anchor=event.anchor),
                                        Span(path, s.line + 1, s.column + 1, e.line + 1, e.column + 1),
                                        hint=_("write the value out in full; aliases hide what an entry says")))
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in (exc.problem or ""):
            raise
        # PyYAML >= 6.0.3 stops at a nesting limit of its own while scanning ahead of the
        # events; the bracket that crosses rulekit's limit is found by counting on from there.
        return [_too_deep(path, *_position(text, _flow_overflow(text, last, depth)))]
    return found


def _too_deep(path: str, line: int, col: int) -> Diagnostic:
    return Diagnostic("too-deep", _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH), Span(path, line, col, line, col + 1),
                      hint=_("flatten the structure; rulekit files need only a few levels"))


def _flow_overflow(text: str, start: int, depth: int) -> int:
    """The index of the first `[` or `{` after `start` that takes the nesting past MAX_DEPTH."""
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in "]}":
            depth -= 1
    return start


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def load_text(text: str, path: str = "<string>",
              empty_hint: str = N_("a policy file starts with `format:` and `metadata:`"),
              text_scalars: bool = False) -> Document:
    """`text` as a Document; raises RulekitError with every finding.

    text_scalars: every scalar is the text written, a plain null (`~`, `null`, nothing) None."""
    lines = tuple(text.splitlines())
    try:
        early = _scan_events(text, path)
        if early:
            raise RulekitError(early)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise RulekitError([_yaml_error(exc, path, lines)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses
        # libyaml counts `position` in UTF-8 bytes; the first such character is the one it met
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line, col = _position(text, found if found >= 0 else min(exc.position, len(text)))
        raise RulekitError([Diagnostic(
            "yaml-syntax", _("invalid YAML: the control character {character} is not allowed").format(character=char_name(chr(exc.character)))
            if isinstance(exc.character, int) else _("invalid YAML: {exc}").format(exc=exc), Span(path, line, col, line, col + 1),
            hint=_("remove it: it is invisible in most editors (some show it as ^@)"))]) from None
    except yaml.YAMLError as exc:
        raise RulekitError([Diagnostic("yaml-syntax", str(exc).splitlines()[0], Span(path, 1, 1))]) from None
    except RecursionError:
        raise RulekitError([Diagnostic("too-deep", _("the YAML is nested too deeply to read"),
                                       Span(path, 1, 1), hint=_("keep nesting under {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH))]) from None
    if node is None:
        raise RulekitError([Diagnostic("empty-file", _("{path} is empty").format(path=path), Span(path, 1, 1), hint=_(empty_hint))])
    builder = _Builder(path, text_scalars)
    data = builder.build(node, (), 0)
    if builder.diagnostics:
        raise RulekitError(builder.diagnostics)
    return Document(path, data, lines, builder.value_spans, builder.key_spans)


def _yaml_error(exc: yaml.MarkedYAMLError, path: str, lines: tuple[str, ...] = ()) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or _("invalid YAML")
    hint = _("check indentation and that every `key: value` has a space after the colon")
    if "\t" in problem or "tab" in problem or _tab_at(exc, lines):
        hint = _("YAML does not allow tabs for indentation; use spaces")
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Diagnostic("yaml-syntax", _("invalid YAML: {problem}").format(problem=problem), Span(path, line, col), hint=hint)


def _tab_at(exc: yaml.MarkedYAMLError, lines: tuple[str, ...]) -> bool:
    mark = exc.problem_mark
    if mark is None or not 0 <= mark.line < len(lines):
        return False
    return "\t" in lines[mark.line][: mark.column + 1]


def _span(path: str, node: yaml.Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(path, s.line + 1, s.column + 1, e.line + 1, e.column + 1)


class _Builder:
    def __init__(self, path: str, text_scalars: bool = False):
        self.path = path
        self.text_scalars = text_scalars
        self.value_spans: dict = {}
        self.key_spans: dict = {}
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[int] = set()
        self._constructor = yaml.constructor.SafeConstructor()

    def error(self, code: str, message: str, node: yaml.Node, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, message, _span(self.path, node), hint=hint))

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.value_spans[path] = _span(self.path, node)
        if depth > MAX_DEPTH:
            self.error("too-deep", _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH), node,
                       hint=_("flatten the structure"))
            return None
        if id(node) in self._seen:  # a revisited node is an alias; _scan_events reports it first
            self.error("yaml-alias", _("YAML aliases (*name) are not allowed in rulekit files"), node,
                       hint=_("write the value out in full; aliases hide what an entry says"))
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ)
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        return self._scalar(node)

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            self.error("yaml-tag", _("tag {tag} is not allowed").format(tag=_short_tag(node.tag)), node,
                       hint=_("remove the `!` tag; rulekit files use plain YAML values only"))

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict:
        self._check_tag(node, _MAP)
        out: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error("yaml-merge", _("merge keys (<<) are not allowed"), key_node,
                           hint=_("write the keys out in full"))
                continue
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag in _TEXT_KEY_TAGS:
                key = key_node.value  # a key is its text: `on:` is the field on, not YAML 1.1's true
            else:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool) or key == "":
                self.error("yaml-key", _("a key must be plain text"), key_node, hint=_("quote the key"))
                continue
            key = str(key)
            if key in out:
                self.error("duplicate-key", _("duplicate key {key} (first at line {key2})").format(key=key, key2=first_line[key]),
                           key_node, hint=_("merge the two entries; the second would silently erase the first"))
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.key_spans[path + (key,)] = _span(self.path, key_node)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in _PLAIN_TAGS:
            return node.value
        if node.tag in _CONSTRUCTED_TAGS:
            if self.text_scalars:
                return None if node.tag == _NULL else node.value
            if node.tag == _INT and _digits(node.value) > MAX_NUMBER_DIGITS:
                self.error("number-too-large", _("the number has {value} digits, more than the {MAX_NUMBER_DIGITS} rulekit reads").format(value=_digits(node.value), MAX_NUMBER_DIGITS=MAX_NUMBER_DIGITS), node,
                           hint=_("counts, days and years in a regulation are small numbers; quote it if it is text"))
                return None
            return self._constructor.construct_object(node)
        self.error("yaml-tag", _("tag {tag} is not allowed").format(tag=_short_tag(node.tag)), node,
                   hint=_("remove the `!` tag; rulekit files use plain YAML values only"))
        return node.value


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def iter_paths(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from iter_paths(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from iter_paths(v, path + (i,))
