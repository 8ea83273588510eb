"""`rulekit serve`'s pages through Starlette's TestClient: every page, every error, the headers.

Expected values come from the example school's files read here with the csv module (who holds
which role, which student is in which class), or from the CLI's JSON, never from the web code.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from starlette.testclient import TestClient

from rulekit.cli import main
from rulekit.web import Settings, create_app

ROOT = Path(__file__).resolve().parents[1]
POLICY = str(ROOT / "policy" / "regulation.yaml")
SCHOOL = ROOT / "examples" / "school"
AMENDED = str(ROOT / "examples" / "amendment" / "regulation.yaml")
DAY = "2025-03-01"


def _rows(name: str) -> list[dict]:
    with open(SCHOOL / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


STUDENTS = {r["學號"]: r for r in _rows("students.csv")}
STAFF = {r["職員編號"]: r for r in _rows("staff.csv")}


def client(policy=POLICY, records=str(SCHOOL), **kwargs) -> TestClient:
    return TestClient(create_app(Settings(policy, records, **kwargs), loopback_only=True),
                      base_url="http://127.0.0.1:8000")


@pytest.fixture(scope="module")
def web():
    return client()


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def holder(role: str) -> str:
    return next(f"{r['姓名']} ({i})" for i, r in STAFF.items() if role in r["職稱"].split("、"))


# ------------------------------------------------------------------ every page, its frame

PAGES = ["/", "/who", "/duties", "/check", "/deadlines", f"/student/{next(iter(STUDENTS))}", "/regulation",
         "/amendments"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_traditional_chinese_safe_and_not_cached(web, path):
    r = web.get(path)
    assert r.status_code == 200, r.text
    assert '<html lang="zh-Hant-TW">' in r.text
    assert 'name="viewport"' in r.text  # a phone lays it out at its own width
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text and " on" + "click=" not in r.text  # no inline script or handler
    for href in ("/who", "/duties", "/check", "/deadlines", "/regulation", "/amendments"):
        assert f'href="{href}"' in r.text


def test_static_assets_are_served_from_the_package(web):
    for name, kind in (("app.css", "text/css"), ("search.js", "javascript")):
        r = web.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
        assert "no-store" not in r.headers["cache-control"]


def test_home_names_the_regulation_its_amendment_and_hash(web):
    from rulekit.policy.load import require_history

    latest = require_history(POLICY).latest
    r = web.get("/")
    assert latest.title in r.text and latest.content_hash in r.text
    assert latest.amendments[-1].roc_date in r.text


def test_no_national_id_is_shown_on_any_page(web):
    pages = [web.get(p).text for p in PAGES] + [web.get("/check?status=pass&status=fail&status=pending"
                                                        "&status=not_applicable").text]
    pages += [web.get(f"/student/{sid}").text for sid in STUDENTS]
    for row in STUDENTS.values():
        assert not any(row["身分證字號"] in page for page in pages), row["學號"]


# ------------------------------------------------------------------ 問誰負責

def test_who_the_teacher_absent_names_the_substitute_with_the_article(zh_default):
    r = client().get("/who", params={"task": "課程認證", "absent": "任課教師"})
    page = text_of(r.text)
    assert r.status_code == 200
    assert f"由代理人教學組長({holder('教學組長')})辦理" in page
    assert "✗" in page and "✓" in page
    assert "[七.(一)]" in page and "由工作小組訂定代理人名單" in page


def test_who_for_a_course_whose_teacher_left_follows_the_teacher_provision():
    course = next(r for r in _rows("courses.csv") if STAFF[r["任課教師"]]["狀態"] == "departed"
                  and STAFF[r["任課教師"]]["可協助認證"] == "否")
    r = client().get("/who", params={"task": "認證", "course": course["課程代碼"], "on": "114.03.01"})
    page = text_of(r.text)
    teacher = STAFF[course["任課教師"]]
    assert f"{teacher['姓名']} ({course['任課教師']}) left" in page
    assert f"教學組長({holder('教學組長')})" in page and "[七.(二).1]" in page


def test_who_without_a_roster_answers_with_roles(zh_default):
    r = client(records=None).get("/who", params={"task": "課程認證", "absent": "任課教師"})
    assert "由代理人教學組長辦理" in text_of(r.text)


@pytest.mark.parametrize("params, code", [
    ({"task": "課程認正"}, "unknown-task"),
    ({"task": "課程認證", "absent": "校長x"}, "unknown-absent"),
    ({"task": "課程認證", "on": "114.13.01"}, "bad-date"),
    ({"task": "課程認證", "course": "C99999"}, "unknown-course"),
])
def test_who_mistakes_are_findings_on_the_page(web, params, code):
    r = web.get("/who", params=params)
    assert r.status_code == 400
    assert f"error[{code}]" in unescape(r.text) and "hint:" in r.text
    assert "Traceback" not in r.text and 'id="task"' in r.text  # the form stays to try again


# ------------------------------------------------------------------ 職掌, 交接

def test_duties_of_a_person_and_a_handover(web):
    r = web.get("/duties", params={"subject": "T008"})
    assert "註冊組長" in r.text and "附表" in r.text
    r = web.get("/duties", params={"person": "T002", "on": "114.02.01"})
    page = text_of(r.text)
    assert "林淑芬 (T002) 於 2025-02-01 離職" in page and holder("註冊組長") in page


def test_handover_without_a_roster_says_what_it_needs():
    r = client(records=None).get("/duties", params={"person": "T002"})
    assert r.status_code == 400 and "error[missing-roster]" in r.text


# ------------------------------------------------------------------ 檢核

def cli_json(*args) -> dict:
    result = CliRunner().invoke(main, ["check", str(SCHOOL), "--policy", POLICY, "--format", "json", *args])
    return json.loads(result.stdout)


def summary_rows(html: str) -> dict:
    body = html.split('<table class="summary">', 1)[1].split("</tbody>", 1)[0]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        cells = [text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        out[cells[0].split()[0]] = tuple(int(c) for c in cells[1:])
    return out


def expected_counts(data: dict) -> dict:
    counts: dict[str, Counter] = {}
    for r in data["results"]:
        counts.setdefault(r["citation"], Counter())[r["status"]] += 1
    return {c: (n["pass"], n["fail"], n["pending"], n["not_applicable"]) for c, n in counts.items()}


def test_check_counts_by_article_agree_with_the_cli(web):
    r = web.get("/check", params={"on": DAY})
    assert summary_rows(r.text) == expected_counts(cli_json("--as-of", DAY))


def failures_on(html: str) -> list[str]:
    return [text_of(li) for li in re.findall(r'<li class="result fail">(.*?)</li>', html, re.S)]


def test_check_lists_each_failure_with_the_students_name_and_class(web):
    data = cli_json("--as-of", DAY)
    failing = [r for r in data["results"] if r["status"] == "fail"]
    shown = failures_on(web.get("/check", params={"on": DAY}).text)
    assert len(shown) == len(failing)
    for item in failing:
        line = next(s for s in shown if item["message"] in s)
        for sid in set(re.findall(r"\b\d{7}\b", item["message"])) & STUDENTS.keys():
            assert STUDENTS[sid]["姓名"] in line and STUDENTS[sid]["班級"] in line
        assert "為什麼?" in line and f"[{item['citation']}]" in line


def test_check_filters_by_status_class_and_article(web):
    cls = "301"
    in_class = {sid for sid, row in STUDENTS.items() if row["班級"] == cls}
    shown = failures_on(web.get("/check", params={"on": DAY, "class": cls}).text)
    assert shown and all(any(STUDENTS[s]["姓名"] in line for s in in_class) for line in shown)
    r = web.get("/check", params={"on": DAY, "status": "pending"})
    assert 'class="result fail"' not in r.text and 'class="result pending"' in r.text
    r = web.get("/check", params={"on": DAY, "article": "四.(三).1"})
    assert set(re.findall(r'<h3 id="r-p-([^"]+)"', r.text)) == {"四.(三).1"}


def test_markdown_download_is_the_cli_report(web):
    r = web.get("/check/report.md", params={"on": DAY})
    assert r.headers["content-disposition"].startswith("attachment")
    cli = CliRunner().invoke(main, ["check", str(SCHOOL), "--policy", POLICY, "--format", "markdown", "--as-of", DAY])
    assert r.text == cli.stdout


def _workbook_rows(content: bytes) -> list[tuple]:
    """Every row of every per-article sheet of a report workbook, read back with openpyxl."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for sheet in book.worksheets[1:] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_workbook_download_holds_every_failure_the_cli_reports(web):
    r = web.get("/check/report.xlsx", params={"on": DAY})
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    rows = _workbook_rows(r.content)
    messages = {cell for row in rows for cell in row if isinstance(cell, str)}
    failing = [x for x in cli_json("--as-of", DAY)["results"] if x["status"] == "fail"]
    assert failing and all(x["message"] in messages for x in failing)
    assert not any(re.search(r"[A-Z][12]\d{8}", cell) for cell in messages)  # national IDs masked


