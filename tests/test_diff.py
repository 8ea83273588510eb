"""`rulekit diff`: what an amendment changes, semantically, and its 修正條文對照表.

Random semantic edits of the shipped policy (as plain data, dumped back to YAML)
must be reported exactly: nothing more, nothing less. Random reformatting must be
reported as nothing. The example amendment's 對照表 is a golden file
(tests/golden/diff/amendment.md; UPDATE_GOLDEN=1 rewrites it).
"""
from __future__ import annotations

import copy
import dataclasses
import csv
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from golden_util import assert_golden, golden_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulekit.cli import main
from rulekit.amend.diff import diff_policies, rule_text
from rulekit.report.diff import render_markdown
from rulekit.report.diff_words import explain
from rulekit.diagnostics import display_width
from rulekit.report.text_table import wrap
from rulekit.dsl.parser import parse
from rulekit.dsl.printer import unparse
from rulekit.policy.load import load_policy
from rulekit.sourceyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
AMENDMENT = str(ROOT / "examples" / "amendment" / "regulation.yaml")
SCHOOL = ROOT / "examples" / "school"

BASE = load_file(POLICY).data  # plain data: edited copies are dumped back to YAML
OLD = load_policy(POLICY)
RULES = {r.id: r for r in OLD.policy.rules}
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(*args: str):
    result = CliRunner().invoke(main, ["diff", *args])
    assert "Traceback" not in result.output, result.output
    return result


def dump(doc, path: Path, **style) -> str:
    text = yaml.dump(doc, Dumper=style.pop("Dumper", yaml.CSafeDumper), allow_unicode=True,
                     sort_keys=False, **style)
    path.write_text(text, encoding="utf-8")
    return text


def provisions(items):
    for item in items:
        yield item
        yield from provisions(item.get("items") or [])


# ------------------------------------------------------------------ random semantic edits
#
# Each edit changes the data and returns what the diff must report:
# (kind, key, action, check) where check(change) asserts the old/new values.

CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=6)


def pick(data, names, used):
    return data.draw(st.sampled_from(sorted(set(names) - used)))


def edit_parameter(data, doc, used):
    name = pick(data, doc["parameters"], used["parameter"])
    used["parameter"].add(name)
    p = doc["parameters"][name]
    field = "times" if p["type"] == "frequency" else "value"
    old = p[field]
    new = data.draw(st.integers(1, 99).filter(lambda v: v != old), label=f"{name} value")
    p[field] = new

    def check(c):
        assert (c.old["value"], c.new["value"]) == (old, new)
        assert c.fields() == ["value"]
        assert c.citation == p["citation"]
    return ("parameter", name, "amended", check)


def edit_chain(data, doc, used):
    chains = doc["substitutes"]["chains"]
    task = pick(data, [t for t in chains if len(chains[t]) >= 2], used["chain"])
    used["chain"].add(task)
    old = list(chains[task])
    others = sorted(set(doc["organization"]["roles"]) - set(old))
    how = data.draw(st.sampled_from(["reordered", "lengthened", "new_primary", "shortened"]), label=f"{task} chain")
    if how == "reordered":
        new = list(data.draw(st.permutations(old).filter(lambda p: list(p) != old)))
    elif how == "lengthened":  # a new 代理人 somewhere after the 承辦人
        at = data.draw(st.integers(1, len(old)))
        new = old[:at] + [data.draw(st.sampled_from(others))] + old[at:]
    elif how == "new_primary":  # a new 承辦人; the old one becomes the first 代理人
        new = [data.draw(st.sampled_from(others))] + old
    else:
        at = data.draw(st.integers(0, len(old) - 1))
        new = old[:at] + old[at + 1:]
    chains[task] = new

    def check(c):
        assert (list(c.old), list(c.new)) == (old, new)
        assert c.citation == "七.(一)"
    return ("chain", task, how, check)


