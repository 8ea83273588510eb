"""JSON and JSON Lines: parsed by the json module, positions found by a small scanner.

`json.loads` is the parser (strict: duplicate keys, NaN and Infinity are refused).
The json module keeps no positions, so `positions()` walks the same text once more
and records the line:col of every key and value by path, giving JSON the same
`Document` (data + spans) that rulekit.sourceyaml gives YAML.
"""
from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring

from ..diagnostics import Diagnostic, RulekitError, Span
from ..sourceyaml import MAX_NUMBER_DIGITS, Document
from ..i18n import N_, _

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null")


class _DuplicateKey(Exception):
    pass


def _pairs(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey()
    return out


def _constant(name: str):
    raise ValueError(_("{name} is not valid JSON").format(name=name))


class _HugeNumber(Exception):
    """A number longer than MAX_NUMBER_DIGITS: refused before int() (past 4300 digits Python
    raises a message about sys.set_int_max_str_digits, which says nothing to a school)."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _HugeNumber(text)
    return int(text)


def loads(text: str):
    """json.loads that refuses duplicate keys (raises _DuplicateKey), NaN/Infinity, and numbers
    too long to be a count (raises _HugeNumber)."""
    return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int)


_LONG_NUMBER = re.compile(r"[:\[,]\s*(-?\d{%d,})" % (MAX_NUMBER_DIGITS + 1))


def _huge_number(text: str, file: str, first_line: int = 1) -> Diagnostic:
    m = _LONG_NUMBER.search(text)
    start = m.start(1) if m else 0
    line = text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    digits = len(m.group(1).lstrip("-")) if m else MAX_NUMBER_DIGITS + 1
    return Diagnostic("number-too-large", _("the number has {digits} digits, more than the {MAX_NUMBER_DIGITS} rulekit reads").format(digits=digits, MAX_NUMBER_DIGITS=MAX_NUMBER_DIGITS), Span(file, first_line + line, col),
                      hint=_("counts and grades are small numbers; put an id or a code in quotes"))


class _Positions:
    def __init__(self, text: str, file: str, first_line: int = 1):
        self.text = text
        self.file = file
        self.first_line = first_line
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        self.value_spans: dict = {}
        self.key_spans: dict = {}
        self.duplicates: list[Diagnostic] = []

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + self.first_line, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        (l1, c1), (l2, c2) = self.at(start), self.at(end)
        return Span(self.file, l1, c1, l2, c2)

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def value(self, pos: int, path: tuple) -> int:
        text = self.text
        pos = self.skip(pos)
        start = pos
        ch = text[pos:pos + 1]
        if ch == "{":
            pos = self.skip(pos + 1)
            first: dict = {}
            if text[pos:pos + 1] == "}":
                pos += 1
            else:
                while True:
                    pos = self.skip(pos)
                    key, end = scanstring(text, pos + 1)
                    kspan = self.span(pos, end)
                    if key in first:
                        self.duplicates.append(Diagnostic(
                            "duplicate-key", _("duplicate key {key} (first at line {key2})").format(key=key, key2=first[key]),
                            kspan, hint=_("merge the two entries; the second would silently erase the first")))
                    else:
                        first[key] = kspan.line
                        self.key_spans[path + (key,)] = kspan
                    pos = self.skip(end)
                    pos = self.value(pos + 1, path + (key,))  # after ':'
                    pos = self.skip(pos)
                    if text[pos] == ",":
                        pos += 1
                        continue
                    pos += 1  # '}'
                    break
        elif ch == "[":
            pos = self.skip(pos + 1)
            index = 0
            if text[pos:pos + 1] == "]":
                pos += 1
            else:
                while True:
                    pos = self.skip(self.value(pos, path + (index,)))
                    index += 1
                    if text[pos] == ",":
                        pos += 1
                        continue
                    pos += 1  # ']'
                    break
        elif ch == '"':
            __, pos = scanstring(text, pos + 1)
        elif text.startswith(_LITERALS, pos):
            pos += next(len(w) for w in _LITERALS if text.startswith(w, pos))
        else:
            m = _NUMBER.match(text, pos)
            pos = m.end() if m else pos + 1
        if path not in self.value_spans:
            self.value_spans[path] = self.span(start, pos)
        return pos


def positions(text: str, file: str, first_line: int = 1) -> _Positions:
    """Spans of every key and value of a JSON text that json.loads accepted (or refused
    only for duplicate keys, which this reports with their positions)."""
    p = _Positions(text, file, first_line)
    start = 1 if text.startswith("\ufeff") else 0
    p.value(start, ())
    return p


def _duplicates(text: str, file: str, first_line: int = 1) -> list[Diagnostic]:
    try:
        found = positions(text, file, first_line).duplicates
    except (IndexError, ValueError, AttributeError, RecursionError):  # invalid JSON after the duplicate
        found = []
    return found or [Diagnostic("duplicate-key", _("a key appears twice in one object"),
                                Span(file, first_line, 1) if first_line > 1 else Span(file),
                                hint=_("merge the two entries; the second would silently erase the first"))]


def _syntax_error(exc: Exception, text: str, file: str, first_line: int = 1) -> Diagnostic:
    if isinstance(exc, json.JSONDecodeError):
        return Diagnostic("json-syntax", _("invalid JSON: {msg}").format(msg=exc.msg),
                          Span(file, exc.lineno + first_line - 1, exc.colno),
                          hint=_("check commas, quotes and brackets near this place"))
    return Diagnostic("json-syntax", _("invalid JSON: {exc}").format(exc=exc), Span(file, first_line, 1),
                      hint=_("JSON has no NaN or Infinity; write a number or leave the field out"))


_PLAIN = json.JSONDecoder(parse_constant=_constant)
_SCAN = _PLAIN.scan_once
_KEY = re.compile(r'"\s*:')


def fast_lines(lines: list[str]) -> list:
    """JSON Lines parsed by the C scanner: per line its dict, or None where the line is blank,
    not exactly one JSON object, or may hold a duplicate key; `parse_line` then decides
    (and reports) those lines. Duplicate keys are ruled out by counting: a line whose
    object has as many keys as the text has `"...":` is free of them."""
    out: list = []
    append = out.append
    for line in lines:
        try:
            value, end = _SCAN(line, 0)
        except (StopIteration, ValueError, RecursionError):
            append(None)
            continue
        append(value if end == len(line) and type(value) is dict else None)
    keys = sum(len(v) for v in out if v is not None)
    colons = len(_KEY.findall("\n".join(line for line, v in zip(lines, out) if v is not None)))
    if keys != colons:  # some line has a repeated key, or `":` inside a text: look line by line
        for i, (line, v) in enumerate(zip(lines, out)):
            if v is not None and len(_KEY.findall(line)) != len(v):
                out[i] = None
    return out


_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines breaks there too


def stream_lines(fh) -> list | None:
    """A JSON Lines file read line by line, without holding its text: (line number, dict or
    None, text) of every non-blank line, the dict where the C scanner read exactly one object
    free of repeated keys (a line whose colons are as many as its keys has none), else None
    and the line for `parse_line`. None for the whole file when it is not plain UTF-8 with
    \\n line ends: then the caller reads it whole, as before, to report exactly where."""
    out: list = []
    append = out.append
    scan, search, key_re = _SCAN, _BREAKS.search, _KEY.findall
    for number, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        line = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line
        if search(line):
            return None
        if not line.strip():
            continue
        try:
            value, end = scan(line, 0)
        except (StopIteration, ValueError, RecursionError):
            append((number, None, line))
            continue
        if end != len(line) or type(value) is not dict or (
                line.count(":") != len(value) and len(key_re(line)) != len(value)):
            append((number, None, line))
        else:
            append((number, value, None))
    return out


def parse_document(text: str, file: str) -> Document:
    """A whole JSON file as a Document; raises RulekitError for syntax errors and duplicate keys."""
    try:
        data = loads(text)
    except _DuplicateKey:
        raise RulekitError(_duplicates(text, file)) from None
    except _HugeNumber:
        raise RulekitError([_huge_number(text, file)]) from None
    except RecursionError:
        raise RulekitError([Diagnostic("too-deep", _("the JSON is nested too deeply to read"),
                                       Span(file, 1, 1), hint=_(_DEEP_HINT))]) from None
    except ValueError as exc:
        raise RulekitError([_syntax_error(exc, text, file)]) from None
    p = positions(text, file)
    return Document(file, data, tuple(text.splitlines()), p.value_spans, p.key_spans)


_DEEP_HINT = N_("records are a list of flat objects per entity; check the file is the school's export")


def parse_line(text: str, file: str, line: int):
    """One JSON Lines record: (value, diagnostics)."""
    try:
        return loads(text), []
    except _DuplicateKey:
        return None, _duplicates(text, file, line)
    except _HugeNumber:
        return None, [_huge_number(text, file, line)]
    except RecursionError:
        return None, [Diagnostic("too-deep", _("the JSON is nested too deeply to read"), Span(file, line, 1),
                                 hint=_(_DEEP_HINT))]
    except ValueError as exc:
        return None, [_syntax_error(exc, text, file, line)]
