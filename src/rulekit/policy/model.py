"""The regulation as frozen data: what `policy/regulation.yaml` says, nothing computed.

Every object keeps the YAML path it came from (`path`), so findings about it can
point at its line; paths never take part in equality.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..i18n import _, ngettext
from ..records.declaration import Declaration

Path = tuple


def _path() -> Path:
    return field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Provision:
    """A point (點), 款 (一), 目 1. or unnumbered paragraph (段N), with its citation id."""

    id: str
    heading: str = ""
    text: str = ""
    children: tuple["Provision", ...] = ()
    path: Path = _path()

    def walk(self) -> Iterator["Provision"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Amendment:
    roc_date: str
    kind: str
    meeting: str = ""
    summary: str = ""
    note: str = ""
    path: Path = _path()


@dataclass(frozen=True)
class Unit:
    """An office (處室), a section (組) or another body (工作小組, 國教署 ...)."""

    name: str
    kind: str  # "office" | "section" | "body"
    en: str
    office: str = ""  # for sections: the office they belong to
    external: bool = False
    collective: bool = False
    citation: str = ""
    path: Path = _path()


@dataclass(frozen=True)
class Role:
    name: str
    en: str
    unit: str = ""
    held_by: str = ""
    citation: str = ""
    per: str = ""  # "course" | "class" | "student": held per record, e.g. each course's teacher
    path: Path = _path()


@dataclass(frozen=True)
class Organization:
    units: dict  # name -> Unit
    roles: dict  # name -> Role

    def names(self) -> set[str]:
        return set(self.units) | set(self.roles)

    def containers(self, name: str) -> list[str]:
        """`name` and every unit above it: 註冊組長 -> [註冊組長, 註冊組, 教務處]."""
        out, seen = [], set()
        while name and name not in seen:
            seen.add(name)
            out.append(name)
            if name in self.roles:
                role = self.roles[name]
                name = role.unit or (self.roles[role.held_by].unit if role.held_by in self.roles else "")
            elif name in self.units:
                name = self.units[name].office
            else:
                name = ""
        return out


@dataclass(frozen=True)
class Seat:
    seat: str
    role: str = ""
    path: Path = _path()


@dataclass(frozen=True)
class WorkingGroup:
    citation: str
    name: str
    size: int
    convener: str
    executive_secretary: str
    meeting_frequency: str
    seats: tuple[Seat, ...]
    path: Path = _path()


@dataclass(frozen=True)
class DutyRow:
    """One row of 附表 職掌分工表, column by column as printed."""

    id: str
    category: str
    content: str
    work_item: str = ""
    administration: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()  # (party, its part as printed), e.g. (學生, 應主動自行登錄)
    remarks: str = ""
    illegible: tuple[str, ...] = ()  # columns the OCR lost
    path: Path = _path()

    def names(self, party: str) -> bool:
        """Whether the row names `party`: in a column, or in its remarks."""
        return party in self.administration or any(p == party for p, __ in self.parts) or party in self.remarks


@dataclass(frozen=True)
class DutyTable:
    citation: str
    title: str
    note: str
    rows: tuple[DutyRow, ...]
    path: Path = _path()


@dataclass(frozen=True)
class SubstituteChain:
    """七.(一): the 承辦人 of a task, then the 代理人 in their order."""

    task: str
    roles: tuple[str, ...]
    citation: str
    path: Path = _path()

    @property
    def primary(self) -> str:
        return self.roles[0]


@dataclass(frozen=True)
class TeacherProvisions:
    """七.(二): what happens to a task held by a course teacher who leaves."""

    task: str
    role: str
    cannot_assist_citation: str
    can_assist_citation: str
    can_assist_note: str = ""
    path: Path = _path()


@dataclass(frozen=True)
class StudentProvision:
    citation: str
    task: str
    responsible: str
    applies_to: str = ""
    path: Path = _path()


@dataclass(frozen=True)
class Substitutes:
    citation: str
    title: str
    decided_by: str
    chains: dict  # task -> SubstituteChain
    teacher: Optional[TeacherProvisions] = None
    student: Optional[StudentProvision] = None
    path: Path = _path()


@dataclass(frozen=True)
class Statement:
    """One citation naming who does a task."""

    citation: str
    parties: tuple[str, ...]
    scope: str = ""  # the part of the task covered (學科, 實作作品); different scopes are not compared
    path: Path = _path()


@dataclass(frozen=True)
class Task:
    name: str
    en: str
    aliases: tuple[str, ...] = ()
    stated_in: tuple[Statement, ...] = ()
    path: Path = _path()


@dataclass(frozen=True)
class KnownConflict:
    """A disagreement of the regulation with itself that the working group knows of."""

    task: str
    citations: tuple[str, ...]  # sorted, so the order written does not matter
    note: str = ""
    path: Path = _path()


@dataclass(frozen=True)
class Parameter:
    """A quota, deadline or frequency stated in the regulation."""

    name: str
    type: str  # "count" | "duration" | "frequency" | "list" | "date" | "size"
    # None only in an invalid policy (the schema reports it); an int for counts, durations,
    # frequencies and sizes (bytes), a tuple of texts for a list, a datetime.date for a date
    value: object
    unit: str  # 件/項/人 for counts, days/weeks/months/years for durations, "times" for frequencies
    bound: str
    citation: str
    quote: str
    per: str = ""
    subject: str = ""
    also_cited: tuple[str, ...] = ()
    path: Path = _path()
    label: str = ""  # in the regulation's words (收訖明細確認期間), for the 對照表

    @property
    def numeric(self) -> bool:
        """A number the regulation states in words too (六件): counts, durations, frequencies."""
        return self.type in ("count", "duration", "frequency") and isinstance(self.value, int)

    def shown(self) -> str:
        """The value as the policy writes it: 6, [pdf, jpg], 2025-02-10, 4 MB."""
        from ..dsl.units import format_size

        if self.value is None:
            return "—"
        if self.type == "list":
            return "[" + ", ".join(self.value) + "]"
        if self.type == "size":
            return format_size(self.value)
        return str(self.value)

    def describe(self) -> str:
        per = {"semester": _("per semester"), "academic_year": _("per academic year")}.get(self.per, "")
        bound = {"at_most": _("at most"), "at_least": _("at least"), "exactly": _("exactly")}.get(self.bound, self.bound)
        detail = ", ".join(filter(None, (bound, per)))
        return f"{self.name} = {_amount(self.value, self.unit, self.shown())}" + (f" ({detail})" if detail else "")


def _amount(value, unit: str, shown: str) -> str:
    """A parameter's value with its unit, as a reader says it: 3 日, 1 次 / 3 days, 1 time;
    other values as the policy writes them (`shown`): [pdf, jpg], 4 MB."""
    from ..calendar.durations import duration_text

    if isinstance(value, int) and not isinstance(value, bool) and unit in ("days", "weeks", "months", "years"):
        return duration_text(value, unit)
    if isinstance(value, int) and not isinstance(value, bool) and unit == "times":
        return ngettext("{n} time", "{n} times", value).format(n=value)
    return f"{shown} {unit or ''}".rstrip()


@dataclass(frozen=True)
class Policy:
    path: str
    content_hash: str
    format: str
    metadata: dict
    amendments: tuple[Amendment, ...]
    organization: Organization
    working_group: Optional[WorkingGroup]
    articles: tuple[Provision, ...]
    duty_table: Optional[DutyTable]
    substitutes: Optional[Substitutes]
    tasks: dict  # name -> Task
    parameters: dict  # name -> Parameter
    rules: tuple = ()
    record_values: dict = field(default_factory=dict)  # "meetings.kind" -> allowed values
    records: Declaration = field(default_factory=Declaration)  # the records it declares (declared.py)
    known_conflicts: tuple = ()  # KnownConflict: disagreements acknowledged until an amendment
    time_zone: str = ""  # IANA name; "today" is the date there. "": the machine's own zone
    provisions: dict = field(default_factory=dict, compare=False, repr=False)  # id -> Provision
    # the history this version belongs to (policy/history.py): the first day whose text the
    # file knows, and the ROC dates from which each of its versions is in force
    encoded_from: str = ""
    version_dates: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.metadata.get("title", "")

    def citations(self) -> set[str]:
        """Every id a citation may name: provisions, the duty table and its rows."""
        ids = set(self.provisions)
        if self.duty_table:
            ids.add(self.duty_table.citation)
            ids.update(row.id for row in self.duty_table.rows)
        return ids

    def example_citations(self) -> str:
        """A few of this policy's own citation ids, for hints: the deepest article id, then a table row."""
        deepest = max(self.provisions, key=lambda c: c.count("."), default="")
        rows = [self.duty_table.rows[0].id] if self.duty_table and self.duty_table.rows else []
        return " or ".join(c for c in [next(iter(self.provisions), ""), deepest, *rows] if c)

    def table_text(self, citation: str) -> str:
        """The words of the substitute list or of a duty-table row, for showing beside an answer."""
        if self.substitutes and citation == self.substitutes.citation:
            return self.substitutes.title
        for row in self.duty_table.rows if self.duty_table else ():
            if row.id == citation:
                cells = [row.category, row.content, row.work_item, "、".join(row.administration),
                         *(f"{party}:{part}" for party, part in row.parts), row.remarks]
                return " | ".join(c for c in cells if c)
        return ""

    def in_force_since(self) -> str:
        return self.amendments[-1].roc_date if self.amendments else ""


@dataclass(frozen=True)
class PolicyHistory:
    """Every version of one policy file, oldest first; `policy.versions.version_on` picks one by date."""

    versions: tuple[Policy, ...]

    @property
    def latest(self) -> Policy:
        return self.versions[-1]
