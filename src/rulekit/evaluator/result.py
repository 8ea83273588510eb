"""A rule's outcome for one subject (`Result`), kept small: a run makes hundreds of thousands."""
from __future__ import annotations

from ..dsl import ast as A
from ..policy.rules import STATUSES
from .compile import Compiled
from ..i18n import N_, _

# as staff read them, in every report
STATUS_ZH = {"pass": "符合", "fail": "不符合", "pending": "尚未到期", "not_applicable": "不適用",
             "not_determinable": "無法判定"}
# a status as a report shows it, in the reader's language (the catalogue gives 符合, 不符合, ...)
STATUS_LABELS = {"pass": N_("pass"), "fail": N_("fail"), "pending": N_("pending"), "not_applicable": N_("not applicable"),
                 "not_determinable": N_("not determinable")}


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


class Result:
    """One rule's outcome for one subject.

    rule, citation, severity; status: "pass" | "fail" | "pending" | "not_applicable";
    subject: variable -> id, e.g. {"student": "S001", "semester": "113-1"};
    message: the rendered message; values: let name -> JSON-able value.

    A run makes hundreds of thousands of these, most of them passes nobody reads, so a
    result keeps only its status and which subject it is; subject, message and values
    are made when first read, by computing the subject's let values again (they depend
    on nothing but the subject and the run). A message is rendered at once when its
    placeholders could fail at run time, so that a failure still becomes a diagnostic.
    """

    __slots__ = ("status", "_rule", "_combo", "_message")

    def __init__(self, rule: str, citation: str, status: str, subject: dict, message: str, severity: str,
                 values: dict):
        self.status = status
        self._rule = _Fixed(rule, citation, severity, tuple(subject), values)
        self._combo = tuple((None, label) for label in subject.values())
        self._message = message

    @property
    def rule(self) -> str:
        return self._rule.id

    @property
    def citation(self) -> str:
        return self._rule.citation

    @property
    def severity(self) -> str:
        return self._rule.severity

    @property
    def subject(self) -> dict:
        return dict(zip(self._rule.names, [label for __, label in self._rule.combo(self)]))

    def bindings(self) -> dict:
        """variable -> what it was bound to for this subject (a record, a Semester, ...)."""
        return dict(zip(self._rule.names, [value for value, __ in self._rule.combo(self)]))

    @property
    def message(self) -> str:
        if self._message is None:
            self._message = self._rule.message(self)
        return self._message

    @property
    def values(self) -> dict:
        return self._rule.values(self)

    def due(self):
        """The subject's last day to act (the rule's `due`), or None: computed again when asked."""
        return self._rule.due(self)

    def _key(self) -> tuple:
        return (self.rule, self.citation, self.status, self.subject, self.message, self.severity, self.values)

    def __eq__(self, other) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # results hold dicts, as the frozen dataclass did

    def __repr__(self) -> str:
        return ("Result(" + ", ".join(f"{n}={v!r}" for n, v in zip(
            ("rule", "citation", "status", "subject", "message", "severity", "values"), self._key())) + ")")

    def __reduce__(self):
        return (Result, self._key())

    def undeterminable(self, message: str) -> "Result":
        """This subject, not determinable (its records are missing): the subject, its bindings
        and its due date stay as the run made them (a calendar still lists the deadline); no values."""
        out = _SetAside.__new__(_SetAside)
        out.status, out._rule, out._combo, out._message = "not_determinable", self._rule, self._combo, message
        return out


class _SetAside(Result):
    """A result made not determinable: no let values, since they read what is missing."""

    __slots__ = ()

    @property
    def values(self) -> dict:
        return {}


def status_counts(results) -> dict:
    """(citation, status) -> how many results. Results come in runs of one rule, so each run is
    counted as a whole: two million results read `status` in C, not `citation` in Python."""
    from collections import Counter
    from itertools import groupby
    from operator import attrgetter

    out: Counter = Counter()
    for shared, run in groupby(results, key=attrgetter("_rule")):
        for status, n in Counter(map(attrgetter("status"), run)).items():
            out[(shared.citation, status)] += n
    return out


