"""Files named as documents are read as text whatever libmagic guesses, unless their bytes are binary.

Each case is shaped like a real document libmagic misnamed (FACTS.md); each test first checks that
libmagic still misnames it, so the test proves the case.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import magic
import pytest

from indexer.extract.detect import detect_mime
from indexer.extract.dispatch import extract
from indexer.extract.errors import CorruptFileError, DisguisedFileError, UnsupportedTypeError
from indexer.extract.text import looks_like_text
from tests.builders import (
    make_indented_contract,
    make_markdown_post,
    make_page_with_leading_script,
    make_png,
    make_zip,
)

ANALYTICS = "<script>\n  (function(w) {\n" + "    w.q.push(['track', 1]);\n" * 900 + "  })(window);\n</script>\n"


def libmagic(path: Path) -> str:
    """What libmagic alone says the file is."""
    return magic.from_file(str(path), mime=True)


def test_page_whose_head_opens_with_a_large_script_is_html(tmp_path: Path) -> None:
    page = make_page_with_leading_script(tmp_path / "statement.html", "Nurses ratify new contract",
                                         "Members voted 412 to 38 to accept the agreement.")
    assert page.stat().st_size > 20_000
    assert libmagic(page) == "application/javascript"
    result = extract(page)
    assert result.mime == "text/html"
    assert result.title == "Nurses ratify new contract"
    assert result.pages == ("Nurses ratify new contract\n\nMembers voted 412 to 38 to accept the agreement.",)


def test_scripts_and_comments_before_the_html_tag_still_make_html(tmp_path: Path) -> None:
    page = tmp_path / "statement"  # no suffix: a document's name too
    page.write_text("<!-- cached 2019-04-02 -->\n" + ANALYTICS + ANALYTICS
                    + "<html><head><title>Strike ends</title></head><body><p>Picket lines came down.</p></body></html>")
    assert libmagic(page) == "application/javascript"
    result = extract(page)
    assert (result.mime, result.title, result.pages) == ("text/html", "Strike ends", ("Picket lines came down.",))


def test_contract_opening_with_indented_capitals_is_plain_text(tmp_path: Path) -> None:
    contract = make_indented_contract(tmp_path / "local-153-agreement.txt")
    assert libmagic(contract) == "application/x-appleworks3"
    result = extract(contract)
    assert result.mime == "text/plain"
    assert result.headings == ("OFFICE AND PROFESSIONAL EMPLOYEES",)
    assert "The Employer recognizes the Union as the sole bargaining agent." in result.pages[0]


def test_text_without_a_suffix_is_read_whatever_libmagic_calls_it(tmp_path: Path) -> None:
    contract = make_indented_contract(tmp_path / "AGREEMENT")
    assert libmagic(contract) == "application/x-appleworks3"
    assert extract(contract).mime == "text/plain"


def test_markdown_post_with_front_matter_is_markdown(tmp_path: Path) -> None:
    post = make_markdown_post(tmp_path / "nurses-ratify.md")
    assert libmagic(post) == "text/x-c"
    result = extract(post)
    assert (result.mime, result.title) == ("text/markdown", "Nurses ratify a new contract")
    assert result.created == "2016-03-29"
    assert result.headings == ("Riverside nurses vote yes",)
    assert result.pages == ("Riverside nurses vote yes\n\nAfter six months of bargaining, the\n"
                            "union members at Riverside General voted\nto accept the new agreement.",)


def test_markdown_name_holding_a_whole_web_page_is_html(tmp_path: Path) -> None:
    page = make_page_with_leading_script(tmp_path / "notes.markdown", "Bargaining update", "Talks resume Monday.")
    assert libmagic(page) == "application/javascript"
    result = extract(page)
    assert (result.mime, result.title) == ("text/html", "Bargaining update")


def test_markdown_with_inline_html_stays_markdown(tmp_path: Path) -> None:
    content = ('<p align="center"><img src="logo.png" alt="Local 153"></p>\n\n# Local 153\n\n'
               "Our *bylaws* and minutes.\n")
    readme, same_as_txt = tmp_path / "README.md", tmp_path / "README.txt"
    readme.write_text(content)
    same_as_txt.write_text(content)
    assert libmagic(readme) == "text/plain"
    assert detect_mime(same_as_txt) == "text/html"  # in a .txt, a leading tag makes an HTML fragment
    result = extract(readme)
    assert (result.mime, result.pages) == ("text/markdown", ("Local 153\n\nOur bylaws and minutes.",))


def test_text_fragment_still_detected_as_html_by_its_tags(tmp_path: Path) -> None:
    fragment = tmp_path / "fragment.txt"
    fragment.write_text("<h1>Statement</h1>\n<p>We stand with nurses.</p>\n")
    assert detect_mime(fragment) == "text/html"


@pytest.mark.parametrize("name,content,says", [
    ("tracker.js", ANALYTICS.removeprefix("<script>\n").removesuffix("</script>\n"), "application/javascript"),
    ("site.css", "body { margin: 0; }\n.header { color: #333; }\n", "text/plain"),
])
def test_scripts_and_stylesheets_stay_unsupported(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert libmagic(path) == says
    with pytest.raises(UnsupportedTypeError, match="script or stylesheet"):
        extract(path)


@pytest.mark.parametrize("name", ["report.txt", "notes.md", "page.html", "report.pdf"])
def test_executable_under_a_document_name_is_disguised(tmp_path: Path, name: str) -> None:
    fake = tmp_path / name
    shutil.copy("/bin/true", fake)
    with pytest.raises(DisguisedFileError, match="executable"):
        extract(fake)


@pytest.mark.parametrize("name", ["minutes.txt", "minutes.markdown", "minutes.pdf"])
def test_zip_under_a_document_name_is_disguised(tmp_path: Path, name: str) -> None:
    with pytest.raises(DisguisedFileError, match="ZIP archive"):
        extract(make_zip(tmp_path / name))


def test_image_named_text_is_disguised(tmp_path: Path) -> None:
    with pytest.raises(DisguisedFileError, match="image"):
        extract(make_png(tmp_path / "scan.text"))


def test_executable_without_a_suffix_is_unsupported_not_disguised(tmp_path: Path) -> None:
    fake = tmp_path / "minutes"
    shutil.copy("/bin/true", fake)
    with pytest.raises(UnsupportedTypeError, match="executable"):
        extract(fake)


def test_binary_bytes_without_nul_named_txt_are_not_text(tmp_path: Path) -> None:
    noise = tmp_path / "minutes.txt"
    noise.write_bytes(bytes(range(1, 256)) * 16)
    assert b"\x00" not in noise.read_bytes()
    assert libmagic(noise) == "application/octet-stream"
    with pytest.raises(CorruptFileError, match="binary data"):
        extract(noise)


def test_utf8_cut_mid_character_at_the_end_of_the_head_is_text() -> None:
    # Bytes 0x90 and 0x9A stop cp1252, and read as latin-1 they are control characters.
    head = ("工会合同" * 1000).encode("utf-8")[:8191]
    assert looks_like_text(head)


def test_utf16_with_bom_is_text_despite_its_nul_bytes() -> None:
    assert looks_like_text("Dear members, the vote passed.".encode("utf-16"))


def test_text_with_many_control_characters_is_not_text() -> None:
    assert not looks_like_text(b"Minutes\x01\x02\x03\x04\x05\x06 of the board" * 50)
