"""Finding case files and reading them into `Case`s, every problem a located finding.

A problem in one case makes that case an error (it keeps its `diagnostics`); the
other cases of the file are still read.
"""
from __future__ import annotations

import os

from ..calendar import AcademicYear, DateError, Semester
from ..diagnostics import Diagnostic, RulekitError, Span, UsageError, did_you_mean, sort_key
from ..files import read_input
from ..policy.model import Policy
from ..sourceyaml import load_file
from .fields import FieldReader
from .model import (STATUS_ZH, STATUSES, Case, CaseFile, HandoverExpectation, ResultExpectation, Taker,
                    WhoExpectation)
from ..i18n import _

CASE_EXTENSIONS = (".yaml", ".yml")
FILE_KEYS = ("description", "defaults", "cases")
DEFAULT_KEYS = ("as_of", "records", "roster")
REFUSED = object()  # defaults.as_of was given but is not a date the policy can answer for
CASE_KEYS = ("name", "description", "as_of", "records", "roster", "expect")
EXPECT_KEYS = ("results", "who", "handover")
RESULT_KEYS = ("rule", "citation", "subject", "status", "message")
WHO_KEYS = ("task", "absent", "course", "date", "on", "role", "person", "via", "basis")
HANDOVER_KEYS = ("person", "date", "on", "tasks", "unassigned")
TAKER_KEYS = ("role", "person", "via")


# ------------------------------------------------------------------ finding case files

def case_files(paths) -> list[str]:
    """The case files named by `paths` (files, or folders searched for *.yaml / *.yml)."""
    out: list[str] = []
    for path in map(os.fspath, paths):
        if not os.path.exists(path):
            raise UsageError([Diagnostic("file-not-found", _("test cases {path} do not exist").format(path=path), Span(path),
                                         hint=_("give a case file or a folder of them (default policy/tests)"))])
        out.extend(_files_in(path) if os.path.isdir(path) else [path])
    if not out:
        raise UsageError([Diagnostic("no-cases", _("no case files (*.yaml) in {paths}").format(paths=', '.join(map(str, paths))),
                                     Span(str(paths[0]) if paths else "<command line>"),
                                     hint=_("write one as docs/policy-tests.md shows"))])
    return list(dict.fromkeys(out))


def _files_in(folder: str) -> list[str]:
    return sorted(os.path.join(root, f) for root, __, files in os.walk(folder) for f in files
                  if f.lower().endswith(CASE_EXTENSIONS) and not f.startswith("."))


def load_case_file(path: str, policy: Policy) -> CaseFile:
    """Read and check one case file; never raises for a file that is merely wrong."""
    try:
        doc = load_file(path)
    except UsageError:
        raise
    except RulekitError as exc:
        return CaseFile(path, (), exc.diagnostics, lines_of(path))
    return CaseReader(doc, policy).read()


def load_cases(paths, policy: Policy) -> tuple[list[CaseFile], list[str]]:
    files = case_files(paths)
    return [load_case_file(f, policy) for f in files], files


def lines_of(path: str) -> tuple:
    try:
        return tuple(read_input(path, _("case file")).decode("utf-8-sig").splitlines())
    except (OSError, UnicodeDecodeError, RulekitError):
        return ()


# ------------------------------------------------------------------ reading one file

