"""The suite never reads or writes the user's compiled-policy cache (~/.cache/rulekit):
tests/conftest.py points XDG_CACHE_HOME at a temporary folder for the whole session."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rulekit.policy import cache

ROOT = Path(__file__).resolve().parents[1]
USERS_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "rulekit")


def test_the_cache_folder_is_a_temporary_one():
    folder = os.path.realpath(cache.cache_dir())
    assert folder != os.path.realpath(USERS_CACHE)
    assert folder.startswith(os.path.realpath(tempfile.gettempdir()) + os.sep), folder


def test_a_command_run_as_a_subprocess_writes_its_entry_there():
    policy = "policy/regulation.yaml"
    entry = Path(cache._file(cache.key_of(policy, (ROOT / policy).read_bytes())))
    entry.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "RULEKIT_NO_CACHE"}
    proc = subprocess.run([sys.executable, "-c", "from rulekit.cli import main; main()", "show", "四",
                           "--policy", policy, "--as-of", "2025-03-01"],
                          capture_output=True, cwd=ROOT, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert entry.is_file(), f"no cache entry at {entry}"
    assert os.path.realpath(entry).startswith(os.path.realpath(tempfile.gettempdir()) + os.sep)
