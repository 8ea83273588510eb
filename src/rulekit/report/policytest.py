"""A policy test run as text (like pytest), JSON, JUnit XML or GitHub annotations."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

from ..diagnostics import display_width, render_all
from .diff_words import UNIT_ZH
from .github import annotation, diagnostic_annotation, repo_path
from ..i18n import _


def _verdict_lines(v, indent: str = "    ") -> list[str]:
    out = [f"  {v.span.file}:{v.span.line}: {v.label}"]
    if v.citation:
        out.append(f"{indent}article  [{v.citation}] {v.article}")
    out.append(f"{indent}expected {v.expected}")
    out.append(f"{indent}actual   {v.actual}")
    out.extend(f"{indent}note     {n}" for n in v.notes)
    return out


def failure_text(result, sources=None) -> str:
    lines = [f"{result.file}:{result.line}: {result.name}"]
    for v in result.failures:
        lines.extend(_verdict_lines(v))
    if result.diagnostics:
        lines.append(render_all(result.diagnostics, sources))
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def render_coverage(cov, chain_citation: str = "") -> list[str]:
    """Coverage in words; `chain_citation` is where the policy lists its substitute chains."""
    rules, cites, chains = cov.rules, cov.citations, cov.chains
    done = len(rules) - len(cov.untested_rules)
    out = ["", "coverage", _("  rules: {done}/{rules} exercised by a case").format(done=done, rules=len(rules))]
    width = max((display_width(r) for r in rules), default=0)
    cwidth = max((display_width(i["citation"]) for i in rules.values()), default=0)
    for rid, info in rules.items():
        statuses = ", ".join(info["statuses"]) or "—"
        out.append(f"    {_pad(rid, width)}  {_pad(info['citation'], cwidth)}  {_pad(statuses, 30)} "
                   f"{info['cases']} case(s)")
    out.append(_("  citations: {unexercised_citations}/{cites} exercised").format(unexercised_citations=len(cites) - len(cov.unexercised_citations), cites=len(cites)))
    both = [t for t, n in chains.items() if n["present"] and n["absent"]]
    where = f" ({chain_citation})" if chain_citation else ""
    out.append(_("  substitute chains{where}: {both}/{chains} with the 承辦人 present and absent").format(where=where, both=len(both), chains=len(chains)))
    twidth = max((display_width(t) for t in chains), default=0)
    for task, n in chains.items():
        out.append(_("    {twidth}  present {present}  absent {absent}").format(twidth=_pad(task, twidth), present=n['present'], absent=n['absent']))
    missing = []
    if cov.untested_rules:
        missing.append("rules " + ", ".join(cov.untested_rules))
    if cov.unexercised_citations:
        missing.append("citations " + "、".join(cov.unexercised_citations))
    half = [f"{t} ({'absent' if n['present'] else 'present'})" for t, n in chains.items()
            if not (n["present"] and n["absent"])]
    if half:
        missing.append("chains " + "、".join(half))
    out.append(_("  not exercised: ") + ("; ".join(missing) if missing else _("none")))
    return out


def render_text(run, verbose: bool = False, coverage: bool = False) -> str:
    out = [_("rulekit test: {results} cases from {files} files, policy {path}").format(results=len(run.results), files=len(run.files), path=run.policy.path)]
    by_file: dict[str, list] = {}
    for r in run.results:
        by_file.setdefault(r.file, []).append(r)
    marks = {"passed": ".", "failed": "F", "error": "E"}
    for file, results in by_file.items():
        if verbose:
            for r in results:
                out.append(f"{file}:{r.line}: {r.name} {r.status.upper()}")
        else:
            out.append(f"{file} {''.join(marks[r.status] for r in results)}")
    bad = [r for r in run.results if r.status != "passed"]
    if bad:
        out += ["", " FAILURES ".center(72, "=")]
        for r in bad:
            out += [f" {r.name} ".center(72, "_"), failure_text(r, run.sources), ""]
    if coverage:
        subs = run.policy.substitutes
        out += render_coverage(run.coverage(), subs.citation if subs else "")
    out += ["", _("ran {results} cases in {duration:.2f}s").format(results=len(run.results), duration=run.duration), run.summary_line()]
    return "\n".join(out)


# ------------------------------------------------------------------ JSON, JUnit, GitHub

def render_json(run, coverage: bool = False) -> str:
    errors = sum(r.status == "error" for r in run.results)
    data = {"policy": run.policy.path, "files": list(run.files),
            "summary": {"cases": len(run.results), "passed": run.passed, "failed": run.failed,
                        "errors": errors, "duration": round(run.duration, 3)},
            "cases": [r.to_json() for r in run.results]}
    if coverage:
        data["coverage"] = run.coverage().to_json()
    return json.dumps(data, ensure_ascii=False, indent=2)


def _classname(file: str) -> str:
    stem = os.path.splitext(repo_path(file))[0]
    return stem.replace("/", ".").replace("\\", ".").lstrip(".")


def render_junit(run) -> str:
    suites = ET.Element("testsuites", name="rulekit test")
    by_file: dict[str, list] = {}
    for r in run.results:
        by_file.setdefault(r.file, []).append(r)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    total_time = 0.0
    for file, results in by_file.items():
        failures = sum(r.status == "failed" for r in results)
        errors = sum(r.status == "error" for r in results)
        elapsed = sum(r.duration for r in results)
        suite = ET.SubElement(suites, "testsuite", name=repo_path(file), tests=str(len(results)),
                              failures=str(failures), errors=str(errors), skipped="0", time=f"{elapsed:.3f}")
        for r in results:
            case = ET.SubElement(suite, "testcase", name=r.name, classname=_classname(file),
                                 time=f"{r.duration:.3f}", file=repo_path(file), line=str(r.line))
            if r.status == "failed":
                first = r.failures[0]
                el = ET.SubElement(case, "failure", type="expectation",
                                   message=_("{label}: expected {expected}, actual {actual}").format(label=first.label, expected=first.expected, actual=first.actual))
                el.text = failure_text(r)
            elif r.status == "error":
                first = r.diagnostics[0]
                el = ET.SubElement(case, "error", type=first.code, message=first.headline())
                el.text = failure_text(r, run.sources)
        totals["tests"] += len(results)
        totals["failures"] += failures
        totals["errors"] += errors
        total_time += elapsed
    for k, v in totals.items():
        suites.set(k, str(v))
    suites.set("time", f"{total_time:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def render_github(run, coverage: bool = False) -> str:
    out = []
    for r in run.results:
        title = _("rulekit test: {name}").format(name=r.name)
        for v in r.failures:
            message = (f"{v.label}\n" + (f"[{v.citation}] {v.article}\n" if v.citation else "")
                       + _("expected: {expected}\nactual: {actual}").format(expected=v.expected, actual=v.actual)
                       + "".join(f"\n{n}" for n in v.notes))
            out.append(annotation("error", message, v.span.file or r.file, v.span.line or r.line, title=title))
        for d in r.diagnostics:
            out.append(diagnostic_annotation(d, title))
    out.append(render_text(run, coverage=coverage))
    return "\n".join(out)


def render_changes(changes) -> str:
    """`rulekit test --changed-since`: per amended limit, which cases test the old and the new value."""
    if not changes:
        return _("\nno quota or period was amended in that time")
    out = []
    for change, before, after in changes:
        unit = UNIT_ZH.get(change.unit, change.unit)
        out += ["", f"{change.since} {change.label} ({change.parameter}): {change.old} → {change.new} {unit}"
                    f" — rules: {', '.join(change.rules) or '(none)'}"]
        out += [_("  old value {old}: {file}:{line} {name}").format(old=change.old, file=c.file, line=c.span.line, name=c.name) for c in before]
        out += [_("  new value {new}: {file}:{line} {name}").format(new=change.new, file=c.file, line=c.span.line, name=c.name) for c in after]
        if not after:
            out.append(_("  no case tests the new value {new}: add cases at it and one past it").format(new=change.new))
    return "\n".join(out)
