"""Rule entries of a policy document: read, validate, parse and type-check them.

    rules, diags = load_rules(doc, params={"course_outcome_quota": "int"},
                              constants={"working_group_seats": "list[string]"})

Every problem of every entry is collected (unknown keys with did-you-mean, bad
ids, unknown domains, DSL syntax and type errors located in the YAML file); an
entry with errors is left out of the returned rules.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..diagnostics import Diagnostic, did_you_mean
from ..dsl import ast as A
from ..dsl.checker import Checker
from ..i18n import _
from ..dsl.source import SourceMap
from ..dsl import types as T
from ..sourceyaml import Document
from .rule import Rule, Template  # defined apart: rebuilding a cached policy needs no checker

DOMAINS = {"semesters": T.T_SEMESTER, "academic_years": T.T_AY, "school": T.T_SCHOOL}
STATUSES = ("pass", "fail", "pending", "not_applicable", "not_determinable")
SEVERITIES = ("error", "warning")
ENTRY_KEYS = ("id", "citation", "title", "description", "severity", "for_each",
              "where", "when", "let", "assert", "due", "message")
REQUIRED_KEYS = ("id", "citation", "for_each", "assert")
DSL_KEYS = ("where", "when", "assert", "due")  # and the values of let
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
NAME_PATTERN = r"^[^\W\d]\w*$"  # a letter (any script) or _, then letters, digits, _

_DSL = {"type": ["string", "boolean", "integer"],
        "description": "an expression of the rules DSL (docs/dsl.md)"}
RULE_ENTRY_SCHEMA: dict = {
    "type": "object",
    "additionalProperties": False,
    "required": list(REQUIRED_KEYS),
    "properties": {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "citation": {"type": ["string", "number"]},
        "title": {"oneOf": [{"type": "string"},
                            {"type": "object", "minProperties": 1,
                             "additionalProperties": {"type": "string"}}]},
        "description": {"type": "string"},
        "severity": {"enum": list(SEVERITIES)},
        "for_each": {"type": "object", "minProperties": 1,
                     "propertyNames": {"pattern": NAME_PATTERN},
                     "additionalProperties": {"type": "string"}},
        "where": _DSL, "when": _DSL, "assert": _DSL, "due": _DSL,
        "let": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": _DSL},
        "message": {"oneOf": [{"type": "string"},
                              {"type": "object", "additionalProperties": False, "minProperties": 1,
                               "properties": {s: {"type": "string"} for s in STATUSES}}]},
    },
}


def load_rules(doc: Document, params: Mapping[str, Any], constants: Mapping[str, Any],
               entities: Mapping | None = None) -> tuple[tuple[Rule, ...], list[Diagnostic]]:
    """Parse and type-check `doc.data["rules"]`; returns the good rules and all diagnostics.

    params: name -> "int" | "duration" (any DSL type name); constants: name -> type
    (e.g. "list[string]" or a dsl.types.Type); entities: defaults to records.entity_types().
    """
    if entities is None:
        from ..records import entity_types
        entities = entity_types()
    loader = _Loader(doc, Checker(entities, params, constants))
    loader.entities = entities
    entries = doc.data.get("rules") if isinstance(doc.data, dict) else None
    if entries is None:
        return (), []
    if not isinstance(entries, list):
        loader.error("rule-bad-value", _("rules must be a list of rule entries"), ("rules",))
        return (), loader.diagnostics
    rules = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        rid = entry.get("id") if isinstance(entry, dict) else None
        duplicate = isinstance(rid, str) and rid in seen
        if duplicate:
            loader.error("rule-duplicate-id", _("rule id {rid} is used twice (first at line {rid2})").format(rid=rid, rid2=seen[rid]), ("rules", i, "id"), _("give every rule its own id"))
        elif isinstance(rid, str):
            seen[rid] = doc.span(("rules", i)).line
        rule = loader.entry(("rules", i), entry)  # checked even when a duplicate: report it all
        if rule is not None and not duplicate:
            rules.append(rule)
    return tuple(rules), loader.diagnostics


class _Loader:
    def __init__(self, doc: Document, checker: Checker):
        self.last_type = None  # the type of the expression _dsl checked last
        self.doc = doc
        self.checker = checker
        self.diagnostics = checker.diagnostics  # one list: entry and DSL problems, in order

    def error(self, code: str, message: str, path: tuple, hint: str = "", key: bool = False) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.doc.span(path, key=key), hint=hint))

    # ------------------------------------------------------------ one entry
    def entry(self, path: tuple, entry: Any) -> Rule | None:
        if not isinstance(entry, dict):
            self.error("rule-bad-value", _("a rule entry must be a mapping (id:, citation:, assert:, ...)"), path)
            return None
        before = len(self.diagnostics)
        self._keys(path, entry)
        self._texts(path, entry)
        rid = self._id(path, entry)
        severity = self._severity(path, entry)
        scope = self._for_each(path, entry)
        if scope is None:
            return None
        self.checker.unavailable = {}
        where = self._dsl(path, entry, "where", scope, want="bool")
        lets_hint = _("let values are computed after where/when; move the condition into assert")
        self.checker.unavailable = {k: lets_hint for k in (entry.get("let") or {})} \
            if isinstance(entry.get("let"), dict) else {}
        when = self._dsl(path, entry, "when", scope, want="bool")
        self.checker.unavailable = {}
        base_scope = dict(scope)
        lets = self._lets(path, entry, scope)
        assertion = self._dsl(path, entry, "assert", scope, want="bool")
        due = self._dsl(path, entry, "due", scope, want="date")
        messages = self._messages(path, entry, scope, base_scope)
        if len(self.diagnostics) > before or assertion is None:
            return None
        return Rule(
            id=rid, citation=str(entry["citation"]), title=entry.get("title") or rid,
            severity=severity, for_each=tuple((k, v) for k, v in entry["for_each"].items()),
            assert_=assertion, where=where, when=when, lets=lets, due=due, messages=messages,
            span=self.doc.span(path), path=path, var_types=dict(scope), entities=self.entities)

    def _keys(self, path: tuple, entry: dict) -> None:
        for key in entry:
            if key not in ENTRY_KEYS:
                hint = did_you_mean(key, ENTRY_KEYS) or _("rule keys: ") + ", ".join(ENTRY_KEYS)
                self.error("rule-unknown-key", _("unknown rule key {key}").format(key=key), path + (key,), hint, key=True)
        for key in REQUIRED_KEYS:
            present_null = key in DSL_KEYS and key in entry and entry[key] is None  # a type error
            if entry.get(key) in (None, "", {}) and not present_null:
                self.error("rule-missing-key", _("the rule has no {key}").format(key=key), path,
                           _("every rule needs {REQUIRED_KEYS}").format(REQUIRED_KEYS=', '.join(REQUIRED_KEYS)))

    def _texts(self, path: tuple, entry: dict) -> None:
        citation, title = entry.get("citation"), entry.get("title")
        if citation is not None and not isinstance(citation, (str, int, float)):
            self.error("rule-bad-value", _("citation must be the id of a provision, as the regulation numbers it "
                                             "(`rulekit show` lists them)"),
                       path + ("citation",))
        if title is not None and not isinstance(title, str) and not (
                isinstance(title, dict) and title and all(isinstance(v, str) for v in title.values())):
            self.error("rule-bad-value", _("title must be text or {zh: ..., en: ...}"), path + ("title",))

    def _id(self, path: tuple, entry: dict) -> str:
        rid = entry.get("id")
        if rid is not None and not (isinstance(rid, str) and re.match(ID_PATTERN, rid)):
            self.error("rule-bad-id", _("rule id {rid} is not kebab-case").format(rid=rid), path + ("id",),
                       _("use lowercase letters, digits and dashes, e.g. outcome-quota"))
        return str(rid)

    def _severity(self, path: tuple, entry: dict) -> str:
        severity = entry.get("severity", "error")
        if severity not in SEVERITIES:
            self.error("rule-bad-value", _("severity {severity} is not error or warning").format(severity=severity),
                       path + ("severity",), did_you_mean(str(severity), SEVERITIES))
        return str(severity)

    def _name_ok(self, name: Any, path: tuple, what: str) -> bool:
        if isinstance(name, str) and re.match(NAME_PATTERN, name) and \
                name not in A.KEYWORDS and name not in A.RESERVED:
            return True
        self.error("rule-bad-name", _("{name} cannot name a {what}").format(name=name, what=what), path, _("use a plain name such as "
                   "student or n; keywords and param, policy, as_of are taken"), key=True)
        return False

    def _for_each(self, path: tuple, entry: dict) -> dict | None:
        spec = entry.get("for_each")
        if not isinstance(spec, dict) or not spec:
            if spec not in (None, "", {}):
                self.error("rule-bad-value", _("for_each must map variables to collections, "
                           "e.g. {student: students, semester: semesters}"), path + ("for_each",))
            return None
        scope: dict[str, T.Type | None] = {}
        for var, domain in spec.items():
            p = path + ("for_each", var)
            if not self._name_ok(var, p, "variable"):
                continue
            if not isinstance(domain, str):
                self.error("rule-bad-value", _("the collection of {var} must be a name such as students or semesters").format(var=var), p)
                scope[var] = None
            elif domain in DOMAINS:
                scope[var] = DOMAINS[domain]
            elif domain in self.checker.entities:
                scope[var] = T.record(domain)
            else:
                choices = list(DOMAINS) + list(self.checker.entities)
                self.error("rule-unknown-domain", _("unknown collection {domain}").format(domain=domain), p,
                           did_you_mean(str(domain), choices) or "use " + ", ".join(choices))
                scope[var] = None  # reported: its uses are not reported again
        return scope

    # ------------------------------------------------------------ DSL fields
    def _text(self, path: tuple, value: Any) -> SourceMap | None:
        if value is None:  # `where:` or `where: null` in YAML is the DSL's null, not "no where"
            value = "null"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            self.error("rule-bad-value", _("expected an expression (text)"), path)
            return None
        return SourceMap.for_scalar(self.doc.lines, self.doc.span(path), value)

    def _dsl(self, path: tuple, entry: dict, key: str, scope: dict, want: str = "") -> A.Expr | None:
        """The typed expression at entry[key] (None when absent or unreadable); its type is
        also left in self.last_type."""
        self.last_type = None
        if key not in entry:
            return None
        src = self._text(path + (key,), entry[key])
        if src is None:
            return None
        from ..dsl.parser import parse_expr  # lark only when expressions are read, not from the cache

        node, diags = parse_expr(src.text, src)
        self.diagnostics.extend(diags)
        if node is None:
            return None
        node = self.checker.check(node, scope, role=key, want_bool=(want == "bool"))
        t = node.type
        if want == "date" and t is not None and t.name not in (T.DATE, T.ANY):
            hint = _("leave due out when there is no deadline") if t.name == T.NULL else \
                _("e.g. semester.end, or first(w in windows where ...).end")
            self.diagnostics.append(Diagnostic(
                "dsl-type", _("{key} must be a date, but this is {base}").format(key=key, base=t.base), node.span, hint=hint))
        self.last_type = t
        return node

    def _lets(self, path: tuple, entry: dict, scope: dict) -> tuple:
        spec = entry.get("let")
        if spec is None:
            return ()
        if not isinstance(spec, dict):
            self.error("rule-bad-value", _("let must map names to expressions"), path + ("let",))
            return ()
        out = []
        for name, __ in spec.items():
            if not self._name_ok(name, path + ("let", name), _("let value")):
                continue
            if name in scope:
                self.error("rule-bad-name", _("{name} is already a for_each variable").format(name=name),
                           path + ("let", name), _("choose another name"), key=True)
                continue
            node = self._dsl(path + ("let",), spec, name, scope)
            if node is not None:
                out.append((name, node))
            # a let whose type is unknown was reported: None keeps its uses from being reported again
            scope[name] = self.last_type
        return tuple(out)

    def _messages(self, path: tuple, entry: dict, scope: dict, base_scope: dict) -> tuple:
        spec = entry.get("message")
        if spec is None:
            return ()
        if isinstance(spec, str):
            template = self._template(path + ("message",), spec, scope)
            return tuple((s, template) for s in STATUSES[:3]) if template else ()
        if not isinstance(spec, dict):
            self.error("rule-bad-value", _("message must be text or a mapping of statuses"), path + ("message",))
            return ()
        out = []
        for status, text in spec.items():
            p = path + ("message", status)
            if status not in STATUSES:
                self.error("rule-unknown-key", _("unknown status {status}").format(status=status), p,
                           did_you_mean(str(status), STATUSES) or "statuses: " + ", ".join(STATUSES), key=True)
                continue
            t = self._template(p, text, base_scope if status == "not_applicable" else scope)
            if t is not None:
                out.append((status, t))
        return tuple(out)

    def _template(self, path: tuple, text: Any, scope: dict) -> Template | None:
        if not isinstance(text, str):
            self.error("rule-bad-value", _("a message must be text"), path)
            return None
        src = SourceMap.for_scalar(self.doc.lines, self.doc.span(path), text)
        parts, problems = split_template(text, src)
        self.diagnostics.extend(problems)
        typed = tuple(part if isinstance(part, str) else self.checker.check(part, scope, role="placeholder")
                      for part in parts)
        return Template(text, typed) if not problems else None


def split_template(text: str, src: SourceMap) -> tuple[list, list[Diagnostic]]:
    """"{n} 件" -> [Expr n, " 件"]; {{ and }} are literal braces."""
    parts: list = []
    problems: list[Diagnostic] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "{}" and text[i + 1:i + 2] == ch:
            buf.append(ch)
            i += 2
            continue
        if ch == "}":
            problems.append(Diagnostic("dsl-template", _("unmatched } in message"), src.at_offset(i),
                                       hint=_("write }} for a literal brace")))
            i += 1
            continue
        if ch != "{":
            buf.append(ch)
            i += 1
            continue
        end = _closing_brace(text, i + 1)
        if end < 0:
            problems.append(Diagnostic("dsl-template", _("unclosed { in message"), src.at_offset(i),
                                       hint=_("close the placeholder with }, or write {{ for a brace")))
            break
        from ..dsl.parser import parse_expr

        node, diags = parse_expr(text[i + 1:end], src.sub(i + 1, end))
        problems.extend(diags)
        if buf:
            parts.append("".join(buf))
            buf = []
        if node is not None:
            parts.append(node)
        i = end + 1
    if buf:
        parts.append("".join(buf))
    return parts, problems


def _closing_brace(text: str, start: int) -> int:
    """Index of the } closing a placeholder, skipping "quoted" DSL strings."""
    in_str = False
    i = start
    while i < len(text):
        ch = text[i]
        if in_str and ch == "\\":
            i += 2
            continue
        if ch == '"':
            in_str = not in_str
        elif ch == "}" and not in_str:
            return i
        i += 1
    return -1
