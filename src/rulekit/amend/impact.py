"""What an amendment changes for real people: results that flip, tasks that move.

Both versions are evaluated over the same records and roster; only differences
are reported. A task "moves" when, in the same situation, a different role or
person answers it: with nobody absent, and with its 承辦人 absent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..policy.model import Policy


@dataclass(frozen=True)
class Flip:
    rule: str
    citation: str
    subject: dict
    old: str  # status under the current text ("absent" if the rule did not exist)
    new: str

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
        newly_fail = sum(f.new == "fail" for f in self.flips)
        newly_pass = sum(f.new == "pass" for f in self.flips)
        tasks = len({m.task for m in self.moves})
        return (f"this amendment changes the outcome for {_n(self.students(), 'student')} "
                f"({_n(len(self.flips), 'result')}: {newly_fail} newly fail, {newly_pass} newly pass) "
                f"and {_n(tasks, 'task')}")

    def to_json(self) -> dict:
        return {"summary": self.summary(),
                "flips": [{"rule": f.rule, "citation": f.citation, "subject": f.subject, "old": f.old, "new": f.new}
                          for f in self.flips],
                "tasks": [{"task": m.task, "situation": m.situation, "old": m.old, "new": m.new} for m in self.moves]}

    def _rows(self):
        flips = [[f.rule, f.citation, f.subject_text(), f.old, f.new] for f in self.flips]
        moves = [[m.task, m.situation, m.old, m.new] for m in self.moves]
        return flips, moves

    def render_text(self) -> str:
        from tabulate import tabulate

        flips, moves = self._rows()
        out = [self.summary()]
        if flips:
            out += ["", tabulate(flips, ["rule", "citation", "subject", "現行", "修正後"])]
        if moves:
            out += ["", tabulate(moves, ["task", "situation", "現行", "修正後"])]
        return "\n".join(out)

    def render_markdown(self) -> str:
        flips, moves = self._rows()
        out = ["## 影響評估", "", self.summary(), ""]
        if flips:
            out += ["| rule | citation | subject | 現行 | 修正後 |", "|---|---|---|---|---|"]
            out += ["| " + " | ".join(r) + " |" for r in flips] + [""]
        if moves:
            out += ["| task | situation | 現行 | 修正後 |", "|---|---|---|---|"]
            out += ["| " + " | ".join(r) + " |" for r in moves] + [""]
        return "\n".join(out)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _label(answer) -> str:
    return answer.role + (f"({answer.person})" if answer.person else "")


def task_moves(old: Policy, new: Policy, roster, on: dt.date) -> list[TaskMove]:
    from ..people.responsibility import Situation, chain_for, who

    moves = []
    for name in [t for t in new.tasks if t in old.tasks]:
        chain = chain_for(new, new.tasks[name])
        situations = [("nobody absent", frozenset())]
        if chain:
            situations.append((f"{chain.primary} absent", frozenset({chain.primary})))
        for label, absent in situations:
            a = _label(who(old, name, Situation(on, absent, roster)))
            b = _label(who(new, name, Situation(on, absent, roster)))
            if a != b:
                moves.append(TaskMove(name, label, a, b))
    return moves


def result_flips(old: Policy, new: Policy, records, on: dt.date) -> list[Flip]:
    from ..evaluator.check import run_check

    before = {(r.rule, _key(r.subject)): r for r in run_check(old, records, on, hypothetical=True).results}
    after = {(r.rule, _key(r.subject)): r for r in run_check(new, records, on, hypothetical=True).results}
    flips = []
    for key in list(after) + [k for k in before if k not in after]:
        a, b = before.get(key), after.get(key)
        sa, sb = (a.status if a else "absent"), (b.status if b else "absent")
        if sa != sb:
            r = b or a
            flips.append(Flip(r.rule, r.citation, r.subject, sa, sb))
    return flips


def _key(subject: dict) -> tuple:
    return tuple(sorted(subject.items()))


def impact_of(old: Policy, new: Policy, records_path, roster_path, on: dt.date) -> Impact:
    from ..people.roster import load_roster, roster_from_records

    records = None
    if records_path:
        from ..records import load_records

        records = load_records(records_path)
    roster = load_roster(roster_path, new) if roster_path else (
        roster_from_records(records, records_path) if records is not None else None)
    flips = result_flips(old, new, records, on) if records is not None else []
    moves = task_moves(old, new, roster, on)
    return Impact(tuple(flips), tuple(moves))
