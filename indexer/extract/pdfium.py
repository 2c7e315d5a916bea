"""PDFium (pypdfium2), the engine behind Chrome's viewer: the second reader of PDFs and the renderer of scans.

pypdf stays first (its text is what the archive was built on). PDFium reads many files pypdf refuses as
corrupt (FACTS.md: 23 of 50, 7 with real text), reads pages pypdf fails on, and renders pages for OCR.
"""
from __future__ import annotations

import logging
import math
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

log = logging.getLogger(__name__)

GRID = 64  # image coverage is measured on a GRID x GRID raster of the page: exact enough, and cheap
MAX_PIXELS = 40_000_000  # a render larger than this (a poster at 300 dpi) is scaled down: memory
# No numpy here: it maps ~60 MB of address space on import, and the extraction workers of a text load
# run under a memory limit that should go to the files, not to a library they don't need.


@dataclass(frozen=True)
class GrayImage:
    """An 8-bit grayscale page image, row by row with no padding, and the DPI it was drawn at."""

    width: int
    height: int
    pixels: bytes
    dpi: int


class SecondEngine:
    """PDFium's view of one file, opened on first use (most text PDFs never need it) and closed after."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._document: pdfium.PdfDocument | None = None
        self.error: str | None = None  # why PDFium could not open the file, once it tried

    def document(self) -> pdfium.PdfDocument | None:
        """The open document, or None if PDFium cannot open it either (the reason is in `error`)."""
        if self._document is None and self.error is None:
            try:
                self._document = pdfium.PdfDocument(str(self.path), password="")
            except Exception as exc:  # PdfiumError for damage, passwords, unsupported encryption
                self.error = " ".join(str(exc).split())[:200] or type(exc).__name__
        return self._document

    def page_count(self) -> int:
        found = self.document()
        return len(found) if found is not None else 0

    def page_text(self, number: int) -> str:
        """The text layer of page `number` (1-based), as PDFium reads it."""
        page = self.document()[number - 1]
        try:
            text_page = page.get_textpage()
            try:
                return text_page.get_text_bounded()
            finally:
                text_page.close()
        finally:
            page.close()

    def metadata(self) -> dict[str, str]:
        """The document information dictionary ("Title", "CreationDate", ...); empty if unreadable."""
        try:
            return dict(self.document().get_metadata_dict())
        except Exception:  # metadata is a bonus
            return {}

    def image_coverage(self, number: int) -> float:
        """The share (0-1) of page `number` that images cover: a scan is one image over the whole page."""
        page = self.document()[number - 1]
        try:
            return _coverage(page)
        finally:
            page.close()

    def render_gray(self, number: int, dpi: int, turn: int = 0) -> GrayImage:
        """Page `number` as an 8-bit grayscale image (/Rotate applied), turned `turn` degrees clockwise."""
        page = self.document()[number - 1]
        try:
            width, height = page.get_size()
            dpi = _capped_dpi(width, height, dpi)
            bitmap = page.render(scale=dpi / 72, rotation=turn, grayscale=True)
            try:
                return GrayImage(bitmap.width, bitmap.height, _rows(bitmap), dpi)
            finally:
                bitmap.close()
        finally:
            page.close()

    def close(self) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None


@contextmanager
def second_engine(path: Path) -> Iterator[SecondEngine]:
    engine = SecondEngine(path)
    try:
        yield engine
    finally:
        engine.close()


def _rows(bitmap) -> bytes:
    """The bitmap's pixels without the padding PDFium may add at the end of each row."""
    data = bytes(bitmap.buffer)
    if bitmap.stride == bitmap.width:
        return data
    return b"".join(data[row * bitmap.stride: row * bitmap.stride + bitmap.width] for row in range(bitmap.height))


def _coverage(page) -> float:
    """Union of the image objects' boxes (nested forms included) over the page's box, on a coarse grid."""
    left, bottom, right, top = page.get_bbox()
    width, height = right - left, top - bottom
    if width <= 0 or height <= 0:
        return 0.0
    covered: set[tuple[int, int]] = set()
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        x0, y0, x1, y1 = image.get_bounds()
        cols, rows = _cells(x0 - left, x1 - left, width), _cells(y0 - bottom, y1 - bottom, height)
        covered.update((r, c) for r in rows for c in cols)
    return len(covered) / (GRID * GRID)


def _cells(low: float, high: float, extent: float) -> range:
    """The grid cells a span [low, high] of a page dimension covers, clipped to the page."""
    start = min(max(math.floor(low / extent * GRID), 0), GRID)
    stop = min(max(math.ceil(high / extent * GRID), 0), GRID)
    return range(start, stop)


def _capped_dpi(width_pt: float, height_pt: float, dpi: int) -> int:
    """`dpi`, lowered so the rendered page stays under MAX_PIXELS."""
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels <= MAX_PIXELS:
        return dpi
    return max(72, int(dpi * (MAX_PIXELS / pixels) ** 0.5))
