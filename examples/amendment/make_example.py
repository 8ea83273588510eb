"""Regenerate examples/amendment/regulation.yaml from policy/regulation.yaml.

The example is a proposed amendment (NOT adopted): 四.(三) 至多六件 -> 至多八件,
五.(二) adds 教學組, and 七.(一) 課程成果 gets 教學組長 as its new 承辦人. Run it after
changing policy/regulation.yaml so the example differs only in these points:

    python examples/amendment/make_example.py
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDITS = [
    ("# yaml-language-server: $schema=../src/", "# yaml-language-server: $schema=../../src/"),
    ("# 臺中市私立致用高級中學建置學生學習歷程檔案作業補充規定, encoded from the OCR'd",
     "# EXAMPLE ONLY: a proposed amendment for demonstrating `rulekit diff`; NOT adopted.\n"
     "# Made by examples/amendment/make_example.py from policy/regulation.yaml.\n#\n"
     "# 臺中市私立致用高級中學建置學生學習歷程檔案作業補充規定, encoded from the OCR'd"),
    ("至多六件,三年級資料", "至多八件,三年級資料"),
    ("  course_outcome_quota:\n    type: count\n    value: 6", "  course_outcome_quota:\n    type: count\n    value: 8"),
    ('quote: "至多六件"', 'quote: "至多八件"'),
    ("課程學習成果每學期至多六件", "課程學習成果每學期至多八件"),
    ("    課程成果: [課務組長, 註冊組長]", "    課程成果: [教學組長, 課務組長, 註冊組長]"),
    ('        heading: 教師研習\n        text: "教務處課務組每學期', '        heading: 教師研習\n        text: "教務處教學組、課務組每學期'),
    ("      - {citation: 五.(二), parties: [課務組]}", "      - {citation: 五.(二), parties: [教學組, 課務組]}"),
    # two disagreements this amendment settles leave known_conflicts
    ("  - {task: 課程成果, citations: [附表.8, 七.(一)], note: \"附表.8 (學科) names 教學組; the substitute list 課務組長\"}\n", ""),
    ("  - {task: 教師研習, citations: [五.(二), 附表.17], note: \"五.(二) names 課務組; 附表.17 教學組 and 課務組\"}\n", ""),
    ("    note: The text encoded here is the one in force since this amendment; earlier texts are not known.\n",
     "    note: The text encoded here is the one in force since this amendment; earlier texts are not known.\n"
     '  - date: "114.01.17"\n    kind: 修正\n    meeting: 校務會議\n'
     "    summary: 課程學習成果上限改為每學期八件;課程成果增列教學組長為承辦人;教師研習由教學組、課務組共同辦理\n"
     "    changed: [四.(三), 五.(二), 七.(一)]\n"),
]


def main() -> None:
    text = (ROOT / "policy" / "regulation.yaml").read_text(encoding="utf-8")
    for old, new in EDITS:
        if text.count(old) != 1:
            raise SystemExit(f"cannot apply the edit {old[:40]!r}: found {text.count(old)} times")
        text = text.replace(old, new)
    (ROOT / "examples" / "amendment" / "regulation.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
