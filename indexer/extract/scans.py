"""Which pages of a PDF are scans, and reading them by OCR.

A page is read by OCR only when no text engine found text on it (fewer than MIN_TEXT_CHARS characters)
and an image covers at least half of it. A page with text is never OCR'd, and the original file is never
modified: OCR text goes to the catalog beside the page, with its engine, language and confidence.
"""
from __future__ import annotations

import logging
from pathlib import Path

from indexer.extract.errors import describe
from indexer.extract.ocr import OcrError, read_page
from indexer.extract.pdfium import SecondEngine
from indexer.extract.result import Limits, OcrMode, OcrState, PageRead, announce_ocr_pages
from indexer.extract.text import normalize_text, truncate

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 20
MIN_IMAGE_COVERAGE = 0.5
OCR_DPI = 300
OCR_ENGINE = "tesseract"


def is_scan(text: str, coverage: float) -> bool:
    """The rule for OCR: no text worth the name, and an image over at least half the page."""
    return len(text.strip()) < MIN_TEXT_CHARS and coverage >= MIN_IMAGE_COVERAGE


def scanned_pages(engine: SecondEngine, texts: tuple[str, ...]) -> list[int]:
    """1-based numbers of the pages that are scans (PDFium measures their images)."""
    if engine.document() is None:
        return []
    found = []
    for number, text in enumerate(texts, start=1):
        if len(text.strip()) < MIN_TEXT_CHARS and is_scan(text, _coverage(engine, number)):
            found.append(number)
    return found


def read_scans(path: Path, engine: SecondEngine, texts: tuple[str, ...], reads: tuple[PageRead, ...],
               limits: Limits) -> tuple[tuple[str, ...], tuple[PageRead, ...]]:
    """The texts and reads with every scanned page read by OCR (or, deferred, marked as waiting for it)."""
    scans = scanned_pages(engine, texts)
    if not scans:
        return texts, reads
    texts, reads = list(texts), list(reads)
    if limits.ocr.mode == OcrMode.DEFER:
        for number in scans:
            reads[number - 1] = PageRead(ocr=OcrState.PENDING, language=limits.ocr.language)
        return tuple(texts), tuple(reads)
    announce_ocr_pages(len(scans))
    for number in scans:
        texts[number - 1], reads[number - 1] = read_scan(path, engine, number, limits)
    return tuple(texts), tuple(reads)


def read_scan(path: Path, engine: SecondEngine, number: int, limits: Limits) -> tuple[str, PageRead]:
    """One scanned page's text by OCR; a failure is recorded for this page alone, with its reason."""
    language = limits.ocr.language
    try:
        result = read_page(lambda turn: engine.render_gray(number, OCR_DPI, turn), language, limits.ocr.page_seconds)
    except MemoryError:
        return "", PageRead(ocr=OcrState.FAILED, language=language, note="memory: the page is too large to render")
    except OcrError as exc:
        log.info("%s: page %d: OCR failed: %s", path.name, number, exc.detail)
        return "", PageRead(ocr=OcrState.FAILED, language=language, note=f"{exc.reason}: {exc.detail}")
    except Exception as exc:  # PDFium could not draw the page
        return "", PageRead(ocr=OcrState.FAILED, language=language, note=f"render: {describe(exc)}")
    text, _ = truncate(normalize_text(result.text), limits.max_page_chars, f"page {number}")
    return text, PageRead(OCR_ENGINE, OcrState.DONE, language, round(result.confidence, 1))


def _coverage(engine: SecondEngine, number: int) -> float:
    try:
        return engine.image_coverage(number)
    except Exception as exc:  # a page PDFium can't parse has no scan we could read either
        log.info("page %d: cannot measure its images: %s", number, describe(exc))
        return 0.0
