"""Check a policy document against the shipped JSON Schema, in words an editor can act on.

jsonschema's own messages ("'x' is not valid under any of the given schemas") are
written for programmers; here each error is rewritten as "unknown key `unti`"
with a did-you-mean, and placed on the line of the key or value at fault.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Iterator

import jsonschema

from ..diagnostics import Diagnostic, did_you_mean
from ..i18n import _
from ..sourceyaml import Document
from ..i18n import N_

_TYPE_WORDS = {"integer": N_("a whole number"), "string": N_("text"), "array": N_("a list"), "object": N_("a mapping"),
               "boolean": N_("true or false"), "number": N_("a number")}


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    text = resources.files("rulekit.schemas").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def policy_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema("policy.schema.json"))


def schema_findings(doc: Document, validator=None) -> Iterator[Diagnostic]:
    validator = validator or policy_validator()
    for error in validator.iter_errors(doc.data):
        yield from _explain(error, doc)


def _where(path) -> str:
    return ".".join(str(p) for p in path) or _("(top level)")


def _explain(error: jsonschema.ValidationError, doc: Document) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    field = str(path[-1]) if path else ""
    kw = error.validator
    if kw == "oneOf" and error.context:
        yield from _one_of(error, doc)
    elif kw == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(error.instance) - set(allowed)):
            hint = did_you_mean(key, allowed) or (_("allowed keys: ") + ", ".join(allowed) if allowed else "")
            yield Diagnostic("unknown-key", _("unknown key {key} in {path}").format(key=key, path=_where(path)),
                             doc.span(path + (key,), key=True), hint=hint, field=key)
    elif kw == "required":
        missing = error.message.split("'")[1]
        yield Diagnostic("missing-key", _("{path} is missing the key {missing}").format(path=_where(path), missing=missing),
                         doc.span(path, key=True), field=missing,
                         hint=_("add `{missing}:`; see docs/policy-format.md").format(missing=missing))
    elif kw == "type":
        want = error.validator_value
        want = [want] if isinstance(want, str) else want
        words = _(" or ").join(_(_TYPE_WORDS[w]) if w in _TYPE_WORDS else w for w in want)
        yield Diagnostic("wrong-type", _("{path} must be {words}, not {instance}").format(path=_where(path), words=words, instance=_describe(error.instance)),
                         doc.span(path), field=field, hint=_type_hint(want))
    elif kw in ("enum", "const"):
        options = error.validator_value if kw == "enum" else [error.validator_value]
        yield Diagnostic("not-allowed", _("{path} is {instance!r}, not one of the allowed values").format(path=_where(path), instance=error.instance),
                         doc.span(path), field=field,
                         hint=(did_you_mean(str(error.instance), map(str, options)) + " " if isinstance(error.instance, str) else "")
                         + "allowed: " + ", ".join(map(str, options)))
    elif kw == "pattern":
        yield Diagnostic("bad-format", _("{path} is {instance!r}, which has the wrong form").format(path=_where(path), instance=error.instance),
                         doc.span(path), field=field, hint=error.schema.get("description", ""))
    elif kw in ("minItems", "minLength") and error.validator_value == 1:
        # worded here, not by jsonschema, whose wording changed between versions (4.21: "is too short")
        yield Diagnostic("schema", _("{path}: {instance!r} should be non-empty").format(path=_where(path), instance=error.instance), doc.span(path), field=field)
    else:
        yield Diagnostic("schema", f"{_where(path)}: {error.message}", doc.span(path), field=field)


def _one_of(error: jsonschema.ValidationError, doc: Document) -> Iterator[Diagnostic]:
    """Parameters are a oneOf keyed by `type`: explain against the branch that type names."""
    if not isinstance(error.instance, dict) or "type" not in error.instance:
        return  # the `required`/`type` keywords outside the oneOf already say what is wrong
    declared = error.instance.get("type")
    branches = error.schema.get("oneOf", [])
    chosen = [i for i, b in enumerate(branches)
              if b.get("properties", {}).get("type", {}).get("const") == declared]
    if not chosen:
        kinds = [b.get("properties", {}).get("type", {}).get("const") for b in branches]
        path = tuple(error.absolute_path)
        yield Diagnostic("not-allowed", _("{path} has type {declared!r}, not one of {kinds}").format(path=_where(path), declared=declared, kinds=', '.join(filter(None, kinds))),
                         doc.span(path + ("type",)), field="type",
                         hint=did_you_mean(str(declared), filter(None, kinds)) or _("every parameter is a count, a duration, a frequency, a list, a date or a size"))
        return
    for sub in error.context:
        if sub.schema_path and sub.schema_path[0] == chosen[0]:
            yield from _explain(sub, doc)


def _describe(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        return _("the text {value!r}").format(value=value)
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _type_hint(want: list[str]) -> str:
    if "array" in want:
        return _("write a list as [a, b] or as lines starting with `- `")
    if "integer" in want:
        return _("write the number without quotes or units, e.g. 6")
    if "string" in want:
        return _("quote the value if it looks like a number or date")
    if "object" in want:
        return _("indent the keys under this one")
    return ""
