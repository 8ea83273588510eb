"""The benchmark's correctness side, on the tiny preset (seconds, no timings): rulekit and the
hand-written baseline agree, the generator is deterministic, and the speed-ups (compiled-policy
cache, libyaml event reader, streamed JSON Lines) give the same answers as the plain paths."""
from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import baseline, generate  # noqa: E402
from benchmarks.compare import compare  # noqa: E402

POLICY = str(ROOT / "policy" / "regulation.yaml")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    data = generate.generate_data("tiny")
    paths = {"csv": root / "csv", "jsonl": root / "jsonl", "yaml": root / "tiny.yaml"}
    for fmt, path in paths.items():
        generate.WRITERS[fmt](data, str(path))
    return paths


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "yaml"])
def test_rulekit_and_the_baseline_agree(tiny, fmt):
    only_rulekit, only_baseline, n = compare(str(tiny[fmt]), generate.AS_OF, POLICY)
    assert not only_rulekit and not only_baseline
    assert n > 1000


def test_the_duckdb_sql_baseline_and_rulekit_on_duckdb_agree(tiny):
    """W7's second baseline (hand-written SQL) against rulekit on both engines, and rulekit on
    DuckDB against the hand-written Python baseline: the answers W7 times must be the same."""
    pytest.importorskip("duckdb")
    from benchmarks import duck_baseline

    for engine in ("python", "duckdb"):
        only_rulekit, only_baseline, n = compare(str(tiny["csv"]), generate.AS_OF, POLICY, engine, duck_baseline)
        assert not only_rulekit and not only_baseline and n > 1000
    only_rulekit, only_baseline, n = compare(str(tiny["csv"]), generate.AS_OF, POLICY, "duckdb")
    assert not only_rulekit and not only_baseline and n > 1000


@pytest.mark.parametrize("as_of", [generate.AS_OF, dt.date(2024, 9, 19)])  # the second: in windows, more pending
def test_the_duckdb_sql_baseline_gives_the_python_baselines_answers_rule_by_rule(tiny, as_of):
    pytest.importorskip("duckdb")
    from benchmarks import duck_baseline

    assert duck_baseline.RULES == baseline.RULES
    python, sql = Counter(baseline.run(str(tiny["csv"]), as_of)), Counter(duck_baseline.run(str(tiny["csv"]), as_of))
    for rule in baseline.RULES:
        ours = Counter({k: n for k, n in python.items() if k[0] == rule})
        theirs = Counter({k: n for k, n in sql.items() if k[0] == rule})
        assert ours, rule
        assert theirs == ours, (f"{rule}: only in the SQL {sorted(theirs - ours)[:3]}, "
                                f"only in Python {sorted(ours - theirs)[:3]}")


def test_every_rule_of_the_policy_is_in_the_baseline_and_fails_somewhere(tmp_path):
    from rulekit.policy import require_valid

    rules = {r.id for r in require_valid(POLICY).rules}
    assert set(baseline.RULES) <= rules
    generate.write_csv(generate.generate_data("school"), str(tmp_path))
    statuses = {}
    for rule, _, status in baseline.run(str(tmp_path), generate.AS_OF):
        statuses.setdefault(rule, set()).add(status)
    assert set(statuses) == set(baseline.RULES)
    never_fail = {"confirmation-state"}  # undecided answers are pending, then deemed confirmed
    assert [r for r in baseline.RULES if "fail" not in statuses[r] and r not in never_fail] == []


def _generate(tmp_path: Path, name: str, fmt: str, hashseed: str) -> Path:
    out = tmp_path / name
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--preset", "tiny",
                    "--format", fmt, "--out", str(out)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONHASHSEED": hashseed})
    return out


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "yaml"])
def test_the_generator_writes_the_same_bytes_for_the_same_arguments(tmp_path, fmt):
    a, b = _generate(tmp_path, "a", fmt, "1"), _generate(tmp_path, "b", fmt, "2")
    if fmt == "yaml":
        assert a.read_bytes() == b.read_bytes()
    else:
        names = sorted(os.listdir(a))
        assert names == sorted(os.listdir(b)) and len(names) == len(generate.FIELDS)
        match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
        assert mismatch == [] and errors == []


def test_another_seed_gives_other_data():
    one, two = generate.generate_data("tiny", 1), generate.generate_data("tiny", 2)
    assert one["students"] != two["students"]


