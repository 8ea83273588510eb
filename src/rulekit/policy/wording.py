"""Numbers in words: a parameter's quote must state its value, and rule titles take their
numbers from the parameters, so that an amendment never leaves a stale number behind.

    title: {zh: "課程學習成果每學期至多{param.course_outcome_quota:zh}件"}   # -> 至多六件
    title: {zh: "每學期至多 {param.course_outcome_quota} 件"}                 # -> 至多 6 件
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterator

from ..calendar import DateError, chinese_number, chinese_numeral
from ..diagnostics import WARNING, Diagnostic, did_you_mean
from ..sourceyaml import Document
from .model import Parameter, Policy

_PLACEHOLDER = re.compile(r"\{param\.([^{}:]+?)(?::(zh))?\}")
# a number as the regulation writes it: digits (also fullwidth) or Chinese numerals
_NUMBER = re.compile(r"[0-9０-９]+|[一二兩三四五六七八九十]+")
# a number followed by what it counts: only these are compared with parameters, so that the
# 一 of 統一 or 一律 is never taken for a number
_COUNTED = re.compile(r"([0-9０-９]+|[一二兩三四五六七八九十]+)\s*(件|項|人|席|次|日|天|週|周|星期|個月|月|年)")


def amount(p: Parameter) -> int | None:
    """The number a parameter's words state: a count, a duration's amount, a frequency's times."""
    return p.value


def numbers_in(text: str) -> set[int]:
    out = set()
    for m in _NUMBER.finditer(text):
        try:
            out.add(chinese_number(m.group()))
        except DateError:  # 十十 and the like: not a number
            continue
    return out


def quote_states_value(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """`value: 8` beside `quote: 至多六件` is an amendment made halfway: text and number disagree."""
    for p in policy.parameters.values():
        if not p.quote or amount(p) is None or amount(p) < 0:  # a negative number: the schema says so
            continue
        stated = numbers_in(p.quote)
        if stated and amount(p) not in stated:
            said = "、".join(f"{chinese_numeral(n)} ({n})" for n in sorted(stated))
            yield Diagnostic(
                "quote-disagrees", f"parameter {p.name} is {amount(p)}, but its quote 「{p.quote}」 says {said}",
                doc.span(p.path + ("value" if p.type != "frequency" else "times",)), field=p.name,
                hint="amend the article's text and the quote with the value (rulekit amend does all three), "
                     "or correct the value")


def render_title(text: str, params: dict) -> str:
    """`{param.NAME}` -> 6, `{param.NAME:zh}` -> 六 (unknown names are left for the check to report)."""
    def one(m: re.Match) -> str:
        p = params.get(m.group(1).strip())
        if p is None or amount(p) is None:
            return m.group()
        return chinese_numeral(amount(p)) if m.group(2) else str(amount(p))
    return _PLACEHOLDER.sub(one, text)


def with_rendered_titles(policy: Policy, doc: Document) -> tuple[Policy, list[Diagnostic]]:
    """Each rule's title with its parameter placeholders filled from this version's values."""
    found: list[Diagnostic] = []
    rules = []
    for rule in policy.rules:
        title = rule.title
        texts = title.items() if isinstance(title, dict) else [(None, title)]
        for lang, text in texts:
            for m in _PLACEHOLDER.finditer(str(text)):
                name = m.group(1).strip()
                if name not in policy.parameters:
                    path = rule.path + (("title", lang) if lang else ("title",))
                    found.append(Diagnostic("dsl-unknown-param", f"rule {rule.id}'s title names param.{name}",
                                            doc.span(path), field="title",
                                            hint=did_you_mean(name, policy.parameters) or "parameters: "
                                            + ", ".join(policy.parameters)))
        if isinstance(title, dict):
            rendered = {k: render_title(str(v), policy.parameters) for k, v in title.items()}
        else:
            rendered = render_title(str(title), policy.parameters)
        rules.append(replace(rule, title=rendered, title_source=title) if rendered != title else rule)
    return replace(policy, rules=tuple(rules)), found


def literal_numbers(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A number written out in a rule's title or message that is the value of a parameter the
    rule reads: after an amendment it would be stale. (Titles are checked as written.)"""
    for i, entry in enumerate(_rule_entries(doc)):
        params = _params_read(entry, policy)
        for path, text in _wording(entry, ("rules", i)):
            for m in _COUNTED.finditer(text):
                try:
                    n = chinese_number(m.group(1))
                except DateError:
                    continue
                same = [p for p in params if amount(p) == n]
                if same:
                    p = same[0]
                    form = "{param.%s:zh}" % p.name if not m.group(1).isdigit() else "{param.%s}" % p.name
                    yield Diagnostic(
                        "literal-number", f"「{m.group()}」 in rule {entry.get('id')} repeats param.{p.name} ({n})",
                        doc.span(path), WARNING, field=p.name,
                        hint=f"write {form}{m.group(2)} so that an amendment of the parameter changes it too")


def _rule_entries(doc: Document) -> list:
    rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
    return [r if isinstance(r, dict) else {} for r in rules] if isinstance(rules, list) else []


def _params_read(entry: dict, policy: Policy) -> list[Parameter]:
    """Parameters a rule entry names anywhere (`param.NAME` in its expressions or messages)."""
    text = repr(entry)
    return [p for name, p in policy.parameters.items() if re.search(r"param\.%s\b" % re.escape(name), text)]


def _wording(entry: dict, path: tuple) -> Iterator[tuple[tuple, str]]:
    title = entry.get("title")
    if isinstance(title, dict):
        yield from ((path + ("title", k), v) for k, v in title.items() if isinstance(v, str) and k != "en")
    elif isinstance(title, str):
        yield path + ("title",), title
    messages = entry.get("message")
    if isinstance(messages, dict):
        for status, text in messages.items():
            if isinstance(text, str):
                yield path + ("message", status), _PLACEHOLDER.sub("", re.sub(r"\{[^{}]*\}", "", text))
