"""The bad-input matrix: every realistic mistake in every kind of input rulekit reads."""
