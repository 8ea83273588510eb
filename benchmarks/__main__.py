"""python -m benchmarks [--preset school|city|tiny] [--runs 5] [--workloads W1,W2,W3,W4,W5]

Workloads (whole-process timings run each command as a fresh process, rulekit
and its reference interleaved A/B/A/B..., after one untimed warm-up run of
each; the table shows medians, and the peak RSS of the rulekit process):

  W1  rulekit check on the preset's records (CSV folder, YAML file) vs benchmarks/baseline.py
  W2  rulekit check on the city preset (JSON Lines) vs the baseline (the tiny preset's with --preset tiny)
  W3  rulekit who 課程認證 vs `python -c pass`; and in-process p50 of 1,000 who() queries
  W4  rulekit validate (and rulekit test, where that command exists) of the shipped policy
  W5  rulekit diff policy/regulation.yaml examples/amendment/regulation.yaml --records <preset CSV>
  W6  in-process: loading the preset's CSV records and checking them, against rendering the
      report: the default table (summary, 20 rows per article), the table with --all, and
      the report.xlsx workbook, without and with --all (medians of --runs renderings)
  W8  which engine at which size (for --engine auto): rulekit check --engine python and
      --engine duckdb on the tiny, school, district and city presets' CSV (each preset's bytes
      on disk beside its times); the smallest size where DuckDB wins is the crossover
  W7  engines, on the preset's CSV: the hand-written Python baseline, the hand-written DuckDB SQL
      baseline (benchmarks/duck_baseline.py, all rules) and rulekit check --engine python|duckdb
      (|spark with --spark), each on the same data; answers asserted identical first

Before timing, W1/W2 check that rulekit and the baseline give identical
(rule, subject, status) results (benchmarks/compare.py). Generated data is kept
under $RULEKIT_BENCH_DATA (default: <tmp>/rulekit-bench) and regenerated when
benchmarks/generate.py changes. Subprocesses get PYTHONPATH=<repo>/src, so the
working tree's rulekit is measured, and their own XDG_CACHE_HOME (warm after
the warm-up run: the compiled-policy cache is in use, as for a user), and read
compiled modules (their bytecode under $RULEKIT_BENCH_DATA/pycache, also made by the
warm-up run), as an installed rulekit does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "src"))  # measure and verify the working tree's rulekit

from . import generate  # noqa: E402
from .compare import compare  # noqa: E402
PY = sys.executable
# Peak RSS: ru_maxrss of a child also counts the parent's memory it was forked with, so each
# measured process reports its own high-water mark (VmHWM, reset by exec) when it exits.
HWM = ("import atexit, os\n"
       "def _hwm(path=os.environ.get('RULEKIT_BENCH_HWM')):\n"
       "    if path:\n"
       "        with open('/proc/self/status') as f, open(path, 'w') as out:\n"
       "            out.write(next((l.split()[1] for l in f if l.startswith('VmHWM:')), '0'))\n"
       "atexit.register(_hwm)\n")
RULEKIT = [PY, "-c", HWM + "from rulekit.cli import main; main()"]
BASELINE = [PY, "-c", HWM + "import runpy, sys; sys.argv = sys.argv[1:]; "
            "runpy.run_path(sys.argv[0], run_name='__main__')", os.path.join(REPO, "benchmarks", "baseline.py")]
DUCK_BASELINE = BASELINE[:-1] + [os.path.join(REPO, "benchmarks", "duck_baseline.py")]
PASS = [PY, "-c", HWM + "pass"]
AS_OF = generate.AS_OF.isoformat()
FORMAT_PATHS = {"csv": "{p}-csv", "jsonl": "{p}-jsonl", "yaml": "{p}.yaml"}


def data_root() -> str:
    return os.environ.get("RULEKIT_BENCH_DATA") or os.path.join(tempfile.gettempdir(), "rulekit-bench")


def dataset(preset: str, fmt: str) -> tuple[str, int]:
    """The path of the preset's records in `fmt` (generated when missing or stale), and their count."""
    with open(generate.__file__, "rb") as fh:
        stamp = hashlib.sha256(fh.read()).hexdigest()[:16]
    root = os.path.join(data_root(), stamp)
    path = os.path.join(root, FORMAT_PATHS[fmt].format(p=preset))
    count_file = os.path.join(root, f"{preset}.count")
    if not os.path.exists(path) or not os.path.exists(count_file):
        print(f"generating {preset} {fmt} -> {path}", file=sys.stderr)
        data = generate.generate_data(preset)
        tmp = path + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        generate.WRITERS[fmt](data, tmp)
        os.replace(tmp, path)
        with open(count_file, "w") as fh:
            fh.write(str(generate.count_records(data)))
    with open(count_file) as fh:
        return path, int(fh.read())