class _Fixed:
    """The per-rule side of results built directly (Result(...)): their values as given."""

    __slots__ = ("id", "citation", "severity", "names", "_values")

    def __init__(self, rid, citation, severity, names, values):
        self.id, self.citation, self.severity, self.names, self._values = rid, citation, severity, names, values

    def combo(self, result) -> tuple:
        return result._combo

    def message(self, result) -> str:  # pragma: no cover - always given
        return ""

    def values(self, result) -> dict:
        return self._values

    def due(self, result):
        return None  # built directly: no rule to compute it from


class RuleResults:
    """What the results of one rule share: the rule's identity, and how to make a subject's
    message and values again from the values kept in its Result."""

    __slots__ = ("id", "citation", "severity", "names", "lazy", "domains", "_base", "_var_slots", "_lets",
                 "_render", "_values_of", "_due")

    def __init__(self, rule, c: Compiled, env: list, names: list[str], render: dict):
        self.id, self.citation, self.severity = rule.id, rule.citation, rule.severity
        self.names = tuple(names)
        self.domains: list = []
        self._base = list(env)  # context, parameters, constants, as_of
        self._var_slots = c.var_slots
        self._lets = [(slot, fn) for __, slot, fn in c.lets]
        self._render = render
        self._values_of = _values_maker(c)
        self._due = c.due
        templates = dict(rule.messages)
        self.lazy = {status: status not in templates or all(
            isinstance(part, str) or _cannot_fail(part) for part in templates[status].parts)
            for status in STATUSES}

    def combo(self, result) -> tuple:
        """The ((value, label), ...) of the result's subject."""
        if len(self.domains) == 1:  # the (value, label) pair itself, or its place in the domain
            combo = result._combo
            return (self.domains[0][combo],) if type(combo) is int else (combo,)
        index, picked = result._combo, []
        for domain in reversed(self.domains):
            index, k = divmod(index, len(domain))
            picked.append(domain[k])
        return tuple(reversed(picked))

    def _env(self, result) -> list:
        """The subject's environment again: its values, and its let values computed anew."""
        env = list(self._base)
        for slot, (value, __) in zip(self._var_slots, self.combo(result)):
            env[slot] = value
        if result.status != "not_applicable":
            for slot, fn in self._lets:
                env[slot] = fn(env)
        return env

    def message(self, result) -> str:
        return self._render[result.status](self._env(result))

    def values(self, result) -> dict:
        if result.status == "not_applicable":
            return {}
        return self._values_of(self._env(result))

    def due(self, result):
        """A due date the run computed for this subject again; None without one (no `due`, not
        applicable, or a value that cannot be computed: the run reported that already)."""
        if self._due is None or result.status == "not_applicable":
            return None
        try:
            return self._due(self._env(result))
        except Exception:  # noqa: BLE001 - a pass never computed its due; failing here is no new finding
            return None


def _cannot_fail(node) -> bool:
    """Whether a placeholder is computed without anything that can fail at run time
    (names, fields, parameters, literals): then its message can be rendered later."""
    if isinstance(node, (A.Var, A.Param, A.Const, A.IntLit, A.StrLit, A.BoolLit, A.NullLit)):
        return True
    if isinstance(node, A.Field):
        return node.name not in ("next", "prev") and _cannot_fail(node.obj)
    if isinstance(node, A.Call) and node.func == "len":
        return all(_cannot_fail(a) for a in node.args)
    return False


def _values_maker(c: Compiled):
    """env -> the let values as JSON-able data."""
    shown = [(name, slot, c.let_json[name]) for name, slot, __ in c.lets]
    if not shown:
        return lambda env: {}
    if len(shown) == 1:
        (name, slot, show), = shown
        return lambda env: {name: show(env[slot])}
    return lambda env: {name: show(env[slot]) for name, slot, show in shown}


def renderers(rule, c: Compiled) -> dict:
    """status -> env -> message: the rule's template, else the title (fail, pending) or ""."""
    title = rule.title_text()
    defaults = {"pass": "", "fail": title, "pending": title, "not_applicable": "", "not_determinable": ""}
    return {status: c.messages.get(status) or (lambda env, text=text: text)
            for status, text in defaults.items()}
