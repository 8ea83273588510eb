"""Evaluate loaded rules against school records.

    from rulekit.policy.rules import load_rules
    from rulekit.evaluator import evaluate, explain
    rules, diags = load_rules(doc, params_types, constant_types)
    results = evaluate(rules, records, as_of, params, constants)
"""
from .compile import compile_rule
from .explain import explain
from .context import Context
from .result import Result
from .run import evaluate
from .values import EvalError

__all__ = ["compile_rule", "evaluate", "explain", "Context", "Result", "EvalError"]
