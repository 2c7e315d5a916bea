"""Scans through the whole pipeline: found by search, counted by engine, read later when tesseract was missing."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.pages import OcrState
from indexer.extract.result import Limits, OcrSettings
from indexer.load import run as load_run
from indexer.load.manifest import ManifestError, read_manifest
from indexer.load.ocr_backlog import run_ocr
from indexer.load.pool import PoolLimits
from indexer.load.run import LoadOptions, run_load
from indexer.search.results import SearchRequest
from tests.builders import make_pdf, make_scan_pdf
from tests.conftest import open_searcher, require_tool
from tests.indexer.extract.test_ocr import CONTRACT

LETTER = "Dear Delegates,\nThe quinceberry committee met on Tuesday.\nIn solidarity, the Secretary-Treasurer"


@pytest.fixture(autouse=True)
def tesseract() -> str:
    return require_tool("tesseract")


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    make_scan_pdf(tmp_path / "drop" / "1998-signed-contract.pdf", [CONTRACT])
    make_scan_pdf(tmp_path / "drop" / "2001-letter.pdf", [LETTER], turn=90)
    make_pdf(tmp_path / "drop" / "2020-minutes.pdf", ["Minutes of the executive board", "The budget passed"])
    return tmp_path / "drop"


def titles(data, query: str) -> list[str]:
    with open_searcher(data) as searcher:
        return sorted(h.document.title for h in searcher.search(SearchRequest(query)).hits)


def test_words_that_exist_only_in_scans_are_found_and_counted_by_engine(data, drop) -> None:
    report = run_load(data, [drop], LoadOptions(jobs=2))
    assert report.loaded == 3 and report.pages_by_engine == {"tesseract": 2, "pypdf": 2}
    assert titles(data, "quinceberry") == ["Dear Delegates,"]
    assert len(titles(data, "arbitrator")) == 1
    with Catalog(data.catalog_path) as catalog:
        assert catalog.page_state_counts() == {"read by OCR": 2, "text layer": 2}
        scans = [d for d in catalog.iter_documents() if d.filename == "2001-letter.pdf"]
        [(page, read)] = catalog.page_reads(scans[0].id)
        assert (page, read.engine, read.ocr, read.language) == (1, "tesseract", OcrState.DONE, "eng")
        assert read.confidence > 80


def test_without_tesseract_scans_wait_and_archive_ocr_reads_them_later(data, drop, monkeypatch) -> None:
    monkeypatch.setattr(load_run, "tesseract_path", lambda: None)
    report = run_load(data, [drop], LoadOptions(jobs=2))
    assert report.loaded == 3 and report.needs_ocr == 2 and report.failed == 0
    assert titles(data, "quinceberry") == []
    with Catalog(data.catalog_path) as catalog:
        assert catalog.page_state_counts() == {"waiting for OCR": 2, "text layer": 2}
    done = run_ocr(data, Limits(), PoolLimits(), jobs=2)
    assert (done.read, done.failed, len(done.documents)) == (2, 0, 2)
    # Found now; its title, guessed at load time from the file name, is left as it is (staff may edit it).
    assert titles(data, "quinceberry") == ["2001 Letter"]
    with Catalog(data.catalog_path) as catalog:
        assert catalog.page_state_counts() == {"read by OCR": 2, "text layer": 2}
        assert {d.text_pages for d in catalog.iter_documents()} == {1, 2}
        assert {d.status for d in catalog.iter_documents()} == {"indexed"}


def test_archive_ocr_reads_pages_without_text_of_documents_loaded_before_ocr_existed(data, drop, monkeypatch) -> None:
    monkeypatch.setattr(load_run, "tesseract_path", lambda: None)
    run_load(data, [drop], LoadOptions(jobs=2))
    with Catalog(data.catalog_path) as catalog:  # as the catalog migration leaves pages of older loads
        catalog.db.execute("UPDATE pages SET engine = '', ocr = '', language = ''")
    done = run_ocr(data, Limits(ocr=OcrSettings(language="eng")), PoolLimits(), jobs=2)
    assert (done.read, done.not_scans) == (2, 0)  # the text pages are not even looked at
    assert titles(data, "quinceberry") == ["2001 Letter"]


def test_a_manifest_names_the_language_of_each_files_scans(tmp_path, data) -> None:
    scan = make_scan_pdf(tmp_path / "drop" / "acuerdo.pdf", [
        "ACUERDO DE NEGOCIACIÓN COLECTIVA\nLa comisión aprobó la jubilación anticipada."])
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,language\n{scan.name},spa\n".replace(scan.name, "drop/" + scan.name))
    report = run_load(data, [], LoadOptions(jobs=1, manifest=read_manifest(manifest)))
    assert report.loaded == 1
    assert titles(data, "jubilación") == ["ACUERDO DE NEGOCIACIÓN COLECTIVA"]
    manifest.write_text("path,language\ndrop/acuerdo.pdf,klingon\n")
    with pytest.raises(ManifestError, match="line 2: language: no OCR language data for klingon"):
        read_manifest(manifest)
