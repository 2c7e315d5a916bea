"""A load from start to end, the one way into the archive for the command line and the web alike: choose
the files, decide in the parent what each needs, extract in a worker pool under time and memory limits,
write (or, for a preflight, only describe) the results, and report every file's outcome."""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.locks import Holder, archive_load_lock
from archive.metadata import DocumentMeta
from indexer.extract.ocr import tesseract_path
from indexer.extract.result import Limits, OcrMode
from indexer.load.manifest import ManifestRow
from indexer.load.outcomes import FileOutcome, LoadReport, Outcome, failure, page_tally
from indexer.load.plan import Planner
from indexer.load.pool import PoolFailure, PoolLimits, WorkerPool
from indexer.load.prepare import Failed, Prepared, Task, final_meta, is_memory_failure, prepare_task
from indexer.load.sources import failed_files, source_files
from indexer.load.writer import Loader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadOptions:
    """How to run one load; `manifest` maps absolute paths to per-file metadata that beats `given`."""

    given: DocumentMeta = DocumentMeta()
    manifest: dict[str, ManifestRow] = field(default_factory=dict)
    limits: Limits = Limits()
    pool: PoolLimits = PoolLimits()
    jobs: int = os.cpu_count() or 1
    retry_failed: bool = False
    dry_run: bool = False
    commit_every: int = 500
    analyze_in_workers: bool = True  # False only to measure the old way (the writer analysing every text)
    # Extract every file before opening the index writer (a web upload: a slow file must not hold the
    # index lock that staff edits wait for). A bulk load writes as results come, in batches.
    extract_first: bool = False
    writer_wait_seconds: float | None = None  # how long to wait for the write lock (None: as long as it takes)
    # A bulk load holds the data folder's load lock throughout (one load, reindex or OCR run at a time);
    # an upload does not, and slips in between a load's batches under the write lock alone.
    load_lock: bool = True
    load_lock_wait: float | None = None  # None: wait for the other load to end; 0: refuse at once

    def meta_for(self, path: str) -> DocumentMeta:
        """Manifest values first, then the command line's; inference fills the rest later."""
        row = self.manifest.get(path)
        return row.meta.over(self.given) if row else self.given

    def language_for(self, path: str) -> str | None:
        """The manifest's language for this file, if it names one (else the load's, in `limits`)."""
        row = self.manifest.get(path)
        return row.language if row else None

    def for_workers(self) -> Limits:
        """The extraction limits; scans wait for `archive ocr` in a preflight or without tesseract."""
        if self.dry_run or tesseract_path() is None:
            return replace(self.limits, ocr=replace(self.limits.ocr, mode=OcrMode.DEFER))
        return self.limits