def edit_article(data, doc, used):
    texts = {p["id"]: p for p in provisions(doc["articles"]) if p.get("text")}
    cid = pick(data, texts, used["article"])
    used["article"].add(cid)
    old = texts[cid]["text"]
    if len(old) > 1 and data.draw(st.booleans(), label="delete"):
        i = data.draw(st.integers(0, len(old) - 2))
        j = data.draw(st.integers(i + 1, min(len(old) - 1 if i == 0 else len(old), i + 5)))
        new, inserted = old[:i] + old[j:], ""
    else:
        i = data.draw(st.integers(0, len(old)))
        inserted = data.draw(CJK)
        new = old[:i] + inserted + old[i:]
    texts[cid]["text"] = new

    def check(c):
        assert (c.old, c.new) == (old, new)
        left, right = c.spans()
        assert "".join(s.text for s in left) == old and "".join(s.text for s in right) == new
        same = [s.text for s in left if not s.changed], [s.text for s in right if not s.changed]
        assert "".join(same[0]) == "".join(same[1])  # what is not marked is the same on both sides
        assert sum(len(s.text) for s in (right if inserted else left) if s.changed) >= 1
    return ("article", cid, "amended", check)


def edit_duty(data, doc, used):
    rows = {r["id"]: r for r in doc["duty_table"]["rows"]}
    rid = pick(data, rows, used["duty"])
    used["duty"].add(rid)
    old = list(rows[rid].get("administration") or [])
    units = sorted({*doc["organization"]["offices"], *doc["organization"]["sections"]})
    new = data.draw(st.lists(st.sampled_from(units), min_size=1, max_size=3, unique=True)
                    .filter(lambda names: set(names) != set(old)), label=f"{rid} administration")
    rows[rid]["administration"] = new

    def check(c):
        assert (c.old["administration"], c.new["administration"]) == (old, new)
        assert {k: v for k, v in c.old.items() if k != "administration"} == \
               {k: v for k, v in c.new.items() if k != "administration"}
    return ("duty", rid, "reassigned", check)


def _rule_entry(doc, rid):
    return next(e for e in doc["rules"] if e["id"] == rid)


def edit_rule_added(data, doc, used):
    source = pick(data, RULES, used["rule"])
    used["rule"].add(source)
    entry = copy.deepcopy(_rule_entry(doc, source))
    entry["id"] = f"{source}-copy"
    doc["rules"].insert(data.draw(st.integers(0, len(doc["rules"]))), entry)

    def check(c):
        assert c.old is None and c.new == rule_text(RULES[source])  # the same logic under a new id
        assert f"assert: {unparse(RULES[source].assert_)}" in c.new.splitlines()
    return ("rule", entry["id"], "added", check)


def edit_rule_removed(data, doc, used):
    rid = pick(data, RULES, used["rule"])
    used["rule"].add(rid)
    doc["rules"].remove(_rule_entry(doc, rid))

    def check(c):
        assert c.new is None and c.old == rule_text(RULES[rid])
        assert c.citation == RULES[rid].citation
    return ("rule", rid, "removed", check)


def edit_rule_assert(data, doc, used):
    rid = pick(data, RULES, used["rule"])
    used["rule"].add(rid)
    entry = _rule_entry(doc, rid)
    new = data.draw(st.sampled_from(["not ({})", "({}) and true", "({}) or false"]), label="assert").format(entry["assert"])
    entry["assert"] = new

    def check(c):
        assert c.fields() == ["assert"]
        assert f"assert: {unparse(parse(new))}" in c.new.splitlines()
        assert f"assert: {unparse(RULES[rid].assert_)}" in c.old.splitlines()
    return ("rule", rid, "changed", check)


EDITS = [edit_parameter, edit_chain, edit_article, edit_duty, edit_rule_added, edit_rule_removed, edit_rule_assert]


