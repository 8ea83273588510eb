"""The columnar engine: checked rules compiled to relational plans (sqlglot trees),
run by DuckDB on one machine or Spark beyond it, with the Python evaluator as the
reference and the fallback for what is not compiled.

    from rulekit.columnar.run import evaluate_columnar
    results, notes = evaluate_columnar(rules, records, as_of, params, constants, engine="duckdb")

Nothing is imported here: `rulekit.columnar` costs nothing to a command that does not use it.
"""