class CaseReader(FieldReader):
    """Checks the shape of one case file against the format and the policy, collecting findings."""

    def read(self) -> CaseFile:
        data = self.doc.data
        if not self.mapping(data, (), _("a case file"), FILE_KEYS, required=("cases",)):
            return CaseFile(self.doc.path, (), tuple(self.diags), self.doc.lines)
        defaults = self.defaults(data)
        items = data.get("cases")
        if items is not None and not isinstance(items, list):
            self.wrong_shape(items, ("cases",), _("cases must be a list"), hint=_("write each case as an item: - name: ..."))
            items = []
        file_diags = tuple(self.diags)  # problems of the file as a whole
        seen: dict[str, int] = {}
        cases = tuple(self.case(item, ("cases", i), defaults, seen) for i, item in enumerate(items or ()))
        return CaseFile(self.doc.path, cases, file_diags, self.doc.lines)

    def defaults(self, data) -> tuple:
        """(as_of, records, roster) of `defaults:`, each None when not given."""
        defaults = data.get("defaults")
        if "defaults" not in data or not self.mapping(defaults, ("defaults",), "defaults", DEFAULT_KEYS):
            return None, None, None
        as_of = self.date(defaults.get("as_of"), ("defaults", "as_of"), "defaults.as_of")
        if as_of is None and defaults.get("as_of") is not None:
            as_of = REFUSED  # its own finding says why; the cases that use it must not run on another day
        return (as_of,
                self.source(defaults.get("records"), ("defaults", "records"), "records"),
                self.source(defaults.get("roster"), ("defaults", "roster"), "roster"))

    def case(self, item, path, defaults, seen) -> Case:
        self.diags = []
        span = self.span(path)
        if not self.mapping(item, path, "a case", CASE_KEYS, required=("name", "expect")):
            return Case(f"case {path[-1] + 1}", self.doc.path, span, diagnostics=self.findings())
        d_as_of, d_records, d_roster = defaults
        name = self.case_name(item, path, span, seen)
        as_of = self.date(item.get("as_of"), path + ("as_of",), "as_of") if "as_of" in item else d_as_of
        given = "as_of" in item and item.get("as_of") is not None  # a refused date has its own finding
        if as_of is REFUSED:
            self.error("refused-default", _("defaults.as_of was refused (see its finding), so this case has no date"),
                       path, hint=_("correct defaults.as_of, or give this case its own as_of"))
            as_of, given = None, True
        records = tuple(s for s in (d_records, self.source(item.get("records"), path + ("records",), "records"))
                        if s is not None)
        roster = self.source(item.get("roster"), path + ("roster",), "roster") or d_roster
        results, whos, handovers = self.expectations(item.get("expect"), path + ("expect",))
        if results and as_of is None and not given:
            self.error("missing-key", _("a case with expected results needs `as_of` (the date they are checked on)"),
                       path, hint=_('add as_of: "114.02.15" to the case or to defaults'))
        return Case(name, self.doc.path, span, as_of, records, roster, results, whos, handovers, self.findings(),
                    self.doc)

    def findings(self) -> tuple:
        return tuple(sorted(self.diags, key=sort_key))

    def case_name(self, item, path, span: Span, seen: dict) -> str:
        name = self.text(item.get("name"), path + ("name",), "name") or f"case {path[-1] + 1}"
        if name in seen:
            self.error("duplicate-case", _("a case named {name} is already at line {name2}").format(name=name, name2=seen[name]), path + ("name",),
                       hint=_("give each case of a file its own name"))
        seen.setdefault(name, span.line)
        return name

    def expectations(self, expect, path) -> tuple[tuple, tuple, tuple]:
        """The results, who and handover expectations under `expect:`."""
        if expect is None or not self.mapping(expect, path, "expect", EXPECT_KEYS):
            return (), (), ()
        readers = {"results": self.result, "who": self.who, "handover": self.handover}
        found = tuple(tuple(self.entries(expect.get(kind), path + (kind,), f"expect.{kind}", readers[kind]))
                      for kind in EXPECT_KEYS)
        if not any(expect.get(k) for k in EXPECT_KEYS) and not self.diags:
            self.error("no-expectation", _("expect has no expectation"), path,
                       hint=_("add results:, who: or handover: entries"))
        return found

    def entries(self, entries, path, what: str, reader):
        if entries is None:
            return
        if not isinstance(entries, list):
            self.wrong_shape(entries, path, _("{what} must be a list").format(what=what), hint=_("write each expectation as an item: - ..."))
            return
        for j, entry in enumerate(entries):
            got = reader(entry, path + (j,))
            if got is not None:
                yield got

    # ---- results
    def result(self, entry, path) -> ResultExpectation | None:
        before = len(self.diags)
        if not self.mapping(entry, path, _("an expected result"), RESULT_KEYS, required=("status",)):
            return None
        rule_id = self.rule(entry, path)
        citation = self.citation(entry.get("citation"), path + ("citation",)) if "citation" in entry else None
        candidates = self.candidates(entry, path, rule_id, citation)
        if candidates is None:
            return None
        status = self.status(entry.get("status"), path + ("status",))
        subject = self.subject(entry.get("subject"), path + ("subject",), candidates)
        message = self.text(entry.get("message"), path + ("message",), "message")
        if len(self.diags) > before or status is None:
            return None
        variables = {k for k, __ in subject}
        fitting = tuple(r.id for r in candidates if variables <= {v for v, __ in r.for_each})
        return ResultExpectation(self.span(path), rule_id, citation, subject, status, message, fitting)

    def rule(self, entry, path) -> str | None:
        rule_id = self.text(entry.get("rule"), path + ("rule",), "rule")
        if rule_id is None or rule_id in self.rules:
            return rule_id
        cited = [r.id for r in self.rules.values() if r.citation == entry.get("citation")]
        self.error("unknown-rule", _("unknown rule {rule_id}").format(rule_id=rule_id), path + ("rule",),
                   hint=did_you_mean(rule_id, self.rules) or
                   (_("rules of that article: ") + ", ".join(cited) if cited else
                    _("rule ids are the `id:` of the entries under `rules:` in the policy")))
        return None

    def candidates(self, entry, path, rule_id, citation) -> list | None:
        """The rules an expected result can be about; None (and a finding) if there are none."""
        if rule_id is None and citation is None:
            if "rule" not in entry and "citation" not in entry:
                ex = self.examples
                self.error("missing-key", _("an expected result needs `rule` or `citation`"), path,
                           hint=_("rule: {rule}, or citation: {citation} for any rule of that article").format(rule=ex.rule, citation=ex.citation))
            return None
        if rule_id and citation and self.rules[rule_id].citation != citation:
            self.error("citation-mismatch", _("rule {rule_id} cites {citation}, not {citation2}").format(rule_id=rule_id, citation=self.rules[rule_id].citation, citation2=citation),
                       path + ("citation",), hint=_("write citation: {citation}, or leave it out").format(citation=self.rules[rule_id].citation))
            return None
        if rule_id:
            return [self.rules[rule_id]]
        found = [r for r in self.rules.values() if r.citation == citation]
        if not found:
            with_rules = sorted({r.citation for r in self.rules.values()})
            self.error("no-rule", _("no rule cites {citation}").format(citation=citation), path + ("citation",),
                       hint=_("articles with rules: ") + "、".join(with_rules))
            return None
        return found

    def status(self, value, path) -> str | None:
        status = self.text(value, path, "status")
        if status is not None and status not in STATUSES:
            zh = {v: k for k, v in STATUS_ZH.items()}
            self.error("unknown-status", _("unknown status {status}").format(status=status), path,
                       hint=(f"write {zh[status]}" if status in zh else did_you_mean(status, STATUSES))
                       or _("status: pass, fail, pending or not_applicable"))
        return status

    def subject(self, value, path, candidates) -> tuple:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.wrong_shape(value, path, _("subject must be a mapping"),
                             hint=_("e.g. subject: {student: S001, semester: 113-1}"))
            return ()
        kinds: dict[str, set] = {}
        for rule in candidates:
            for var, collection in rule.for_each:
                kinds.setdefault(var, set()).add(collection)
        out = []
        for var, raw in value.items():
            if var not in kinds:
                self.error("unknown-subject", _("{var} is not a subject of ").format(var=var)
                           + (candidates[0].id if len(candidates) == 1 else _("the rules of that article")),
                           path + (var,), key=True,
                           hint=did_you_mean(var, kinds) or f"subjects: {', '.join(sorted(kinds))}")
                continue
            text = self.subject_value(raw, path + (var,), var, kinds[var])
            if text is not None:
                out.append((var, text))
        return tuple(out)

    def subject_value(self, raw, path, var: str, collections: set) -> str | None:
        """A subject's value; semesters and school years normalised (`113-1`)."""
        text = self.text(raw, path, var)
        if text is None:
            return None
        try:
            if collections == {"semesters"}:
                return Semester.parse(text).id
            if collections == {"academic_years"}:
                return AcademicYear.parse(text).id
        except DateError as exc:
            self.error("bad-date", f"{var}: {exc.message}", path, hint=exc.hint)
            return None
        return text

    # ---- who
    def who(self, entry, path) -> WhoExpectation | None:
        before = len(self.diags)
        if not self.mapping(entry, path, _("a who expectation"), WHO_KEYS, required=("task",)):
            return None
        task = self.task(entry.get("task"), path + ("task",))
        absent = tuple((name, self.span(p))
                       for name, p in self.texts(entry.get("absent"), path + ("absent",), "absent"))
        course = self.text(entry.get("course"), path + ("course",), "course")
        on = self.when(entry, path)
        role = self.party(entry.get("role"), path + ("role",), "role")
        person = self.text(entry.get("person"), path + ("person",), "person")
        via = self.via(entry.get("via"), path + ("via",))
        basis = tuple(c for c, p in self.texts(entry.get("basis"), path + ("basis",), "basis")
                      if self.citation(c, p))
        if not any(k in entry for k in ("role", "person", "via", "basis")):
            ex = self.examples
            self.error("missing-key", _("a who expectation needs the answer: `role`, `person`, `via` or `basis`"), path,
                       hint=_("e.g. {{task: {task}, absent: [{primary}], role: {substitute}, via: substitute}}").format(task=ex.task, primary=ex.primary, substitute=ex.substitute))
        if len(self.diags) > before or task is None:
            return None
        return WhoExpectation(self.span(path), task, absent, course,
                              self.span(path + ("course",)) if course else None, on, role, person, via, basis)

    # ---- handover
    def handover(self, entry, path) -> HandoverExpectation | None:
        before = len(self.diags)
        if not self.mapping(entry, path, _("a handover expectation"), HANDOVER_KEYS, required=("person",)):
            return None
        person = self.text(entry.get("person"), path + ("person",), "person")
        on = self.when(entry, path)
        tasks = self.handover_tasks(entry.get("tasks"), path + ("tasks",))
        unassigned = self.unassigned(entry.get("unassigned"), path + ("unassigned",)) if "unassigned" in entry else None
        if "tasks" not in entry and "unassigned" not in entry:
            ex = self.examples
            self.error("missing-key", _("a handover expectation needs `tasks` or `unassigned`"), path,
                       hint=_("e.g. {{person: T010, tasks: {{{task}: {substitute}}}, unassigned: []}}").format(task=ex.task, substitute=ex.substitute))
        if len(self.diags) > before or person is None:
            return None
        return HandoverExpectation(self.span(path), person, self.span(path + ("person",)), on, tasks, unassigned)

    def handover_tasks(self, value, path) -> tuple:
        """(task, Taker, span) for each entry of `tasks:`."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.wrong_shape(value, path, _("tasks must be a mapping of task: who takes it over"),
                             hint=_("e.g. tasks: {{{task}: {substitute}}}").format(task=self.examples.task, substitute=self.examples.substitute))
            return ()
        tasks = []
        for name, taker in value.items():
            task = self.task(name, path + (name,))
            got = self.taker(taker, path + (name,))
            if task and got:
                tasks.append((task, got, self.span(path + (name,))))
        return tuple(tasks)

    def unassigned(self, value, path) -> tuple | None:
        if value is not None and not isinstance(value, list):
            self.wrong_shape(value, path, _("unassigned must be a list of tasks"),
                             hint=_("e.g. unassigned: [] or unassigned: [{task}]").format(task=self.examples.task))
            return None
        return tuple(t for i, v in enumerate(value or ()) if (t := self.task(v, path + (i,))))

    def taker(self, value, path) -> Taker | None:
        if not isinstance(value, dict):
            role = self.party(value, path, "role")
            return Taker(role) if role else None
        if not self.mapping(value, path, _("who takes over"), TAKER_KEYS):
            return None
        role = self.party(value.get("role"), path + ("role",), "role")
        person = self.text(value.get("person"), path + ("person",), "person")
        via = self.via(value.get("via"), path + ("via",))
        if not (role or person or via):
            self.error("missing-key", _("say who takes over: role, person or via"), path)
            return None
        return Taker(role, person, via)