@FAST
@given(data=st.data())
def test_random_semantic_edits_are_reported_exactly(tmp_path_factory, data):
    doc = copy.deepcopy(BASE)
    used = {k: set() for k in ("parameter", "chain", "article", "duty", "rule")}
    kinds = data.draw(st.lists(st.sampled_from(EDITS), min_size=1, max_size=4), label="edits")
    expected = [edit(data, doc, used) for edit in kinds]
    path = tmp_path_factory.mktemp("edit") / "regulation.yaml"
    dump(doc, path)
    new = load_policy(str(path))
    result = diff_policies(OLD.policy, new.policy)

    reported = sorted((c.kind, c.key, getattr(c, "action", "")) for c in result.changes)
    assert reported == sorted(e[:3] for e in expected)  # nothing more, nothing less
    for kind, key, _, check in expected:
        change = next(c for c in result.changes if (c.kind, c.key) == (kind, key))
        check(change)
        assert explain(change)  # every change has its 說明
    md = render_markdown(result, "T")
    for change in result.changes:  # in its own row, or in the row of the provision it is cited from
        assert explain(change).replace("|", "\\|") in md


def test_each_kind_of_edit_alone_is_reported(tmp_path):
    """A deterministic example of every edit, so a failure here names the kind at once."""
    doc = copy.deepcopy(BASE)
    doc["parameters"]["course_outcome_quota"]["value"] = 8
    doc["substitutes"]["chains"]["校管理者"] = ["教務主任", "註冊組長"]
    doc["duty_table"]["rows"][16]["administration"] = ["教學組"]
    doc["rules"] = [r for r in doc["rules"] if r["id"] != "parent-briefing"]
    _rule_entry(doc, "teacher-workshop")["assert"] = "held >= param.teacher_workshop + 1"
    dump(doc, tmp_path / "new.yaml")
    result = diff_policies(OLD.policy, load_policy(str(tmp_path / "new.yaml")).policy)
    assert [(c.kind, c.key, c.action) for c in result.changes] == [
        ("parameter", "course_outcome_quota", "amended"), ("duty", "附表.17", "reassigned"),
        ("chain", "校管理者", "reordered"), ("rule", "teacher-workshop", "changed"),
        ("rule", "parent-briefing", "removed")]


# ------------------------------------------------------------------ reformatting is no change

_NO_ORDER = frozenset({"let"})  # `let` is evaluated in order: its keys are not reordered


def shuffle_keys(value, rnd, key=None):
    if isinstance(value, dict):
        items = [(k, shuffle_keys(v, rnd, k)) for k, v in value.items()]
        if key not in _NO_ORDER:
            rnd.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [shuffle_keys(v, rnd) for v in value]
    return value


def quoting_dumper(rnd, styles):
    class Dumper(yaml.CSafeDumper):
        pass

    def text(dumper, value):  # libyaml falls back to another style where the chosen one cannot hold the text
        style = rnd.choice(styles)
        if style == ">" and "\n" in value:
            style = "|"  # libyaml folds the more-indented lines of a multi-line text wrongly (data changes)
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


COMMENTS = ["# 註解", "#", "# comment: [not, a, list] {nor: a map}", "    # 縮排的註解 - item", "# 至多六件 → 八件"]


def add_comments(text: str, rnd) -> str:
    """Whole-line comments between lines, never inside a scalar or flow collection spanning lines."""
    inside = set()
    stack = [yaml.compose(text, Loader=yaml.CSafeLoader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) or node.flow_style:
            inside.update(range(node.start_mark.line + 1, node.end_mark.line + 1))
        if isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.MappingNode):
            stack += [n for pair in node.value for n in pair]
    out = []
    for i, line in enumerate(text.splitlines()):
        if i not in inside and rnd.random() < 0.2:
            out.append(rnd.choice(COMMENTS))
        out.append(line)
    return "\n".join(out) + "\n"