def test_uploaded_workbook_download(web):
    r = upload(web, school_files(), on=DAY, download="xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert _workbook_rows(r.content) == _workbook_rows(web.get("/check/report.xlsx", params={"on": DAY}).content)


def test_an_uploaded_excel_workbook_gives_the_csv_counts(web):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for path in sorted(SCHOOL.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    parts = [("files", ("匯出.xlsx", data.getvalue(), "application/octet-stream"))]
    r = web.post("/check", files=parts, data={"on": DAY})
    assert r.status_code == 200, text_of(r.text)[:500]
    assert summary_rows(r.text) == expected_counts(cli_json("--as-of", DAY))


def upload(web, files: dict, **form):
    parts = [("files", (name, content, "text/csv")) for name, content in files.items()]
    return web.post("/check", files=parts, data=form)


def school_files() -> dict:
    return {p.name: p.read_bytes() for p in sorted(SCHOOL.glob("*.csv"))}


def test_uploaded_files_give_the_same_check_and_leave_nothing_behind(web, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    r = upload(web, school_files(), on=DAY)
    assert r.status_code == 200
    assert summary_rows(r.text) == expected_counts(cli_json("--as-of", DAY))
    assert list(tmp_path.iterdir()) == []


def test_uploaded_markdown_download(web):
    r = upload(web, school_files(), on=DAY, download="markdown")
    assert r.headers["content-disposition"].startswith("attachment") and "# " in r.text


def test_a_broken_csv_shows_the_located_error_on_the_page(web, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    files = school_files()
    files["students.csv"] = files["students.csv"].replace(b"110.08.01", b"110.13.01", 1)
    r = upload(web, files)
    assert r.status_code == 422
    page = unescape(r.text)
    assert "students.csv:row 2: error[invalid-date] [enrolled_on]" in page and "hint: months run from 1 to 12" in page
    assert "rulekit-upload-" not in page and str(tmp_path) not in page  # the file as the user named it
    assert list(tmp_path.iterdir()) == []


def test_a_cell_cannot_inject_markup(web):
    files = school_files()
    files["students.csv"] = files["students.csv"].replace("江品睿".encode(), b"<script>alert(1)</script>")
    r = upload(web, files, on=DAY, download="")
    assert "<script>alert(1)</script>" not in r.text


@pytest.mark.parametrize("files, status, words", [
    ({}, 400, "choose the records files"),
    ({"notes.txt": b"x"}, 400, "notes.txt is not a records file"),
    ({"../students.csv": b"id\n"}, 422, "students.csv"),  # the folder part is dropped
])
def test_upload_mistakes_are_shown_on_the_page(web, files, status, words):
    r = upload(web, files) if files else web.post("/check", data={"on": ""}, files=[("files", ("", b"", "text/csv"))])
    assert r.status_code == status and words in unescape(r.text)
    assert "../" not in r.text


def test_an_upload_over_the_limit_is_refused_before_it_is_read():
    small = client(max_upload_bytes=1000)
    r = upload(small, {"students.csv": b"x" * 5000})
    assert r.status_code == 413 and "more than the limit of 1000" in r.text


# ------------------------------------------------------------------ 學生

def test_student_page_lists_every_result_about_the_student_by_article(web):
    sid = "1120202"
    data = cli_json("--as-of", DAY, "--all")
    about = [r for r in data["results"] if sid in r["message"]]
    r = web.get(f"/student/{sid}", params={"on": DAY})
    page = text_of(r.text)
    assert STUDENTS[sid]["姓名"] in page and STUDENTS[sid]["班級"] in page
    for item in about:
        assert item["message"] in page
    others = set(STUDENTS) - {sid}
    assert not any(f" {o} " in page for o in others)


def test_unknown_student_is_a_not_found_page(web):
    r = web.get("/student/0000000")
    assert r.status_code == 404 and "no student 0000000" in r.text


# ------------------------------------------------------------------ 條文, 修正

def test_regulation_anchors_every_provision_and_links_what_was_encoded(web):
    from rulekit.policy.load import require_history

    policy = require_history(POLICY).latest
    r = web.get("/regulation")
    for citation in policy.provisions:
        assert f'id="p-{citation}"' in r.text
    for rule in policy.rules:
        assert f"<code>{rule.id}</code>" in r.text
    for row in policy.duty_table.rows:
        assert f'id="p-{row.id}"' in r.text
    assert 'data-filter="#articles"' in r.text


def test_amendments_with_one_text_say_there_is_nothing_to_compare(web):
    r = web.get("/amendments")
    assert "113.01.19" in r.text and "沒有可對照的兩版" in r.text


def test_the_comparison_table_between_two_amendments():
    r = client(policy=AMENDED, records=None).get("/amendments", params={"from": "113.01.19", "to": "114.01.17"})
    assert r.status_code == 200
    assert "修正條文對照表" in r.text and "至多<u>八</u>件" in r.text and "至多<u>六</u>件" in r.text


def test_a_comparison_date_before_the_text_is_a_finding():
    r = client(policy=AMENDED, records=None).get("/amendments", params={"from": "100.01.01", "to": "114.01.17"})
    assert r.status_code in (400, 422) and "error[" in r.text


# ------------------------------------------------------------------ errors, access, reloading

def test_an_unknown_address_is_a_page_not_a_trace(web):
    r = web.get("/nothing-here")
    assert r.status_code == 404 and '<html lang="zh-Hant-TW">' in r.text


def test_a_bug_is_one_line_on_a_page_not_a_trace(monkeypatch):
    import rulekit.policy.show

    def broken(policy, citation):
        raise ValueError("boom")

    monkeypatch.setattr(rulekit.policy.show, "provision_view", broken)
    r = TestClient(client().app, base_url="http://127.0.0.1", raise_server_exceptions=False).get("/regulation")
    assert r.status_code == 500 and '<html lang="zh-Hant-TW">' in r.text
    assert "internal error: ValueError: boom (please report this)" in r.text and "Traceback" not in r.text
    assert r.headers["cache-control"] == "no-store"


def test_a_host_other_than_loopback_is_refused_when_bound_to_loopback(web):
    r = web.get("/", headers={"host": "attacker.example:8000"})
    assert r.status_code == 400


def test_a_token_is_required_then_kept_in_a_cookie():
    guarded = TestClient(create_app(Settings(POLICY, None, token="s3cret")), base_url="http://school.example")
    assert guarded.get("/").status_code == 401
    assert guarded.get("/", params={"token": "wrong"}).status_code == 401
    r = guarded.get("/who", params={"token": "s3cret", "task": "課程認證"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/who?task=%E8%AA%B2%E7%A8%8B%E8%AA%8D%E8%AD%89"
    assert "httponly" in r.headers["set-cookie"].lower()
    assert guarded.get("/").status_code == 200  # the cookie
    assert TestClient(guarded.app).get("/", headers={"authorization": "Bearer s3cret"}).status_code == 200


def test_the_policy_is_read_again_when_the_file_changes(tmp_path):
    policy = tmp_path / "regulation.yaml"
    shutil.copy(POLICY, policy)
    web = client(policy=str(policy), records=None)
    assert "建置學生學習歷程檔案作業補充規定" in web.get("/").text
    text = policy.read_text(encoding="utf-8").replace("作業補充規定\n", "作業補充規定(草案)\n", 1)
    policy.write_text(text, encoding="utf-8")
    os.utime(policy, ns=(policy.stat().st_mtime_ns + 10**9,) * 2)
    assert "補充規定(草案)" in web.get("/").text
    policy.write_text("title: [", encoding="utf-8")
    r = web.get("/")
    assert r.status_code == 422 and "error[" in r.text


# ------------------------------------------------------------------ the command

def test_serve_refuses_a_non_loopback_host_without_a_token():
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--policy", POLICY])
    assert result.exit_code == 2
    assert "error[token-required]" in result.stderr and "--token generate" in result.stderr


def test_serve_refuses_a_broken_policy_before_listening(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("title: [", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--policy", str(bad), "--port", "0"])
    assert result.exit_code == 2 and "error[" in result.stderr  # unusable input (docs/exit-codes.md)


def test_a_national_id_quoted_in_a_finding_is_masked(web):
    files = school_files()
    first = next(iter(STUDENTS.values()))
    files["students.csv"] = files["students.csv"].replace(first["入學日期"].encode(), first["身分證字號"].encode(), 1)
    page = unescape(upload(web, files).text)
    assert first["身分證字號"][:6] + "****" in page and first["身分證字號"] not in page


def test_templates_and_assets_are_package_data():
    """A non-editable install has every template and asset: each matches pyproject's package-data."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["rulekit"]
    package = ROOT / "src" / "rulekit"
    shipped = [p.relative_to(package).as_posix() for d in ("web/templates", "web/static") for p in (package / d).iterdir()]
    assert shipped and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in shipped), shipped


def test_serve_answers_as_soon_as_it_prints_its_address():
    """The printed address is opened at once (a browser, a test): it must not be refused."""
    import subprocess
    import sys
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-c", "from rulekit.cli import main; main()", "serve", "--port", "0",
                             "--policy", POLICY], stdout=subprocess.PIPE, text=True)
    try:
        address = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
        with urllib.request.urlopen(address, timeout=30) as response:
            assert response.status == 200 and "server-timing" in response.headers
    finally:
        proc.terminate()
        proc.wait(timeout=10)


ALL_STATUSES = ("pass", "fail", "pending", "not_applicable")


@pytest.fixture(scope="module")
def cli_results():
    return cli_json("--as-of", DAY, "--all")["results"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statuses=st.sets(st.sampled_from(ALL_STATUSES), min_size=1),
       article=st.sampled_from(["", "四.(三)", "四.(一)", "七.(三)", "三"]))
def test_the_filters_show_exactly_the_cli_results_they_name(web, cli_results, statuses, article):
    params = [("on", DAY), ("article", article)] + [("status", s) for s in sorted(statuses)]
    html = web.get("/check", params=params).text
    shown = Counter(s for s in re.findall(r'<li class="result (\w+)">', html))
    expected = Counter(r["status"] for r in cli_results
                       if r["status"] in statuses and (not article or r["citation"] == article))
    assert shown == expected


# ------------------------------------------------------------------ 行事曆

def test_deadlines_page_lists_what_rulekit_deadlines_lists(web):
    cli = CliRunner().invoke(main, ["deadlines", str(SCHOOL), "--policy", POLICY, "--format", "json", "--as-of", DAY])
    expected = [(d["due"], d["what"], "、".join(d["people"] or d["roles"]) or "—") for d in json.loads(cli.stdout)["deadlines"]]
    r = web.get("/deadlines", params={"on": DAY})
    assert r.status_code == 200 and expected
    body = r.text.split('<table id="deadlines">', 1)[1].split("</tbody>", 1)[0]
    rows = [[text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr class=\"\w+\">(.*?)</tr>", body, re.S)]
    assert [(row[0].split("~")[-1], row[2], row[4]) for row in rows] == expected


def test_deadlines_calendar_file_is_the_cli_ics(web):
    r = web.get("/deadlines.ics", params={"on": DAY})
    assert r.headers["content-type"].startswith("text/calendar")
    assert r.headers["content-disposition"].startswith("attachment")
    cli = CliRunner().invoke(main, ["deadlines", str(SCHOOL), "--policy", POLICY, "--format", "ics", "--as-of", DAY])
    assert r.text.replace("\r\n", "\n") == cli.stdout.replace("\r\n", "\n")


def test_deadlines_without_records_say_so():
    r = client(records=None).get("/deadlines")
    assert r.status_code == 404 and "no records were loaded" in r.text
