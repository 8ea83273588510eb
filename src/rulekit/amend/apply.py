"""`rulekit amend`: a meeting's decision becomes the dated change in the policy file.

    plan = amend_text(text, path, on=date(2025, 1, 17), sets=[("course_outcome_quota", "8")],
                      meeting="113學年度第2次校務會議")
    plan.text        # the new file: everything not amended is byte for byte as it was
    plan.old, plan.new  # the versions in force before and from the amendment, for the 對照表

For each `--set NAME=VALUE` the parameter's value and its quote get a dated entry,
and the number inside the provision's text is rewritten the way the text writes it
(六 -> 八, 三日 -> 五日). `--text CITATION=WORDING` gives a provision new wording.
The amendment entry is added. The file is edited with ruamel.yaml's round-trip
loader, which keeps comments, key order and quoting of everything else; the result
is loaded and checked like any policy before anything is written.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from ..calendar import DateError, Duration, chinese_number, chinese_numeral, parse_date, to_roc
from ..diagnostics import Diagnostic, RulekitError, Span, UsageError, did_you_mean, errors_in
from ..policy.history import is_dated
from ..policy.load import LoadedPolicy, load_policy_text
from ..policy.citations import suggest_citation
from ..policy.model import Parameter, Policy
from ..policy.versions import amendment_dates, version_on
from ..policy.wording import NUMBER
from ..i18n import _

_CLI = Span("<command line>")


@dataclass(frozen=True)
class AmendPlan:
    text: str  # the amended file
    old: Policy  # the version in force the day before the amendment
    new: Policy  # the version in force from it
    loaded: LoadedPolicy
    changes: tuple[str, ...] = field(default=())  # one line per edit, for the editor


def _usage(message: str, hint: str = "", code: str = "amend") -> UsageError:
    return UsageError([Diagnostic(code, message, _CLI, hint=hint)])


def _yaml():
    from ruamel.yaml import YAML

    y = YAML()  # round trip: comments, order, quotes and layout of untouched parts stay
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _quoted(text: str):
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(text)


def parse_amount(raw: str, p: Parameter) -> int:
    """`8`, `八`, `8件`, `5 days`, `五日`: the parameter's new number, in its own unit."""
    text = raw.strip()
    for suffix in ((p.unit, "次", "times") if p.type != "duration" else ()):
        if suffix and text.endswith(suffix):
            text = text[:-len(suffix)].strip()
            break
    try:
        return chinese_number(text)
    except DateError:
        pass
    try:  # a duration with its unit: the calendar reads it as everywhere else
        duration = Duration.parse(text) if p.type == "duration" else None
    except DateError:
        duration = None
    if duration is None:
        raise _usage(_("--set {name}={raw}: not a number").format(name=p.name, raw=raw), _("e.g. --set {name}=8 or 八").format(name=p.name), "bad-value")
    if duration.unit != p.unit:
        raise _usage(_("--set {name}={raw}: {name} is counted in {unit}").format(name=p.name, raw=raw, unit=p.unit), _("write it in {unit}").format(unit=p.unit), "bad-value")
    return duration.amount


def _renumber(quote: str, old: int, new: int) -> str | None:
    """The quote with the number that states `old` written as `new`, in the same style."""
    for m in NUMBER.finditer(quote):
        try:
            if chinese_number(m.group()) != old:
                continue
        except DateError:
            continue
        word = str(new) if m.group()[0] in "0123456789０１２３４５６７８９" else chinese_numeral(new)
        return quote[:m.start()] + word + quote[m.end():]
    return None


def _dated(node, key, first: str, on: str, new_value, quoted: bool = False) -> None:
    """Make `node[key]` a dated value (if it is not one) and give it `new_value` from `on`."""
    from ruamel.yaml.comments import CommentedMap

    current = node.get(key)
    value = _quoted(new_value) if quoted and isinstance(new_value, str) else new_value
    if is_dated(current):
        current[_quoted(on)] = value
        return
    dated = CommentedMap()
    dated[_quoted(first)] = current
    dated[_quoted(on)] = value
    if not quoted:  # short values on one line: value: {"113.01.19": 6, "114.01.17": 8}
        dated.fa.set_flow_style()
    node[key] = dated


def _find_provision(items, citation: str):
    for item in items or ():
        if not hasattr(item, "get"):
            continue
        if item.get("id") == citation:
            return item
        found = _find_provision(item.get("items"), citation)
        if found is not None:
            return found
    return None


