"""Plain text in any common encoding, decoded without ever crashing."""
from __future__ import annotations

import random
from pathlib import Path

from indexer.extract.text import decode_bytes, extract_text, normalize_text
from indexer.extract.result import Limits

SAMPLE = "café – “quoted” résumé"


def test_utf8_text_is_one_page_with_first_line_heading(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("\n\n  Board Minutes  \nApproved unanimously.\n", encoding="utf-8")
    result = extract_text(path)
    assert result.pages == ("Board Minutes\nApproved unanimously.",)
    assert result.headings == ("Board Minutes",)
    assert result.mime == "text/plain"


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(SAMPLE.encode("utf-16"))
    assert extract_text(path).pages == (SAMPLE,)


def test_utf32_and_utf8_bom_are_decoded() -> None:
    assert decode_bytes(SAMPLE.encode("utf-32")) == SAMPLE
    assert decode_bytes(SAMPLE.encode("utf-8-sig")) == SAMPLE


def test_cp1252_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "cp.txt"
    path.write_bytes(SAMPLE.encode("cp1252"))
    assert extract_text(path).pages == (SAMPLE,)


def test_undecodable_bytes_never_raise(tmp_path: Path) -> None:
    data = bytes(random.Random(7).randrange(256) for _ in range(5000)) + b"\x81\x8d\x00"
    path = tmp_path / "noise.txt"
    path.write_bytes(data)
    page = extract_text(path).pages[0]
    assert "\x00" not in page and page  # decoded as latin-1, controls removed


def test_normalize_keeps_lines_and_drops_controls() -> None:
    assert normalize_text("a\x00b   c\t d\r\ne\x07f\n\n\n\ng") == "ab c d\nef\n\ng"


def test_long_text_is_truncated_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("x" * 100)
    result = extract_text(path, Limits(max_page_chars=10))
    assert result.pages == ("x" * 10,)
    assert "truncated" in result.warnings[0]


def test_title_line_is_capped_at_200_chars(tmp_path: Path) -> None:
    path = tmp_path / "long-line.txt"
    path.write_text("word " * 100)
    assert len(extract_text(path).headings[0]) <= 200
