"""A scanned upload answers at once; the server reads its pages in the background, and the page says so."""
from __future__ import annotations

import io

import pytest

from tests.builders import make_scan_pdf
from tests.conftest import require_tool
from tests.indexer.extract.test_ocr import CONTRACT
from tests.web.conftest import client_as, csrf_token
from web import background


@pytest.fixture(autouse=True)
def tesseract() -> str:
    return require_tool("tesseract")


def test_a_scanned_upload_is_read_in_the_background_and_its_page_says_so(restricted_app, tmp_path) -> None:
    staff = client_as(restricted_app, "staff")
    scan = make_scan_pdf(tmp_path / "signed.pdf", [CONTRACT])
    reader = background.reader(restricted_app)
    started = []
    restricted_app.extensions["archive_ocr_reader"] = _Held(reader, started)
    response = staff.post("/upload", content_type="multipart/form-data", data={
        "files": [(io.BytesIO(scan.read_bytes()), "1999-signed-contract.pdf")], "csrf_token": csrf_token(staff, "/upload")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 scanned page(s) will be read by OCR in the background." in page
    doc_url = next(line.split('href="')[1].split('"')[0] for line in page.splitlines() if "/documents/" in line)
    assert "Text being read: 1 scanned page will be searchable" in staff.get(doc_url).get_data(as_text=True)
    assert staff.get("/api/search?q=arbitrator").get_json()["total"] == 0
    started[0].start()  # now let the reader run, as the server does right after answering
    started[0].join(timeout=120)
    assert staff.get("/api/search?q=arbitrator").get_json()["total"] == 1
    shown = staff.get(doc_url).get_data(as_text=True)
    assert "Scanned: text read by OCR, may contain errors." in shown and "% confidence" in shown
    assert "Text being read" not in shown


class _Held:
    """The app's background reader, with its thread held until the test has looked at the page first."""

    def __init__(self, reader: background.BackgroundOcr, started: list) -> None:
        self.reader, self.started = reader, started

    def nudge(self):
        import threading

        thread = threading.Thread(target=self.reader._read, daemon=True)
        self.reader._again.set()
        self.started.append(thread)
        return thread
