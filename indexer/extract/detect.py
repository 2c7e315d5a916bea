"""What a file really is, by its bytes: libmagic plus the blind spots measured in FACTS.md."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import magic

from indexer.extract.errors import CorruptFileError, DisguisedFileError, EmptyFileError, UnsupportedTypeError

log = logging.getLogger(__name__)

PDF, HTML, TEXT = "application/pdf", "text/html", "text/plain"
SUPPORTED: frozenset[str] = frozenset({PDF, HTML, TEXT})

HEAD_BYTES = 8192
# Names that promise a type we read; anything else inside them is refused as a disguise.
PROMISING_SUFFIXES: frozenset[str] = frozenset({".pdf", ".html", ".htm", ".txt"})
EMPTY_MIMES = frozenset({"inode/x-empty", "application/x-empty"})
# libmagic guesses a programming language for some prose; in a .txt it is still text.
_TEXT_SUFFIXES = frozenset({".txt", ".text"})
_HTML_TAG = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|title|meta|p|div|span|h[1-6]|table|ul|ol|li|br|a\s|"
    rb"section|article|main|nav|header|footer|script|style)\b",
    re.IGNORECASE,
)
_HTML_CLOSE = re.compile(rb"</\s*(?:html|body|p|div|span|h[1-6]|table|ul|ol|li|a|section|article)\s*>", re.I)

_KINDS: tuple[tuple[str, str], ...] = (
    ("application/x-executable", "an executable program"),
    ("application/x-pie-executable", "an executable program"),
    ("application/x-sharedlib", "an executable program (shared library)"),
    ("application/x-mach-binary", "an executable program"),
    ("application/vnd.microsoft.portable-executable", "a Windows executable program"),
    ("application/x-dosexec", "a Windows executable program"),
    ("application/x-msdownload", "a Windows executable program"),
    ("application/zip", "a ZIP archive"),
    ("application/x-tar", "a tar archive"),
    ("application/gzip", "a gzip archive"),
    ("application/x-gzip", "a gzip archive"),
    ("application/x-bzip2", "a bzip2 archive"),
    ("application/x-xz", "an xz archive"),
    ("application/x-7z-compressed", "a 7-Zip archive"),
    ("application/x-rar", "a RAR archive"),
    ("application/vnd.rar", "a RAR archive"),
    ("application/vnd.openxmlformats", "an Office document"),
    ("application/msword", "a Word document"),
    ("application/vnd.ms-", "an Office document"),
    ("application/vnd.oasis.opendocument", "an OpenDocument file"),
    ("image/", "an image"),
    ("audio/", "an audio file"),
    ("video/", "a video file"),
    ("font/", "a font"),
    ("application/octet-stream", "unrecognised binary data"),
)


def detect_mime(path: Path) -> str:
    """The MIME type of the file's content: pdf, html, plain text, or what libmagic says."""
    head = _read_head(path)
    if not head:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    mime = _libmagic(path, head)
    if mime in EMPTY_MIMES:
        raise EmptyFileError(path, "the file is empty")
    return _correct(path, mime, head)


def check_disguise(path: Path, mime: str) -> None:
    """Refuse content we cannot read: a disguise if the name promised a readable type, else unsupported."""
    if mime in SUPPORTED:
        return
    suffix = Path(path).suffix.lower()
    kind = describe_mime(mime)
    if suffix not in PROMISING_SUFFIXES:
        raise UnsupportedTypeError(path, f"unsupported file type {mime} ({kind})")
    if mime == "application/octet-stream":
        # Unknown bytes are more likely a damaged file than a deliberate disguise.
        raise CorruptFileError(path, f"named {suffix} but the content is unrecognised binary data ({mime})")
    raise DisguisedFileError(path, f"named {suffix} but the content is {kind} ({mime})")


def describe_mime(mime: str) -> str:
    """A short human description of a MIME type ("an executable program")."""
    for prefix, kind in _KINDS:
        if mime.startswith(prefix):
            return kind
    return f"a {mime} file"


def _read_head(path: Path) -> bytes:
    """The first bytes of the file."""
    with Path(path).open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _libmagic(path: Path, head: bytes) -> str:
    """libmagic's MIME for the file, without any trailing message after a comma."""
    try:
        mime = magic.from_file(str(path), mime=True)
    except (magic.MagicException, OSError) as exc:  # libmagic can fail on odd files: try the head
        log.debug("libmagic from_file failed on %s: %s", path, exc)
        mime = magic.from_buffer(head, mime=True)
    return (mime or "application/octet-stream").split(",", 1)[0].split(";", 1)[0].strip().lower()


def _correct(path: Path, mime: str, head: bytes) -> str:
    """Fix libmagic's measured blind spots: junk before %PDF, HTML fragments, BOM-less UTF-16."""
    if mime != PDF and b"%PDF-" in head[:1024]:
        return PDF
    if mime in ("application/xhtml+xml", "text/xml") and re.search(rb"<html\b", head, re.I):
        return HTML
    if mime.startswith("text/") and mime not in SUPPORTED:
        if looks_like_html(head):
            return HTML
        if Path(path).suffix.lower() in _TEXT_SUFFIXES:
            return TEXT
    if mime == TEXT and looks_like_html(head):
        return HTML
    if mime == "application/octet-stream" and _looks_like_utf16(head):
        return TEXT
    return mime


def looks_like_html(head: bytes) -> bool:
    """True when the bytes open with an HTML tag, or carry html/body or several closing tags."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<") and _HTML_TAG.match(start):
        return True
    if re.search(rb"<\s*(?:html|body)\b", head, re.I):
        return True
    return len(_HTML_CLOSE.findall(head)) >= 3


def _looks_like_utf16(head: bytes) -> bool:
    """True for BOM-less UTF-16 text: NUL in almost every other byte, mostly printable when decoded."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 16:
        return False
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            text = sample.decode(codec, errors="replace")
            return sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text)
    return False
