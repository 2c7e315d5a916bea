"""Loading files into the archive: extract in worker processes, then store, catalog and index in one writer."""
from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Iterable, Iterator

from archive.catalog import Catalog, CatalogError, Document, DocumentMeta
from archive.datadir import DataDir
from archive.store import BlobStore, sha256_of
from indexer.errors import LoadError
from indexer.extract import extract
from indexer.extraction import Extraction, Limits
from indexer.index import PAGE_GAP, document_fields, ensure_current_index, index_pending, open_index
from indexer.infer import Inferred, infer_metadata
from indexer.schema import Postings, content_postings

log = logging.getLogger(__name__)

DEFAULT_DIVISION = "Federation-wide"
DEFAULT_ACCESS = "public"


@dataclass(frozen=True)
class MetadataOverrides:
    """Values a person gave explicitly; each one set wins over what inference finds."""

    title: str | None = None
    doc_type: str | None = None
    year: int | None = None
    date: str | None = None
    division: str | None = None
    access: str | None = None

    def over(self, fallback: "MetadataOverrides") -> "MetadataOverrides":
        """These values, with `fallback`'s filling the ones not set (a manifest row over the command line)."""
        return MetadataOverrides(**{f.name: getattr(self, f.name) if getattr(self, f.name) is not None
                                    else getattr(fallback, f.name) for f in fields(self)})


@dataclass(frozen=True)
class Task:
    """One file for a worker, already stat-ed and hashed by the parent."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    analyze: bool = True  # turn the text into index postings in the worker (not needed for a preflight)


@dataclass(frozen=True)
class Prepared:
    """A file read and understood by a worker, ready for the single writer."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    extraction: Extraction
    inferred: Inferred
    postings: Postings | None = None


