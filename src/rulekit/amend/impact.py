"""What an amendment changes for real people: results that flip, tasks that move.

Both versions are evaluated over the same records and roster; only differences
are reported. A task "moves" when, in the same situation, a different role or
person answers it: with nobody absent, and with its 承辦人 absent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..evaluator.result import STATUS_ZH
from ..policy.model import Policy


@dataclass(frozen=True)
class Flip:
    rule: str
    citation: str
    subject: dict
    old: str  # status under the current text ("absent" if the rule did not exist)
    new: str
    # False for a subject whose semester began before the amendment: it stays under the
    # text in force then (docs/amendments.md), so this flip shows what the text would do
    applies: bool = True

    def subject_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.subject.items())


@dataclass(frozen=True)
class TaskMove:
    task: str
    situation: str
    old: str
    new: str


@dataclass(frozen=True)
class Impact:
    flips: tuple[Flip, ...]
    moves: tuple[TaskMove, ...]

    def students(self) -> int:
        return len({f.subject.get("student") for f in self.flips if f.subject.get("student")})

    def summary(self) -> str:
        applied = [f for f in self.flips if f.applies]
        newly_fail = sum(f.new == "fail" for f in applied)
        newly_pass = sum(f.new == "pass" for f in applied)
        tasks = len({m.task for m in self.moves})
        students = len({f.subject.get("student") for f in applied if f.subject.get("student")})
        text = (f"本次修正改變 {students} 名學生之 {len(applied)} 項檢核結果(新增不符合 {newly_fail} 項、"
                f"改為符合 {newly_pass} 項),及 {tasks} 項工作之承辦")
        earlier = len(self.flips) - len(applied)
        if earlier:
            text += (f";另 {earlier} 項結果屬修正施行前已開始之學期或學年,仍依當時條文判定,"
                     f"表列「僅供參考」")
        return text + "。"

    def to_json(self) -> dict:
        return {"summary": self.summary(),
                "flips": [{"rule": f.rule, "citation": f.citation, "subject": f.subject, "old": f.old, "new": f.new,
                           "applies": f.applies} for f in self.flips],
                "tasks": [{"task": m.task, "situation": m.situation, "old": m.old, "new": m.new} for m in self.moves]}

    def _rows(self):
        flips = [[f.rule, f.citation, f.subject_text(), _STATUS_ZH.get(f.old, f.old),
                  _STATUS_ZH.get(f.new, f.new) + ("" if f.applies else "(僅供參考)")] for f in self.flips]
        moves = [[m.task, m.situation, m.old, m.new] for m in self.moves]
        return flips, moves

    def render_text(self) -> str:
        from tabulate import tabulate

        flips, moves = self._rows()
        out = [self.summary()]
        if flips:
            out += ["", tabulate(flips, _FLIP_HEADERS)]
        if moves:
            out += ["", tabulate(moves, _MOVE_HEADERS)]
        return "\n".join(out)

    def render_markdown(self) -> str:
        flips, moves = self._rows()
        out = ["## 影響評估", "", self.summary(), ""]
        if flips:
            out += ["| " + " | ".join(_FLIP_HEADERS) + " |", "|---|---|---|---|---|"]
            out += ["| " + " | ".join(r) + " |" for r in flips] + [""]
        if moves:
            out += ["| " + " | ".join(_MOVE_HEADERS) + " |", "|---|---|---|---|"]
            out += ["| " + " | ".join(r) + " |" for r in moves] + [""]
        return "\n".join(out)


_STATUS_ZH = {**STATUS_ZH, "absent": "(無此規則)"}
_FLIP_HEADERS = ["檢核規則", "條次", "對象", "現行", "修正後"]
_MOVE_HEADERS = ["工作項目", "情境", "現行", "修正後"]


def _label(answer) -> str:
    return answer.role + (f"({answer.person})" if answer.person else "")


def task_moves(old: Policy, new: Policy, roster, on: dt.date) -> list[TaskMove]:
    from ..people.responsibility import Situation, chain_for, who

    moves = []
    for name in [t for t in new.tasks if t in old.tasks]:
        chain = chain_for(new, new.tasks[name])
        situations = [("無人請假", frozenset())]
        if chain:
            situations.append((f"{chain.primary}不在", frozenset({chain.primary})))
        for label, absent in situations:
            a = _label(who(old, name, Situation(on, absent, roster)))
            b = _label(who(new, name, Situation(on, absent, roster)))
            if a != b:
                moves.append(TaskMove(name, label, a, b))
    return moves


def result_flips(old: Policy, new: Policy, records, on: dt.date) -> list[Flip]:
    from ..calendar import DateError, parse_date
    from ..evaluator.check import run_check, subject_day

    try:  # the amended text applies to subjects that begin on or after it is in force
        since = parse_date(new.in_force_since()) if new.in_force_since() != old.in_force_since() else None
    except DateError:
        since = None

    before = {(r.rule, _key(r.subject)): r for r in run_check(old, records, on, hypothetical=True).results}
    after = {(r.rule, _key(r.subject)): r for r in run_check(new, records, on, hypothetical=True).results}
    flips = []
    for key in list(after) + [k for k in before if k not in after]:
        a, b = before.get(key), after.get(key)
        sa, sb = (a.status if a else "absent"), (b.status if b else "absent")
        if sa != sb:
            r = b or a
            applies = since is None or subject_day(r, on) >= since
            flips.append(Flip(r.rule, r.citation, r.subject, sa, sb, applies))
    return flips


def _key(subject: dict) -> tuple:
    return tuple(sorted(subject.items()))


def impact_of(old: Policy, new: Policy, records_path, roster_path, on: dt.date) -> Impact:
    from ..people.roster import load_roster, roster_from_records

    records = None
    if records_path:
        from ..records import load_records

        records = load_records(records_path, new.records)
    roster = load_roster(roster_path, new) if roster_path else (
        roster_from_records(records, records_path) if records is not None else None)
    flips = result_flips(old, new, records, on) if records is not None else []
    moves = task_moves(old, new, roster, on)
    return Impact(tuple(flips), tuple(moves))