def test_generated_national_ids_mostly_pass_the_checksum():
    from rulekit.personal import is_valid_national_id

    ids = [s["national_id"] for s in generate.generate_data("school")["students"]]
    valid = sum(map(is_valid_national_id, ids))
    assert len(set(ids)) == len(ids) and 0.97 * len(ids) < valid < len(ids)


# ------------------------------------------------------------------ the faster paths

def test_the_policy_cache_gives_the_same_policy_and_survives_corruption(tmp_path, monkeypatch, tiny):
    from rulekit.evaluator.check import run_check
    from rulekit.policy import cache
    from rulekit.policy.load import load_policy, require_valid
    from rulekit.records import load_records

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    fresh, fresh_history = load_policy(POLICY).policy, load_policy(POLICY).history
    first = require_valid(POLICY)  # a miss: loads the file and writes the entry
    entries = list((tmp_path / "rulekit").glob("policy-*.json"))
    assert len(entries) == 1
    cached = require_valid(POLICY)  # a hit
    assert cached is not first and cached == fresh
    records = load_records(str(tiny["csv"]))
    a = run_check(fresh, records, generate.AS_OF).results
    b = run_check(cached, records, generate.AS_OF).results
    assert a == b and [r.message for r in a] == [r.message for r in b]

    for damage in (b"{not json", b'{"format": 1, "key": "x"}', entries[0].read_bytes()[:5000], b""):
        entries[0].write_bytes(damage)
        assert require_valid(POLICY) == fresh
    data = json.loads(entries[0].read_text(encoding="utf-8"))
    del data["digest"]
    for name in ("os:system", "rulekit.policy.model:_", "rulekit.policy.cache:_Rules"):
        data["policy"]["@"] = name  # a class outside rulekit's listed dataclasses: never built,
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")  # even in an entry sealed for its key
        entries[0].write_bytes(cache._seal(data["key"], body))
        assert cache.load(data["key"]) is None
    data["policy"]["@"] = "rulekit.policy.model:PolicyHistory"
    entries[0].write_bytes(cache._seal(data["key"], json.dumps(data, ensure_ascii=False).encode("utf-8")))
    assert cache.load(data["key"]) == fresh_history  # the probe above: only the class made it a miss
    assert require_valid(POLICY) == fresh