@dataclass(frozen=True)
class Failed:
    path: str
    reason: str
    detail: str
    sha256: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file; `outcome` is loaded, duplicate, unchanged, skipped, failed or would-load."""

    path: str
    outcome: str
    doc_id: int | None = None
    reason: str = ""
    detail: str = ""
    pages: int = 0
    text_pages: int = 0
    mime: str = ""
    doc_type: str = ""
    year: int | None = None
    sha256: str = ""


@dataclass
class LoadReport:
    """Counts of a load's outcomes and the failures; every outcome only if `keep_outcomes` (small loads)."""

    keep_outcomes: bool = True
    outcomes: list[FileOutcome] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    failures: list[FileOutcome] = field(default_factory=list)
    failed_by_reason: Counter = field(default_factory=Counter)
    pages: int = 0
    interrupted: bool = False

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.outcome] += 1
        if outcome.outcome == "failed":
            self.failures.append(outcome)
            self.failed_by_reason[outcome.reason] += 1
        if outcome.outcome in ("loaded", "would-load"):
            self.pages += outcome.pages
        if self.keep_outcomes:
            self.outcomes.append(outcome)

    def of(self, outcome: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def loaded(self) -> int:
        return self.counts["loaded"]

    @property
    def duplicates(self) -> int:
        return self.counts["duplicate"]

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    @property
    def done(self) -> int:
        return sum(self.counts.values())


def prepare_task(task: Task, limits: Limits = Limits()) -> Prepared | Failed:
    """Extract and infer one file (and make its index postings); runs in a worker, touches nothing shared."""
    try:
        extraction = extract(Path(task.path), limits)
    except LoadError as exc:
        return Failed(task.path, exc.reason, exc.detail, task.sha256)
    postings = content_postings(PAGE_GAP.join(extraction.pages)) if task.analyze else None
    return Prepared(task.path, task.size, task.mtime_ns, task.sha256, extraction,
                    infer_metadata(Path(task.path), extraction), postings)


def prepare(path: str, limits: Limits = Limits()) -> Prepared | Failed:
    """Hash, extract and infer one file."""
    try:
        stat = os.stat(path)
        sha = sha256_of(Path(path))
    except OSError as exc:
        return Failed(path, "unreadable", f"cannot read the file: {exc.strerror or exc}")
    return prepare_task(Task(path, stat.st_size, stat.st_mtime_ns, sha), limits)


def is_memory_failure(result: Prepared | Failed) -> bool:
    return isinstance(result, Failed) and result.reason == "memory"


def iter_source_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every file under named folders (sorted, hidden ones skipped)."""
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                yield from (Path(root) / f for f in sorted(files) if not f.startswith("."))
        else:
            yield path


def final_meta(prepared: Prepared, overrides: MetadataOverrides) -> DocumentMeta:
    """Explicit values first, then inferred ones, then the archive's defaults."""
    inferred = prepared.inferred
    return DocumentMeta(
        title=overrides.title or inferred.title or Path(prepared.path).stem,
        doc_type=overrides.doc_type or inferred.doc_type or "other",
        year=overrides.year or inferred.year,
        date=overrides.date or inferred.date,
        division=overrides.division or inferred.division or DEFAULT_DIVISION,
        access=overrides.access or DEFAULT_ACCESS,
    )


MetaSource = Callable[[str], MetadataOverrides]


def _as_source(overrides: MetadataOverrides | MetaSource) -> MetaSource:
    return overrides if callable(overrides) else (lambda path: overrides)


class Loader:
    """The single writer: turns prepared files into stored, catalogued, indexed documents.

    Catalog rows are committed per file (status pending) and the index in batches; a crash between the
    two leaves pending rows that `resume` indexes, so the three never disagree for long.
    """

    def __init__(self, data: DataDir, catalog: Catalog, commit_every: int = 500,
                 commit_seconds: float = 60.0) -> None:
        self.data = data.ensure()
        self.catalog = catalog
        self.store = BlobStore(data.store_dir)
        self.ix = self._open_index(data)
        self.commit_every, self.commit_seconds = commit_every, commit_seconds
        self.writer = None
        self.pending: list[int] = []
        self.last_commit = time.monotonic()

    def _open_index(self, data: DataDir):
        """The index; one written with an older schema is rebuilt from the catalog first (it is derived data)."""
        ensure_current_index(data.index_dir, self.catalog)
        return open_index(data.index_dir)

    def resume(self) -> int:
        """Finish what a crashed load left: stray temp blobs, catalog rows not yet indexed."""
        self.store.clean_incoming()
        return index_pending(self.ix, self.catalog)

    def load(self, results: Iterable[Prepared | Failed], overrides: MetadataOverrides | MetaSource,
             on_outcome: Callable[[FileOutcome], None] | None = None) -> LoadReport:
        """Commit each prepared file; failures are recorded and the load goes on."""
        report, meta_for = LoadReport(), _as_source(overrides)
        try:
            for result in results:
                outcome = self.accept(result, meta_for(result.path))
                report.add(outcome)
                if on_outcome:
                    on_outcome(outcome)
        except BaseException:
            self.abandon()
            raise
        self.commit()
        return report

    def accept(self, result: Prepared | Failed, overrides: MetadataOverrides,
               size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        """Record one worker result (a new document, a duplicate, a failure), committing when a batch is full."""
        if isinstance(result, Failed):
            return self.record(failed_outcome(result), size, mtime_ns)
        existing = self.catalog.find_by_sha(result.sha256)
        if existing:
            return self.record(duplicate_outcome(result.path, existing), result.size, result.mtime_ns)
        try:
            outcome = self._add(result, final_meta(result, overrides).validated())
        except CatalogError as exc:
            failed = Failed(result.path, "bad-metadata", str(exc), result.sha256)
            return self.record(failed_outcome(failed), result.size, result.mtime_ns)
        self._maybe_commit()
        return outcome

    def _add(self, prepared: Prepared, meta: DocumentMeta) -> FileOutcome:
        """Store the blob, then the catalog row and its ledger entry in one transaction, then the index."""
        blob = self.store.put(Path(prepared.path))
        with self.catalog.transaction():
            doc_id = self.catalog.add_document(
                sha256=blob.sha256, filename=Path(prepared.path).name, source_path=prepared.path,
                mime=prepared.extraction.mime, size=blob.size, pages=prepared.extraction.pages, meta=meta)
            self.catalog.record_file(prepared.path, "loaded", size=prepared.size, mtime_ns=prepared.mtime_ns,
                                     sha256=blob.sha256, doc_id=doc_id)
        doc = self.catalog.get(doc_id)
        self._writer().update_document(**document_fields(doc, prepared.extraction.pages, prepared.postings))
        self.pending.append(doc_id)
        return FileOutcome(prepared.path, "loaded", doc_id, pages=doc.pages, text_pages=doc.text_pages,
                           mime=doc.mime, doc_type=doc.doc_type, year=doc.year, sha256=doc.sha256)

    def record(self, outcome: FileOutcome, size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        """Write a decided outcome (duplicate, failure, a touched file's new stat) to the ledger."""
        if outcome.outcome == "unchanged" and size is not None and mtime_ns is not None:
            self.catalog.update_file_stat(outcome.path, size, mtime_ns)
        if outcome.outcome in ("duplicate", "failed"):
            self.catalog.record_file(outcome.path, outcome.outcome, size=size, mtime_ns=mtime_ns,
                                     sha256=outcome.sha256 or None, reason=outcome.reason,
                                     detail=outcome.detail, doc_id=outcome.doc_id)
        return outcome

    def _writer(self):
        if self.writer is None:
            # compound=False keeps segments memory-mapped and shared between web workers.
            self.writer = self.ix.writer(limitmb=128, compound=False)
        return self.writer

    def _maybe_commit(self) -> None:
        if len(self.pending) >= self.commit_every or time.monotonic() - self.last_commit > self.commit_seconds:
            self.commit()

    def commit(self) -> None:
        """Commit the index batch, then mark its documents indexed; a crash in between is redone by resume."""
        if self.writer is not None:
            self.writer.commit()
            self.writer = None
        self.catalog.mark_indexed(self.pending)
        self.pending, self.last_commit = [], time.monotonic()

    def abandon(self) -> None:
        """Drop the uncommitted index batch; its catalog rows stay pending for the next run's resume."""
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self.pending = []


def failed_outcome(failed: Failed) -> FileOutcome:
    return FileOutcome(failed.path, "failed", reason=failed.reason, detail=failed.detail,
                       sha256=failed.sha256 or "")


def duplicate_outcome(path: str, existing: Document) -> FileOutcome:
    detail = f"already in the archive as document {existing.id} ({existing.filename})"
    return FileOutcome(path, "duplicate", existing.id, detail=detail, pages=existing.pages,
                       text_pages=existing.text_pages, mime=existing.mime, doc_type=existing.doc_type,
                       year=existing.year, sha256=existing.sha256)


def load_paths(paths: Iterable[Path], data: DataDir, overrides: MetadataOverrides = MetadataOverrides(),
               limits: Limits = Limits(), jobs: int | None = None,
               on_outcome: Callable[[FileOutcome], None] | None = None) -> LoadReport:
    """Load files and folders into the archive; the report says what happened to each file."""
    from indexer.bulk import LoadOptions, run_load  # bulk builds on this module: import it late

    options = LoadOptions(overrides=overrides, limits=limits, jobs=jobs or os.cpu_count() or 1)
    return run_load(data, [Path(p) for p in paths], options, on_outcome=on_outcome)
