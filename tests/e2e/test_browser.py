"""End to end in a real headless Chromium against the real waitress server on a small loaded archive."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import require_tool

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ZIP_MAX_FILES = 3  # below the four documents, so "download all" of everything is over the cap
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`archive serve` (waitress) in its own process on a free port, over a freshly loaded archive."""
    from archive.metadata import DocumentMeta
    from indexer.load.run import load_paths
    from archive.datadir import DataDir
    from tests.conftest import write_small_corpus

    root = tmp_path_factory.mktemp("e2e")
    data = DataDir(root / "data").ensure()
    files = write_small_corpus(root / "incoming")
    load_paths([root / "incoming"], data, DocumentMeta(), jobs=1)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "--data-dir", str(data.root), "serve",
                                "--port", str(port), "--zip-max-files", str(ZIP_MAX_FILES)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for(port, process)
    yield {"url": f"http://127.0.0.1:{port}", "files": files}
    process.terminate()
    process.wait(timeout=20)


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start listening")


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def search_for(page, server, words: str) -> None:
    page.goto(server["url"] + "/")
    page.fill("#q", words)
    page.press("#q", "Enter")
    page.wait_for_load_state()


def test_type_a_query_and_see_the_page_where_it_matched(page, server):
    search_for(page, server, "pension liability")
    assert "q=pension+liability" in page.url
    hit = page.locator("li.hit").first
    assert "Financial Audit for Fiscal Year 2019" in hit.locator("h2").inner_text()
    assert hit.locator("a.pageno").first.inner_text() == "Page 3"
    assert hit.locator("mark").first.inner_text().lower() == "pension"
    shot(page, "search-results")
    search_for(page, server, "report OR funding OR stipend")
    assert page.locator("li.hit").count() == 4
    shot(page, "several-years")


def test_click_a_facet_then_remove_it(page, server):
    search_for(page, server, "")
    page.get_by_role("link", name="Financial audit").first.click()
    page.wait_for_load_state()
    assert "type=financial_audit" in page.url
    assert page.locator("li.hit").count() == 1
    chip = page.locator("ul.chips a")
    assert "Financial audit" in chip.inner_text()
    shot(page, "facet-selected")
    chip.click()
    page.wait_for_load_state()
    assert "type=" not in page.url and page.locator("li.hit").count() == 4


def test_click_a_timeline_bar(page, server):
    search_for(page, server, "")
    shot(page, "all-documents")
    page.locator('figure.timeline a[data-year="2021"]').click()
    page.wait_for_load_state()
    assert "year=2021" in page.url
    titles = page.locator("li.hit h2").all_inner_texts()
    assert titles == ["2021 Convention Report"]
    shot(page, "timeline-year")


def test_open_a_result_at_its_page(page, server):
    search_for(page, server, "negotiations")
    link = page.locator("li.hit", has_text="2021 Convention Report").locator("a.pageno").first
    href = link.get_attribute("href")
    assert href.endswith("/view#page=2")
    response = page.request.get(server["url"] + href.split("#")[0])
    assert response.headers["content-type"] == "application/pdf"
    assert "inline" in response.headers["content-disposition"]
    assert response.body()[:5] == b"%PDF-"


def test_download_the_original(page, server):
    search_for(page, server, "stipend")
    page.locator("li.hit h2 a").first.click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download original").click()
    saved = download.value
    assert saved.suggested_filename == "2018-fact-sheet.txt"
    assert Path(saved.path()).read_bytes() == server["files"]["note"].read_bytes()


def test_use_did_you_mean(page, server):
    search_for(page, server, "pensoin")
    assert page.locator("li.hit").count() == 0
    suggestion = page.locator("p.suggestion a")
    assert suggestion.inner_text() == "pension"
    shot(page, "did-you-mean")
    suggestion.click()
    page.wait_for_load_state()
    assert page.locator("li.hit").count() == 1 and "q=pension" in page.url


def test_keyboard_reaches_the_skip_link_first(page, server):
    page.goto(server["url"] + "/search?q=audit")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_results_fit_a_phone_screen(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    phone = context.new_page()
    phone.goto(server["url"] + "/search?q=funding")
    assert phone.locator("li.hit").first.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "phone-results")
    context.close()


def test_a_first_visitor_sees_what_the_archive_holds_and_browses_it(page, server):
    page.goto(server["url"] + "/")
    assert page.locator("h1").inner_text() == "The federation’s documents, searchable"
    assert "The archive holds 4 documents" in page.locator("p.holds").inner_text()
    assert page.locator("ul.by-type li").count() == 4
    assert page.locator("ul.latest li").count() == 4
    assert "Members of the federation see more after signing in." in page.locator("p.members-note").inner_text()
    shot(page, "home")
    page.get_by_role("link", name="Browse all 4").click()
    page.wait_for_load_state()
    assert page.locator("li.hit").count() == 4 and page.locator("h1").inner_text() == "All documents (4)"


def test_search_help_from_the_search_box_and_run_an_example(page, server):
    page.goto(server["url"] + "/search?q=audit")
    page.get_by_role("link", name="Search help").click()
    page.wait_for_load_state()
    assert page.url.endswith("/help") and page.locator("h1").inner_text() == "How to search the archive"
    shot(page, "help")
    page.get_by_role("link", name="negotiat*").click()
    page.wait_for_load_state()
    assert page.input_value("#q") == "negotiat*"
    assert sorted(page.locator("li.hit h2").all_inner_texts()) == ["2021 Convention Report",
                                                                  "Financial Audit for Fiscal Year 2019"]


def test_download_all_results_as_one_zip(page, server):
    search_for(page, server, "negotiat*")
    link = page.locator("p.download-all a")
    assert link.inner_text() == "Download all (2 files, 0.1 MB)"
    shot(page, "download-all")
    with page.expect_download() as download:
        link.click()
    saved = download.value
    assert saved.suggested_filename == "archive-search.zip"
    with zipfile.ZipFile(saved.path()) as archive:
        assert sorted(archive.namelist()) == ["2019-financial-audit-financial-audit-for-fiscal-year-2019.pdf",
                                              "2021-convention-report-2021-convention-report.pdf"]
        assert archive.read("2021-convention-report-2021-convention-report.pdf") == \
            server["files"]["convention"].read_bytes()


def test_download_all_over_the_cap_says_why_and_sends_nothing(page, server):
    search_for(page, server, "")
    offer = page.locator("p.download-all")
    assert offer.locator("a").count() == 0
    assert "This search finds 4 documents, and one download holds at most 3 files." in offer.inner_text()
    response = page.goto(server["url"] + "/export?format=zip")
    assert response.status == 400 and response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text() == "Too large for one download"
    assert "Narrow the search" in page.locator("section.error p").first.inner_text()
    shot(page, "download-all-refused")


def test_dates_in_the_form_and_a_clear_message_for_a_typo(page, server):
    search_for(page, server, "")
    page.fill("#from", "2021")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "from=2021" in page.url
    assert page.locator("li.hit h2").all_inner_texts() == ["Statement on School Funding", "2021 Convention Report"]
    assert "Dates: from 2021" in page.locator("ul.chips").inner_text()
    page.fill("#from", "2021-13")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "has no month 13 (months are 01 to 12)" in page.locator("section.error").inner_text()
    shot(page, "bad-date")
