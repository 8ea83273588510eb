"""`rulekit serve` in a real headless Chromium (Debian's `chromium`, driven by Playwright).

The server is the real command on a free port; the browser clicks and types as the office
would. With RULEKIT_SCREENSHOTS=DIR each page is saved as DIR/<name>.png: the README's
pictures are made by

    RULEKIT_SCREENSHOTS=docs/screenshots python -m pytest -q tests/test_web_browser.py

Without Chromium the tests are skipped on a developer's machine, and fail under CI (CI set):
.ci/run installs it, so a missing browser there is a broken CI, not a reason to skip.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = ROOT / "examples" / "school"
CHROMIUM = os.environ.get("RULEKIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("RULEKIT_SCREENSHOTS")
DAY = "2025-03-01"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _serve(*args):
    """`rulekit serve` on a free port; (process, address) once it listens."""
    cmd = [sys.executable, "-c", "from rulekit.cli import main; main()", "serve", "--port", "0", *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not found:
        proc.kill()
        raise AssertionError(f"rulekit serve did not start: {line}{proc.stderr.read()}")
    return proc, found.group(0)


@pytest.fixture(scope="module")
def school():
    proc, address = _serve("--records", "examples/school")  # as the README starts it
    yield address
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def amended():
    proc, address = _serve("--policy", "examples/amendment/regulation.yaml")
    yield address
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-TW", viewport={"width": 1200, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    errors = []
    # a CSP violation or a script error is a console error; a page's own status (a 422 for a
    # broken upload is meant) is not, but a stylesheet, script or icon that fails to load is
    pg.on("console", lambda m: errors.append(m.text)
          if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}")
          if r.status >= 400 and r.request.resource_type != "document" else None)
    yield pg
    context.close()
    assert not errors, errors


def shot(pg, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pg.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_home_links_to_every_page(page, school):
    page.goto(school)
    assert page.get_attribute("html", "lang") == "zh-Hant-TW"
    assert "補充規定" in page.inner_text("h1")
    for label in ("問誰負責", "職掌", "檢核", "條文", "修正"):
        assert page.locator("nav a", has_text=label).count() == 1
    shot(page, "home")


def test_ask_who_certifies_when_the_teacher_left(page, school):
    page.goto(school + "who")
    page.fill("#task", "認證")  # an alias, typed: the list narrows as one types
    visible = page.locator("#task-list li:not([hidden])")
    assert 0 < visible.count() < page.locator("#task-list li").count()
    page.locator("#task-list button", has_text="課程認證").click()
    assert page.input_value("#task") == "課程認證"
    page.fill("input[name=course]", "C11304")  # 物理, whose teacher 蘇靜怡 (T016) left on 114.01.20
    page.fill("input[name=on]", "114.03.01")
    page.click("button[type=submit]")
    answer = page.inner_text("#answer")
    # the server inherits the suite's RULEKIT_LANG=en: the answer from Python is English (zh: 由代理人教學組長…辦理)
    assert "任課教師 away: the substitute 教學組長(李建宏 (T006)) does 課程認證" in answer
    assert "蘇靜怡 (T016) left on 2025-01-20" in answer
    assert "[七.(二).1]" in answer and "[七.(一)]" in answer
    assert page.locator("table.chain tr.no td", has_text="✗").count() == 1
    shot(page, "who")


def test_who_on_a_phone(browser, school):
    context = browser.new_context(locale="zh-TW", viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    pg.goto(school + "who?task=課程認證&absent=任課教師")
    assert "the substitute 教學組長" in pg.inner_text("#answer")  # RULEKIT_LANG=en, as above
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    shot(pg, "who-phone")
    context.close()


def test_duties_and_handover(page, school):
    page.goto(school + "duties")
    page.fill("input[name=person]", "T002")
    page.fill("input[name=on]", "114.02.01")
    page.locator("button", has_text="誰接手").click()
    assert "林淑芬 (T002) 於 2025-02-01 離職" in page.inner_text("#handover")
    shot(page, "duties")


def test_upload_the_school_files_and_see_the_failures(page, school):
    page.goto(school + "check")
    page.set_input_files("input[type=file]", sorted(str(p) for p in SCHOOL.glob("*.csv")))
    page.fill("form.upload input[name=on]", DAY)
    page.locator("button", has_text="上傳並檢核").click()
    summary = page.inner_text("#summary")
    assert "依條文統計" in summary and "四.(三) 課程學習成果" in summary
    failure = page.locator("li.result.fail", has_text="1120105 於 113-1 上傳 7 件課程學習成果")
    assert failure.count() == 1
    why = failure.locator("details")
    assert not why.locator("dl").is_visible()
    why.locator("summary").click()
    assert "course_outcome_quota" in why.inner_text()
    shot(page, "check-upload")


def test_a_broken_csv_shows_the_located_error(page, school, tmp_path):
    bad = tmp_path / "students.csv"
    bad.write_bytes((SCHOOL / "students.csv").read_bytes().replace(b"110.08.01", b"110.13.01", 1))
    page.goto(school + "check")
    page.set_input_files("input[type=file]", [str(bad)])
    page.locator("button", has_text="上傳並檢核").click()
    error = page.inner_text(".errors")
    assert "students.csv:row 2: error[invalid-date] [enrolled_on]: 110.13.01 is not a valid date" in error
    assert "hint:" in error and str(tmp_path) not in error
    shot(page, "check-error")


def test_loaded_records_filter_and_download(page, school):
    page.goto(school + f"check?on={DAY}")
    page.select_option("select[name=class]", "301")
    page.click("form.filters button[type=submit]")
    assert "class=301" in page.url
    shot(page, "check")
    with page.expect_download() as download:
        page.click("a.download")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# ") and "check results" in text  # RULEKIT_LANG=en, as above


def test_a_student_page(page, school):
    page.goto(school + f"student/1120202?on={DAY}")
    assert "郭俊宏" in page.inner_text("h1")
    shot(page, "student")


def test_regulation_search_as_you_type(page, school):
    page.goto(school + "regulation")
    articles = page.locator("#articles > article")
    total = articles.count()
    page.fill("input[data-filter]", "收訖明細")
    shown = page.locator("#articles > article:not([hidden])").count()
    assert 0 < shown < total
    shot(page, "regulation")


def test_open_the_comparison_table(page, amended):
    page.goto(amended + "amendments")
    page.select_option("select[name=from]", "113.01.19")
    page.select_option("select[name=to]", "114.01.17")
    page.locator("button", has_text="對照").click()
    table = page.locator("table.comparison")
    assert table.locator("th", has_text="修正條文").count() == 1
    assert table.locator("u", has_text="八").count() >= 1
    shot(page, "amendments")


def test_deadlines_and_the_calendar_file(page, school):
    page.goto(school + f"deadlines?on={DAY}")
    assert page.locator("#deadlines tbody tr").count() > 1
    shot(page, "deadlines")
    with page.expect_download() as download:
        page.click("a.download")
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
