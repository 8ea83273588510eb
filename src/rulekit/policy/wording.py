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
from ..dsl import ast as A
from ..sourceyaml import Document
from .model import Policy
from ..i18n import _

_PLACEHOLDER = re.compile(r"\{param\.([^{}:]+?)(?::(zh))?\}")
# a number as the regulation writes it: digits (also fullwidth) or Chinese numerals
NUMBER = re.compile(r"[0-9０-９]+|[一二兩三四五六七八九十]+")
# a number followed by what it counts: only these are compared with parameters, so that the
# 一 of 統一 or 一律 is never taken for a number
_COUNTED = re.compile(r"([0-9０-９]+|[一二兩三四五六七八九十]+)\s*(件|項|人|席|次|日|天|週|周|星期|個月|月|年)")


def numbers_in(text: str) -> set[int]:
    out = set()
    for m in NUMBER.finditer(text):
        try:
            out.add(chinese_number(m.group()))
        except DateError:  # 十十 and the like: not a number
            continue
    return out


def quote_states_value(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """`value: 8` beside `quote: 至多六件` is an amendment made halfway: text and number disagree."""
    for p in policy.parameters.values():
        if not p.quote or not p.numeric or p.value < 0:  # a negative number: the schema says so
            continue
        stated = numbers_in(p.quote)
        if stated and p.value not in stated:
            said = "、".join(f"{chinese_numeral(n)} ({n})" for n in sorted(stated))
            yield Diagnostic(
                "quote-disagrees", _("parameter {name} is {value}, but its quote 「{quote}」 says {said}").format(name=p.name, value=p.value, quote=p.quote, said=said),
                doc.span(p.path + ("value" if p.type != "frequency" else "times",)), field=p.name,
                hint=_("amend the article's text and the quote with the value (rulekit amend does all three), "
                     "or correct the value"))


def render_title(text: str, params: dict) -> str:
    """`{param.NAME}` -> 6, `{param.NAME:zh}` -> 六 (unknown names are left for the check to report)."""
    def one(m: re.Match) -> str:
        p = params.get(m.group(1).strip())
        if p is None or p.value is None:
            return m.group()
        return chinese_numeral(p.value) if m.group(2) and p.numeric else p.shown()
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
                    found.append(Diagnostic("dsl-unknown-param", _("rule {id}'s title names param.{name}").format(id=rule.id, name=name),
                                            doc.span(path), field="title",
                                            hint=did_you_mean(name, policy.parameters) or "parameters: "
                                            + ", ".join(policy.parameters)))
        if isinstance(title, dict):
            rendered = {k: render_title(str(v), policy.parameters) for k, v in title.items()}
        else:
            rendered = render_title(str(title), policy.parameters)
        rules.append(replace(rule, title=rendered, title_source=title) if rendered != title else rule)
    return replace(policy, rules=tuple(rules)), found


def params_read(rule) -> set[str]:
    """Names of the parameters a rule reads anywhere: where, when, let, assert, due, messages."""
    return {node.name for node in rule.nodes() if isinstance(node, A.Param)}


def literal_numbers(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A number written out in a rule's title or message that is the value of a parameter the
    rule reads: after an amendment it would be stale. (Titles are checked as written.)"""
    for rule in policy.rules:
        params = [policy.parameters[name] for name in sorted(params_read(rule)) if name in policy.parameters]
        for path, text in _wording(rule):
            for m in _COUNTED.finditer(text):
                try:
                    n = chinese_number(m.group(1))
                except DateError:
                    continue
                same = [p for p in params if p.value == n]
                if same:
                    p = same[0]
                    form = "{param.%s:zh}" % p.name if not m.group(1).isdigit() else "{param.%s}" % p.name
                    yield Diagnostic(
                        "literal-number", _("「{group}」 in rule {id} repeats param.{name} ({n})").format(group=m.group(), id=rule.id, name=p.name, n=n),
                        doc.span(path), WARNING, field=p.name,
                        hint=_("write {form}{group} so that an amendment of the parameter changes it too").format(form=form, group=m.group(2)))


def _wording(rule) -> Iterator[tuple[tuple, str]]:
    """(path, words) of a rule's title as written (not English) and its messages' literal parts."""
    title = rule.title_source if rule.title_source is not None else rule.title
    if isinstance(title, dict):
        yield from ((rule.path + ("title", k), v) for k, v in title.items() if isinstance(v, str) and k != "en")
    elif isinstance(title, str):
        yield rule.path + ("title",), title
    for status, template in rule.messages:
        words = "".join(part for part in template.parts if isinstance(part, str))
        yield rule.path + ("message", status), words
