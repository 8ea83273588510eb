"""Make examples/amendment/ from policy/: the whole amendment workflow on a copy.

The example is a proposed amendment (NOT adopted) of 114.01.17:
- 四.(三) 課程學習成果 至多六件 -> 至多八件, and 四.段2 確認期間 不得少於三日 -> 五日,
  made the way an editor makes them: `rulekit amend --set` (the library call behind it);
- 五.(二) 教師研習 by 教學組 and 課務組 together: `rulekit amend --text`;
- 七.(一) 課程成果 gets 教學組長 as its 承辦人, and the two disagreements this settles end:
  written by hand as dated values (`{"113.01.19": ..., "114.01.17": ...}`, `until:`),
  which is just as valid as what `amend` writes.

It writes regulation.yaml (one file holding both texts), tests/ (the shipped cases plus
new ones at the new limits, tests/amended.yaml, which is written by hand and kept),
對照表.md (`rulekit diff --from 113.01.19 --to 114.01.17 --format markdown`) and
impact.md (the same with --records examples/school). Run it after changing policy/:

    python examples/amendment/make_example.py
"""
import datetime as dt
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from rulekit.amend.apply import amend_text  # noqa: E402
from rulekit.amend.diff import diff_policies  # noqa: E402
from rulekit.amend.impact import impact_of  # noqa: E402
from rulekit.policy.load import load_policy_text  # noqa: E402
from rulekit.policy.versions import version_on  # noqa: E402
from rulekit.report.diff import render_markdown  # noqa: E402

HERE = ROOT / "examples" / "amendment"
ON = dt.date(2025, 1, 17)  # 114.01.17
HEADER = ("# EXAMPLE ONLY: a proposed amendment of 114.01.17, for the workflow in docs/amendments.md;\n"
          "# NOT adopted. Made by examples/amendment/make_example.py from policy/regulation.yaml.\n#\n")
BY_HAND = [
    ("    課程成果: [課務組長, 註冊組長]",
     '    課程成果: {"113.01.19": [課務組長, 註冊組長], "114.01.17": [教學組長, 課務組長, 註冊組長]}'),
    ("      - {citation: 五.(二), parties: [課務組]}",
     '      - {citation: 五.(二), parties: {"113.01.19": [課務組], "114.01.17": [教學組, 課務組]}}'),
    ('  - {task: 課程成果, citations: [附表.8, 七.(一)], note: "附表.8 (學科) names 教學組; the substitute list 課務組長"}',
     '  - {task: 課程成果, citations: [附表.8, 七.(一)], note: "附表.8 (學科) names 教學組; the substitute list 課務組長",\n'
     '     until: "114.01.17"}'),
    ('  - {task: 教師研習, citations: [五.(二), 附表.17], note: "五.(二) names 課務組; 附表.17 教學組 and 課務組"}',
     '  - {task: 教師研習, citations: [五.(二), 附表.17], note: "五.(二) names 課務組; 附表.17 教學組 and 課務組",\n'
     '     until: "114.01.17"}'),
    ("# yaml-language-server: $schema=../src/", "# yaml-language-server: $schema=../../src/"),
]


def amended_text() -> str:
    text = (ROOT / "policy" / "regulation.yaml").read_text(encoding="utf-8")
    teacher = load_policy_text(text, "policy/regulation.yaml").policy.provisions["五.(二)"].text
    plan = amend_text(text, "regulation.yaml", ON,
                      sets=[("course_outcome_quota", "8"), ("confirmation_period_min", "5 days")],
                      texts=[("五.(二)", teacher.replace("教務處課務組", "教務處教學組、課務組"))],
                      meeting="113學年度第2次校務會議",
                      summary="課程學習成果上限改為每學期八件;確認期間改為不得少於五日;教師研習由教學組、課務組共同辦理;"
                              "課程成果增列教學組長為承辦人")
    text = plan.text
    for old, new in BY_HAND:
        if text.count(old) != 1:
            raise SystemExit(f"cannot apply the edit {old[:50]!r}: found {text.count(old)} times")
        text = text.replace(old, new)
    return HEADER + text


def main(out: Path = HERE) -> None:
    """Write the example into `out` (the tests write it elsewhere to check it is current)."""
    text = amended_text()
    (out / "tests").mkdir(parents=True, exist_ok=True)
    (out / "regulation.yaml").write_text(text, encoding="utf-8")
    for case_file in sorted((ROOT / "policy" / "tests").glob("*.yaml")):
        shutil.copyfile(case_file, out / "tests" / case_file.name)
    if out != HERE:
        shutil.copyfile(HERE / "tests" / "amended.yaml", out / "tests" / "amended.yaml")
    loaded = load_policy_text(text, "examples/amendment/regulation.yaml")
    if not loaded.ok:
        raise SystemExit("\n".join(d.headline() for d in loaded.diagnostics if d.is_error))
    old = version_on(loaded.history, dt.date(2024, 1, 19))
    new = version_on(loaded.history, ON)
    result = diff_policies(old, new, "regulation.yaml@113.01.19", "regulation.yaml@114.01.17")
    (out / "對照表.md").write_text(render_markdown(result, new.title), encoding="utf-8")
    impact = impact_of(old, new, str(ROOT / "examples" / "school"), None, dt.date(2025, 3, 31))
    (out / "impact.md").write_text(impact.render_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
