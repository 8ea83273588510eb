"""Fuzzing `rulekit validate`: whatever an editor does to the policy, the answer is findings.

Two kinds of damage are applied to the shipped `policy/regulation.yaml`:

- to its data (deleted and renamed keys, values of the wrong type, random strings,
  numbers, lists and nulls, duplicated, shuffled and truncated lists), dumped back to
  YAML with `yaml.safe_dump`;
- to its text (random characters and bytes inserted, lines deleted or duplicated).

`validate_paths` must return a `Report` of `Diagnostic`s, and `rulekit validate`
must exit 0, 1 or 2 and never print a traceback or an internal error.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.cli import main
from rulekit.diagnostics import Diagnostic, render_all, to_json
from rulekit.sourceyaml import load_file
from rulekit.policy.validate import Report, validate_paths

SHIPPED = Path(__file__).resolve().parents[1] / "policy" / "regulation.yaml"
DATA = load_file(str(SHIPPED)).data
TEXT = SHIPPED.read_text(encoding="utf-8")

# Words the policy uses, so that renamed keys and inserted values are often *almost* right.
# (`rules` is left out: the rules DSL has its own tests.)
VOCABULARY = sorted({
    "format", "metadata", "amendments", "organization", "working_group", "articles", "duty_table",
    "substitutes", "tasks", "parameters", "offices", "sections", "roles", "bodies", "en", "unit", "office",
    "held_by", "citation", "per", "external", "collective", "seats", "seat", "role", "size", "convener",
    "executive_secretary", "meeting_frequency", "id", "heading", "text", "items", "rows", "category",
    "content", "work_item", "administration", "parts", "remarks", "illegible", "chains",
    "teacher_provisions", "student_provision", "cannot_assist", "can_assist", "effect", "task",
    "responsible", "applies_to", "aliases", "stated_in", "parties", "scope", "type", "value", "times",
    "bound", "quote", "also_cited", "subject", "date", "kind", "note", "count", "duration", "frequency",
    "at_most", "at_least", "exactly", "before", "semester", "academic_year", "days", "weeks",
    "註冊組長", "教務主任", "任課教師", "教學組長", "課程認證", "課程成果", "註冊組", "教務處", "學生",
    "工作小組", "四.(三)", "四.(三).1", "四.段2", "附表", "附表.8", "七.(一)", "七.(二).1", "113.01.19",
    "113.02.30", "108.01.18", "rulekit/policy@1",
})

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**6, max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(VOCABULARY),
    st.text(max_size=20),
    st.text(alphabet="四三七附表段.()123456789一二:-&*!%@`|>{}[],#\t ", max_size=12),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(VOCABULARY), st.text(min_size=1, max_size=8)), inner, max_size=4),
), max_leaves=8)
KEYS = st.one_of(st.sampled_from(VOCABULARY), st.text(min_size=1, max_size=10), st.integers(-5, 50))

MUTATIONS = ("delete", "replace", "retype", "rename", "insert", "duplicate", "shuffle", "truncate")


def _containers(data, path=()):
    """(path, container) for every dict and list in `data`."""
    if isinstance(data, (dict, list)):
        yield path, data
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for k, v in items:
            yield from _containers(v, path + (k,))


def _retyped(value):
    """The same content in another YAML type: "6" for 6, [x] for x, {x: ...} for a list ..."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)} if value else None
    if isinstance(value, dict):
        return list(value.values())
    return 0


def mutate(data, draw) -> None:
    """Apply one random mutation in place to a random container of `data`."""
    containers = list(_containers(data))
    _, target = draw(st.sampled_from(containers))
    op = draw(st.sampled_from(MUTATIONS))
    if isinstance(target, dict):
        keys = list(target)
        if op in ("insert", "duplicate") or not keys:
            target[draw(KEYS)] = draw(VALUES)
            return
        key = draw(st.sampled_from(keys))
        if op == "delete":
            del target[key]
        elif op == "replace":
            target[key] = draw(VALUES)
        elif op == "retype":
            target[key] = _retyped(target[key])
        elif op == "rename":
            target[draw(KEYS)] = target.pop(key)
        elif op == "shuffle":  # reorder the keys
            items = list(target.items())
            random.Random(draw(st.integers(0, 2**16))).shuffle(items)
            target.clear()
            target.update(items)
        elif op == "truncate":
            for k in keys[draw(st.integers(0, len(keys))):]:
                del target[k]
        return
    # a list
    if op == "insert" or not target:
        target.insert(draw(st.integers(0, len(target))), draw(VALUES))
        return
    i = draw(st.integers(0, len(target) - 1))
    if op == "delete":
        del target[i]
    elif op == "replace":
        target[i] = draw(VALUES)
    elif op in ("retype", "rename"):
        target[i] = _retyped(target[i])
    elif op == "duplicate":
        target.insert(i, yaml.safe_load(yaml.safe_dump(target[i], allow_unicode=True)))
    elif op == "shuffle":
        random.Random(draw(st.integers(0, 2**16))).shuffle(target)
    elif op == "truncate":
        del target[draw(st.integers(0, len(target))):]


def safe_dump(data) -> str:
    """yaml.safe_dump(allow_unicode=True), with libyaml's emitter when there is one (3x faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False)


def _copy(data):
    return json.loads(json.dumps(data, ensure_ascii=False))


def _check_report(report) -> None:
    assert isinstance(report, Report)
    assert all(isinstance(d, Diagnostic) for d in report.diagnostics)
    assert all(d.severity in ("error", "warning") and d.code and d.message for d in report.diagnostics)
    assert report.exit_code() in (0, 1)
    json.loads(to_json(report.diagnostics))
    render_all(report.diagnostics, report.sources)


def _cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.data())
def test_mutated_policy_data_gives_findings(workdir, data):
    policy = _copy(DATA)
    for _ in range(data.draw(st.integers(1, 5), label="mutations")):
        mutate(policy, data.draw)
    text = safe_dump(policy)
    path = workdir / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    report = validate_paths([str(path)])
    _check_report(report)
    result = _cli("validate", "--format", "json", str(path))
    assert result.exit_code == report.exit_code()
    assert json.loads(result.stdout) == [d.to_json() for d in report.diagnostics]


NOISE = st.one_of(
    st.sampled_from(["\t", ":", ": ", "-", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:x ", "!x ",
                     "<<: ", "%YAML 1.1\n", "---\n", "...\n", "'", '"', "#", "|", ">", "?", "\n", "  ", "\ufeff",
                     "\x00", "\x85", "\u2028", "\x1b", "課程認證: [任課教師]\n"]),
    st.text(min_size=1, max_size=6),
)


@FUZZ
@given(st.data())
def test_mutated_policy_text_gives_findings(workdir, data):
    text = TEXT
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        kind = data.draw(st.sampled_from(["insert", "delete-line", "duplicate-line", "cut"]))
        if kind == "insert":
            at = data.draw(st.integers(0, len(text)))
            text = text[:at] + data.draw(NOISE) + text[at:]
        else:
            lines = text.split("\n")
            i = data.draw(st.integers(0, len(lines) - 1))
            if kind == "delete-line":
                del lines[i]
            elif kind == "duplicate-line":
                lines.insert(i, lines[i])
            else:
                lines = lines[:i]
            text = "\n".join(lines)
    raw = text.encode("utf-8", "surrogatepass")
    if data.draw(st.booleans()):  # and some bytes that are not UTF-8 at all
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    path = workdir / "mutated-text.yaml"
    path.write_bytes(raw)
    report = validate_paths([str(path)])
    _check_report(report)
    assert _cli("validate", str(path)).exit_code == report.exit_code()
