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


def test_failing_page_becomes_empty_with_warning(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = PageObject.extract_text

    def flaky(self: PageObject, *args: object, **kwargs: object) -> str:
        text = original(self, *args, **kwargs)
        if "dues" in text:
            raise TypeError("injected failure")
        return text

    monkeypatch.setattr(PageObject, "extract_text", flaky)
    result = extract_pdf(report)
    assert result.pages[1] == "" and "locals" in result.pages[2] and "First" in result.pages[0]
    assert result.warnings == ("page 2: text could not be extracted (TypeError: injected failure)",)


def test_every_page_failing_is_corrupt(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: PageObject, *args: object, **kwargs: object) -> str:
        raise ValueError("bad content stream")

    monkeypatch.setattr(PageObject, "extract_text", broken)
    with pytest.raises(CorruptFileError, match="no page could be read"):
        extract_pdf(report)
