"""The single writer of a load: prepared files become stored, catalogued, indexed documents."""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import DocumentMeta, MetadataError
from archive.store import BlobStore
from indexer.extract.errors import Reason
from indexer.load.outcomes import FileOutcome, Outcome, duplicate_of, failure, page_tally
from indexer.load.prepare import Failed, Prepared, final_meta
from indexer.search.index import document_fields, index_pending, open_index, write_documents, writing
from indexer.search.rebuild import ensure_current_index


class Loader:
    """Catalog rows are committed per file (status pending) and the index in batches; a crash between the
    two leaves pending rows that `resume` indexes, so the three never disagree for long.

    A batch's index fields are kept until its commit, which alone takes the data folder's write lock:
    a staff edit waits for one commit, not for a whole batch to be extracted."""

    def __init__(self, data: DataDir, catalog: Catalog, commit_every: int = 500,
                 commit_seconds: float = 60.0, wait_seconds: float | None = None, what: str = "load") -> None:
        self.data = data.ensure()
        self.catalog = catalog
        self.store = BlobStore(data.store_dir)
        # An index written with an older schema is rebuilt from the catalog first (it is derived data).
        ensure_current_index(data.index_dir, catalog)
        self.ix = open_index(data.index_dir)
        self.commit_every, self.commit_seconds, self.wait_seconds = commit_every, commit_seconds, wait_seconds
        self.what = what
        self.batch: list[dict] = []  # index fields of documents catalogued since the last commit
        self.last_commit = time.monotonic()

    def resume(self) -> int:
        """Finish what a crashed load left: stray temp blobs, catalog rows not yet indexed."""
        self.store.clean_incoming()
        return index_pending(self.ix, self.catalog, wait_seconds=self.wait_seconds)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the write lock across several accepts and their commit (an upload: refused before any
        catalog row is written, so a refused writer leaves nothing pending)."""
        with writing(self.ix, self.what, self.wait_seconds):
            yield

    def accept(self, result: Prepared | Failed, given: DocumentMeta,
               size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        """Record one worker result (a new document, a duplicate, a failure), committing when a batch is full."""
        if isinstance(result, Failed):
            return self.record(failure(result.path, result.reason, result.detail, result.sha256), size, mtime_ns)
        existing = self.catalog.find_by_sha(result.sha256)
        if existing:
            return self.record(duplicate_of(result.path, existing), result.size, result.mtime_ns)
        try:
            meta = final_meta(result, given).validated()
        except MetadataError as exc:
            refused = failure(result.path, Reason.BAD_METADATA, str(exc), result.sha256)
            return self.record(refused, result.size, result.mtime_ns)
        outcome = self._add(result, meta)
        self._maybe_commit()
        return outcome

    def _add(self, prepared: Prepared, meta: DocumentMeta) -> FileOutcome:
        """Store the blob, then the catalog row and its ledger entry in one transaction, then the index."""
        blob = self.store.put(Path(prepared.path))
        with self.catalog.transaction():
            # Checked again inside the (immediate) transaction: an upload may have added it since.
            existing = self.catalog.find_by_sha(blob.sha256)
            if existing:
                return self.record(duplicate_of(prepared.path, existing), prepared.size, prepared.mtime_ns)
            doc_id = self.catalog.add_document(
                sha256=blob.sha256, filename=Path(prepared.path).name, source_path=prepared.path,
                mime=prepared.extraction.mime, size=blob.size, pages=prepared.extraction.pages, meta=meta,
                reads=prepared.extraction.page_reads())
            self.catalog.record_file(prepared.path, Outcome.LOADED, size=prepared.size,
                                     mtime_ns=prepared.mtime_ns, sha256=blob.sha256, doc_id=doc_id)
        doc = self.catalog.get(doc_id)
        self.batch.append(document_fields(doc, prepared.extraction.pages, prepared.analysed))
        return FileOutcome(prepared.path, Outcome.LOADED, doc_id, pages=doc.pages, text_pages=doc.text_pages,
                           mime=doc.mime, doc_type=doc.doc_type, year=doc.year, sha256=doc.sha256,
                           **page_tally(prepared.extraction.page_reads()))

    def record(self, outcome: FileOutcome, size: int | None = None, mtime_ns: int | None = None) -> FileOutcome:
        """Write a decided outcome (duplicate, failure, a touched file's new stat) to the ledger."""
        if outcome.outcome == Outcome.UNCHANGED and size is not None and mtime_ns is not None:
            self.catalog.update_file_stat(outcome.path, size, mtime_ns)
        if outcome.outcome in (Outcome.DUPLICATE, Outcome.FAILED):
            self.catalog.record_file(outcome.path, outcome.outcome, size=size, mtime_ns=mtime_ns,
                                     sha256=outcome.sha256 or None, reason=outcome.reason,
                                     detail=outcome.detail, doc_id=outcome.doc_id)
        return outcome

    def _maybe_commit(self) -> None:
        if len(self.batch) >= self.commit_every or time.monotonic() - self.last_commit > self.commit_seconds:
            self.commit()

    def commit(self) -> None:
        """Write the batch to the index, then mark its documents indexed; a crash in between is redone by resume."""
        if self.batch:
            write_documents(self.ix, self.catalog, self.batch, self.wait_seconds, f"{self.what} (writing a batch)")
        self.batch, self.last_commit = [], time.monotonic()

    def commit_early(self, in_flight: int) -> None:
        """Commit now if the batch holds more documents than the `in_flight` ones still to come: the last
        commit then writes only those few. A smaller batch waits (one segment, not two, for a small load)."""
        if len(self.batch) > in_flight:
            self.commit()

    def abandon(self) -> None:
        """Drop the unwritten batch; its catalog rows stay pending for the next run's resume."""
        self.batch = []
