"""Settings shared by the test suite: Hypothesis profiles.

The default run keeps each test's own (small) number of examples. For a longer
fuzz run, choose a profile by name (docs/security.md):

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz_inputs.py
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
