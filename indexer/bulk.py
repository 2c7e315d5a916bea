"""A bulk load from start to end: choose the files, decide in the parent what each needs, extract in a
worker pool, write (or, for a preflight, only describe) the results, and report every file's outcome."""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.store import sha256_of
from indexer.extraction import Limits
from indexer.load import (
    Failed,
    FileOutcome,
    LoadReport,
    Loader,
    MetadataOverrides,
    Prepared,
    Task,
    duplicate_outcome,
    final_meta,
    is_memory_failure,
    iter_source_files,
    prepare_task,
)
from indexer.pool import PoolFailure, PoolLimits, WorkerPool

log = logging.getLogger(__name__)

Decision = tuple[FileOutcome, int | None, int | None]  # an outcome settled without a worker, and the file's stat


@dataclass(frozen=True)
class LoadOptions:
    """How to run one load; `manifest` maps absolute paths to per-file metadata that beats `overrides`."""

    overrides: MetadataOverrides = MetadataOverrides()
    manifest: dict[str, MetadataOverrides] = field(default_factory=dict)
    limits: Limits = Limits()
    pool: PoolLimits = PoolLimits()
    jobs: int = os.cpu_count() or 1
    retry_failed: bool = False
    dry_run: bool = False
    commit_every: int = 500
    analyze_in_workers: bool = True  # False only to measure the old way (the writer analysing every text)

    def meta_for(self, path: str) -> MetadataOverrides:
        """Manifest values first, then the command line's; inference fills the rest later."""
        row = self.manifest.get(path)
        return row.over(self.overrides) if row else self.overrides


def source_files(paths: Iterable[Path], manifest: Iterable[str] = ()) -> Iterator[str]:
    """Absolute paths to load: the manifest's files first, then those under `paths` not already listed."""
    listed = list(manifest)
    yield from listed
    seen = set(listed)
    for path in iter_source_files(paths):
        name = str(path.resolve())
        if name not in seen:
            yield name


def failed_files(catalog: Catalog, paths: Iterable[Path]) -> list[str]:
    """Files that failed last time, limited to those under `paths` when any are given."""
    roots = [str(Path(p).resolve()) for p in paths]
    return [r.path for r in catalog.failed_files()
            if not roots or any(r.path == root or r.path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)]


class Planner:
    """Decides in the parent what each file needs, so only new content reaches a worker.

    Unchanged files (same path, size and modification time as last time) cost one stat; otherwise the
    content hash settles duplicates of the archive and of files earlier in the same batch.
    """

    def __init__(self, catalog: Catalog | None, retry_failed: bool, analyze: bool) -> None:
        self.catalog, self.retry_failed, self.analyze = catalog, retry_failed, analyze
        self.first_with: dict[str, str] = {}  # sha256 -> the batch's first file with that content
        self.settled: dict[str, FileOutcome] = {}  # sha256 -> what became of that first file
        self.waiting: dict[str, list[tuple[str, int, int]]] = {}  # copies waiting for the first one's outcome

    def plan(self, path: str) -> Task | Decision | None:
        """A task for a worker, an outcome decided here, or None when the file waits for a copy in flight."""
        try:
            stat = os.stat(path)
        except OSError as exc:
            return _failure(path, "missing" if isinstance(exc, FileNotFoundError) else "unreadable", exc), None, None
        size, mtime = stat.st_size, stat.st_mtime_ns
        record = self.catalog.file_record(path) if self.catalog else None
        if record and (record.size, record.mtime_ns) == (size, mtime):
            if record.outcome in ("loaded", "duplicate"):
                return FileOutcome(path, "unchanged", record.doc_id, sha256=record.sha256 or ""), None, None
            if record.outcome == "failed" and not self.retry_failed:
                return FileOutcome(path, "skipped", reason=record.reason, sha256=record.sha256 or "",
                                   detail="failed before and unchanged since (--retry-failed tries again)"), None, None
        try:
            sha = sha256_of(Path(path))
        except OSError as exc:
            return _failure(path, "unreadable", exc), size, mtime
        return self._by_content(path, size, mtime, sha, record)

    def _by_content(self, path: str, size: int, mtime: int, sha: str, record) -> Task | Decision | None:
        existing = self.catalog.find_by_sha(sha) if self.catalog else None
        if existing and record and record.sha256 == sha and record.outcome in ("loaded", "duplicate"):
            # Touched but not changed: remember the new stat so the next run skips it on a stat alone.
            return FileOutcome(path, "unchanged", existing.id, sha256=sha, detail="same content"), size, mtime
        if existing:
            return duplicate_outcome(path, existing), size, mtime
        if sha in self.settled:
            return _copy_of(path, self.first_with[sha], self.settled[sha]), size, mtime
        if sha in self.first_with:
            self.waiting.setdefault(sha, []).append((path, size, mtime))
            return None
        self.first_with[sha] = path
        return Task(path, size, mtime, sha, analyze=self.analyze)

    def settle(self, sha: str, outcome: FileOutcome) -> list[Decision]:
        """The first file with this content is done: decide the copies that waited for it."""
        first = self.first_with[sha]
        if outcome.outcome == "loaded":
            del self.first_with[sha]  # later copies find it in the catalog: keep memory flat on long loads
        else:
            self.settled[sha] = outcome
        return [(_copy_of(path, first, outcome), size, mtime) for path, size, mtime in self.waiting.pop(sha, [])]


