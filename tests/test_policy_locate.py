"""Issue 15 item 4: the policy is found from any folder; records stay relative to it."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulekit.cli import main
from rulekit.diagnostics import UsageError
from rulekit.policy.locate import find_policy

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy" / "regulation.yaml"
NO_ENV: dict = {}


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env={"RULEKIT_POLICY": None, **(env or {})})


@pytest.fixture
def project(tmp_path):
    """A copy of the repository's policy and example school under tmp_path/project."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "policy", root / "policy")
    shutil.copytree(ROOT / "examples" / "school", root / "examples" / "school")
    return root


def test_check_from_a_subfolder_reads_the_policy_above_and_records_from_here(project, monkeypatch):
    monkeypatch.chdir(project / "examples")
    result = run("check", "school", "--as-of", "113.12.01", "--format", "json")
    assert result.exit_code == 1, result.stderr  # the example school breaks rules on purpose
    report = json.loads(result.stdout)
    assert report["summary"]["fail"] > 0
    assert "does not exist" not in result.stderr


@pytest.mark.parametrize("folder", ["policy", "policy/tests", "examples/school"])
def test_every_folder_of_the_project_finds_its_policy(project, monkeypatch, folder):
    monkeypatch.chdir(project / folder)
    found = find_policy(environ=NO_ENV)
    assert Path(found.path).resolve() == (project / "policy" / "regulation.yaml").resolve()
    assert not os.path.isabs(found.path)  # printed as the user would type it
    result = run("show", "三")
    assert result.exit_code == 0, result.stderr
    assert "合計13人組成" in result.stdout


def test_who_and_validate_from_a_subfolder(project, monkeypatch):
    monkeypatch.chdir(project / "policy")
    assert run("who", "課程認證", "--as-of", "113.12.01").exit_code == 0
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "regulation.yaml: valid" in result.stdout
    cases = run("test")  # the cases in tests/ next to the policy found
    assert cases.exit_code == 0, cases.output
    assert re.search(r"^[1-9]\d* passed, 0 failed$", cases.stdout, flags=re.M)


def test_order_is_option_then_environment_then_walk(project, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.yaml"
    shutil.copy(POLICY, other)
    monkeypatch.chdir(project / "examples")
    assert find_policy(environ=NO_ENV).source == "policy/regulation.yaml"
    env = {"RULEKIT_POLICY": str(other)}
    assert find_policy(environ=env) == find_policy(environ=env).__class__(str(other), "RULEKIT_POLICY")
    assert find_policy("given.yaml", environ=env).path == "given.yaml"


def test_a_missing_environment_policy_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("show", "三", env={"RULEKIT_POLICY": "missing.yaml"})
    assert result.exit_code == 2
    assert "error[policy-not-found]: RULEKIT_POLICY=missing.yaml" in result.stderr


def test_rulekit_toml_names_the_policy_relative_to_itself(tmp_path, monkeypatch):
    (tmp_path / "regs").mkdir()
    shutil.copy(POLICY, tmp_path / "regs" / "school.yaml")
    shutil.copy(Path(POLICY).parent / "records.yaml", tmp_path / "regs" / "records.yaml")  # the records it includes
    (tmp_path / "rulekit.toml").write_text('policy = "regs/school.yaml"\n', encoding="utf-8")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    found = find_policy(environ=NO_ENV)
    assert Path(found.path).resolve() == (tmp_path / "regs" / "school.yaml").resolve()
    assert found.source == os.path.join("..", "..", "rulekit.toml")
    assert run("show", "三").exit_code == 0


def test_pyproject_tool_rulekit_names_the_policy(tmp_path, monkeypatch):
    shutil.copy(POLICY, tmp_path / "reg.yaml")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.rulekit]\npolicy = "reg.yaml"\n',
                                             encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert find_policy(environ=NO_ENV).path == "reg.yaml"


def test_a_pyproject_without_tool_rulekit_is_passed_over(tmp_path, monkeypatch):
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "policy").mkdir()
    shutil.copy(POLICY, tmp_path / "policy" / "regulation.yaml")
    monkeypatch.chdir(tmp_path / "inner")
    assert find_policy(environ=NO_ENV).path == os.path.join("..", "policy", "regulation.yaml")


def test_the_nearer_folder_wins(tmp_path, monkeypatch):
    (tmp_path / "policy").mkdir()
    shutil.copy(POLICY, tmp_path / "policy" / "regulation.yaml")
    inner = tmp_path / "nested"
    inner.mkdir()
    shutil.copy(POLICY, inner / "own.yaml")
    (inner / "rulekit.toml").write_text('policy = "own.yaml"\n', encoding="utf-8")
    monkeypatch.chdir(inner)
    assert find_policy(environ=NO_ENV).path == "own.yaml"


@pytest.mark.parametrize("text, message, line", [
    ('policy = \n', "rulekit.toml is not valid TOML", 1),
    ('[other]\nx = 1\n', "rulekit.toml names no policy", 0),
    ('policy = "nowhere.yaml"\n', "rulekit.toml names nowhere.yaml, which is not a file", 0),
    ('policy = 3\n', "policy in rulekit.toml is not a file path", 0),
])
def test_a_broken_rulekit_toml_is_a_located_usage_error(tmp_path, monkeypatch, text, message, line):
    (tmp_path / "rulekit.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        find_policy(environ=NO_ENV)
    d = info.value.diagnostics[0]
    assert (d.code, d.message, d.span.file, d.span.line) == ("bad-config", message, "rulekit.toml", line)
    assert d.hint
    result = run("show", "三")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"error[bad-config]: {message}" in result.stderr


def test_nothing_found_names_every_place_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if find_policy_or_none() is not None:
        pytest.skip("a policy/regulation.yaml above the temporary folder")
    result = run("check", ".")
    assert result.exit_code == 2
    err = result.stderr
    assert "error[policy-not-found]: no policy file found from" in err
    for place in ("--policy", "RULEKIT_POLICY", "policy/regulation.yaml", "rulekit.toml", "[tool.rulekit]"):
        assert place in err
    assert "Traceback" not in err


def find_policy_or_none():
    try:
        return find_policy(environ=NO_ENV)
    except UsageError:
        return None


@pytest.mark.parametrize("command", [
    ("check", "school", "--as-of", "2025-03-31"),
    ("check", "school", "--as-of", "2025-03-31", "-o", "report.xlsx"),
    ("deadlines", "school", "--as-of", "2025-01-10"),
    ("template", "blank"),
    ("docs", "records"),
])
def test_every_command_reads_the_records_declared_beside_the_policy_it_found(tmp_path, monkeypatch, command):
    """A staff member's folder has no policy/ of its own: the records are read as the policy named
    by RULEKIT_POLICY declares them (its records.yaml), never from a policy/ under the current folder."""
    shutil.copytree(ROOT / "examples" / "school", tmp_path / "school")
    monkeypatch.chdir(tmp_path)
    result = run(*command, env={"RULEKIT_POLICY": str(POLICY)})
    assert result.exit_code in (0, 1), result.output
    assert "error[" not in result.output, result.output
