"""Who holds which role, and who is available on a date: the `staff` records.

A roster is any records file (YAML, JSON, CSV folder) with a `staff` entity.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..diagnostics import Diagnostic, RulekitError, Span, did_you_mean


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
            return False, f"{self.label()} is on leave"
        if self.status == "departed":
            if self.departed_on and self.departed_on > on:
                return True, ""
            when = f" on {self.departed_on.isoformat()}" if self.departed_on else ""
            return False, f"{self.label()} left{when}"
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

    records = load_records(path, encoding=encoding)
    if not records.get("staff").rows:
        raise RulekitError([Diagnostic("no-staff", f"{path} has no staff records", Span(path),
                                     hint="a roster lists `staff:` with id, name, roles and status")])
    problems = [d for d in check_references(records) if d.code == "duplicate-id" and d.is_error]
    if policy is not None:
        problems += unknown_roles(policy, records)
    if problems:
        raise RulekitError(problems)
    return roster_from_records(records, path)


def unknown_roles(policy, records) -> list[Diagnostic]:
    """Staff roles the policy does not declare: 註冊組長x would silently hold nothing."""
    table, roles = records.get("staff"), policy.organization.roles
    return [Diagnostic("unknown-role", f"role {role} of staff {row['id']} is not a role of {policy.path}",
                       table.span_of(i, "roles"), field="roles", hint=did_you_mean(role, roles) or
                       "use the roles declared under organization.roles")
            for i, row in enumerate(table.rows) for role in (row.get("roles") or ()) if role not in roles]
