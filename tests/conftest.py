"""Settings shared by the test suite: Hypothesis profiles, and a cache folder of its own.

The default run keeps each test's own (small) number of examples. For a longer
fuzz run, choose a profile by name (docs/security.md):

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz_inputs.py

The compiled-policy cache (src/rulekit/policy/cache.py) lives in
$XDG_CACHE_HOME/rulekit. The suite points XDG_CACHE_HOME at a temporary folder
before anything is collected (test modules load policies at import), so no test
reads an entry the user's rulekit wrote or leaves one behind; CLI subprocesses
inherit it through the environment.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

SESSION_CACHE_HOME = tempfile.mkdtemp(prefix="rulekit-test-cache-")
_saved_cache_home = os.environ.get("XDG_CACHE_HOME")
os.environ["XDG_CACHE_HOME"] = SESSION_CACHE_HOME
# Tables fit the terminal (COLUMNS when set): golden outputs are made at one width, whatever
# the terminal that runs the suite.
os.environ["COLUMNS"] = "100"


def pytest_unconfigure(config):
    if _saved_cache_home is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = _saved_cache_home
    shutil.rmtree(SESSION_CACHE_HOME, ignore_errors=True)
