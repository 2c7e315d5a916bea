"""Plain-text files: decode whatever encoding they came in, never crash, one page."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from indexer.extract.result import Extraction, Limits

MIME = "text/plain"
MAX_TITLE_CHARS = 200
# Real text has next to no control characters; binary data read as latin-1 has about one in five.
MAX_CONTROL_SHARE = 0.05

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 also starts like UTF-16 LE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0/C1 controls (not tab/newline), zero-width space, BOM, and lone surrogates that would break UTF-8 later.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\ufeff\ud800-\udfff]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x1c": "\n", "\x1d": "\n", "\x1e": "\n",
                              "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_BLANK_RUNS = re.compile(r"\n{3,}")
_UNICODE_BOMS = tuple(bom for bom, codec in _BOMS if codec != "utf-8-sig")  # UTF-16/32: NUL bytes are normal


def extract_text(path: Path, limits: Limits = Limits()) -> Extraction:
    """Extract a plain-text file as one page, its first non-empty line as a heading."""
    text = normalize_text(decode_bytes(Path(path).read_bytes()))
    text, warnings = truncate(text, limits.max_page_chars, "page 1")
    heading = first_line(text)
    return Extraction(MIME, (text,), headings=(heading,) if heading else (), warnings=warnings)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode by BOM, then a declared charset, then strict UTF-8, then cp1252, then latin-1 (never fails)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    for codec in (declared, "utf-8", "cp1252"):
        if codec:
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("latin-1")


def looks_like_text(head: bytes) -> bool:
    """True when a file's first bytes are text: no NUL (outside UTF-16/32), few control characters decoded."""
    if b"\x00" in head and not head.startswith(_UNICODE_BOMS):
        return False
    text = decode_bytes(_whole_characters(head))
    junk = len(_CONTROL.findall(text)) + text.count("\ufffd")
    return junk <= MAX_CONTROL_SHARE * len(text)


def _whole_characters(head: bytes) -> bytes:
    """The head without a UTF-8 character cut off at its end, so UTF-8 text still decodes as UTF-8."""
    for back in range(1, min(4, len(head)) + 1):
        byte = head[-back]
        if byte < 0x80:
            return head
        if byte >= 0xC0:  # the lead byte of the last character says how long it should be
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return head[:-back] if length > back else head
    return head


def normalize_text(text: str) -> str:
    """Remove NUL and control characters, collapse spaces within lines, keep line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    text = _CONTROL.sub("", text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def truncate(text: str, max_chars: int, where: str) -> tuple[str, tuple[str, ...]]:
    """Cut text at max_chars, with a warning saying so."""
    if len(text) <= max_chars:
        return text, ()
    return text[:max_chars], (f"{where}: text truncated at {max_chars} characters",)


def first_line(text: str) -> str | None:
    """The first non-empty line, trimmed to MAX_TITLE_CHARS, or None."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:MAX_TITLE_CHARS].strip()
    return None
