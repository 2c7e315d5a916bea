"""PDF files: pypdf first, PDFium where pypdf fails, OCR for scans; a failing page costs only itself."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from pypdf import PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError

from archive.vocabulary import iso_date
from indexer.extract.errors import CorruptFileError, EncryptedError, OversizedError, describe
from indexer.extract.text import normalize_text, truncate
from indexer.extract.pdfium import SecondEngine, second_engine
from indexer.extract.result import Extraction, Limits, PageRead, announce_page_count
from indexer.extract.scans import MIN_TEXT_CHARS, read_scans

log = logging.getLogger(__name__)
# pypdf logs every object it recovers from (10,000 lines for one damaged real file); what a person needs,
# a page or file that failed and why, reaches the load's report instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MIME = "application/pdf"
PYPDF, PDFIUM = "pypdf", "pdfium"
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
    """Each page's text (pypdf first, PDFium where pypdf fails, OCR for scans), the title and creation date."""
    with apply_configuration(**PYPDF_CONFIGURATION), second_engine(path) as second:
        try:
            texts, reads, warnings, info = _with_pypdf(path, _open(path), second, limits)
        except (CorruptFileError, EncryptedError) as refused:
            texts, reads, warnings, info = _pdfium_only(path, second, refused, limits)
        texts, reads = read_scans(path, second, texts, reads, limits)
    return Extraction(MIME, texts, title=info[0], created=info[1], warnings=warnings, reads=reads)


def _with_pypdf(path: Path, reader: PdfReader, second: SecondEngine, limits: Limits) -> tuple:
    """Texts, reads, warnings and (title, created) with pypdf, PDFium standing in for pages it fails on."""
    count = _page_count(path, reader, limits)
    announce_page_count(count)
    texts, reads, warnings = _page_texts(path, reader, second, count, limits)
    return texts, reads, warnings, _metadata(reader)


def _pdfium_only(path: Path, second: SecondEngine, refused: Exception, limits: Limits) -> tuple:
    """A PDF pypdf refused, read by PDFium; if PDFium can't open it either, pypdf's reason stands."""
    if second.document() is None:
        raise refused
    count = _checked_count(path, second.page_count(), limits)
    announce_page_count(count)
    log.info("%s: pypdf refused it (%s); PDFium opened it", path.name, refused)
    texts, reads, warnings = _pages_by(path, count, limits, lambda n: _pdfium_page(second, n, limits))
    info = second.metadata()
    return texts, reads, warnings + (f"pypdf could not open it ({refused}); read by PDFium",), \
        (clean_title(info.get("Title") or None), parse_pdf_date(info.get("CreationDate") or None))


def _open(path: Path) -> PdfReader:
    """Open the PDF leniently, decrypting with the empty password when it has one."""
    try:
        reader = PdfReader(path, strict=False)
    except Exception as exc:  # pypdf raises its own errors and plain ones (TypeError, ValueError...)
        raise CorruptFileError(path, f"cannot open the PDF ({describe(exc)})") from exc
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
        raise EncryptedError(path, f"encrypted and could not be decrypted ({describe(exc)})") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise EncryptedError(path, "the PDF is encrypted and needs a password")


def _page_count(path: Path, reader: PdfReader, limits: Limits) -> int:
    """The number of pages, refusing page trees that are broken, empty or too long."""
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise CorruptFileError(path, f"cannot read the page tree ({describe(exc)})") from exc
    return _checked_count(path, count, limits)


def _checked_count(path: Path, count: int, limits: Limits) -> int:
    if count == 0:
        raise CorruptFileError(path, "the PDF has no pages")
    if count > limits.max_pages:
        raise OversizedError(path, f"{count} pages, more than the limit of {limits.max_pages}")
    return count


def _page_texts(path: Path, reader: PdfReader, second: SecondEngine, count: int, limits: Limits) -> tuple:
    """Each page's text by pypdf; a page pypdf fails on, or finds no text on, is asked of PDFium."""
    def one(number: int) -> tuple[str, PageRead, tuple[str, ...]]:
        try:
            text, notes = _page_text(reader, number, limits)
        except MemoryError:
            raise  # the file, not the page, is the problem: reported as "memory" and the worker replaced
        except Exception as exc:  # one bad page must not lose the others
            log.info("%s: page %d failed in pypdf: %s", path, number, describe(exc))
            return _pdfium_page(second, number, limits, f"pypdf: {describe(exc)}")
        if len(text.strip()) >= MIN_TEXT_CHARS or second.document() is None:
            return text, PageRead(PYPDF if text.strip() else ""), notes
        other = _pdfium_page(second, number, limits)
        return other if len(other[0].strip()) > len(text.strip()) else (text, PageRead(PYPDF if text.strip() else ""), notes)

    return _pages_by(path, count, limits, one)


def _page_text(reader: PdfReader, number: int, limits: Limits) -> tuple[str, tuple[str, ...]]:
    """One page's normalized text by pypdf, truncated to the limit, with any warning."""
    raw = reader.pages[number - 1].extract_text(extraction_mode="plain")
    return truncate(normalize_text(raw or ""), limits.max_page_chars, f"page {number}")


def _pages_by(path: Path, count: int, limits: Limits, read) -> tuple:
    """(texts, reads, warnings) of every page by `read(number)`; CorruptFileError if no page could be read."""
    texts, reads, warnings, failures = [], [], [], []
    for number in range(1, count + 1):
        text, page_read, notes = read(number)
        if page_read.note:
            failures.append(page_read.note)
        texts.append(text)
        reads.append(page_read)
        warnings.extend(notes)
    if len(failures) == count:
        raise CorruptFileError(path, f"no page could be read; {failures[0]}")
    return tuple(texts), tuple(reads), tuple(warnings)


def _pdfium_page(second: SecondEngine, number: int, limits: Limits, failed: str = "") -> tuple:
    """One page's text by PDFium: (text, read, warnings); `failed` says why pypdf could not read it."""
    try:
        raw = second.page_text(number) if second.document() is not None else None
    except MemoryError:
        raise
    except Exception as exc:
        raw, failed = None, "; ".join(filter(None, (failed, f"PDFium: {describe(exc)}")))
    if raw is None:
        if not failed:
            return "", PageRead(), ()
        note = f"page {number}: text could not be extracted ({failed})"
        return "", PageRead(note=note), (note,)
    text, notes = truncate(normalize_text(raw), limits.max_page_chars, f"page {number}")
    if failed:
        notes = (f"page {number}: read by PDFium ({failed})", *notes)
    return text, PageRead(PDFIUM if text.strip() else ""), notes


def _metadata(reader: PdfReader) -> tuple[str | None, str | None]:
    """The cleaned /Title and the /CreationDate as YYYY-MM-DD; damaged metadata is ignored."""
    try:
        info = reader.metadata
        if info is None:
            return None, None
        return clean_title(_info(info, "/Title")), parse_pdf_date(_info(info, "/CreationDate"))
    except Exception as exc:  # metadata is a bonus: never lose the text for it
        log.info("unreadable PDF metadata: %s", describe(exc))
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