@FAST
@given(data=st.data())
def test_reformatting_reports_no_change(tmp_path_factory, data):
    rnd = random.Random(data.draw(st.integers(0, 2**32), label="seed"))  # st.randoms() is slow at this volume
    doc = shuffle_keys(BASE, rnd) if data.draw(st.booleans(), label="reorder keys") else copy.deepcopy(BASE)
    styles = data.draw(st.sampled_from([[None], ["'"], ['"'], ["|"], [None, "'", '"', "|", ">"]]), label="quoting")
    path = tmp_path_factory.mktemp("reformat") / "regulation.yaml"
    text = dump(doc, path, Dumper=quoting_dumper(rnd, styles),
                default_flow_style=data.draw(st.sampled_from([False, None, True]), label="flow"),
                indent=data.draw(st.integers(2, 8), label="indent"),
                width=data.draw(st.sampled_from([30, 80, 4096]), label="width"))
    if data.draw(st.booleans(), label="comments"):
        text = add_comments(text, rnd)
        path.write_text(text, encoding="utf-8")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == BASE  # the reformatting itself kept the data
    new = load_policy(str(path))
    assert new.ok, [d.message for d in new.diagnostics][:5]
    result = diff_policies(OLD.policy, new.policy)
    assert not result, [c.key for c in result.changes]


def test_reordered_duty_parts_and_messages_are_no_change(tmp_path):
    """Mappings the model keeps as pairs (a row's parts, a rule's messages) compare as mappings."""
    doc = copy.deepcopy(BASE)
    row = next(r for r in doc["duty_table"]["rows"] if len(r.get("parts") or {}) > 1)
    row["parts"] = dict(reversed(row["parts"].items()))
    rule = next(r for r in doc["rules"] if len(r.get("message") or {}) > 1)
    rule["message"] = dict(reversed(rule["message"].items()))
    dump(doc, tmp_path / "r.yaml")
    assert not diff_policies(OLD.policy, load_policy(str(tmp_path / "r.yaml")).policy)


# ------------------------------------------------------------------ the same text

def test_any_other_part_of_the_model_is_reported():
    """A section the diff has no change type for is still reported, as an entry."""
    other = dataclasses.replace(OLD.policy, format="rulekit/policy@2")
    assert [(c.kind, c.key, c.old, c.new) for c in diff_policies(OLD.policy, other).changes] == [
        ("entry", "format:format", "rulekit/policy@1", "rulekit/policy@2")]


def test_a_policy_is_the_same_as_itself():
    assert not diff_policies(OLD.policy, OLD.policy)
    assert not diff_policies(OLD.policy, load_policy(POLICY).policy)
    result = run(POLICY, POLICY)
    assert result.exit_code == 0
    assert result.stdout.startswith("no changes between")
    assert json.loads(run(POLICY, POLICY, "--format", "json").stdout)["changes"] == []
    assert "(無修正)" in run(POLICY, POLICY, "--format", "markdown").stdout


git = pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs git and the repository")


def _committed_policy_unchanged() -> bool:
    return subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "policy/regulation.yaml"], cwd=ROOT).returncode == 0


