"""PDF text per page, metadata, encryption and damage, on real files."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PageObject

from indexer.extract.errors import CorruptFileError, EncryptedError, OversizedError
from indexer.extract.pdf import clean_title, extract_pdf, parse_pdf_date
from indexer.extract.result import Limits
from tests.builders import make_encrypted_pdf, make_pdf, make_truncated_pdf

PAGES = ["Annual Report\nFirst page words", "Second page talks about dues", "Third page lists locals"]


@pytest.fixture()
def report(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "report.pdf", PAGES, title="Microsoft Word - Annual Report 2019.docx")


def test_text_per_page(report: Path) -> None:
    result = extract_pdf(report)
    assert result.page_count == 3
    assert result.pages[0] == "Annual Report\nFirst page words"
    assert "dues" in result.pages[1] and "dues" not in result.pages[2]
    assert result.warnings == ()


def test_title_metadata_is_cleaned(report: Path) -> None:
    assert extract_pdf(report).title == "Annual Report 2019"


def test_creation_date_is_iso(report: Path) -> None:
    assert extract_pdf(report).created == "2000-01-01"  # reportlab's invariant=1 date


def test_junk_titles_are_dropped() -> None:
    assert clean_title("untitled") is None
    assert clean_title("Microsoft Word - Document1.doc") is None
    assert clean_title("   ") is None
    assert clean_title("2019 Convention Report") == "2019 Convention Report"


def test_pdf_dates_parse_or_give_none() -> None:
    assert parse_pdf_date("D:20190630120000-05'00'") == "2019-06-30"
    assert parse_pdf_date("D:20191340") is None
    assert parse_pdf_date("yesterday") is None


def test_user_password_raises_encrypted(tmp_path: Path, report: Path) -> None:
    locked = make_encrypted_pdf(tmp_path / "locked.pdf", report, "s3cret", "AES-256")
    with pytest.raises(EncryptedError, match="needs a password"):
        extract_pdf(locked)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_empty_user_password_opens(tmp_path: Path, report: Path, algorithm: str) -> None:
    opened = make_encrypted_pdf(tmp_path / f"open-{algorithm}.pdf", report, "", algorithm)
    result = extract_pdf(opened)
    assert result.pages[1] == "Second page talks about dues"


def test_truncated_pdf_is_corrupt(tmp_path: Path, report: Path) -> None:
    cut = make_truncated_pdf(tmp_path / "cut.pdf", report)
    with pytest.raises(CorruptFileError, match="cannot open the PDF"):
        extract_pdf(cut)


def test_too_many_pages_is_oversized(report: Path) -> None:
    with pytest.raises(OversizedError, match="3 pages"):
        extract_pdf(report, Limits(max_pages=2))


def test_long_page_is_truncated_with_warning(report: Path) -> None:
    result = extract_pdf(report, Limits(max_page_chars=8))
    assert result.pages[0] == "Annual R"
    assert result.warnings[0].startswith("page 1: text truncated")


def _flaky_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """pypdf fails on the page about dues, as it does on some real pages (a plain TypeError, FACTS.md)."""
    original = PageObject.extract_text

    def flaky(self: PageObject, *args: object, **kwargs: object) -> str:
        text = original(self, *args, **kwargs)
        if "dues" in text:
            raise TypeError("injected failure")
        return text

    monkeypatch.setattr(PageObject, "extract_text", flaky)


def test_a_page_pypdf_fails_on_is_read_by_pdfium(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _flaky_pypdf(monkeypatch)
    result = extract_pdf(report)
    assert result.pages[1] == "Second page talks about dues" and "locals" in result.pages[2]
    assert [r.engine for r in result.page_reads()] == ["pypdf", "pdfium", "pypdf"]
    assert result.warnings == ("page 2: read by PDFium (pypdf: TypeError: injected failure)",)


def test_a_page_both_engines_fail_on_becomes_empty_with_warning(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.extract.pdfium import SecondEngine

    _flaky_pypdf(monkeypatch)
    original = SecondEngine.page_text
    monkeypatch.setattr(SecondEngine, "page_text",
                        lambda self, n: (_ for _ in ()).throw(ValueError("also broken")) if n == 2 else original(self, n))
    result = extract_pdf(report)
    assert result.pages[1] == "" and "locals" in result.pages[2] and "First" in result.pages[0]
    assert result.warnings == ("page 2: text could not be extracted "
                               "(pypdf: TypeError: injected failure; PDFium: ValueError: also broken)",)


def test_every_page_failing_is_corrupt(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: PageObject, *args: object, **kwargs: object) -> str:
        raise ValueError("bad content stream")

    from indexer.extract.pdfium import SecondEngine

    monkeypatch.setattr(PageObject, "extract_text", broken)
    monkeypatch.setattr(SecondEngine, "page_text", broken)  # PDFium, the second engine, fails too
    with pytest.raises(CorruptFileError, match="no page could be read"):
        extract_pdf(report)


def test_a_pdf_pypdf_cannot_open_is_read_by_pdfium(tmp_path: Path) -> None:
    # Shaped like real damaged files: a download cut off before its cross-reference table and trailer.
    from pypdf import PdfReader

    from tests.builders import make_cut_trailer_pdf

    damaged = make_cut_trailer_pdf(tmp_path / "minutes.pdf", "Minutes of the executive board meeting")
    with pytest.raises(Exception, match="Stream has ended unexpectedly"):
        PdfReader(damaged)
    result = extract_pdf(damaged)
    assert result.pages == ("Minutes of the executive board meeting",)
    assert [r.engine for r in result.page_reads()] == ["pdfium"]
    assert result.warnings[-1].startswith("pypdf could not open it") and result.warnings[-1].endswith("read by PDFium")


def test_a_pdf_neither_engine_can_open_keeps_pypdfs_reason(tmp_path: Path) -> None:
    header_only = tmp_path / "invalid.pdf"
    header_only.write_bytes(b"%PDF-1.4\n%%EOF\n")  # like a real 44-byte file from a PDF library's tests
    with pytest.raises(CorruptFileError, match="startxref not found"):
        extract_pdf(header_only)