def amend_text(text: str, path: str, on: dt.date, sets=(), texts=(), meeting: str = "", kind: str = "修正",
               summary: str = "") -> AmendPlan:
    """The file `text` amended on `on`; raises UsageError/RulekitError with what cannot be done."""
    before = load_policy_text(text, path)
    if not before.ok:
        raise RulekitError(errors_in(before.diagnostics))
    if not sets and not texts:
        raise _usage(_("nothing to amend"), _("give --set NAME=VALUE or --text CITATION=WORDING"))
    adopted = amendment_dates(before.policy)
    if adopted and on < adopted[-1][0]:
        raise _usage(_("--on {on} is before the latest amendment {roc_date}").format(on=to_roc(on), roc_date=adopted[-1][1].roc_date),
                     _("amend in date order; an earlier amendment is edited in the YAML by hand"), "amend-order")
    old = version_on(before.history, on - dt.timedelta(days=1))
    on_roc = to_roc(on)
    first = old.encoded_from or old.in_force_since()
    y = _yaml()
    data = y.load(text)
    changes: list[str] = []
    for name, raw in sets:
        changes += _set_parameter(data, old, name, raw, first, on_roc)
    for citation, wording in texts:
        changes += _set_text(data, old, citation, wording, first, on_roc)
    _add_entry(data, on, on_roc, kind, meeting, summary, first)
    out = io.StringIO()
    y.dump(data, out)
    new_text = out.getvalue()
    after = load_policy_text(new_text, path)
    if not after.ok:
        raise RulekitError(errors_in(after.diagnostics))
    new = version_on(after.history, on)
    return AmendPlan(new_text, old, new, after, tuple(changes))


def _set_parameter(data, old: Policy, name: str, raw: str, first: str, on: str) -> list[str]:
    p = old.parameters.get(name)
    if p is None:
        raise _usage(_("--set {name}: no parameter of that name").format(name=name),
                     did_you_mean(name, old.parameters) or "parameters: " + ", ".join(old.parameters),
                     "unknown-parameter")
    value = parse_amount(raw, p)
    if value == p.value:
        raise _usage(_("--set {name}={raw}: it is {value} already").format(name=name, raw=raw, value=p.value), _("give the new value"), "no-change")
    node = data["parameters"][name]
    key = "times" if p.type == "frequency" else "value"
    _dated(node, key, first, on, value)
    out = [f"{name}: {p.value} → {value}"]
    if not p.quote:
        return out
    quote = _renumber(p.quote, p.value, value)
    if quote is None:
        raise _usage(_("--set {name}: cannot find {value} in its quote 「{quote}」").format(name=name, value=p.value, quote=p.quote),
                     _("amend the wording with --text {citation}=… and the quote by hand").format(citation=p.citation), "wording-not-found")
    for citation in (p.citation, *p.also_cited):
        provision = old.provisions.get(citation)
        if provision is None or p.quote not in provision.text:
            continue
        item = _find_provision(data.get("articles"), citation)
        if item is None:
            continue
        text = provision.text.replace(p.quote, quote)
        _dated(item, "text", first, on, text, quoted=True)
        out.append(f"{citation}: 「{p.quote}」 → 「{quote}」")
        break
    else:
        raise _usage(_("--set {name}: 「{quote}」 is not in the text of {citation}").format(name=name, quote=p.quote, citation=p.citation),
                     _("amend the wording with --text {citation}=…").format(citation=p.citation), "wording-not-found")
    _dated(node, "quote", first, on, quote, quoted=True)
    return out


def _set_text(data, old: Policy, citation: str, wording: str, first: str, on: str) -> list[str]:
    provision = old.provisions.get(citation)
    item = _find_provision(data.get("articles"), citation) if provision else None
    if item is None:
        raise _usage(_("--text {citation}: no provision of that id").format(citation=citation), suggest_citation(citation, old.provisions)
                     or _("e.g. {examples}").format(examples=old.example_citations()), "unknown-citation")
    if wording.strip() == provision.text:
        raise _usage(_("--text {citation}: the wording is the same as now").format(citation=citation), _("give the amended wording"), "no-change")
    _dated(item, "text", first, on, wording.strip(), quoted=True)
    return [_("{citation}: wording amended").format(citation=citation)]


def _add_entry(data, on: dt.date, on_roc: str, kind: str, meeting: str, summary: str, first: str) -> None:
    from ruamel.yaml.comments import CommentedMap

    meta = data.get("metadata")
    if meta is not None and "encoded_from" not in meta:
        meta["encoded_from"] = _quoted(first)  # the history now starts here, stated once
    for entry in data["amendments"]:
        try:
            if parse_date(str(entry.get("date"))) == on:
                return  # a second `amend` for the same meeting adds to its entry
        except DateError:
            continue
    entry = CommentedMap()
    entry["date"] = _quoted(on_roc)
    entry["kind"] = kind
    if meeting:
        entry["meeting"] = meeting
    entry["summary"] = _quoted(summary or (f"{meeting}修正" if meeting else "修正"))
    data["amendments"].append(entry)
