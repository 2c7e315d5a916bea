"""End to end in a real headless Chromium against the real waitress server on a small loaded archive."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_tool

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
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
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
