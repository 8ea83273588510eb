"""Suggestions for a citation that names no provision, in the numbering of the policy in use.

A citation is compared by what its numbers mean, not by how they are spelt: `4.(3)`,
`四.(三)` and `四.３` all name item 3 of point 4, and `肆.３` is `肆.3`. So a typed
citation whose numbers match a real one is pointed at that one; one whose last number
does not exist is pointed at its parent and the items the parent really has, never at
a look-alike that differs in a number (`肆.(七)` is not "肆.9" because 7 and 9 share
their shape in no numbering).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from ..diagnostics import did_you_mean
from ..i18n import _

_FORMAL = str.maketrans("壹貳參叁肆伍陸柒捌玖拾", "一二三三四五六七八九十")
_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")}
_TOKEN = re.compile(r"[0-9]+|[零一二三四五六七八九十兩壹貳參叁肆伍陸柒捌玖拾]+|[^0-9零一二三四五六七八九十兩壹貳參叁肆伍陸柒捌玖拾]+")


def _number(text: str) -> int | None:
    """六, 十二, 二十, 肆 (formal), 3: the number; None for what is not one (十十)."""
    if text.isdigit():
        return int(text)
    s = text.translate(_FORMAL).replace("兩", "二")
    m = re.fullmatch(r"([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)", s)
    if len(s) == 1 and s in _DIGIT:
        return _DIGIT[s]
    if not m or not m.group(2):
        return None
    tens, _ten, units = m.groups()
    return 10 * (_DIGIT[tens] if tens else 1) + (_DIGIT[units] if units else 0)


def skeleton(citation: str) -> tuple:
    """What a citation means, spelling aside: one tuple per `.`-separated level, numbers
    as ints (in any numbering), other words as they are, brackets left out."""
    text = unicodedata.normalize("NFKC", str(citation)).replace("。", ".")
    out = []
    for level in text.split("."):
        tokens = []
        for token in _TOKEN.findall(level.replace("(", "").replace(")", "").strip()):
            n = _number(token)
            tokens.append(n if n is not None else token)
        out.append(tuple(tokens))
    return tuple(out)


def _order(sk: tuple) -> tuple:
    return tuple(tuple((0, t, "") if isinstance(t, int) else (1, 0, t) for t in level) for level in sk)


def suggest_citation(typed: str, known: Iterable[str]) -> str:
    """The hint for a citation that is not in `known` ("" when there is nothing useful to say)."""
    known = sorted(set(known))
    typed_sk = skeleton(typed)
    by_skeleton = {}
    for c in known:
        by_skeleton.setdefault(skeleton(c), []).append(c)
    same = by_skeleton.get(typed_sk)
    if same:
        return _("did you mean {citations}?").format(citations=" or ".join(same[:2]))
    # a look-alike that differs in a number is a wrong suggestion: only words may differ.
    # One citation with the same numbers at the same levels is it (4.3 -> 第四條.第三項).
    levels = _level_numbers(typed_sk)
    same_numbers = [c for c in known if _level_numbers(skeleton(c)) == levels]
    if len(same_numbers) == 1 and any(levels):
        return _("did you mean {citations}?").format(citations=same_numbers[0])
    alike = did_you_mean(typed, same_numbers)
    if alike:
        return alike
    for depth in range(len(typed_sk) - 1, 0, -1):
        parent = by_skeleton.get(typed_sk[:depth])
        children = sorted((sk for sk in by_skeleton if len(sk) == depth + 1 and sk[:depth] == typed_sk[:depth]),
                          key=_order)
        alike = [sk for sk in children if _words(sk[-1]) == _words(typed_sk[depth])]
        children = alike or children  # 四.段9 is shown 四's paragraphs, not its items
        if parent and children:
            names = [by_skeleton[sk][0] for sk in children]
            shown = "、".join(names) if len(names) <= 6 else "、".join(names[:3]) + " … " + names[-1]
            return _("did you mean {parent}? it has {children}").format(parent=parent[0], children=shown)
        if parent:
            return _("did you mean {parent}?").format(parent=parent[0])
    return ""


def _words(level: tuple) -> tuple:
    return tuple(t for t in level if not isinstance(t, int))


def _level_numbers(sk: tuple) -> tuple:
    return tuple(tuple(t for t in level if isinstance(t, int)) for level in sk)
