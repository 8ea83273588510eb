"""The types of DSL values.

    int bool string date duration semester academic_year size null
    list[T]              e.g. list[string] (staff.roles, policy constants)
    record(entity)       a row of an entity, e.g. record(students)
    school               the single subject of a school-wide rule
    T?                   optional: a record field that may be absent (null)

`null` is the type of the literal null; it fits any optional slot.
`any` is the item of an empty list `[]`: nothing is known of it, not even that it
is there, so it is always optional (`first(x in [])` is null). Both keep their
optional mark whatever is done to them, so "may be null" is never lost.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

INT, BOOL, STRING, DATE, DURATION = "int", "bool", "string", "date", "duration"
SEMESTER, ACADEMIC_YEAR, NULL = "semester", "academic_year", "null"
SIZE = "size"  # a whole number of bytes (dsl/units.py); compares with sizes only
LIST, RECORD, SCHOOL, ANY = "list", "record", "school", "any"
SCALARS = (INT, BOOL, STRING, DATE, DURATION, SEMESTER, ACADEMIC_YEAR, SIZE)
ORDERED = (INT, DATE, DURATION, SEMESTER, ACADEMIC_YEAR, STRING, SIZE)


@dataclass(frozen=True)
class Type:
    name: str
    elem: "Type | None" = None
    entity: str | None = None
    optional: bool = False

    def __post_init__(self):
        if self.name in (NULL, ANY) and not self.optional:
            object.__setattr__(self, "optional", True)

    def __str__(self) -> str:
        if self.name == LIST:
            base = f"list[{self.elem}]"
        elif self.name == RECORD:
            base = f"record({self.entity})"
        else:
            base = self.name
        return base + ("?" if self.optional and self.name not in (NULL, ANY) else "")

    @property
    def base(self) -> str:
        """The name without optional marking, for messages: `date`, `list[string]`."""
        return str(replace(self, optional=False))

    def required(self) -> "Type":
        return replace(self, optional=False) if self.optional else self

    def maybe(self, optional: bool = True) -> "Type":
        return replace(self, optional=optional) if optional and not self.optional else self


T_INT, T_BOOL, T_STRING, T_DATE = Type(INT), Type(BOOL), Type(STRING), Type(DATE)
T_DURATION, T_SEMESTER, T_AY = Type(DURATION), Type(SEMESTER), Type(ACADEMIC_YEAR)
T_SIZE = Type(SIZE)
T_NULL, T_ANY, T_SCHOOL = Type(NULL, optional=True), Type(ANY), Type(SCHOOL)


def list_of(elem: Type) -> Type:
    return Type(LIST, elem=elem)


def record(entity: str) -> Type:
    return Type(RECORD, entity=entity)


# Fields of the calendar values (the attributes of rulekit.calendar objects).
VALUE_FIELDS: dict[str, dict[str, Type]] = {
    SEMESTER: {"id": T_STRING, "start": T_DATE, "end": T_DATE, "academic_year": T_AY,
               "year": T_INT, "term": T_INT, "next": T_SEMESTER, "prev": T_SEMESTER},
    ACADEMIC_YEAR: {"id": T_STRING, "start": T_DATE, "end": T_DATE, "year": T_INT,
                    "semesters": list_of(T_SEMESTER)},
    DATE: {"year": T_INT, "month": T_INT, "day": T_INT},
    DURATION: {"amount": T_INT, "unit": T_STRING},
}


def parse_type(text) -> Type:
    """`int`, `duration`, `list[string]`, `record(students)`, `date?`; a Type passes through."""
    if isinstance(text, Type):
        return text
    s = str(text).strip()
    if s.endswith("?"):
        return parse_type(s[:-1]).maybe()
    if s.startswith("list[") and s.endswith("]"):
        return list_of(parse_type(s[5:-1]))
    if s.startswith("record(") and s.endswith(")"):
        return record(s[7:-1])
    if s in SCALARS or s in (SCHOOL, ANY):
        return Type(s)
    raise ValueError(f"unknown type {s!r}")


def from_field(field_type) -> Type:
    """The DSL type of a records FieldType (name, required, ...); a plain name is required."""
    if isinstance(field_type, (str, Type)):
        return parse_type(field_type)
    t = parse_type(field_type.name)
    return t.maybe(not getattr(field_type, "required", True))


def compatible(a: Type, b: Type) -> bool:
    """Can values of a and b be compared with ==? (optional marks do not matter)."""
    if a.name in (NULL, ANY) or b.name in (NULL, ANY):
        return True
    if a.name != b.name:
        return False
    if a.name == LIST:
        return compatible(a.elem, b.elem)
    if a.name == RECORD:
        return a.entity == b.entity
    return True


def unify(a: Type, b: Type) -> Type | None:
    """The type of `if c then a else b`, or None when a and b do not fit together.
    null and any take the other side's type, made optional: they may be null."""
    if a.name in (NULL, ANY):
        return b.maybe()
    if b.name in (NULL, ANY):
        return a.maybe()
    if not compatible(a, b):
        return None
    if a.name == LIST and a.elem.name == ANY:
        a = b
    return a.maybe(a.optional or b.optional)