def _failure(path: str, reason: str, exc: OSError) -> FileOutcome:
    return FileOutcome(path, "failed", reason=reason, detail=f"cannot read the file: {exc.strerror or exc}")


def _copy_of(path: str, first: str, outcome: FileOutcome) -> FileOutcome:
    """The outcome of a file with the same bytes as `first`, earlier in this batch."""
    if outcome.outcome == "failed":
        return FileOutcome(path, "failed", reason=outcome.reason, sha256=outcome.sha256,
                           detail=f"same content as {first}: {outcome.detail}")
    where = f"document {outcome.doc_id}" if outcome.doc_id else "a file earlier in this batch"
    return FileOutcome(path, "duplicate", outcome.doc_id, detail=f"same content as {first} ({where})",
                       pages=outcome.pages, text_pages=outcome.text_pages, mime=outcome.mime,
                       doc_type=outcome.doc_type, year=outcome.year, sha256=outcome.sha256)


class Preflight:
    """The sink of a dry run: says what each file would become and writes nothing."""

    def accept(self, result: Prepared | Failed, overrides: MetadataOverrides,
               size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        if isinstance(result, Failed):
            return FileOutcome(result.path, "failed", reason=result.reason, detail=result.detail,
                               sha256=result.sha256 or "")
        meta = final_meta(result, overrides)
        extraction = result.extraction
        detail = "" if extraction.text_pages else "no text layer (a scan?): not searchable yet"
        return FileOutcome(result.path, "would-load", pages=extraction.page_count,
                           text_pages=extraction.text_pages, mime=extraction.mime, doc_type=meta.doc_type,
                           year=meta.year, sha256=result.sha256, detail=detail)

    def record(self, outcome: FileOutcome, size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        return outcome

    def commit(self) -> None:
        """Nothing to commit."""


def run_load(data: DataDir, paths: list[Path], options: LoadOptions,
             on_outcome: Callable[[FileOutcome], None] | None = None,
             on_start: Callable[[int], None] | None = None) -> LoadReport:
    """Load (or, with `dry_run`, preflight) files; `on_start(total)` then `on_outcome` once per file."""
    report = LoadReport(keep_outcomes=on_outcome is None)

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
        planner = Planner(catalog, options.retry_failed, analyze=options.analyze_in_workers and not options.dry_run)
        try:
            _drive(sources(), planner, sink, options, emit, stopping)
        except BaseException:
            if isinstance(sink, Loader):
                sink.abandon()
            raise
        sink.commit()
        report.interrupted = stopping.is_set()
    return report


def _loader(data: DataDir, catalog: Catalog, options: LoadOptions) -> Loader:
    loader = Loader(data, catalog, commit_every=options.commit_every)
    resumed = loader.resume()
    if resumed:
        log.warning("finished indexing %d documents left pending by an interrupted load", resumed)
    return loader


def _drive(sources: Iterator[str], planner: Planner, sink, options: LoadOptions,
           emit: Callable[[FileOutcome], None], stopping: threading.Event) -> None:
    """Plan each file; settled ones are recorded at once, the rest go through the pool to the sink."""

    def tasks() -> Iterator[Task]:
        for path in sources:
            if stopping.is_set():
                return
            decision = planner.plan(path)
            if isinstance(decision, Task):
                yield decision
            elif decision is not None:
                emit(sink.record(*decision))

    target = partial(prepare_task, limits=options.limits)
    with WorkerPool(target, options.jobs, options.pool, recycle_if=is_memory_failure) as pool:
        for task, result in pool.run(tasks(), stopping.is_set):
            if isinstance(result, PoolFailure):
                result = Failed(task.path, result.reason, result.detail, task.sha256)
            outcome = sink.accept(result, options.meta_for(task.path), task.size, task.mtime_ns)
            emit(outcome)
            for decision in planner.settle(task.sha256, outcome):
                emit(sink.record(*decision))


@contextmanager
def _open_catalog(data: DataDir, dry_run: bool) -> Iterator[Catalog | None]:
    """The catalog; for a dry run a read-only one, or None when there is no archive yet."""
    if dry_run and not data.catalog_path.exists():
        yield None
        return
    with Catalog(data.catalog_path, readonly=dry_run) as catalog:
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