def test_the_policy_cache_key_follows_the_file(tmp_path, monkeypatch):
    from rulekit.policy import cache

    raw = Path(POLICY).read_bytes()
    assert cache.key_of(POLICY, raw) == cache.key_of(POLICY, raw)
    assert cache.key_of(POLICY, raw) != cache.key_of(POLICY, raw + b"\n# edited\n")
    assert cache.key_of(POLICY, raw) != cache.key_of("other/" + POLICY, raw)
    monkeypatch.setenv("RULEKIT_NO_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.store(cache.key_of(POLICY, raw), object())
    assert not (tmp_path / "rulekit").exists()


def test_the_policy_cache_keeps_the_latest_entries(tmp_path, monkeypatch):
    from rulekit.policy import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    folder = tmp_path / "rulekit"
    folder.mkdir()
    for i in range(cache.KEEP + 5):
        (folder / f"policy-{i:040d}.json").write_text("{}")
        os.utime(folder / f"policy-{i:040d}.json", (1000 + i, 1000 + i))
    cache._prune(str(folder))
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == cache.KEEP and left[0] == f"policy-{5:040d}.json"


def test_the_yaml_event_reader_gives_what_the_full_loader_gives(tiny):
    from rulekit.records.yamlfast import fast_document
    from rulekit.sourceyaml import load_text

    text = tiny["yaml"].read_text(encoding="utf-8")
    fast, full = fast_document(text, "x.yaml"), load_text(text, "x.yaml", text_scalars=True)
    assert fast is not None and fast.data == full.data
    for path in [("students", 0), ("course_outcomes", 3), ("windows", 5)]:
        assert fast.span(path) == full.span(path)
    assert fast.span(("students", 2, "name")) == full.span(("students", 2, "name"))
    assert fast.span(("staff",), key=True) == full.span(("staff",), key=True)


@pytest.mark.parametrize("text", [
    "students:\n  - {id: S1, id: S2}\n",  # a repeated key
    "students:\n  - &a {id: S1}\n  - *a\n",  # anchors and aliases
    "students:\n  - !!str {id: S1}\n",  # a tag
    "students:\n  - {on: 1}\n",  # a key YAML 1.1 reads as true
    "students: [\n",  # a syntax error
    "a: 1\n---\nb: 2\n",  # two documents
])
def test_the_yaml_event_reader_leaves_anything_unusual_to_the_full_loader(text):
    from rulekit.records.yamlfast import fast_document

    assert fast_document(text, "x.yaml") is None


def test_streamed_json_lines_read_as_the_whole_file_does(tmp_path):
    from rulekit.records import load_records
    from rulekit.records.jsonfile import stream_lines

    lines = ['{"id":"T1","name":"陳","roles":["導師"],"status":"active"}', "",
             '{"id":"T2","name":"林","roles":[],"status":"active","name":"x"}',  # repeated key
             '{"id":"T3","name":"a:b","roles":["導師"],"status":"on_leave"}',
             '{"id":"T4", "name" : "王", "roles":["導師"], "status":"active"}']
    path = tmp_path / "staff.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(path, "rb") as fh:
        streamed = stream_lines(fh)
    assert [(n, v is None) for n, v, _ in streamed] == [(1, False), (3, True), (4, False), (5, False)]
    with pytest.raises(Exception) as err:
        load_records(str(path))
    assert "duplicate key" in str(err.value) and ":3:" in str(err.value)

    path.write_bytes(("\n".join([lines[0], lines[3]]) + "\u2028\n").encode("utf-8"))
    with open(path, "rb") as fh:
        assert stream_lines(fh) is None  # a break str.splitlines knows: read the whole file
    path.write_text("\n".join([lines[0], lines[3], lines[4]]) + "\n", encoding="utf-8")
    assert [r["id"] for r in load_records(str(path)).get("staff").rows] == ["T1", "T3", "T4"]


def test_results_keep_their_messages_and_values_when_made_lazily(tiny):
    from rulekit.evaluator.check import run_check
    from rulekit.policy import require_valid
    from rulekit.records import load_records

    report = run_check(require_valid(POLICY), load_records(str(tiny["csv"])), generate.AS_OF)
    certified = [r for r in report.results if r.rule == "course-outcome-certified"]
    assert {r.status for r in certified} >= {"pass", "fail", "pending"}
    one = next(r for r in certified if r.status == "pass")
    assert one.subject == {"outcome": one.subject["outcome"]} and one.message.startswith(one.subject["outcome"])
    assert set(one.values) >= {"window", "course", "in_time"} and one.values["in_time"] is True
    assert one == one and "course-outcome-certified" in repr(one)
    na = next(r for r in report.results if r.status == "not_applicable")
    assert na.values == {} and na.message
    assert dt.date.fromisoformat(report.as_of.isoformat()) == generate.AS_OF


def test_the_policy_cache_keeps_the_type_of_every_expression_node(tmp_path, monkeypatch):
    from rulekit.dsl.ast import walk
    from rulekit.evaluator.compile import compile_rule
    from rulekit.policy.load import load_policy, require_valid

    def typed_nodes(policy):
        out = []
        for rule in policy.rules:
            roots = [rule.where, rule.when, rule.assert_, rule.due] + [n for _, n in rule.lets]
            roots += [p for _, t in rule.messages for p in t.parts if not isinstance(p, str)]
            out += [(rule.id, node, node.type) for root in roots if root is not None for node in walk(root)]
        return out

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RULEKIT_NO_CACHE", raising=False)
    fresh = load_policy(POLICY).policy
    require_valid(POLICY)  # a miss: writes the entry
    cached = require_valid(POLICY)  # a hit: rebuilt from JSON
    expected = typed_nodes(fresh)
    assert expected and all(t is not None for _, _, t in expected)
    assert typed_nodes(cached) == expected  # nodes compare without types: the types are compared here
    for rule in cached.rules:
        compile_rule(rule)  # refuses any node without a type


def test_w6_times_every_rendering_of_the_tiny_preset(tiny):
    from benchmarks.__main__ import render_in_process

    notes = render_in_process(str(tiny["csv"]), runs=1)
    assert notes[0].startswith("W6 load + check") and len(notes) == 5
    assert all(" s = " in note and "of the load and check" in note for note in notes[1:])
