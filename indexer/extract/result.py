"""What extraction yields: plain values that cross process and package boundaries."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable

from archive.pages import OcrState, PageRead  # noqa: F401 (extractors name them from here)

DEFAULT_LANGUAGE = "eng"
OCR_PAGE_SECONDS = 120.0  # each page read by OCR may take this long (`--ocr-page-timeout`)
OCR_RENDER_SECONDS = 5.0  # the pool's extra allowance per OCR page, for rendering it


class OcrMode(StrEnum):
    """What to do with a page that has no text but an image covering it (a scan)."""

    RUN = "run"  # read it with tesseract now
    DEFER = "defer"  # mark it "needs OCR" (no tesseract, a web upload, a preflight): `archive ocr` does it


@dataclass(frozen=True)
class OcrSettings:
    """How scans are read: tesseract's language codes ("eng", "spa", "eng+spa") and its time per page."""

    mode: OcrMode = OcrMode.RUN
    language: str = DEFAULT_LANGUAGE
    page_seconds: float = OCR_PAGE_SECONDS


@dataclass(frozen=True)
class Limits:
    """Bounds on one file's extraction, so one hostile file cannot stall a load; and how scans are read."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_pages: int = 5000
    max_page_chars: int = 2_000_000
    ocr: OcrSettings = OcrSettings()


@dataclass(frozen=True)
class Extraction:
    """The text and embedded metadata of one file, page by page (one page for HTML and text)."""

    mime: str
    pages: tuple[str, ...]
    title: str | None = None
    created: str | None = None  # ISO date (YYYY-MM-DD) from embedded metadata, if any
    headings: tuple[str, ...] = ()  # first headings seen, strongest first, for title inference
    warnings: tuple[str, ...] = field(default=())
    reads: tuple[PageRead, ...] = ()  # per page, for PDFs; empty means every page is its own text

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def text_pages(self) -> int:
        """Pages with text (from a text layer or OCR)."""
        return sum(1 for p in self.pages if p.strip())

    def page_reads(self) -> tuple[PageRead, ...]:
        """How each page was read; a text or HTML file's one page by its own extractor."""
        return self.reads or tuple(PageRead() for _ in self.pages)


# Set in pool workers (indexer.load.pool): the parent's watchdog budgets time per page and per page read
# by OCR, so it must learn those counts as soon as an extractor knows them. Outside a pool nobody listens.
_listener: Callable[[str, int], None] | None = None


def listen_for_page_count(listener: Callable[[str, int], None] | None) -> None:
    """Have `listener(kind, count)` called when an extractor learns a file's pages ("pages") or scans ("ocr")."""
    global _listener
    _listener = listener


def announce_page_count(pages: int) -> None:
    """Called by extractors once a file's page count is known."""
    if _listener is not None:
        _listener("pages", pages)


def announce_ocr_pages(pages: int) -> None:
    """Called before OCR starts on a file's scanned pages: each adds its own allowance to the deadline."""
    if _listener is not None:
        _listener("ocr", pages)
