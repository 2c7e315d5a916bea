"""How a page's text was read, as the catalog keeps it beside the text: engine, OCR state, confidence."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OcrState(StrEnum):
    """Where a page stands with OCR."""

    UNKNOWN = ""  # a page loaded before OCR existed: `archive ocr` looks at it
    NOT_NEEDED = "not-needed"  # a text layer was found, or the page has no scanned image
    PENDING = "pending"  # a scan waiting for OCR
    DONE = "done"
    FAILED = "failed"  # the render or tesseract ran out of time or memory, or crashed: see the note


@dataclass(frozen=True)
class PageRead:
    """How one page's text was read: by which engine, and for a scan, OCR's state, language and confidence."""

    engine: str = ""  # pypdf, pdfium or tesseract; "" when nothing found text
    ocr: OcrState = OcrState.NOT_NEEDED
    language: str = ""
    confidence: float | None = None  # tesseract's mean word confidence, 0-100
    note: str = ""  # why OCR failed, for that page alone

    @property
    def by_ocr(self) -> bool:
        return self.ocr == OcrState.DONE
