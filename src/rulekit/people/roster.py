"""Who holds which role, and who is available on a date: the `staff` records.

A roster is any records file (YAML, JSON, CSV folder) with a `staff` entity.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..diagnostics import Diagnostic, RulekitError, Span, did_you_mean
from ..i18n import _


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    roles: tuple[str, ...]
    status: str  # active | on_leave | departed
    departed_on: dt.date | None = None
    can_assist: bool | None = None

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id

    def availability(self, on: dt.date) -> tuple[bool, str]:
        """Available on `on`, and why not. A departure dated after `on` has not happened yet."""
        if self.status == "on_leave":
            return False, _("{label} is on leave").format(label=self.label())
        if self.status == "departed":
            if self.departed_on and self.departed_on > on:
                return True, ""
            if self.departed_on:
                return False, _("{label} left on {day}").format(label=self.label(), day=self.departed_on.isoformat())
            return False, _("{label} left").format(label=self.label())
        return True, ""


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...]
    span: Span

    def holders(self, role: str, on: dt.date, active_only: bool = True) -> list[Person]:
        held = [p for p in self.people if role in p.roles]
        return [p for p in held if p.availability(on)[0]] if active_only else held

    def find(self, name_or_id: str) -> Person | None:
        for p in self.people:
            if name_or_id in (p.id, p.name):
                return p
        return None

    def names(self) -> list[str]:
        return sorted({p.id for p in self.people} | {p.name for p in self.people if p.name})


def roster_from_records(records, path: str) -> Roster:
    people = tuple(Person(str(r["id"]), r.get("name") or "", tuple(r.get("roles") or ()), r.get("status") or "active",
                          r.get("departed_on"), r.get("can_assist"))
                   for r in records.get("staff").rows)
    return Roster(people, Span(path))


def load_roster(path: str, policy=None, encoding: str | None = None) -> Roster:
    """A roster file's staff; with `policy`, a role it does not declare is an error (no silent typo)."""
    from ..records import check_references, load_records

    records = load_records(path, policy.records if policy is not None else None, encoding=encoding)
    if not records.get("staff").rows:
        raise RulekitError([Diagnostic("no-staff", _("{path} has no staff records").format(path=path), Span(path),
                                     hint=_("a roster lists `staff:` with id, name, roles and status"))])
    problems = [d for d in check_references(records) if d.code == "duplicate-id" and d.is_error]
    if policy is not None:
        problems += unknown_roles(policy, records)
    if problems:
        raise RulekitError(problems)
    return roster_from_records(records, path)


def unknown_people(policy, records) -> list[Diagnostic]:
    """Values of `person` fields that are no staff id (when staff were given), role or unit."""
    from ..i18n import _

    decl, org = records.declaration, policy.organization
    if decl is None or "staff" not in records.tables:
        return []  # a staff id cannot be told from a typo without the staff (check_references warns)
    staff = {row.get("id") for row in records.tables["staff"].rows}
    known = staff | set(org.units) | set(org.roles)
    out = []
    for e in decl.entities:
        fields = [f.name for f in e.fields if f.ref == "person"]
        table = records.tables.get(e.name)
        if not fields or table is None:
            continue
        for i, row in enumerate(table.rows):
            for name in fields:
                value = row.get(name)
                if value is None or value in known:
                    continue
                out.append(Diagnostic("unknown-reference", _("{field} {value} is no staff id, role or unit").format(
                    field=name, value=value), table.span_of(i, name), field=name,
                    hint=did_you_mean(value, known) or _("name a staff member by id, or a role or office of the policy")))
    return out


def unknown_roles(policy, records) -> list[Diagnostic]:
    """Staff roles the policy does not declare: 註冊組長x would silently hold nothing."""
    if "staff" not in records.tables:  # a school whose records name no staff (their kinds are its own)
        return []
    table, roles = records.tables["staff"], policy.organization.roles
    return [Diagnostic("unknown-role", _("role {role} of staff {id} is not a role of {path}").format(role=role, id=row['id'], path=policy.path),
                       table.span_of(i, "roles"), field="roles", hint=did_you_mean(role, roles) or
                       _("use the roles declared under organization.roles"))
            for i, row in enumerate(table.rows) for role in (row.get("roles") or ()) if role not in roles]
