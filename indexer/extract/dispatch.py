"""One file in, its text out: check size, detect the type by content, dispatch to the format's extractor.

`extract` is a pure top-level function so it can run in a process pool; it raises only LoadError.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from indexer.extract.detect import HTML, MARKDOWN, PDF, TEXT, check_disguise, detect_mime
from indexer.extract.errors import (
    CorruptFileError,
    EmptyFileError,
    ExtractionMemoryError,
    LoadError,
    OversizedError,
)
from indexer.extract.html import extract_html
from indexer.extract.markdown import extract_markdown
from indexer.extract.pdf import extract_pdf
from indexer.extract.text import extract_text
from indexer.extract.result import Extraction, Limits

log = logging.getLogger(__name__)

Extractor = Callable[[Path, Limits], Extraction]
EXTRACTORS: dict[str, Extractor] = {
    PDF: extract_pdf, HTML: extract_html, TEXT: extract_text, MARKDOWN: extract_markdown,
}


def extract(path: Path, limits: Limits = Limits()) -> Extraction:
    """Extract one file's text and metadata, or raise the LoadError that says why not."""
    path = Path(path)
    try:
        return _extract(path, limits)
    except LoadError:
        raise
    except MemoryError as exc:
        raise ExtractionMemoryError(path, "ran out of memory while extracting") from exc
    except RecursionError as exc:
        raise CorruptFileError(path, "structure nested too deeply to read") from exc
    except OSError as exc:
        raise CorruptFileError(path, f"cannot read the file ({type(exc).__name__}: {exc.strerror or exc})") from exc
    except Exception as exc:  # any library's surprise becomes a typed, reported error
        log.exception("unexpected error extracting %s", path)
        raise CorruptFileError(path, f"unreadable ({type(exc).__name__}: {str(exc)[:200]})") from exc


def _extract(path: Path, limits: Limits) -> Extraction:
    """Size check, type detection, then the registered extractor."""
    check_size(path, limits)
    mime = detect_mime(path)
    check_disguise(path, mime)
    return EXTRACTORS[mime](path, limits)


def check_size(path: Path, limits: Limits) -> int:
    """The file's size in bytes; refuse empty and oversized files before reading them."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(path, "the file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise OversizedError(path, f"{size} bytes, more than the limit of {limits.max_file_bytes}")
    return size
