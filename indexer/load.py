"""Loading files into the archive: extract in worker processes, then store, catalog and index in one writer."""
from __future__ import annotations

import logging
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from archive.catalog import Catalog, CatalogError, Document, DocumentMeta
from archive.datadir import DataDir
from archive.store import BlobStore, sha256_of
from indexer.errors import LoadError
from indexer.extract import extract
from indexer.extraction import Extraction, Limits
from indexer.index import document_fields, index_pending, index_writer, open_index
from indexer.infer import Inferred, infer_metadata

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


@dataclass(frozen=True)
class Prepared:
    """A file read and understood by a worker, ready for the single writer."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    extraction: Extraction
    inferred: Inferred


@dataclass(frozen=True)
class Failed:
    path: str
    reason: str
    detail: str
    sha256: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    path: str
    outcome: str  # loaded | duplicate | failed
    doc_id: int | None = None
    reason: str = ""
    detail: str = ""
    pages: int = 0


@dataclass
class LoadReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def of(self, outcome: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def loaded(self) -> int:
        return len(self.of("loaded"))

    @property
    def duplicates(self) -> int:
        return len(self.of("duplicate"))

    @property
    def failed(self) -> int:
        return len(self.of("failed"))

    @property
    def pages(self) -> int:
        return sum(o.pages for o in self.of("loaded"))


def prepare(path: str, limits: Limits = Limits()) -> Prepared | Failed:
    """Hash, extract and infer one file; runs in a worker, touches nothing shared."""
    try:
        stat = os.stat(path)
        sha = sha256_of(Path(path))
    except OSError as exc:
        return Failed(path, "unreadable", f"cannot read the file: {exc.strerror or exc}")
    try:
        extraction = extract(Path(path), limits)
    except LoadError as exc:
        return Failed(path, exc.reason, exc.detail, sha)
    return Prepared(path, stat.st_size, stat.st_mtime_ns, sha, extraction, infer_metadata(Path(path), extraction))


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


class Loader:
    """The single writer: turns prepared files into stored, catalogued, indexed documents."""

    def __init__(self, data: DataDir, catalog: Catalog, commit_every: int = 200) -> None:
        self.data = data.ensure()
        self.catalog = catalog
        self.store = BlobStore(data.store_dir)
        self.ix = open_index(data.index_dir)
        self.commit_every = commit_every

    def resume(self) -> int:
        """Finish what a crashed load left: stray temp blobs, catalog rows not yet indexed."""
        self.store.clean_incoming()
        return index_pending(self.ix, self.catalog)

    def load(self, results: Iterable[Prepared | Failed], overrides: MetadataOverrides,
             on_outcome: Callable[[FileOutcome], None] | None = None) -> LoadReport:
        """Commit each prepared file; failures are recorded and the load goes on."""
        report = LoadReport()
        results = iter(results)
        while batch := list(islice(results, self.commit_every)):
            # One index commit per batch: a crash loses at most this batch, which a re-run redoes.
            pending: list[int] = []
            with index_writer(self.ix) as writer:
                for result in batch:
                    outcome = self._one(result, overrides, writer, pending)
                    report.outcomes.append(outcome)
                    if on_outcome:
                        on_outcome(outcome)
            self.catalog.mark_indexed(pending)
        return report

    def _one(self, result: Prepared | Failed, overrides: MetadataOverrides, writer, pending: list[int]) -> FileOutcome:
        if isinstance(result, Failed):
            return self._failed(result)
        existing = self.catalog.find_by_sha(result.sha256)
        if existing:
            return self._duplicate(result, existing)
        try:
            doc = self._add(result, final_meta(result, overrides))
        except CatalogError as exc:
            return self._failed(Failed(result.path, "bad-metadata", str(exc), result.sha256))
        writer.update_document(**document_fields(doc, result.extraction.pages))
        pending.append(doc.id)
        self._record(result, "loaded", doc_id=doc.id)
        return FileOutcome(result.path, "loaded", doc.id, pages=result.extraction.page_count)

    def _add(self, prepared: Prepared, meta: DocumentMeta) -> Document:
        meta.validated()  # refuse before the blob is written
        blob = self.store.put(Path(prepared.path))
        doc_id = self.catalog.add_document(
            sha256=blob.sha256, filename=Path(prepared.path).name, source_path=prepared.path,
            mime=prepared.extraction.mime, size=blob.size, pages=prepared.extraction.pages, meta=meta)
        return self.catalog.get(doc_id)

    def _duplicate(self, prepared: Prepared, existing: Document) -> FileOutcome:
        detail = f"already in the archive as document {existing.id} ({existing.filename})"
        self._record(prepared, "duplicate", doc_id=existing.id, detail=detail)
        return FileOutcome(prepared.path, "duplicate", existing.id, detail=detail)

    def _failed(self, failed: Failed) -> FileOutcome:
        self.catalog.record_file(failed.path, "failed", sha256=failed.sha256,
                                 reason=failed.reason, detail=failed.detail)
        return FileOutcome(failed.path, "failed", reason=failed.reason, detail=failed.detail)

    def _record(self, prepared: Prepared, outcome: str, doc_id: int, detail: str = "") -> None:
        self.catalog.record_file(prepared.path, outcome, size=prepared.size, mtime_ns=prepared.mtime_ns,
                                 sha256=prepared.sha256, doc_id=doc_id, detail=detail)


def prepare_all(paths: Iterable[Path], limits: Limits, jobs: int) -> Iterator[Prepared | Failed]:
    """Prepare files in `jobs` worker processes, in order, with a bounded number in flight."""
    names = (str(p.resolve()) for p in iter_source_files(paths))
    if jobs <= 1:
        yield from (prepare(name, limits) for name in names)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        in_flight: deque = deque()
        for name in names:
            in_flight.append(pool.submit(prepare, name, limits))
            if len(in_flight) >= jobs * 4:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def load_paths(paths: Iterable[Path], data: DataDir, overrides: MetadataOverrides = MetadataOverrides(),
               limits: Limits = Limits(), jobs: int | None = None,
               on_outcome: Callable[[FileOutcome], None] | None = None) -> LoadReport:
    """Load files and folders into the archive; the report says what happened to each file."""
    with Catalog(data.catalog_path) as catalog:
        loader = Loader(data, catalog)
        loader.resume()
        return loader.load(prepare_all(paths, limits, jobs or os.cpu_count() or 1), overrides, on_outcome)