def env() -> dict:
    e = dict(os.environ)
    src = os.path.join(REPO, "src")
    e["PYTHONPATH"] = src + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.setdefault("XDG_CACHE_HOME", os.path.join(data_root(), "cache"))
    # Modules are read compiled, as from an installed rulekit (pip compiles them): with
    # PYTHONDONTWRITEBYTECODE set and no __pycache__ in the working tree, every process would
    # compile rulekit's sources again (tens of milliseconds of `who`, W3). The bytecode
    # is kept beside the data, not in the working tree.
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e.setdefault("PYTHONPYCACHEPREFIX", os.path.join(data_root(), "pycache"))
    return e


def run_once(cmd: list[str], environ: dict) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit code of one process."""
    fd, hwm = tempfile.mkstemp(prefix="rulekit-hwm-")
    os.close(fd)
    try:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, env=dict(environ, RULEKIT_BENCH_HWM=hwm),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        with open(hwm) as fh:
            text = fh.read().strip()
    finally:
        os.unlink(hwm)
    if proc.returncode not in (0, 1):
        err = proc.stderr.decode("utf-8", "replace")
        raise RuntimeError(f"{' '.join(cmd[:1] + cmd[3:])} exited {proc.returncode}: {err[-2000:]}")
    return elapsed, int(text or 0) * 1024, proc.returncode


def timed(a: list[str], b: list[str] | None, runs: int) -> dict:
    """A/B interleaved: medians of wall time, and the largest peak RSS, of each command."""
    e = env()
    run_once(a, e)
    if b:
        run_once(b, e)
    ta, tb, ra, rb = [], [], [], []
    for _ in range(runs):
        t, rss, _ = run_once(a, e)
        ta.append(t)
        ra.append(rss)
        if b:
            t, rss, _ = run_once(b, e)
            tb.append(t)
            rb.append(rss)
    return {"a": statistics.median(ta), "b": statistics.median(tb) if tb else None,
            "rss_a": max(ra), "rss_b": max(rb) if rb else None}


def verify(path: str) -> None:
    only_rulekit, only_baseline, n = compare(path, generate.AS_OF)
    if only_rulekit or only_baseline:
        raise SystemExit(f"{path}: rulekit and the baseline disagree ({sum(only_rulekit.values())} results only in "
                         f"rulekit, {sum(only_baseline.values())} only in the baseline): "
                         f"python -m benchmarks.compare {path}")
    print(f"verified {path}: rulekit == baseline on {n} results", file=sys.stderr)


def mb(n: int | None) -> str:
    return "—" if n is None else f"{n / 2**20:,.0f} MB"


def secs(x: float | None) -> str:
    return "—" if x is None else (f"{x:.3f}" if x < 1 else f"{x:.2f}")


ROWS: list[list[str]] = []


def row(workload: str, records: int | None, res: dict, note: str = "") -> None:
    a, b = res["a"], res["b"]
    ROWS.append([workload, f"{records:,}" if records else "—", secs(a), secs(b),
                 f"{a / b:.2f}×" if b else "—", f"{records / a:,.0f}" if records else "—", mb(res["rss_a"]), note])
    print(" | ".join(ROWS[-1]), file=sys.stderr)


def check_workload(label: str, path: str, records: int, runs: int, markdown: bool = False) -> None:
    """`rulekit check` (its default table) against the baseline; with `markdown`, also rulekit's
    Markdown report, which lists the same results without the table layout (see docs/performance.md)."""
    verify(path)
    res = timed(RULEKIT + ["check", path, "--as-of", AS_OF], BASELINE + [path, "--as-of", AS_OF], runs)
    row(label, records, res, f"baseline peak {mb(res['rss_b'])}")
    if markdown:
        md = timed(RULEKIT + ["check", path, "--as-of", AS_OF, "--format", "markdown"], None, runs)
        md["b"] = res["b"]
        row(label + " --format markdown", records, md, "same baseline runs")


def who_in_process(n: int = 1000) -> float:
    """p50 in ms of who() over n queries (tasks and absences cycling), the policy loaded once."""
    from rulekit.policy import require_valid
    from rulekit.people.responsibility import Situation, who

    policy = require_valid(os.path.join(REPO, "policy", "regulation.yaml"))
    tasks = list(policy.tasks)
    absences = [frozenset(), frozenset({"任課教師"}), frozenset({"註冊組長"}), frozenset({"訓育組幹事", "訓育組長"})]
    on = dt.date(2025, 3, 20)
    samples = []
    for i in range(n):
        sit = Situation(on, absences[i % len(absences)])
        t = time.perf_counter()
        who(policy, tasks[i % len(tasks)], sit)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def render_in_process(path: str, runs: int) -> list[str]:
    """W6: how long rendering takes next to the run it reports on, in one process."""
    from rulekit.evaluator.check import run_check
    from rulekit.policy.load import require_history
    from rulekit.policy.versions import version_on
    from rulekit.records import load_records
    from rulekit.report.check_table import render_table
    from rulekit.report.check_xlsx import render_xlsx
    from rulekit.report.subjects import people_of

    start = time.perf_counter()
    history = require_history(os.path.join(REPO, "policy", "regulation.yaml"))
    policy = version_on(history, generate.AS_OF)
    records = load_records(path)
    report = run_check(policy, records, generate.AS_OF, history=history)
    run_s = time.perf_counter() - start
    people = people_of(records)
    shown = sum(r.status in ("fail", "pending") for r in report.results)
    renders = {"table (default, 20 rows per article)": lambda: render_table(report, people=people, width=100),
               f"table --all ({len(report.results):,} rows)": lambda: render_table(report, True, people=people,
                                                                                  width=100),
               "report.xlsx (failing and pending)": lambda: render_xlsx(report, people),
               "report.xlsx --all": lambda: render_xlsx(report, people, show_all=True)}
    notes = [f"W6 load + check {os.path.basename(path)}: {run_s:.2f} s, {len(report.results):,} results, "
             f"{shown:,} failing or pending"]
    for label, render in renders.items():
        samples = []
        for _ in range(max(1, runs)):
            t = time.perf_counter()
            render()
            samples.append(time.perf_counter() - t)
        took = statistics.median(samples)
        notes.append(f"W6 render {label}: {took:.3f} s = {took / run_s:.1%} of the load and check")
    return notes


def engines_workload(preset: str, runs: int, spark: bool) -> None:
    """W7: each engine against both hand-written baselines, on the same CSV, same answers."""
    from . import baseline, duck_baseline

    path, n = dataset(preset, "csv")
    engines = ["python", "duckdb"] + (["spark"] if spark else [])
    for engine in engines:
        for checker in (baseline, duck_baseline):
            only_rulekit, only_baseline, count = compare(path, generate.AS_OF, engine=engine, checker=checker)
            if only_rulekit or only_baseline:
                raise SystemExit(f"{path}: rulekit --engine {engine} and {checker.__name__} disagree")
            print(f"verified {path}: rulekit --engine {engine} == {checker.__name__} on {count} results",
                  file=sys.stderr)
    for engine in engines:
        check = RULEKIT + ["check", path, "--as-of", AS_OF, "--engine", engine]
        res = timed(check, BASELINE + [path, "--as-of", AS_OF], runs)
        row(f"W7 {preset} CSV, all rules, --engine {engine} (vs Python baseline)", n, res,
            f"baseline peak {mb(res['rss_b'])}")
        res = timed(check, DUCK_BASELINE + [path, "--as-of", AS_OF], runs)
        row(f"W7 {preset} CSV, all rules, --engine {engine} (vs DuckDB SQL)", n, res,
            f"baseline peak {mb(res['rss_b'])}")
        res = timed(check + ["--format", "json"], BASELINE + [path, "--as-of", AS_OF], runs)
        row(f"W7 {preset} CSV, all rules, --engine {engine} --format json (vs Python baseline)", n, res, "")


def crossover_workload(runs: int) -> list[str]:
    """W8: the Python evaluator and DuckDB on growing presets; where DuckDB starts to win."""
    from rulekit.evaluator.engine import AUTO_BYTES, records_bytes

    notes, won = [], None
    for preset in ("tiny", "school", "district", "city"):
        path, n = dataset(preset, "csv")
        size = records_bytes(path)
        check = RULEKIT + ["check", path, "--as-of", AS_OF]
        res = timed(check + ["--engine", "python"], check + ["--engine", "duckdb"], runs)
        row(f"W8 {preset} CSV ({size / 1e6:.1f} MB), --engine python (baseline: --engine duckdb)", n, res,
            f"duckdb peak {mb(res['rss_b'])}")
        if won is None and res["b"] < res["a"]:
            won = (preset, size)
    notes.append("W8 DuckDB first faster on: " + (f"{won[0]} ({won[1]:,} bytes)" if won else "none of the presets")
                 + f"; AUTO_BYTES is {AUTO_BYTES:,}")
    return notes


def has_test_command() -> bool:
    out = subprocess.run(RULEKIT + ["--help"], cwd=REPO, env=env(), capture_output=True, text=True).stdout
    return any(line.split()[:1] == ["test"] for line in out.splitlines())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="rulekit vs a hand-written checker")
    ap.add_argument("--preset", choices=sorted(generate.PRESETS), default="school")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    ap.add_argument("--spark", action="store_true", help="W7: also rulekit --engine spark (starts a JVM per run)")
    args = ap.parse_args(argv)
    wanted = {w.strip().upper() for w in args.workloads.split(",")}
    notes = []
    if "W1" in wanted:
        for fmt in ("csv", "yaml"):
            path, n = dataset(args.preset, fmt)
            check_workload(f"W1 check {args.preset} {fmt.upper()}", path, n, args.runs, markdown=fmt == "csv")
    if "W2" in wanted:
        preset = "tiny" if args.preset == "tiny" else "city"
        path, n = dataset(preset, "jsonl")
        check_workload(f"W2 check {preset} JSONL", path, n, args.runs, markdown=True)
    if "W3" in wanted:
        res = timed(RULEKIT + ["who", "課程認證"], PASS, args.runs)
        row("W3 who 課程認證 (vs python -c pass)", None, res)
        cold = dict(env(), XDG_CACHE_HOME=tempfile.mkdtemp(prefix="rulekit-cold-"))
        cold_times = []
        for _ in range(args.runs):
            shutil.rmtree(cold["XDG_CACHE_HOME"], ignore_errors=True)
            cold_times.append(run_once(RULEKIT + ["who", "課程認證"], cold)[0])
        shutil.rmtree(cold["XDG_CACHE_HOME"], ignore_errors=True)
        row("W3 who 課程認證, empty cache", None, {"a": statistics.median(cold_times), "b": res["b"],
                                                 "rss_a": None, "rss_b": None})
        notes.append(f"W3 in-process who(): p50 {who_in_process():.3f} ms over 1,000 queries")
    if "W4" in wanted:
        row("W4 validate", None, timed(RULEKIT + ["validate", "policy/regulation.yaml"], None, args.runs))
        if has_test_command():
            row("W4 test", None, timed(RULEKIT + ["test"], None, args.runs))
        else:
            notes.append("W4 test: skipped, this rulekit has no `test` command")
    if "W5" in wanted:
        path, n = dataset(args.preset, "csv")
        res = timed(RULEKIT + ["diff", "policy/regulation.yaml", "examples/amendment/regulation.yaml",
                               "--records", path, "--as-of", AS_OF], None, args.runs)
        row(f"W5 diff --records {args.preset} CSV", n, res)
    if "W6" in wanted:
        path, _ = dataset(args.preset, "csv")
        notes += render_in_process(path, args.runs)
    if "W7" in wanted:
        engines_workload(args.preset, args.runs, args.spark)
    if "W8" in wanted:
        notes += crossover_workload(args.runs)
    head = ["workload", "records", "rulekit s", "baseline s", "ratio", "records/s", "peak RSS", "note"]
    print(f"python -m benchmarks --preset {args.preset} --runs {args.runs} --workloads {','.join(sorted(wanted))}")
    print(f"(medians of {args.runs} whole-process runs; {os.cpu_count()} cores; Python {sys.version.split()[0]})\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in ROWS:
        print("| " + " | ".join(r) + " |")
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
