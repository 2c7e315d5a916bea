"""OCR from the command line: the language checked before any work, preflight estimates, status, `archive ocr`."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.load import run as load_run
from tests.builders import make_pdf, make_scan_pdf
from tests.conftest import require_tool
from tests.indexer.extract.test_ocr import CONTRACT
from web.cli import main


@pytest.fixture(autouse=True)
def tesseract() -> str:
    return require_tool("tesseract")


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    make_scan_pdf(tmp_path / "drop" / "signed-contract.pdf", [CONTRACT, CONTRACT])
    make_pdf(tmp_path / "drop" / "minutes.pdf", ["Minutes of the executive board"])
    return tmp_path / "drop"


def run(cli_runner, data: Path, *args: str):
    return cli_runner.invoke(main, ["--data-dir", str(data), *args], catch_exceptions=False)


def test_an_unknown_language_is_refused_before_anything_is_read(cli_runner, tmp_path, drop) -> None:
    result = run(cli_runner, tmp_path / "data", "load", str(drop), "--language", "klingon")
    assert result.exit_code == 2
    assert "no OCR language data for klingon (installed: eng, spa)" in result.output
    assert not (tmp_path / "data").exists()


def test_a_preflight_counts_the_pages_ocr_would_read_and_estimates_the_time(cli_runner, tmp_path, drop) -> None:
    result = run(cli_runner, tmp_path / "data", "load", str(drop), "--dry-run", "--jobs", "2",
                 "--report", str(tmp_path / "pre.csv"))
    assert result.exit_code == 0, result.output
    assert "2 scanned page(s) would be read by OCR" in result.output
    assert "2 scanned pages would be read by OCR: about 3s with 2 worker(s) (about 3 CPU-s a page)" in result.output


def test_status_counts_pages_and_archive_ocr_reads_the_backlog(cli_runner, tmp_path, drop, monkeypatch) -> None:
    monkeypatch.setattr(load_run, "tesseract_path", lambda: None)
    loaded = run(cli_runner, tmp_path / "data", "load", str(drop), "--jobs", "2")
    assert "2 scanned pages need OCR (tesseract was not available): run `archive ocr`" in loaded.output
    status = run(cli_runner, tmp_path / "data", "status").output
    assert "waiting for OCR          2" in status and "text layer               1" in status
    read = run(cli_runner, tmp_path / "data", "ocr", "--jobs", "2", "-v")
    assert read.exit_code == 0, read.output
    assert "Read 2 scanned pages of 1 documents by OCR, 0 failed, 0 were not scans" in read.output
    assert re.search(r"^document \d+, page 2: done \(9\d% confidence\)$", read.output, re.M), read.output
    assert "read by OCR              2" in run(cli_runner, tmp_path / "data", "status").output
    assert "arbitrator" in run(cli_runner, tmp_path / "data", "search", "arbitrator").output.lower()


def test_a_load_summary_counts_pages_by_the_engine_that_read_them(cli_runner, tmp_path, drop) -> None:
    result = run(cli_runner, tmp_path / "data", "load", str(drop), "--jobs", "2")
    assert "pages read by: OCR (tesseract) 2, pypdf 1" in result.output
