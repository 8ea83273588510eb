"""How a result's subject reads to staff: students by 學號, 姓名 and 班級, never by national ID.

`subject_text(result, people)` is the one place a renderer turns a subject into text, so
when results carry their own `subject_label` (from the records declaration) that label
wins here and every report follows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..records.model import entity_infos

STUDENTS = "students"


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    klass: str = ""

    def label(self) -> str:
        """`1100101 王小明 (301)`: the id, then what the records have of name and class."""
        text = " ".join(filter(None, (self.id, self.name)))
        return f"{text} ({self.klass})" if self.klass else text


@dataclass(frozen=True)
class People:
    """The students of a record set by id, and the fields of other records that name one."""

    students: dict = field(default_factory=dict)
    # fields such as course_outcomes.student: a reference to a student (x-ref in the schema)
    refs: tuple[str, ...] = ()
    # the students' own records, by identity: a result bound to one is about that student
    rows: frozenset = frozenset()

    def label(self, token: str) -> str:
        student = self.students.get(token)
        return student.label() if student else token

    def student_of(self, result) -> Student | None:
        """The student a result is about: the record it is bound to, a record naming one, or
        an id in its subject; None for results about the school, a semester, a course."""
        for value in result.bindings().values():
            if isinstance(value, dict):
                student = self._record_student(value)
                if student is not None:
                    return student
        return next((self.students[t] for v in result.subject.values() for t in str(v).split()
                     if t in self.students), None)

    def _record_student(self, record: dict) -> Student | None:
        if id(record) in self.rows:
            return self.students.get(str(record.get("id")))
        for name in self.refs:
            student = self.students.get(str(record.get(name)))
            if student is not None:
                return student
        return None


def people_of(records) -> People:
    """The students of `records` (a RecordSet), or no one when it has none."""
    if records is None:
        return People()
    infos = entity_infos(getattr(records, "declaration", None))  # as the policy in use declares them
    if STUDENTS not in infos or STUDENTS not in getattr(records, "tables", {STUDENTS: None}):
        return People()
    rows = records.get(STUDENTS).rows
    students = {str(r["id"]): Student(str(r["id"]), str(r.get("name") or ""), str(r.get("class") or ""))
                for r in rows if r.get("id") is not None}
    refs = tuple(dict.fromkeys(name for fields in infos.values() for name, info in fields.items()
                               if info.type.ref == STUDENTS))
    return People(students, refs, frozenset(map(id, rows)))


def subject_text(result, people: People | None = None) -> str:
    """The subject as staff read it: each student id in it followed by name and class."""
    label = getattr(result, "subject_label", None)
    if label:
        return label
    words = " ".join(str(v) for v in result.subject.values())
    if not people or not people.students:
        return words
    return " ".join(people.label(t) for t in words.split(" "))
