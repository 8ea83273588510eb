"""rulekit and the hand-written baseline must give the same (rule, subject, status) results.

    python -m benchmarks.compare RECORDS [--as-of 2025-03-20]

Compares multisets (a subject label can repeat, e.g. two consultations of one
student with one counsellor), for the rules the baseline implements. Exit 1 and
a list of differences when they disagree.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections import Counter

if __package__ in (None, ""):  # run as a file: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import baseline  # noqa: E402
from benchmarks.generate import AS_OF  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY = os.path.join(REPO, "policy", "regulation.yaml")


def rulekit_results(records: str, as_of: dt.date, policy: str = POLICY, engine: str = "python") -> Counter:
    from rulekit.evaluator.check import run_check
    from rulekit.policy import require_valid
    from rulekit.records import load_records

    report = run_check(require_valid(policy), load_records(records), as_of, engine=engine)
    if report.findings:
        raise AssertionError(f"records findings: {[d.message for d in report.findings[:5]]}")
    return Counter((r.rule, tuple(r.subject.values()), r.status) for r in report.results)


def compare(records: str, as_of: dt.date = AS_OF, policy: str = POLICY, engine: str = "python",
            checker=baseline) -> tuple[Counter, Counter, int]:
    """(only in rulekit, only in the baseline, results compared) for the baseline's rules;
    `checker` is a hand-written baseline module (baseline, duck_baseline) with run() and RULES."""
    ours = Counter(checker.run(records, as_of))
    rules = set(checker.RULES)
    theirs = Counter({k: n for k, n in rulekit_results(records, as_of, policy, engine).items() if k[0] in rules})
    return theirs - ours, ours - theirs, sum(ours.values())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("records")
    ap.add_argument("--as-of", default=AS_OF.isoformat())
    ap.add_argument("--policy", default=POLICY)
    args = ap.parse_args(argv)
    only_rulekit, only_baseline, n = compare(args.records, dt.date.fromisoformat(args.as_of), args.policy)
    if only_rulekit or only_baseline:
        for label, diff in (("only rulekit", only_rulekit), ("only baseline", only_baseline)):
            for key in sorted(diff)[:20]:
                print(f"{label}: {key} x{diff[key]}")
        print(f"MISMATCH: {sum(only_rulekit.values())} only in rulekit, {sum(only_baseline.values())} only in the "
              f"baseline, of {n}")
        return 1
    print(f"identical: {n} results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