class Preflight:
    """The sink of a dry run: says what each file would become and writes nothing."""

    def accept(self, result: Prepared | Failed, given: DocumentMeta,
               size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        if isinstance(result, Failed):
            return failure(result.path, result.reason, result.detail, result.sha256)
        meta = final_meta(result, given)
        extraction = result.extraction
        tally = page_tally(extraction.page_reads())
        detail = _preflight_note(extraction.text_pages, tally["needs_ocr"])
        return FileOutcome(result.path, Outcome.WOULD_LOAD, pages=extraction.page_count,
                           text_pages=extraction.text_pages, mime=extraction.mime, doc_type=meta.doc_type,
                           year=meta.year, sha256=result.sha256, detail=detail, **tally)

    def record(self, outcome: FileOutcome, size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        return outcome

    def commit(self) -> None:
        """Nothing to commit."""

    def commit_early(self, in_flight: int) -> None:
        """Nothing to commit."""

    def abandon(self) -> None:
        """Nothing to drop."""

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Nothing to lock."""
        yield


def _preflight_note(text_pages: int, scans: int) -> str:
    if scans:
        return f"{scans} scanned page(s) would be read by OCR"
    return "" if text_pages else "no text found, and no scanned page to read by OCR"


def run_load(data: DataDir, paths: list[Path], options: LoadOptions,
             on_outcome: Callable[[FileOutcome], None] | None = None,
             on_start: Callable[[int], None] | None = None,
             on_wait: Callable[[Holder | None], None] | None = None) -> LoadReport:
    """Load (or, with `dry_run`, preflight) files; `on_start(total)` then `on_outcome` once per file;
    `on_wait(holder)` if another load holds the load lock first. Raises LockBusy if it stays held."""
    with _load_lock(data, options, on_wait):
        return _run_load(data, paths, options, on_outcome, on_start)


@contextmanager
def _load_lock(data: DataDir, options: LoadOptions, on_wait) -> Iterator[None]:
    """The load lock for a bulk load (a preflight writes nothing, an upload takes the write lock only)."""
    if options.dry_run or not options.load_lock:
        yield
        return
    with archive_load_lock(data.ensure(), "load", options.load_lock_wait, on_wait):
        yield


def _run_load(data: DataDir, paths: list[Path], options: LoadOptions,
              on_outcome: Callable[[FileOutcome], None] | None,
              on_start: Callable[[int], None] | None) -> LoadReport:
    report = LoadReport(keep_outcomes=on_outcome is None, jobs=options.jobs)

    def emit(outcome: FileOutcome) -> None:
        report.add(outcome)
        if on_outcome:
            on_outcome(outcome)

    with _open_catalog(data, options.dry_run) as catalog, stop_on_interrupt() as stopping:
        sources = (lambda: iter(failed_files(catalog, paths))) if options.retry_failed and catalog else \
                  (lambda: source_files(paths, options.manifest))
        if on_start:
            on_start(sum(1 for _ in sources()))
        sink = Preflight() if options.dry_run else _loader(data, catalog, options)
        planner = Planner(catalog, options.retry_failed, analyze=options.analyze_in_workers and not options.dry_run,
                          language_for=options.language_for)
        try:
            _drive(sources(), planner, sink, options, emit, stopping)
        except BaseException:
            sink.abandon()
            raise
        sink.commit()
        report.interrupted = stopping.is_set()
    return report


def load_paths(paths: Iterable[Path], data: DataDir, given: DocumentMeta = DocumentMeta(),
               limits: Limits = Limits(), jobs: int | None = None,
               on_outcome: Callable[[FileOutcome], None] | None = None) -> LoadReport:
    """Load files and folders into the archive; the report says what happened to each file."""
    options = LoadOptions(given=given, limits=limits, jobs=jobs or os.cpu_count() or 1)
    return run_load(data, [Path(p) for p in paths], options, on_outcome=on_outcome)


def _loader(data: DataDir, catalog: Catalog, options: LoadOptions) -> Loader:
    loader = Loader(data, catalog, commit_every=options.commit_every, wait_seconds=options.writer_wait_seconds,
                    what="load" if options.load_lock else "upload")
    # Only the load lock's holder finishes a crashed load: an upload, running beside a bulk load, would
    # remove the temp blobs that load is writing.
    resumed = loader.resume() if options.load_lock else 0
    if resumed:
        log.warning("finished indexing %d documents left pending by an interrupted load", resumed)
    return loader


def _drive(sources: Iterator[str], planner: Planner, sink: Loader | Preflight, options: LoadOptions,
           emit: Callable[[FileOutcome], None], stopping: threading.Event) -> None:
    """Plan each file; settled ones are recorded at once, the rest go through the pool to the sink."""

    def tasks(in_flight: int) -> Iterator[Task]:
        for path in sources:
            if stopping.is_set():
                return
            decision = planner.plan(path)
            if isinstance(decision, Task):
                yield decision
            elif decision is not None:
                emit(sink.record(*decision))
        if not options.extract_first:
            # Every file is planned and the workers hold the last few: index what is accepted so far now, beside
            # them (if it outweighs them), so that the load's end waits to index only those few (a commit after
            # the last result overlapped nothing: ~0.2 s of a 150-file load).
            sink.commit_early(in_flight)

    target = partial(prepare_task, limits=options.for_workers())
    with WorkerPool(target, options.jobs, options.pool, recycle_if=is_memory_failure) as pool:
        results = _as_failed(pool.run(tasks(pool.capacity), stopping.is_set))
        if not options.extract_first:
            _accept_all(results, planner, sink, options, emit)
            return
        extracted = list(results)
    # Everything extracted: write it all under one hold of the write lock, so a refusal changes nothing.
    with sink.exclusive():
        _accept_all(extracted, planner, sink, options, emit)
        sink.commit()


def _accept_all(results: Iterable[tuple[Task, Prepared | Failed]], planner: Planner, sink: Loader | Preflight,
                options: LoadOptions, emit: Callable[[FileOutcome], None]) -> None:
    """Hand each result to the sink, then settle the copies that waited for it."""
    for task, result in results:
        outcome = sink.accept(result, options.meta_for(task.path), task.size, task.mtime_ns)
        emit(outcome)
        for decision in planner.settle(task.sha256, outcome):
            emit(sink.record(*decision))


def _as_failed(results: Iterator[tuple[Task, Prepared | Failed | PoolFailure]]) -> Iterator[tuple[Task, Prepared | Failed]]:
    """The pool's own failures (timeout, memory, crash) as the file's failure, like an extractor's."""
    for task, result in results:
        if isinstance(result, PoolFailure):
            result = Failed(task.path, result.reason, result.detail, task.sha256)
        yield task, result


@contextmanager
def _open_catalog(data: DataDir, dry_run: bool) -> Iterator[Catalog | None]:
    """The catalog; for a dry run a read-only one, or None when there is no archive yet."""
    if dry_run and not data.has_catalog():
        yield None
        return
    with Catalog(data.catalog, readonly=dry_run) as catalog:
        yield catalog


@contextmanager
def stop_on_interrupt() -> Iterator[threading.Event]:
    """The first Ctrl-C asks the load to stop after the file in hand (and commit); a second one aborts."""
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return

    def handler(signum, frame) -> None:
        if stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()
        log.warning("stopping after the files in hand (Ctrl-C again to abort at once)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stopping
    finally:
        signal.signal(signal.SIGINT, previous)
