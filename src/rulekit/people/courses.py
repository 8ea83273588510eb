"""任課教師 of a course, from the school records: who 七.(二) asks about.

`rulekit serve`'s 問誰負責 calls this with the records it has loaded. `rulekit who --course`
does the same in `cli/people.py` (`_course_teacher`, which reads the records file first); the
two should become one call here once the branches changing that function are merged.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Span, UsageError, did_you_mean
from ..i18n import _
from .roster import Roster, roster_from_records


def course_teacher(records, records_path: str, course_id: str, roster: Roster | None):
    """(teacher id, the teacher as a Person or None, the roster) for 任課教師 of `course_id`;
    without a roster, the records' own staff (if any) become it."""
    courses = {r["id"]: r for r in records.get("courses").rows}
    if course_id not in courses:
        raise UsageError([Diagnostic("unknown-course", _("course {course_id} is not in {records_path}").format(course_id=course_id, records_path=records_path),
                                     Span(records_path), hint=did_you_mean(course_id, courses) or _("check the course id"))])
    teacher_id = courses[course_id]["teacher"]
    if roster is None and records.get("staff").rows:
        roster = roster_from_records(records, records_path)
    return teacher_id, roster.find(teacher_id) if roster else None, roster
