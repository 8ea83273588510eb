"""Settings shared by the test suite: Hypothesis profiles, and a cache folder of its own.

The default run keeps each test's own (small) number of examples. For a longer
fuzz run, choose a profile by name (docs/security.md):

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz_inputs.py

The compiled-policy cache (src/rulekit/policy/cache.py) lives in
$XDG_CACHE_HOME/rulekit. The suite points XDG_CACHE_HOME at a temporary folder
before anything is collected (test modules load policies at import), so no test
reads an entry the user's rulekit wrote or leaves one behind; CLI subprocesses
inherit it through the environment.

Language: rulekit speaks zh-TW unless told otherwise (docs/i18n.md). Most tests assert
the English message ids (`is not a recognised date`), so the suite sets RULEKIT_LANG=en
for itself, as it sets XDG_CACHE_HOME, before anything is collected (CLI subprocesses
inherit it). A test about the Chinese output asks for it with the `zh_default` fixture
(RULEKIT_LANG removed: what a user gets by default) or `--lang zh-TW`; the golden files
under tests/golden are the default, zh-TW output, with `.en.` variants for English.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest
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
_saved_lang = os.environ.get("RULEKIT_LANG")
os.environ["RULEKIT_LANG"] = "en"


@pytest.fixture(params=["zh", "en"])
def golden_lang(request, monkeypatch):
    """Run a golden test twice: in the default language (zh-TW, RULEKIT_LANG unset) against
    the golden file, and in English against its `.en.` variant (golden_util.golden_for)."""
    from rulekit.i18n import set_language

    if request.param == "zh":
        monkeypatch.delenv("RULEKIT_LANG", raising=False)
    else:
        monkeypatch.setenv("RULEKIT_LANG", "en")
    set_language(None)
    yield request.param
    set_language(None)


@pytest.fixture(scope="module")
def zh_module():
    """zh_default for a whole module, module-scoped fixtures included (a module about the
    Chinese policy's own test cases, whose expected messages are Chinese):
    pytestmark = pytest.mark.usefixtures("zh_module")."""
    from rulekit.i18n import set_language

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("RULEKIT_LANG", raising=False)
        set_language(None)
        yield
    set_language(None)


@pytest.fixture
def zh_default(monkeypatch):
    """No RULEKIT_LANG: rulekit's own default language, zh-TW."""
    from rulekit.i18n import set_language

    monkeypatch.delenv("RULEKIT_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)
# Tables fit the terminal (COLUMNS when set): golden outputs are made at one width, whatever
# the terminal that runs the suite.
os.environ["COLUMNS"] = "100"


def pytest_unconfigure(config):
    if _saved_cache_home is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = _saved_cache_home
    shutil.rmtree(SESSION_CACHE_HOME, ignore_errors=True)
    if _saved_lang is None:
        os.environ.pop("RULEKIT_LANG", None)
    else:
        os.environ["RULEKIT_LANG"] = _saved_lang
