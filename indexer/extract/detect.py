"""What a file really is, by its bytes: libmagic, its measured blind spots, and text first for documents' names."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import magic

from indexer.extract.errors import CorruptFileError, DisguisedFileError, EmptyFileError, UnsupportedTypeError
from indexer.extract.text import looks_like_text

log = logging.getLogger(__name__)

PDF, HTML, TEXT, MARKDOWN = "application/pdf", "text/html", "text/plain", "text/markdown"
SUPPORTED: frozenset[str] = frozenset({PDF, HTML, TEXT, MARKDOWN})

HEAD_BYTES = 8192
# A PDF's header with its version, which readers accept anywhere in the first 1,024 bytes (junk may come
# first). The version matters: a text that quotes "%PDF-" near its start (a list of broken PDFs and what
# pypdf said of them) had been taken for a PDF and refused as corrupt.
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
# Enough to step over the inline scripts and comments some pages open with before <html>.
HTML_SNIFF_BYTES = 1024 * 1024
# Names of documents we read as text. For text, libmagic guesses (JavaScript, C source, AppleWorks...):
# here its answer is only a hint, and bytes that decode as text are read as HTML, Markdown or plain text.
DOCUMENT_SUFFIXES: frozenset[str] = frozenset({".txt", ".text", ".md", ".markdown", ".htm", ".html", ""})
MARKDOWN_SUFFIXES: frozenset[str] = frozenset({".md", ".markdown"})
# Names that promise a type we read; anything else inside them is refused as a disguise.
PROMISING_SUFFIXES: frozenset[str] = frozenset({".pdf", *DOCUMENT_SUFFIXES} - {""})
# Scripts and stylesheets are never documents, even when libmagic calls them plain text (it has no CSS rule).
CODE_SUFFIXES: frozenset[str] = frozenset({".js", ".mjs", ".cjs", ".css"})
EMPTY_MIMES = frozenset({"inode/x-empty", "application/x-empty"})
_HTML_TAG = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|title|meta|p|div|span|h[1-6]|table|ul|ol|li|br|a\s|"
    rb"section|article|main|nav|header|footer|script|style)\b",
    re.IGNORECASE,
)
_HTML_CLOSE = re.compile(rb"</\s*(?:html|body|p|div|span|h[1-6]|table|ul|ol|li|a|section|article)\s*>", re.I)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.I)
# What may come before <html> in a real page: whitespace, comments, an XML declaration, scripts and styles.
_LEADING_NOISE = re.compile(
    rb"\s+|<!--.*?-->|<\?xml[^>]*\?>|<(script|style|noscript)\b[^>]*>.*?</\1\s*>", re.I | re.S)

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
    """The MIME type of the file's content: pdf, html, markdown, plain text, or what libmagic says."""
    head = _read_head(path, HEAD_BYTES)
    if not head:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    mime = _libmagic(path, head)
    if mime in EMPTY_MIMES:
        raise EmptyFileError(path, "the file is empty")
    if mime == PDF or _PDF_HEADER.search(head[:1024]):  # content beats the name: a .txt holding a PDF is a PDF
        return PDF
    if _named_as_document(path) and (mime in (TEXT, HTML) or looks_like_text(head)):
        return _text_kind(path, mime, head)
    return _correct(mime, head)


def _text_kind(path: Path, mime: str, head: bytes) -> str:
    """How to read a document-named text file: HTML if it parses as HTML, Markdown if so named, else text."""
    if opens_as_html(_read_head(path, HTML_SNIFF_BYTES)):
        return HTML
    if Path(path).suffix.lower() in MARKDOWN_SUFFIXES:  # Markdown may hold inline HTML: only a page is HTML
        return MARKDOWN
    return HTML if mime == HTML or looks_like_html(head) else TEXT


def check_disguise(path: Path, mime: str) -> None:
    """Refuse content we cannot read: a disguise if the name promised a readable type, else unsupported."""
    suffix = Path(path).suffix.lower()
    if suffix in CODE_SUFFIXES and mime != PDF:
        raise UnsupportedTypeError(path, f"a {suffix} file is a script or stylesheet, not a document ({mime})")
    if mime in SUPPORTED:
        return
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


def _read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of the file."""
    with Path(path).open("rb") as handle:
        return handle.read(size)


def _named_as_document(path: Path) -> bool:
    """True for the names of documents we read as text (.txt, .md, .html... or no suffix)."""
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def _libmagic(path: Path, head: bytes) -> str:
    """libmagic's MIME for the file, without any trailing message after a comma."""
    try:
        mime = magic.from_file(str(path), mime=True)
    except (magic.MagicException, OSError) as exc:  # libmagic can fail on odd files: try the head
        log.debug("libmagic from_file failed on %s: %s", path, exc)
        mime = magic.from_buffer(head, mime=True)
    return (mime or "application/octet-stream").split(",", 1)[0].split(";", 1)[0].strip().lower()


def _correct(mime: str, head: bytes) -> str:
    """Fix libmagic's measured blind spots for other names: XHTML, HTML fragments, BOM-less UTF-16."""
    if mime in ("application/xhtml+xml", "text/xml") and re.search(rb"<html\b", head, re.I):
        return HTML
    if mime.startswith("text/") and looks_like_html(head):
        return HTML
    if mime == "application/octet-stream" and _looks_like_utf16(head):
        return TEXT
    return mime


def opens_as_html(data: bytes) -> bool:
    """True when a doctype or an html/head/body tag opens the file, after any scripts, comments and spaces."""
    start = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    position = 0
    while noise := _LEADING_NOISE.match(start, position):
        position = noise.end()
    return bool(_HTML_START.match(start, position))


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
