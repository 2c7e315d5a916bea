"""What a person watching a load sees: a progress bar on a terminal, periodic log lines elsewhere, a summary."""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

from indexer.load.outcomes import FileOutcome, LoadReport, Outcome


class Progress:
    """Counts outcomes as they come and shows them; `console=True` draws a bar (tqdm), else prints lines."""

    def __init__(self, stream: TextIO = sys.stderr, console: bool | None = None, every_seconds: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.every, self.clock = stream, every_seconds, clock
        self.console = stream.isatty() if console is None else console
        self.total = self.done = self.pages = self.failed = self.last_done = 0
        self.started = self.last_line = clock()
        self.bar = None

    def start(self, total: int) -> None:
        self.total, self.started = total, self.clock()
        self.last_line = self.started
        if self.console:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", file=self.stream, dynamic_ncols=True, smoothing=0.1)

    def update(self, outcome: FileOutcome) -> None:
        self.done += 1
        self.failed += outcome.outcome == Outcome.FAILED
        if outcome.outcome in (Outcome.LOADED, Outcome.WOULD_LOAD):
            self.pages += outcome.pages
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.pages_per_second():.0f} pages/s, {self.failed} failed", refresh=False)
            self.bar.update(1)
        elif self.clock() - self.last_line >= self.every:
            self.line()

    def message(self, text: str) -> None:
        """A line about one file, printed above the bar when there is one."""
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=sys.stdout, flush=True)  # per-file lines are output; progress is chatter

    def pages_per_second(self) -> float:
        return self.pages / max(self.clock() - self.started, 1e-9)

    def line(self) -> None:
        """One plain status line: files done of total, pages and pages/s, failures, time left."""
        self.last_line, self.last_done = self.clock(), self.done
        elapsed = self.last_line - self.started
        left = (self.total - self.done) * elapsed / self.done if self.done else 0
        percent = 100 * self.done / self.total if self.total else 100
        print(f"progress: {self.done}/{self.total} files ({percent:.0f}%), {self.pages} pages, "
              f"{self.pages_per_second():.1f} pages/s, {self.failed} failed, "
              f"elapsed {_duration(elapsed)}, ETA {_duration(left)}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.done and self.done != self.last_done:
            self.line()


def summary(report: LoadReport, elapsed: float, dry_run: bool = False) -> str:
    """The closing lines of a load: what was loaded, already there, failed by reason, pages, time."""
    counts = report.counts
    verb = "would be loaded" if dry_run else "loaded"
    new = counts[Outcome.WOULD_LOAD] if dry_run else counts[Outcome.LOADED]
    lines = [
        f"{new} {verb} ({report.pages} pages), "
        f"{counts[Outcome.DUPLICATE] + counts[Outcome.UNCHANGED]} already present "
        f"({counts[Outcome.DUPLICATE]} duplicates by content, {counts[Outcome.UNCHANGED]} unchanged since the last load), "
        f"{counts[Outcome.FAILED]} failed, {counts[Outcome.SKIPPED]} skipped (failed before, unchanged), "
        f"in {_duration(elapsed)}"]
    if report.pages_by_engine:
        lines.append("pages read by: " + ", ".join(
            f"{ENGINE_NAMES.get(name, name)} {n}" for name, n in report.pages_by_engine.most_common()))
    lines += _ocr_lines(report, dry_run)
    if report.failed_by_reason:
        lines.append("failed by reason: " + ", ".join(
            f"{reason} {n}" for reason, n in sorted(report.failed_by_reason.items(), key=lambda kv: -kv[1])))
    if report.interrupted:
        lines.append("Interrupted: run the same command again to finish the rest.")
    return "\n".join(lines)


ENGINE_NAMES = {"tesseract": "OCR (tesseract)"}
OCR_CPU_SECONDS_PER_PAGE = 3.0  # tesseract at 300 dpi, one thread (FACTS.md: 2.5-3 CPU-s a page)


def _ocr_lines(report: LoadReport, dry_run: bool) -> list[str]:
    """What is left for OCR: an estimate before a load, what to run after one."""
    lines = []
    if report.needs_ocr and dry_run:
        seconds = report.needs_ocr * OCR_CPU_SECONDS_PER_PAGE / max(1, report.jobs)
        lines.append(f"{report.needs_ocr} scanned pages would be read by OCR: about {_duration(seconds)} "
                     f"with {report.jobs} worker(s) (about {OCR_CPU_SECONDS_PER_PAGE:.0f} CPU-s a page)")
    elif report.needs_ocr:
        lines.append(f"{report.needs_ocr} scanned pages need OCR (tesseract was not available): "
                     "run `archive ocr` once it is installed")
    if report.ocr_failed:
        lines.append(f"{report.ocr_failed} scanned pages could not be read by OCR (see `archive status`)")
    return lines


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
