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
    where = {"unit": "organization.offices or organization.sections"}.get(kind, f"organization.{kind}s")
    hint = did_you_mean(name, choices) or f"declare {name} under {where} first"
    return Diagnostic(code, f"{kind} {name} is not declared", doc.span(path), hint=hint, field=field)


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
            yield Diagnostic("unknown-party", f"{name} is not a declared role, office, section or body",
                             doc.span(where), field=field,
                             hint=did_you_mean(name, names) or "declare it under organization")


def _named_parties(policy: Policy):
    if policy.duty_table:
        for row in policy.duty_table.rows:
            for i, name in enumerate(row.administration):
                yield row.path + ("administration", i), name, "administration"
            for name, _ in row.parts:
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
                yield Diagnostic("chain-repeat", f"substitute chain {chain.task} names {role} twice "
                                 f"(places {seen[role] + 1} and {i + 1}), which makes a cycle",
                                 doc.span(chain.path + (i,)), field=chain.task,
                                 hint="each role appears once; remove the later one or pick another substitute")
            seen.setdefault(role, i)


def tasks_consistent(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    tasks = policy.tasks
    subs = policy.substitutes
    for chain in subs.chains.values() if subs else ():
        if tasks and chain.task not in tasks:
            yield Diagnostic("unknown-task", f"substitute chain {chain.task} has no entry under tasks",
                             doc.span(chain.path, key=True), field=chain.task,
                             hint=did_you_mean(chain.task, tasks) or f"add {chain.task} under tasks")
    owner: dict[str, str] = {name: name for name in tasks}
    for task in tasks.values():
        for i, alias in enumerate(task.aliases):
            if alias in owner and owner[alias] != task.name:
                yield Diagnostic("duplicate-alias", f"alias {alias} of {task.name} already names {owner[alias]}",
                                 doc.span(task.path + ("aliases", i)), field="aliases",
                                 hint="an alias must lead to exactly one task")
            owner.setdefault(alias, task.name)
    if subs and subs.teacher:
        chain = subs.chains.get(subs.teacher.task)
        if chain is None or chain.primary != subs.teacher.role:
            yield Diagnostic("teacher-provision", f"the teacher provisions ({subs.teacher.cannot_assist_citation}) "
                             f"apply to {subs.teacher.task}, whose chain does not "
                             f"start with {subs.teacher.role}", doc.span(subs.teacher.path), field="task",
                             hint="teacher_provisions.task must name a chain whose 承辦人 is teacher_provisions.role")


def citations_exist(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    known = policy.citations()
    for path, cit in _citations(policy):
        if cit and cit not in known:
            yield Diagnostic("unknown-citation", f"citation {cit} does not exist in this regulation",
                             doc.span(path), field="citation",
                             hint=suggest_citation(cit, known) or f"citations look like {policy.example_citations()}")


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
            yield Diagnostic("duplicate-citation", f"citation id {p.id} is used twice",
                             doc.span(p.path + ("id",)), field="id", hint="each provision needs its own id")
        seen.setdefault(p.id, p.path)
        if parent_id and not p.id.startswith(parent_id + "."):
            yield Diagnostic("citation-numbering", f"{p.id} is listed under {parent_id} but its id does not start with {parent_id}.",
                             doc.span(p.path + ("id",)), field="id", hint=f"write it as {parent_id}.<number>")
        for child in p.children:
            yield from visit(child, p.id)

    for article in policy.articles:
        yield from visit(article, "")
    if policy.duty_table:
        for row in policy.duty_table.rows:
            if row.id in seen:
                yield Diagnostic("duplicate-citation", f"citation id {row.id} is used twice",
                                 doc.span(row.path + ("id",)), field="id", hint="each row needs its own id")
            seen.setdefault(row.id, row.path)


def amendments_in_order(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    previous = None
    for a in policy.amendments:
        try:
            day = parse_date(a.roc_date)
        except DateError as exc:
            yield Diagnostic("bad-date", f"amendment date {exc.message}", doc.span(a.path + ("date",)),
                             field="date", hint=exc.hint)
            continue
        if previous and day <= previous[0]:
            yield Diagnostic("amendment-order", f"amendment {a.roc_date} is not after the one before it ({previous[1]})",
                             doc.span(a.path + ("date",)), field="date",
                             hint="list amendments oldest first, each on a later date")
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
        yield Diagnostic("working-group-size", f"the working group has {len(wg.seats)} seats but size says {wg.size}",
                         doc.span(wg.path + ("size",)), field="size", hint=f"{wg.citation} lists the seats one by one")
    if wg.meeting_frequency and wg.meeting_frequency not in policy.parameters:
        yield Diagnostic("unknown-parameter", f"parameter {wg.meeting_frequency} is not declared",
                         doc.span(wg.path + ("meeting_frequency",)), field="meeting_frequency",
                         hint=did_you_mean(wg.meeting_frequency, policy.parameters) or "declare it under parameters")


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
            printed = set(row.administration) | {p for p, _ in row.parts}
            for i, party in enumerate(st.parties):
                if not row.names(party):
                    yield Diagnostic("statement-mismatch", f"task {task.name} says {st.citation} names {party}, "
                                     f"but that row names {', '.join(sorted(printed)) or 'nobody'}",
                                     doc.span(st.path + ("parties", i)), field="parties",
                                     hint="copy the parties from the row's columns")


def _provision_text(policy: Policy, citation: str) -> str:
    # every provision with that id: a duplicated id is reported once, by provision_ids, not here again
    same = [p for article in policy.articles for p in article.walk() if p.id == citation]
    if same:
        return "".join(q.heading + q.text for p in same for q in p.walk())
    row = next((r for r in (policy.duty_table.rows if policy.duty_table else ()) if r.id == citation), None)
    return (row.remarks + "".join(part for _, part in row.parts)) if row else ""


def quotes_in_text(policy: Policy, doc: Document) -> Iterator[Diagnostic]:
    """A parameter's quote is verbatim from its article: after an amendment, text and number move together."""
    for p in policy.parameters.values():
        texts = [_provision_text(policy, c) for c in (p.citation, *p.also_cited)]
        if p.quote and p.citation in policy.citations() and not any(p.quote in t for t in texts):
            yield Diagnostic("quote-not-in-text", f"parameter {p.name} quotes 「{p.quote}」, which is not in the text of {p.citation}",
                             doc.span(p.path + ("quote",)), field="quote",
                             hint="copy the words from the article; if the article was amended, amend the value too")


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
