"""Benchmarks of rulekit against a hand-written checker (issue 8).

    python benchmarks/generate.py --preset school --format csv --out /tmp/school
    python benchmarks/baseline.py /tmp/school --as-of 2025-03-20
    python -m benchmarks --preset school --runs 5

See docs/performance.md.
"""