@git
def test_git_head_against_the_working_copy(monkeypatch):
    if not _committed_policy_unchanged():
        pytest.skip("policy/regulation.yaml has uncommitted edits")
    monkeypatch.chdir(ROOT)
    result = run("HEAD:policy/regulation.yaml", "policy/regulation.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "no changes between HEAD:policy/regulation.yaml and policy/regulation.yaml"


@git
def test_git_revision_against_a_file(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    committed = subprocess.run(["git", "show", "HEAD:policy/regulation.yaml"], cwd=ROOT, capture_output=True, check=True)
    (tmp_path / "head.yaml").write_bytes(committed.stdout)
    result = run("HEAD:policy/regulation.yaml", str(tmp_path / "head.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no changes between HEAD:policy/regulation.yaml")
    amended = run("HEAD:policy/regulation.yaml", AMENDMENT, "--format", "json")
    assert amended.exit_code == 0, amended.output
    assert {c["kind"] for c in json.loads(amended.stdout)["changes"]} >= {"article", "parameter", "chain"}


@git
@pytest.mark.parametrize("spec, message", [
    ("no-such-rev:policy/regulation.yaml", "git cannot show no-such-rev:policy/regulation.yaml"),
    ("HEAD:policy/no-such-file.yaml", "git cannot show HEAD:policy/no-such-file.yaml"),
    ("HEAD:", "HEAD: names no file"),
])
def test_a_bad_revision_exits_2_with_a_clear_message(monkeypatch, spec, message):
    monkeypatch.chdir(ROOT)
    result = run(spec, "policy/regulation.yaml")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "error[git-revision]" in result.stderr and "hint:" in result.stderr
    assert result.stdout == ""


def test_usage_errors_exit_2():
    assert run(POLICY).exit_code == 2
    assert run(POLICY, POLICY, POLICY).exit_code == 2
    assert run("--at", "113.01.19", POLICY, POLICY).exit_code == 2
    missing = run(POLICY, str(ROOT / "no-such.yaml"))
    assert missing.exit_code == 2 and "no-such.yaml" in missing.stderr


# ------------------------------------------------------------------ --at

def test_at_a_date_before_the_encoded_text_is_refused():
    result = run("--at", "112.08.29", POLICY)
    assert result.exit_code == 2, result.output
    assert "the text in force before 113.01.19 is not encoded" in result.stderr
    assert "112.08.29" in result.stderr and result.stdout == ""


def test_at_the_encoded_amendment_works():
    result = run("--at", "113.01.19", POLICY)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no changes between")
    assert "113.01.19" in result.stdout


def test_at_a_date_without_an_amendment_names_the_amendments():
    result = run("--at", "113.02.01", POLICY)
    assert result.exit_code != 0
    assert "no amendment was adopted on 113.02.01" in result.stderr and "113.01.19" in result.stderr


# ------------------------------------------------------------------ the example amendment
#
# examples/amendment/ is made by examples/amendment/make_example.py from the current policy
# with `rulekit amend` (tests/test_amendments.py checks that it is current): the shipped
# policy with four amended provisions, one amended chain and a new amendment entry.

@pytest.fixture(scope="module")
def amended() -> str:
    return AMENDMENT


EXAMPLE_CHANGES = [("article", "四.(三)", "amended"), ("article", "四.段2", "amended"), ("article", "五.(二)", "amended"),
                   ("parameter", "course_outcome_quota", "amended"), ("parameter", "confirmation_period_min", "amended"),
                   ("chain", "課程成果", "new_primary"),
                   ("entry", "tasks:教師研習", "amended"), ("entry", "amendments:114.01.17", "added")]


def test_example_amendment_changes():
    assert [(c.kind, c.key, c.action) for c in diff_policies(OLD.policy, load_policy(AMENDMENT).policy).changes
            if (c.kind, c.key, c.action) in EXAMPLE_CHANGES] == EXAMPLE_CHANGES


def test_example_amendment_loads_cleanly(amended):
    loaded = load_policy(amended)
    assert loaded.ok, [d.message for d in loaded.diagnostics]


def test_shipped_example_amendment_changes_only_what_it_says():
    result = diff_policies(OLD.policy, load_policy(AMENDMENT).policy)
    # the shipped example also takes the two disagreements it settles off known_conflicts
    assert [(c.kind, c.key, c.action) for c in result.changes] == \
        EXAMPLE_CHANGES + [("entry", "known_conflicts:known_conflicts", "amended")]


def markdown_rows(md: str) -> list[list[str]]:
    lines = [line for line in md.splitlines() if line.startswith("| ")][1:]  # less the header
    return [re.split(r"(?<!\\) \| ", line[2:-2]) for line in lines]


def test_example_amendment_markdown_golden(amended, golden_lang):
    result = run(POLICY, amended, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert_golden(golden_for("diff/amendment.md", golden_lang), result.stdout)


def test_shipped_example_amendment_markdown_is_the_golden():
    result = run(POLICY, AMENDMENT, "--format", "markdown")
    assert result.stdout == (ROOT / "tests" / "golden" / "diff" / "amendment.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["amended", "shipped"])
def test_example_amendment_markdown_rows(amended, which):
    md = run(POLICY, amended if which == "amended" else AMENDMENT, "--format", "markdown").stdout
    assert md.startswith("# 臺中市私立致用高級中學建置學生學習歷程檔案作業補充規定 修正條文對照表\n")
    assert "| 修正條文 | 現行條文 | 說明 |\n|---|---|---|\n" in md
    rows = {row[0].split(" ")[0]: row for row in markdown_rows(md)}
    new, old, note = rows["四.(三)"]
    assert "至多<u>八</u>件" in new and "至多<u>六</u>件" in old
    assert new.replace("<u>八</u>", "") == old.replace("<u>六</u>", "")
    assert note == "一、修正四.(三)文字。<br>二、四.(三) 課程學習成果件數每學期上限 6 件 → 8 件。"
    new, old, note = rows["五.(二)"]
    assert "教務處<u>教學組、</u>課務組每學期" in new and "教務處課務組每學期" in old
    assert note == "一、修正五.(二)文字。<br>二、工作項目 教師研習:五.(二) 增列 教學組。"
    new, old, note = rows["七.(一)"]
    assert new == "七.(一) 課程成果:承辦人 <u>教學組長</u>;代理人 <u>課務組長</u>、註冊組長"
    assert old == "七.(一) 課程成果:承辦人 <u>課務組長</u>;代理人 註冊組長"
    assert note == "七.(一) 課程成果 改由 教學組長 承辦,原承辦人 課務組長 改列第 1 順位代理人。"
    assert "114.01.17" not in md and "修正沿革" not in md  # the history of adoption is no provision
    assert "course_outcome_quota" not in md  # the 說明 speaks Chinese
    assert list(rows) == ["四.(三)", "四.段2", "五.(二)", "七.(一)"]
    assert not re.search(r"[A-Za-z_]{3,}", "".join(row[2] for row in rows.values()))  # 說明: Chinese only


def test_example_amendment_json_lists_the_changes(amended):
    result = run(POLICY, amended, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["old"] == POLICY and data["new"] == amended
    changes = {(c["kind"], c.get("name") or c.get("task") or c.get("citation")): c for c in data["changes"]}
    assert list(changes) == [("article", "四.(三)"), ("article", "四.段2"), ("article", "五.(二)"),
                             ("parameter", "course_outcome_quota"), ("parameter", "confirmation_period_min"),
                             ("chain", "課程成果"), ("entry", "教師研習"), ("entry", "114.01.17"),
                             ("entry", "known_conflicts")]
    quota = changes["parameter", "course_outcome_quota"]
    assert (quota["old"]["value"], quota["new"]["value"], quota["action"]) == (6, 8, "amended")
    assert (quota["old"]["quote"], quota["new"]["quote"]) == ("至多六件", "至多八件")
    chain = changes["chain", "課程成果"]
    assert (chain["old"], chain["new"], chain["action"]) == (["課務組長", "註冊組長"], ["教學組長", "課務組長", "註冊組長"], "new_primary")
    assert "至多八件" in changes["article", "四.(三)"]["new"] and "至多六件" in changes["article", "四.(三)"]["old"]
    task = changes["entry", "教師研習"]
    assert task["section"] == "tasks" and task["new"]["stated_in"][0]["parties"] == ["教學組", "課務組"]
    assert changes["entry", "114.01.17"]["action"] == "added" and changes["entry", "114.01.17"]["old"] is None
    shipped = json.loads(run(POLICY, AMENDMENT, "--format", "json").stdout)["changes"]
    assert [c for c in data["changes"] if c["kind"] in ("article", "parameter", "chain")] == \
        [c for c in shipped if c["kind"] in ("article", "parameter", "chain")]


def test_docs_show_the_real_table():
    """docs/amendments.md shows the 對照表 as the command prints it (the golden file)."""
    golden = (ROOT / "tests" / "golden" / "diff" / "amendment.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in golden.splitlines() if line.startswith("|"))
    assert table in (ROOT / "docs" / "amendments.md").read_text(encoding="utf-8"), \
        "docs/amendments.md: paste the table of tests/golden/diff/amendment.md again"


@pytest.mark.parametrize("columns, expected", [(200, [50, 50, 40]), (144, [50, 50, 40]), (100, [34, 34, 28]),
                                              (80, [27, 27, 22])])
def test_example_amendment_table_wraps_chinese(amended, columns, expected, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run(POLICY, amended)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    widths = [len(dashes) for dashes in lines[1].split("  ")]
    assert lines[0].split() == ["修正條文", "現行條文", "說明"] and widths == expected
    bounds = [0, widths[0] + 2, widths[0] + widths[1] + 4]
    for line in lines[2:]:
        assert display_width(line) <= min(columns, sum(widths) + 4), line
        for start in bounds[1:]:  # every column starts at the same terminal column
            assert display_width(_cut(line, start - 2)) == start - 2 or display_width(line) <= start - 2, line
            assert _cut_rest(line, start - 2)[:2] in ("  ", "", " "), line
        for cell in _cells(line, bounds):
            assert not cell[:1] or cell[0] not in "、,。;:)", line  # no wrapped line starts with closing punctuation
    assert "至多[八]件" in "".join(_cells(line, bounds)[0] for line in lines[2:])


def _cut(line: str, columns: int) -> str:
    out = ""
    for ch in line:
        if display_width(out + ch) > columns:
            break
        out += ch
    return out


def _cut_rest(line: str, columns: int) -> str:
    return line[len(_cut(line, columns)):]


def _cells(line: str, bounds: list[int]) -> list[str]:
    first, rest = _cut(line, bounds[1]), _cut_rest(line, bounds[1])
    second = _cut(rest, bounds[2] - bounds[1])
    return [first.strip(), second.strip(), _cut_rest(rest, bounds[2] - bounds[1]).strip()]


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.sampled_from("課程學習成果至多八件、,。:;()abc_12 "), max_size=120),
       width=st.integers(4, 40))
def test_wrap_keeps_every_character_within_the_width(text, width):
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# ------------------------------------------------------------------ 說明 in words

def _diff_with(tmp_path, edit):
    doc = copy.deepcopy(BASE)
    edit(doc)
    dump(doc, tmp_path / "new.yaml")
    return diff_policies(OLD.policy, load_policy(str(tmp_path / "new.yaml")).policy)


@pytest.mark.parametrize("edit, words", [
    (lambda d: d["parameters"]["teacher_workshop"].update(times=2), "五.(二) 教師研習次數每學期下限 1 次 → 2 次。"),
    (lambda d: d["parameters"]["unit_check_lead_time"].update(value=3), "附表.14 各負責單位完成檢核期限前 2 週 → 3 週。"),
    (lambda d: d["parameters"]["course_outcome_quota"].update(bound="at_least"), "四.(三) 課程學習成果件數限制 上限 → 下限。"),
    (lambda d: d["substitutes"]["chains"]["修課"].append("教務主任"), "七.(一) 修課 增列代理人 教務主任(第 2 順位)。"),
    (lambda d: d["substitutes"]["chains"]["修課"].pop(), "七.(一) 修課 刪除代理人 註冊組幹事。"),
    (lambda d: d["substitutes"]["chains"]["修課"].pop(0), "七.(一) 修課 刪除承辦人 註冊組長,改由 註冊組幹事 承辦。"),
    (lambda d: d["substitutes"]["chains"].update(修課=["註冊組長", "教務主任"]), "七.(一) 修課 修正代理名單:註冊組長、註冊組幹事 → 註冊組長、教務主任。"),
    (lambda d: d["duty_table"]["rows"][16].update(administration=["教學組"]), "附表.17 行政承辦由 教務處、教學組、課務組 改為 教學組。"),
    (lambda d: d["duty_table"]["rows"][16].update(remarks="每學期至少辦理二次。"), "附表.17 修正備註欄。"),
    (lambda d: d["tasks"]["教師研習"]["stated_in"].append({"citation": "五", "parties": ["教務處"]}),
     "工作項目 教師研習:增列出處 五(教務處)。"),
    (lambda d: d["tasks"]["親師說明"]["stated_in"][1].update(parties=["輔導室"]), "工作項目 親師說明:附表.18 刪除 教務處。"),
    (lambda d: d["organization"]["roles"].update(教學組長={"en": "Chief", "unit": "註冊組"}),
     "職稱 教學組長:英文名稱 Chief of the Instruction Section → Chief;所屬單位 教學組 → 註冊組。"),
    (lambda d: d["organization"]["roles"].update(圖書館主任={"en": "Librarian"}), "增列職稱 圖書館主任。"),
    (lambda d: d["working_group"]["seats"].append({"seat": "校友代表"}), "工作小組:席次增列 校友代表。"),
    (lambda d: d["metadata"].update(title="新名稱"), "法規名稱:臺中市私立致用高級中學建置學生學習歷程檔案作業補充規定 → 新名稱。"),
    (lambda d: _rule_entry(d, "teacher-workshop")["message"].update(fail="未辦理研習"),
     "修正檢核規則「每學期至少辦理一次教師研習」之訊息。"),
])
def test_explanations_say_what_changed_in_words(tmp_path, edit, words):
    result = _diff_with(tmp_path, edit)
    assert [explain(c) for c in result.changes] == [words]


# ------------------------------------------------------------------ impact on the example school

school = pytest.mark.skipif(not (SCHOOL / "course_outcomes.csv").exists(), reason="examples/school/ is not there yet")


def quota_flips_expected() -> list[tuple[str, str]]:
    """(student, semester) with 7 or 8 course outcomes: over quota 6, within quota 8."""
    with open(SCHOOL / "students.csv", encoding="utf-8") as f:
        students = {row["學號"] for row in csv.DictReader(f)}
    with open(SCHOOL / "course_outcomes.csv", encoding="utf-8") as f:
        counts = Counter((row["student"], row["semester"]) for row in csv.DictReader(f))
    return sorted(key for key, n in counts.items() if n in (7, 8) and key[0] in students)


@school
def test_impact_on_the_example_school(amended):
    expected = quota_flips_expected()
    assert expected, "the example school should have students with 7 or 8 outcomes in a semester"
    result = run(POLICY, amended, "--records", str(SCHOOL), "--as-of", "2025-03-31", "--format", "json")
    assert result.exit_code == 0, result.output
    impact = json.loads(result.stdout)["impact"]
    flips = impact["flips"]
    assert sorted((f["subject"]["student"], f["subject"]["semester"]) for f in flips) == expected
    assert all((f["rule"], f["citation"], f["old"], f["new"]) == ("course-outcome-quota", "四.(三)", "fail", "pass")
               for f in flips)
    # every flip is in a semester that began before 114.01.17: it stays under the text in force then
    assert not any(f["applies"] for f in flips)
    assert impact["summary"].startswith("本次修正改變 0 名學生之 0 項檢核結果(新增不符合 0 項、改為符合 0 項)")
    assert f"另 {len(expected)} 項結果屬修正施行前已開始之學期或學年" in impact["summary"]
    assert ("課程成果", "無人請假") in {(t["task"], t["situation"]) for t in impact["tasks"]}
    table = run(POLICY, amended, "--records", str(SCHOOL), "--as-of", "2025-03-31")
    assert impact["summary"] in table.stdout.splitlines()


@school
def test_impact_of_the_shipped_example_includes_the_quota_flips():
    result = run(POLICY, AMENDMENT, "--records", str(SCHOOL), "--as-of", "2025-03-31", "--format", "json")
    assert result.exit_code == 0, result.output
    flips = json.loads(result.stdout)["impact"]["flips"]
    assert sorted((f["subject"]["student"], f["subject"]["semester"]) for f in flips
                  if f["rule"] == "course-outcome-quota") == quota_flips_expected()


def test_a_removed_chain_is_cited_where_it_stood(tmp_path):
    def edit(doc):
        doc["substitutes"]["citation"] = "七"
        del doc["substitutes"]["chains"]["修課"]
        doc["substitutes"]["chains"]["重補修"] = ["註冊組幹事", "註冊組長"]
    chains = {c.task: c for c in _diff_with(tmp_path, edit).of("chain")}
    assert (chains["修課"].action, chains["修課"].citation) == ("removed", "七.(一)")
    assert (chains["重補修"].action, chains["重補修"].citation) == ("reordered", "七")
