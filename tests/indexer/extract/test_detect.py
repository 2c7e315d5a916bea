"""Type detection by content, and refusal of disguised and unsupported files."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.extract.detect import check_disguise, detect_mime
from indexer.extract.errors import CorruptFileError, DisguisedFileError, EmptyFileError, UnsupportedTypeError
from tests.builders import make_pdf, make_png, make_zip


def test_pdf_is_detected(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", ["Hello"])
    assert detect_mime(pdf) == "application/pdf"


def test_junk_before_pdf_header_is_still_pdf(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "a.pdf", ["Hello"])
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(bytes(range(256)) * 2 + source.read_bytes())
    assert detect_mime(junk) == "application/pdf"


def test_empty_file_raises_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        detect_mime(empty)


def test_html_fragment_without_doctype_is_html(tmp_path: Path) -> None:
    fragment = tmp_path / "fragment.txt"
    fragment.write_text("<p>Members ratified the agreement.</p>\n<div>Vote totals follow.</div>\n")
    assert detect_mime(fragment) == "text/html"


def test_prose_mentioning_a_tag_stays_text(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Minutes of the meeting.\nThe web team will fix the <p> spacing next week.\n")
    assert detect_mime(note) == "text/plain"


def test_c_like_prose_in_txt_is_text(tmp_path: Path) -> None:
    text = tmp_path / "snippet.txt"
    text.write_text("#include <stdio.h>\nint main() { return 0; }\n")
    assert detect_mime(text) == "text/plain"


def test_bomless_utf16_text_is_text(tmp_path: Path) -> None:
    text = tmp_path / "letter.txt"
    text.write_bytes("Dear members, the vote passed.\n".encode("utf-16-le"))
    assert detect_mime(text) == "text/plain"


def test_elf_named_pdf_is_disguised(tmp_path: Path) -> None:
    fake = tmp_path / "report.pdf"
    shutil.copy("/bin/true", fake)
    with pytest.raises(DisguisedFileError, match="executable"):
        check_disguise(fake, detect_mime(fake))


def test_png_named_pdf_is_disguised(tmp_path: Path) -> None:
    fake = make_png(tmp_path / "scan.pdf")
    with pytest.raises(DisguisedFileError, match="image"):
        check_disguise(fake, detect_mime(fake))


def test_zip_with_its_own_name_is_unsupported(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "minutes.zip")
    with pytest.raises(UnsupportedTypeError, match="application/zip"):
        check_disguise(archive, detect_mime(archive))


def test_random_bytes_named_pdf_are_corrupt(tmp_path: Path) -> None:
    fake = tmp_path / "random.pdf"
    fake.write_bytes(bytes((i * 151 + 7) % 256 for i in range(4000)))
    with pytest.raises(CorruptFileError, match="binary data"):
        check_disguise(fake, detect_mime(fake))


def test_supported_types_pass_the_disguise_check(tmp_path: Path) -> None:
    pdf_in_txt = tmp_path / "minutes.txt"
    pdf_in_txt.write_bytes(make_pdf(tmp_path / "a.pdf", ["Hello"]).read_bytes())
    mime = detect_mime(pdf_in_txt)
    check_disguise(pdf_in_txt, mime)
    assert mime == "application/pdf"


def test_text_quoting_the_pdf_header_near_its_start_stays_text(tmp_path: Path) -> None:
    """A list of broken PDFs that quotes what a reader said ("'%PDF-' expected") within its first kilobyte
    is a text, not a corrupt PDF; a header with its version after junk is still a PDF (above)."""
    listing = tmp_path / "SOURCES.txt"  # shaped like ../shared/realdocs/SOURCES.tsv: the quote ~400 bytes in
    listing.write_text("file\tkind\trepo\tpath_in_repo\tlicence\tsha256\tbytes\tnote\n"
                       f"broken/missouri.pdf\tbroken\tfreelawproject/doctor\tdoctor/test_assets/missouri.pdf\tBSD-2-Clause"
                       f"\t{'2f44654c' * 8}\t146706\tA Missouri Court of Appeals opinion; the file begins with a stray "
                       "end-of-file marker, so strict mode fails: PDF starts with '%%EOF', but '%PDF-' expected; the "
                       "lenient mode opens it\n")
    assert detect_mime(listing) == "text/plain"
