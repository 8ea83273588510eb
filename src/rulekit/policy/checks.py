"""Semantic checks of a policy: small named functions, each yielding findings.

The schema says a chain is a list of names; these say the names are declared
roles, that no role repeats, that every citation exists, that amendment dates
are real and in order. Add a check by writing a function and listing it in CHECKS.
"""
from __future__ import annotations

from typing import Callable, Iterator

from ..calendar import DateError, parse_date
from ..calendar.clock import zone
from ..i18n import _
from ..diagnostics import Diagnostic, did_you_mean
from ..sourceyaml import Document
from .citations import suggest_citation
from .model import Policy

Check = Callable[[Policy, Document], Iterator[Diagnostic]]


def _unknown(kind: str, name: str, choices, doc: Document, path, field: str, code: str) -> Diagnostic:
    where = {"unit": _("organization.offices or organization.sections")}.get(kind, f"organization.{kind}s")
    hint = did_you_mean(name, choices) or _("declare {name} under {where} first").format(name=name, where=where)
    return Diagnostic(code, _("{kind} {name} is not declared").format(kind=kind, name=name), doc.span(path), hint=hint, field=field)


def units_declared(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    org = policy.organization
    offices = [n for n, u in org.units.items() if u.kind == "office"]
    for unit in org.units.values():
        if unit.kind == "section" and unit.office and unit.office not in offices:
            yield _unknown("office", unit.office, offices, doc, unit.path + ("office",), "office", "unknown-office")
    containers = [n for n, u in org.units.items() if u.kind in ("office", "section")]
    for role in org.roles.values():
        if role.unit and role.unit not in containers:
            yield _unknown("unit", role.unit, containers, doc, role.path + ("unit",), "unit", "unknown-unit")
        if role.held_by and role.held_by not in org.roles:
            yield _unknown("role", role.held_by, org.roles, doc, role.path + ("held_by",), "held_by", "unknown-role")


def names_declared(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """Every party named anywhere is a declared role, office, section or body."""
    org = policy.organization
    names = org.names()
    for where, name, field in _named_parties(policy):
        if name not in names:
            yield Diagnostic("unknown-party", _("{name} is not a declared role, office, section or body").format(name=name),
                             doc.span(where), field=field,
                             hint=did_you_mean(name, names) or _("declare it under organization"))


def _named_parties(policy: Policy):
    if policy.duty_table:
        for row in policy.duty_table.rows:
            for i, name in enumerate(row.administration):
                yield row.path + ("administration", i), name, "administration"
            for name, __ in row.parts:
                yield row.path + ("parts", name), name, "parts"
    for task in policy.tasks.values():
        for st in task.stated_in:
            for i, name in enumerate(st.parties):
                yield st.path + ("parties", i), name, "parties"
    wg = policy.working_group
    if wg:
        yield wg.path + ("convener",), wg.convener, "convener"
        yield wg.path + ("executive_secretary",), wg.executive_secretary, "executive_secretary"
    subs = policy.substitutes
    if subs and subs.decided_by:
        yield subs.path + ("decided_by",), subs.decided_by, "decided_by"
    if subs and subs.student:
        yield subs.student.path + ("responsible",), subs.student.responsible, "responsible"


def chain_roles_declared(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """Substitutes are people in posts: a chain lists roles, never offices."""
    if not policy.substitutes:
        return
    roles = policy.organization.roles
    for chain in policy.substitutes.chains.values():
        for i, role in enumerate(chain.roles):
            if role not in roles:
                yield _unknown("role", role, roles, doc, chain.path + (i,), chain.task, "unknown-role")
    wg = policy.working_group
    for seat in wg.seats if wg else ():
        if seat.role and seat.role not in roles:
            yield _unknown("role", seat.role, roles, doc, seat.path + ("role",), "role", "unknown-role")
    teacher = policy.substitutes.teacher
    if teacher and teacher.role not in roles:
        yield _unknown("role", teacher.role, roles, doc, teacher.path + ("role",), "role", "unknown-role")


def chains_without_repeats(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A role twice in one chain is a cycle: the walk would come back to someone unavailable."""
    if not policy.substitutes:
        return
    for chain in policy.substitutes.chains.values():
        seen: dict[str, int] = {}
        for i, role in enumerate(chain.roles):
            if role in seen:
                yield Diagnostic("chain-repeat", _("substitute chain {task} names {role} twice (places {role2} and {i}), which makes a cycle").format(task=chain.task, role=role, role2=seen[role] + 1, i=i + 1),
                                 doc.span(chain.path + (i,)), field=chain.task,
                                 hint=_("each role appears once; remove the later one or pick another substitute"))
            seen.setdefault(role, i)


def tasks_consistent(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    tasks = policy.tasks
    subs = policy.substitutes
    for chain in subs.chains.values() if subs else ():
        if tasks and chain.task not in tasks:
            yield Diagnostic("unknown-task", _("substitute chain {task} has no entry under tasks").format(task=chain.task),
                             doc.span(chain.path, key=True), field=chain.task,
                             hint=did_you_mean(chain.task, tasks) or _("add {task} under tasks").format(task=chain.task))
    owner: dict[str, str] = {name: name for name in tasks}
    for task in tasks.values():
        for i, alias in enumerate(task.aliases):
            if alias in owner and owner[alias] != task.name:
                yield Diagnostic("duplicate-alias", _("alias {alias} of {name} already names {alias2}").format(alias=alias, name=task.name, alias2=owner[alias]),
                                 doc.span(task.path + ("aliases", i)), field="aliases",
                                 hint=_("an alias must lead to exactly one task"))
            owner.setdefault(alias, task.name)
    if subs and subs.teacher:
        chain = subs.chains.get(subs.teacher.task)
        if chain is None or chain.primary != subs.teacher.role:
            yield Diagnostic("teacher-provision", _("the teacher provisions ({cannot_assist_citation}) apply to {task}, whose chain does not start with {role}").format(cannot_assist_citation=subs.teacher.cannot_assist_citation, task=subs.teacher.task, role=subs.teacher.role), doc.span(subs.teacher.path), field="task",
                             hint=_("teacher_provisions.task must name a chain whose 承辦人 is teacher_provisions.role"))


def citations_exist(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    known = policy.citations()
    for path, cit in _citations(policy):
        if cit and cit not in known:
            yield Diagnostic("unknown-citation", _("citation {cit} does not exist in this regulation").format(cit=cit),
                             doc.span(path), field="citation",
                             hint=suggest_citation(cit, known) or _("citations look like {example_citations}").format(example_citations=policy.example_citations()))


def _citations(policy: Policy):
    impl = policy.metadata.get("implements")
    if isinstance(impl, dict) and isinstance(impl.get("citation"), str):
        yield ("metadata", "implements", "citation"), impl["citation"]
    for role in policy.organization.roles.values():
        yield role.path + ("citation",), role.citation
    for unit in policy.organization.units.values():
        yield unit.path + ("citation",), unit.citation
    if policy.working_group:
        yield policy.working_group.path + ("citation",), policy.working_group.citation
    if policy.substitutes:
        yield policy.substitutes.path + ("citation",), policy.substitutes.citation
        t, s = policy.substitutes.teacher, policy.substitutes.student
        if t:
            yield t.path + ("cannot_assist", "citation"), t.cannot_assist_citation
            yield t.path + ("can_assist", "citation"), t.can_assist_citation
        if s:
            yield s.path + ("citation",), s.citation
    for task in policy.tasks.values():
        for st in task.stated_in:
            yield st.path + ("citation",), st.citation
    for entry in policy.known_conflicts:
        for cit in entry.citations:
            yield entry.path + ("citations",), cit
    for p in policy.parameters.values():
        yield p.path + ("citation",), p.citation
        for i, c in enumerate(p.also_cited):
            yield p.path + ("also_cited", i), c


def provision_ids(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """Ids are unique and follow the numbering: 四.(三).1 sits under 四.(三)."""
    seen: dict[str, tuple] = {}

    def visit(p, parent_id):
        if p.id in seen:
            yield Diagnostic("duplicate-citation", _("citation id {id} is used twice").format(id=p.id),
                             doc.span(p.path + ("id",)), field="id", hint=_("each provision needs its own id"))
        seen.setdefault(p.id, p.path)
        if parent_id and not p.id.startswith(parent_id + "."):
            yield Diagnostic("citation-numbering", _("{id} is listed under {parent_id} but its id does not start with {parent_id}.").format(id=p.id, parent_id=parent_id),
                             doc.span(p.path + ("id",)), field="id", hint=_("write it as {parent_id}.<number>").format(parent_id=parent_id))
        for child in p.children:
            yield from visit(child, p.id)

    for article in policy.articles:
        yield from visit(article, "")
    if policy.duty_table:
        for row in policy.duty_table.rows:
            if row.id in seen:
                yield Diagnostic("duplicate-citation", _("citation id {id} is used twice").format(id=row.id),
                                 doc.span(row.path + ("id",)), field="id", hint=_("each row needs its own id"))
            seen.setdefault(row.id, row.path)


def amendments_in_order(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    previous = None
    for a in policy.amendments:
        try:
            day = parse_date(a.roc_date)
        except DateError as exc:
            yield Diagnostic("bad-date", _("amendment date {message}").format(message=exc.message), doc.span(a.path + ("date",)),
                             field="date", hint=exc.hint)
            continue
        if previous and day <= previous[0]:
            yield Diagnostic("amendment-order", _("amendment {roc_date} is not after the one before it ({previous})").format(roc_date=a.roc_date, previous=previous[1]),
                             doc.span(a.path + ("date",)), field="date",
                             hint=_("list amendments oldest first, each on a later date"))
        previous = (day, a.roc_date)


def time_zone_known(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """`time_zone` names a zone this machine knows: a misspelt one would move "today"."""
    if not policy.time_zone:
        return
    try:
        zone(policy.time_zone)
    except DateError as exc:
        from zoneinfo import available_timezones

        # Area/City names and UTC: not the database's own files (localtime, posixrules, Factory)
        names = [z for z in available_timezones() if "/" in z or z == "UTC"]
        yield Diagnostic("unknown-time-zone", exc.message, doc.span(("time_zone",)), field="time_zone",
                         hint=did_you_mean(policy.time_zone, names) or exc.hint)


def working_group_complete(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    wg = policy.working_group
    if not wg:
        return
    if wg.size and len(wg.seats) != wg.size:
        yield Diagnostic("working-group-size", _("the working group has {seats} seats but size says {size}").format(seats=len(wg.seats), size=wg.size),
                         doc.span(wg.path + ("size",)), field="size", hint=_("{citation} lists the seats one by one").format(citation=wg.citation))
    if wg.meeting_frequency and wg.meeting_frequency not in policy.parameters:
        yield Diagnostic("unknown-parameter", _("parameter {meeting_frequency} is not declared").format(meeting_frequency=wg.meeting_frequency),
                         doc.span(wg.path + ("meeting_frequency",)), field="meeting_frequency",
                         hint=did_you_mean(wg.meeting_frequency, policy.parameters) or _("declare it under parameters"))


def duty_statements_match_rows(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A task citing a duty-table row may only name parties printed in that row."""
    if not policy.duty_table:
        return
    rows = {row.id: row for row in policy.duty_table.rows}
    for task in policy.tasks.values():
        for st in task.stated_in:
            row = rows.get(st.citation)
            if row is None:
                continue
            printed = set(row.administration) | {p for p, __ in row.parts}
            for i, party in enumerate(st.parties):
                if not row.names(party):
                    yield Diagnostic("statement-mismatch", _("task {name} says {citation} names {party}, but that row names {nobody}").format(name=task.name, citation=st.citation, party=party, nobody=', '.join(sorted(printed)) or _('nobody')),
                                     doc.span(st.path + ("parties", i)), field="parties",
                                     hint=_("copy the parties from the row's columns"))


def _provision_text(policy: Policy, citation: str) -> str:
    # every provision with that id: a duplicated id is reported once, by provision_ids, not here again
    same = [p for article in policy.articles for p in article.walk() if p.id == citation]
    if same:
        return "".join(q.heading + q.text for p in same for q in p.walk())
    row = next((r for r in (policy.duty_table.rows if policy.duty_table else ()) if r.id == citation), None)
    return (row.remarks + "".join(part for __, part in row.parts)) if row else ""


def quotes_in_text(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A parameter's quote is verbatim from its article: after an amendment, text and number move together."""
    for p in policy.parameters.values():
        texts = [_provision_text(policy, c) for c in (p.citation, *p.also_cited)]
        if p.quote and p.citation in policy.citations() and not any(p.quote in t for t in texts):
            yield Diagnostic("quote-not-in-text", _("parameter {name} quotes 「{quote}」, which is not in the text of {citation}").format(name=p.name, quote=p.quote, citation=p.citation),
                             doc.span(p.path + ("quote",)), field="quote",
                             hint=_("copy the words from the article; if the article was amended, amend the value too"))


def parameter_values_readable(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A date or size parameter is text the schema cannot read: `114.02.30`, `4 XB`."""
    from ..dsl.units import SizeError, parse_size

    for p in policy.parameters.values():
        raw = _raw_value(doc.data, p.name)
        if p.type not in ("date", "size") or p.value is not None or not isinstance(raw, (str, int)):
            continue  # a value of the wrong kind altogether is the schema's finding
        try:
            parse_date(raw) if p.type == "date" else parse_size(raw)
        except DateError as exc:
            yield Diagnostic("invalid-date", exc.message, doc.span(p.path + ("value",)), field=p.name,
                             hint=exc.hint)
        except SizeError as exc:
            yield Diagnostic("invalid-size", str(exc), doc.span(p.path + ("value",)), field=p.name,
                             hint=_("write a size as 4 MB, 512 KB or a whole number of bytes"))


def _raw_value(data, name: str):
    params = data.get("parameters") if isinstance(data, dict) else None
    entry = params.get(name) if isinstance(params, dict) else None
    return entry.get("value") if isinstance(entry, dict) else None


from .names import names_distinct, names_normal, names_not_confusable  # noqa: E402 - names spelt one way
from .wording import quote_states_value  # noqa: E402 - numbers in words

CHECKS: tuple[Check, ...] = (
    units_declared,
    names_declared,
    chain_roles_declared,
    chains_without_repeats,
    tasks_consistent,
    citations_exist,
    provision_ids,
    amendments_in_order,
    time_zone_known,
    working_group_complete,
    duty_statements_match_rows,
    quotes_in_text,
    quote_states_value,
    parameter_values_readable,
    names_normal,
    names_distinct,
    names_not_confusable,
)


def run_checks(policy: Policy, doc: Document) -> list[Diagnostic]:
    return [d for check in CHECKS for d in check(policy, doc)]
