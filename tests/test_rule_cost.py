"""What a rule costs: validate warns about for_each products, check stops at its budget."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli import main
from rulekit.policy.validate import validate_paths

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (ROOT / "policy" / "regulation.yaml").read_text(encoding="utf-8")
ANCHOR = "  - id: course-outcome-quota\n"


def _policy(tmp_path: Path, for_each: str, where: str | None = None) -> tuple[str, int]:
    rule = ["  - id: probe", "    citation: 四.(三)", "    title: {zh: 探針, en: probe}", f"    for_each: {for_each}"]
    if where:
        rule.append(f"    where: {where}")
    rule += ["    assert: true", "", ""]
    assert ANCHOR in SHIPPED
    text = SHIPPED.replace(ANCHOR, "\n".join(rule) + ANCHOR, 1)
    path = tmp_path / "regulation.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path), text.split("\n").index(f"    for_each: {for_each}") + 1


# (for_each, where, warned?) -- the answer written by hand for each row
ROWS = [
    ("{s: students}", None, False),
    ("{s: students, semester: semesters}", None, False),
    ("{s: students, y: academic_years, semester: semesters}", None, False),
    ("{s: students, o: course_outcomes}", None, True),
    ("{s: students, o: course_outcomes}", "o.student == s.id", False),
    ("{s: students, o: course_outcomes}", "s.id == o.student and o.kind == \"書面報告\"", False),
    ("{s: students, o: course_outcomes}", "o.kind == \"書面報告\"", True),
    ("{s: students, o: course_outcomes}", "o.student != s.id", True),
    ("{s: students, o: course_outcomes}", "o.student == s.id or true", True),
    ("{s: students, o: course_outcomes, semester: semesters}", "o.student == s.id", False),
    ("{s: students, c: courses, o: course_outcomes}", "o.student == s.id and o.course == c.id", True),
    ("{s: students, c: courses, o: course_outcomes, m: meetings, t: staff}", None, True),
]


@pytest.mark.parametrize("for_each, where, warned", ROWS)
def test_validate_warns_about_a_for_each_product_unbounded_by_a_join(tmp_path, for_each, where, warned):
    path, line = _policy(tmp_path, for_each, where)
    report = validate_paths([path])
    found = [d for d in report.diagnostics if d.code == "unbounded-product"]
    assert not [d for d in report.diagnostics if d.is_error], report.diagnostics
    if not warned:
        assert found == []
        return
    [d] = found
    assert d.severity == "warning" and "rule probe" in d.message and d.field == "for_each"
    assert (d.span.file, d.span.line, d.span.column) == (path, line, len("    for_each: ") + 1)
    assert "count(o in course_outcomes where o.student == student.id)" in d.hint


def test_the_shipped_policy_has_no_unbounded_product():
    report = validate_paths([str(ROOT / "policy" / "regulation.yaml")])
    assert not [d for d in report.diagnostics if d.code == "unbounded-product"]


def _check(tmp_path, *extra):
    path, _ = _policy(tmp_path, "{s: students, c: courses, o: course_outcomes, m: meetings, t: staff}")
    result = CliRunner().invoke(main, ["check", str(ROOT / "examples" / "school"), "--policy", path, "--as-of",
                                       "2025-03-31", "--rule", "probe", *extra])
    return result


@pytest.mark.parametrize("limit", [0, 1, 1000, 5000])
def test_check_stops_past_max_results(tmp_path, limit):
    result = _check(tmp_path, "--max-results", str(limit))
    assert result.exit_code == 2
    assert f"error[check-stopped]: check stopped: more than {limit} results (--max-results) in rule probe" \
        in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_check_stops_after_max_seconds(tmp_path):
    result = _check(tmp_path, "--max-seconds", "0.5")
    assert result.exit_code == 2
    assert "error[check-stopped]: check stopped after " in result.output
    assert "(--max-seconds 0.5) in rule probe" in result.output


def test_a_budget_not_reached_changes_nothing(tmp_path):
    args = ["check", str(ROOT / "examples" / "school"), "--as-of", "2025-03-31", "--format", "json"]
    plain = CliRunner().invoke(main, args)
    limited = CliRunner().invoke(main, [*args, "--max-seconds", "600", "--max-results", "100000"])
    assert plain.exit_code == limited.exit_code == 1
    assert plain.output == limited.output
