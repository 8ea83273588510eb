"""Spark (local mode) gives the Python evaluator's answers on the example school and the tiny
preset, through the library and through `rulekit check --engine spark`.

Spark starts in tens of seconds: one session for the module, few tests. Where Spark cannot
run (no PySpark, no Java) these tests are skipped on a developer's machine and fail in CI
(`CI` set), which installs both (.ci/run)."""
from __future__ import annotations

import datetime
import os
import shutil

import pytest

from test_columnar import ROOT, policy_run, tiny  # noqa: F401 - tiny is a fixture

from rulekit.records import load_records


def _spark_or_skip():
    why = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        why = "PySpark is not installed (pip install 'rulekit[spark]')"
    if why is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        why = "no Java runtime (apt-get install openjdk-17-jre-headless)"
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"Spark tests cannot run in CI: {why}")
        pytest.skip(why)


@pytest.fixture(scope="module")
def spark():
    _spark_or_skip()
    from rulekit.columnar.spark import local_session
    session = local_session()
    yield session
    session.stop()


def test_the_example_school_on_spark(spark):
    records = load_records(str(ROOT / "examples/school"))
    python, columnar, notes = policy_run("policy/regulation.yaml", records, datetime.date(2025, 1, 31),
                                         engine="spark", session=spark)
    assert columnar == python
    assert notes == ()  # every rule ran on Spark: no subquery two levels down, none in a lambda


def test_the_tiny_preset_on_spark(spark, tiny):  # noqa: F811 - the fixture
    records, as_of = tiny
    python, columnar, _ = policy_run("policy/regulation.yaml", records, as_of, engine="spark", session=spark)
    assert columnar == python


def test_check_engine_spark_prints_what_python_prints(spark):
    from click.testing import CliRunner
    from rulekit.cli import main

    runner = CliRunner()
    args = ["check", str(ROOT / "examples/school"), "--as-of", "2025-01-31", "--format", "json",
            "--policy", str(ROOT / "policy/regulation.yaml")]
    python = runner.invoke(main, args + ["--engine", "python"])
    on_spark = runner.invoke(main, args + ["--engine", "spark"])
    assert (on_spark.exit_code, on_spark.stdout) == (python.exit_code, python.stdout)
    assert python.exit_code == 1
    assert not spark.sparkContext._jsc.sc().isStopped(), "the check stopped a session it did not start"
