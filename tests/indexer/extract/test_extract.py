"""The dispatcher: size checks, routing by content, and only LoadErrors out."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from indexer.extract.errors import (
    CorruptFileError,
    DisguisedFileError,
    EmptyFileError,
    LoadError,
    OversizedError,
    UnsupportedTypeError,
)
from indexer.extract.dispatch import extract
from indexer.extract.result import Limits
from tests.builders import make_pdf, make_png, make_truncated_pdf, make_zip


def test_pdf_is_dispatched(tmp_path: Path) -> None:
    result = extract(make_pdf(tmp_path / "a.pdf", ["Page one", "Page two"]))
    assert result.mime == "application/pdf" and result.pages == ("Page one", "Page two")


def test_html_fragment_is_dispatched_as_html(tmp_path: Path) -> None:
    path = tmp_path / "fragment.html"
    path.write_text("<h1>Statement</h1><p>We stand with nurses.</p><script>alert(1)</script>")
    result = extract(path)
    assert result.mime == "text/html" and result.headings == ("Statement",)
    assert "alert" not in result.pages[0]


def test_text_is_dispatched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("café – “quoted”".encode("cp1252"))
    result = extract(path)
    assert result.mime == "text/plain" and result.pages == ("café – “quoted”",)


def test_txt_holding_pdf_bytes_is_read_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_bytes(make_pdf(tmp_path / "a.pdf", ["Minutes of May"]).read_bytes())
    result = extract(path)
    assert result.mime == "application/pdf" and result.pages == ("Minutes of May",)


def test_junk_before_pdf_header_extracts(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "a.pdf", ["Recovered text"])
    path = tmp_path / "junk.pdf"
    path.write_bytes(bytes(range(256)) * 3 + source.read_bytes())
    assert extract(path).pages == ("Recovered text",)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        extract(path)


def test_oversized_file(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "a.pdf", ["Hello"])
    with pytest.raises(OversizedError, match="more than the limit of 10"):
        extract(path, Limits(max_file_bytes=10))


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    cut = make_truncated_pdf(tmp_path / "cut.pdf", make_pdf(tmp_path / "a.pdf", ["Hello", "World"]))
    with pytest.raises(CorruptFileError):
        extract(cut)


def test_random_bytes_named_pdf_are_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "random.pdf"
    path.write_bytes(bytes((i * 151 + 7) % 256 for i in range(4000)))
    with pytest.raises(CorruptFileError, match="binary data"):
        extract(path)


def test_executable_named_pdf_is_disguised(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    shutil.copy("/bin/true", path)
    with pytest.raises(DisguisedFileError, match="report.pdf: named .pdf but the content is an executable"):
        extract(path)


def test_png_named_pdf_is_disguised(tmp_path: Path) -> None:
    with pytest.raises(DisguisedFileError, match="image"):
        extract(make_png(tmp_path / "flyer.pdf"))


def test_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedTypeError, match="ZIP archive"):
        extract(make_zip(tmp_path / "bundle.zip"))
    with pytest.raises(DisguisedFileError, match="ZIP archive"):
        extract(make_zip(tmp_path / "bundle.txt"))


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        extract(tmp_path / "gone.pdf")


def test_unexpected_library_error_becomes_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.extract.dispatch as module

    def explode(path: Path, limits: Limits) -> None:
        raise KeyError("/Root")

    monkeypatch.setitem(module.EXTRACTORS, "text/plain", explode)
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with pytest.raises(CorruptFileError, match="KeyError"):
        extract(path)


def test_extract_and_its_result_pickle(tmp_path: Path) -> None:
    result = extract(make_pdf(tmp_path / "a.pdf", ["Hello"], title="Dues Schedule"))
    assert pickle.loads(pickle.dumps(extract)) is extract
    assert pickle.loads(pickle.dumps(result)) == result
