"""PDF files through pypdf: text page by page, a failing page costs only itself."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError

from archive.vocabulary import iso_date
from indexer.extract.errors import CorruptFileError, EncryptedError, OversizedError
from indexer.extract.text import normalize_text, truncate
from indexer.extract.result import Extraction, Limits, announce_page_count

log = logging.getLogger(__name__)

MIME = "application/pdf"
MAX_TITLE_CHARS = 300
# pypdf's own guards, tightened where one hostile page could stall a worker (FACTS.md: one page of
# 3 million operators cost ~15 s); everything else keeps pypdf's defaults.
PYPDF_CONFIGURATION = {
    "stream_parsing_work_maximum_count": 1_000_000,
    "jbig2dec_binary": None,  # never shell out to an external decoder for images we do not read
}
_OFFICE_PREFIX = re.compile(r"^\s*microsoft\s+(?:word|powerpoint|excel|publisher)\s*-\s*", re.I)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|pptx?|xlsx?|pub|rtf|odt|pdf|indd|qxd|txt)\s*$", re.I)
_JUNK_TITLE = re.compile(r"^(?:untitled|document|doc|title|unknown|none|null|slide|presentation|"
                         r"microsoft word|pdf|page)?[\s_-]*\d*$", re.I)
_PDF_DATE = re.compile(r"^(?:D:)?\s*(\d{4})(\d{2})?(\d{2})?")


def extract_pdf(path: Path, limits: Limits = Limits()) -> Extraction:
    """Extract each page's text and the title and creation date of a PDF."""
    with apply_configuration(**PYPDF_CONFIGURATION):
        reader = _open(path)
        page_count = _page_count(path, reader, limits)
        announce_page_count(page_count)
        pages, warnings = _page_texts(path, reader, page_count, limits)
        title, created = _metadata(reader)
    return Extraction(MIME, pages, title=title, created=created, warnings=warnings)


def _open(path: Path) -> PdfReader:
    """Open the PDF leniently, decrypting with the empty password when it has one."""
    try:
        reader = PdfReader(path, strict=False)
    except Exception as exc:  # pypdf raises its own errors and plain ones (TypeError, ValueError...)
        raise CorruptFileError(path, f"cannot open the PDF ({_describe(exc)})") from exc
    if reader.is_encrypted:
        _decrypt(path, reader)
    return reader


def _decrypt(path: Path, reader: PdfReader) -> None:
    """Open an encrypted PDF with the empty user password, or refuse it."""
    try:
        result = reader.decrypt("")
    except DependencyError as exc:
        raise EncryptedError(path, f"encrypted with a method we cannot read ({exc})") from exc
    except Exception as exc:
        raise EncryptedError(path, f"encrypted and could not be decrypted ({_describe(exc)})") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise EncryptedError(path, "the PDF is encrypted and needs a password")


def _page_count(path: Path, reader: PdfReader, limits: Limits) -> int:
    """The number of pages, refusing page trees that are broken, empty or too long."""
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise CorruptFileError(path, f"cannot read the page tree ({_describe(exc)})") from exc
    if count == 0:
        raise CorruptFileError(path, "the PDF has no pages")
    if count > limits.max_pages:
        raise OversizedError(path, f"{count} pages, more than the limit of {limits.max_pages}")
    return count


def _page_texts(path: Path, reader: PdfReader, count: int, limits: Limits
                ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each page's normalized text; a page that fails becomes empty with a warning."""
    pages: list[str] = []
    warnings: list[str] = []
    failures: list[str] = []
    for number in range(1, count + 1):
        try:
            text, notes = _page_text(reader, number, limits)
        except MemoryError:
            raise  # the file, not the page, is the problem: reported as "memory" and the worker replaced
        except Exception as exc:  # one bad page must not lose the others
            log.info("%s: page %d failed: %s", path, number, _describe(exc))
            text, notes = "", (f"page {number}: text could not be extracted ({_describe(exc)})",)
            failures.append(notes[0])
        pages.append(text)
        warnings.extend(notes)
    if len(failures) == count:
        raise CorruptFileError(path, f"no page could be read; {failures[0]}")
    return tuple(pages), tuple(warnings)


def _page_text(reader: PdfReader, number: int, limits: Limits) -> tuple[str, tuple[str, ...]]:
    """One page's normalized text, truncated to the limit, with any warning."""
    raw = reader.pages[number - 1].extract_text(extraction_mode="plain")
    return truncate(normalize_text(raw or ""), limits.max_page_chars, f"page {number}")


def _metadata(reader: PdfReader) -> tuple[str | None, str | None]:
    """The cleaned /Title and the /CreationDate as YYYY-MM-DD; damaged metadata is ignored."""
    try:
        info = reader.metadata
        if info is None:
            return None, None
        return clean_title(_info(info, "/Title")), parse_pdf_date(_info(info, "/CreationDate"))
    except Exception as exc:  # metadata is a bonus: never lose the text for it
        log.info("unreadable PDF metadata: %s", _describe(exc))
        return None, None


def _info(info: dict, key: str) -> object:
    """One document-information entry, resolved, or None."""
    return info[key] if key in info else None


def clean_title(value: object) -> str | None:
    """A usable title from PDF metadata: no "Microsoft Word - " prefix, no file suffix, no junk."""
    if value is None:
        return None
    title = " ".join(normalize_text(str(value)).split())
    title = _FILE_SUFFIX.sub("", _OFFICE_PREFIX.sub("", title)).strip()
    if not any(ch.isalpha() for ch in title) or _JUNK_TITLE.match(title):
        return None
    return title[:MAX_TITLE_CHARS]


def parse_pdf_date(value: object) -> str | None:
    """A PDF date string ("D:20190630120000Z") as YYYY-MM-DD, or None if it does not parse."""
    match = _PDF_DATE.match(str(value)) if value is not None else None
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return iso_date(year, month, day)


def _describe(exc: BaseException) -> str:
    """An exception as "Type: message", kept short for reports."""
    message = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
