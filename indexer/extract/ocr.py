"""Reading a scanned page with tesseract: an uncompressed grayscale image and its DPI in, text and confidence out.

tesseract runs as a child process (Debian's `tesseract-ocr`, with the `eng`, `spa` and `osd` data), one
thread each (OMP_THREAD_LIMIT=1: its own threads cost 3-8x more CPU, FACTS.md), so the load's worker
processes are what use the cores. The child inherits the worker's memory limit, and a page that overruns
its time, runs out of memory or crashes tesseract fails alone, with the reason.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # for annotations only: `archive load` checks the language here without loading pdfium
    from indexer.extract.pdfium import GrayImage

TESSERACT = "tesseract"
UPRIGHT_CONFIDENCE = 60.0  # below this a page is usually turned (FACTS.md): ask tesseract which way
_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.M)
_LANGUAGE = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float  # mean word confidence, 0-100
    rotation: int = 0  # degrees the image was turned clockwise to read it upright


class OcrError(Exception):
    """A page tesseract could not read; `reason` is timeout, memory or crashed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def tesseract_path() -> str | None:
    return shutil.which(TESSERACT)


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The language codes tesseract has data for (empty when tesseract is missing)."""
    if tesseract_path() is None:
        return frozenset()
    listed = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, text=True, timeout=30)
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()) - {"osd"}


def check_language(code: str) -> str:
    """A tesseract language code such as "eng", "spa" or "eng+spa", if each part is installed; else ValueError."""
    code = code.strip()
    if not _LANGUAGE.fullmatch(code):
        raise ValueError(f"{code!r} is not a tesseract language code (like eng, spa or eng+spa)")
    installed = installed_languages()
    missing = [part for part in code.split("+") if installed and part not in installed]
    if missing:
        raise ValueError(f"no OCR language data for {', '.join(missing)} (installed: {', '.join(sorted(installed))})")
    return code


def read_page(render: Callable[[int], GrayImage], language: str, seconds: float) -> OcrResult:
    """The text of a page drawn by `render(turn)`; a turned page (low confidence) is drawn upright and read again."""
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="archive-ocr-") as folder:
        image = render(0)
        page = _write_pgm(Path(folder) / "page.pgm", image)
        first = _recognise(page, image.dpi, language, deadline)
        if first.confidence >= UPRIGHT_CONFIDENCE:
            return first
        rotation = _orientation(page, image.dpi, deadline)
        if not rotation:
            return first
        upright = render(rotation)
        second = _recognise(_write_pgm(Path(folder) / "upright.pgm", upright), upright.dpi, language, deadline)
    return OcrResult(second.text, second.confidence, rotation) if second.confidence > first.confidence else first


def _write_pgm(path: Path, image: GrayImage) -> Path:
    """An uncompressed 8-bit PGM: tesseract reads it without decoding anything."""
    with path.open("wb") as out:
        out.write(b"P5 %d %d 255\n" % (image.width, image.height))
        out.write(image.pixels)
    return path


def _recognise(image: Path, dpi: int, language: str, deadline: float) -> OcrResult:
    tsv = _run([str(image), "stdout", "--dpi", str(dpi), "-l", language, "--psm", "3", "tsv"], deadline)
    return parse_tsv(tsv)


def _orientation(image: Path, dpi: int, deadline: float) -> int:
    """Degrees to turn the image clockwise to make it upright (0 when tesseract can't tell)."""
    try:
        found = _ROTATE.search(_run([str(image), "stdout", "--dpi", str(dpi), "--psm", "0"], deadline))
    except OcrError as exc:
        if exc.reason != "unreadable":
            raise
        return 0  # too few letters to tell: keep the first reading
    return int(found.group(1)) % 360 if found else 0


def _run(arguments: list[str], deadline: float) -> str:
    """tesseract's standard output, or an OcrError that says why it failed."""
    seconds = max(1.0, deadline - time.monotonic())
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run([TESSERACT, *arguments], capture_output=True, timeout=seconds, env=env)
    except subprocess.TimeoutExpired:
        raise OcrError("timeout", "OCR took longer than its time limit for this page") from None
    if done.returncode == 0:
        return done.stdout.decode("utf-8", "replace")
    return _failure(done.returncode, done.stderr.decode("utf-8", "replace"))


def _failure(code: int, stderr: str) -> str:
    if "alloc" in stderr.lower() or code == -signal.SIGKILL:
        raise OcrError("memory", "tesseract ran out of memory on this page")
    if code < 0:
        raise OcrError("crashed", f"tesseract crashed ({signal.Signals(-code).name}) on this page")
    if "Too few characters" in stderr:
        raise OcrError("unreadable", "too few letters to tell the page's orientation")
    raise OcrError("crashed", f"tesseract failed (exit {code}): {' '.join(stderr.split())[:160]}")


def parse_tsv(tsv: str) -> OcrResult:
    """Text (lines kept, paragraphs split by a blank line) and mean word confidence from tesseract's TSV."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or not cells[11].strip():
            continue
        block, par, line = int(cells[2]), int(cells[3]), int(cells[4])
        lines.setdefault((block, par, line), []).append(cells[11].strip())
        if float(cells[10]) >= 0:
            confidences.append(float(cells[10]))
    text, previous = [], None
    for (block, par, _), words in lines.items():
        if previous is not None and previous != (block, par):
            text.append("")
        text.append(" ".join(words))
        previous = (block, par)
    return OcrResult("\n".join(text), fmean(confidences) if confidences else 0.0)
