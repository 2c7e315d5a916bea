"""Scanned pages read after their load: `archive ocr`, and the server's background reader for web uploads.

The backlog is every PDF page waiting for OCR (tesseract was missing, or the page came by web upload),
plus pages without text of documents loaded before OCR existed (looked at first: only scans are read).
Pages are read one per task in the pool's worker processes, under the same time and memory limits as a
load; the catalog is updated page by page, and the index in batches.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.locks import Holder, archive_load_lock
from archive.pages import OcrState, PageRead
from archive.store import BlobStore
from indexer.extract.pdf import MIME as PDF
from indexer.extract.pdfium import second_engine
from indexer.extract.result import Limits, announce_ocr_pages
from indexer.extract.scans import is_scan, read_scan
from indexer.load.pool import PoolFailure, PoolLimits, WorkerPool
from indexer.search.index import index_pending, open_index
from indexer.search.rebuild import ensure_current_index

INDEX_EVERY = 50  # pages read between index commits


@dataclass(frozen=True)
class PageJob:
    """One page for a worker: where the stored original is, and whether to check first that it is a scan."""

    doc_id: int
    page_no: int
    blob: str
    language: str
    examine: bool  # a page from before OCR existed: read it only if it is a scan


@dataclass
class OcrReport:
    """What an OCR run did, page by page."""

    read: int = 0
    failed: int = 0
    not_scans: int = 0
    documents: set[int] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


def ocr_page(job: PageJob, limits: Limits) -> tuple[str, PageRead]:
    """Read one stored page by OCR (in a worker process); a page that is not a scan is only marked so."""
    path = Path(job.blob)
    limits = replace(limits, ocr=replace(limits.ocr, language=job.language))
    with second_engine(path) as engine:
        if engine.document() is None:
            return "", PageRead(ocr=OcrState.FAILED, language=job.language, note=f"render: {engine.error}")
        if job.examine and not is_scan("", engine.image_coverage(job.page_no)):
            return "", PageRead(ocr=OcrState.NOT_NEEDED)
        announce_ocr_pages(1)
        return read_scan(path, engine, job.page_no, limits)


def backlog(catalog: Catalog, store: BlobStore, language: str, retry_failed: bool = False) -> list[PageJob]:
    """Every page waiting for OCR, oldest document first."""
    states = [OcrState.PENDING, OcrState.UNKNOWN] + ([OcrState.FAILED] if retry_failed else [])
    jobs = []
    for doc_id in catalog.documents_to_ocr(PDF, states):
        doc = catalog.get(doc_id)
        texts = dict(catalog.page_texts(doc_id))
        for page_no, read in catalog.page_reads(doc_id):
            unknown = read.ocr == OcrState.UNKNOWN
            if read.ocr in states and (not unknown or not texts[page_no].strip()):
                jobs.append(PageJob(doc_id, page_no, str(store.path_for(doc.sha256)),
                                    read.language or language, examine=unknown))
    return jobs


def run_ocr(data: DataDir, limits: Limits, pool: PoolLimits, jobs: int, retry_failed: bool = False,
            on_page: Callable[[PageJob, PageRead], None] | None = None,
            stopping: threading.Event | None = None, lock_wait: float | None = None,
            on_wait: Callable[[Holder | None], None] | None = None) -> OcrReport:
    """Read the backlog of scanned pages; the catalog and then the index are updated as pages come.

    Holds the load lock (waiting up to `lock_wait` seconds, None: as long as it takes; LockBusy after):
    a bulk load or another OCR run would read the same pages."""
    with archive_load_lock(data, "OCR run", lock_wait, on_wait):
        return _read_backlog(data, limits, pool, jobs, retry_failed, on_page, stopping)


def _read_backlog(data: DataDir, limits: Limits, pool: PoolLimits, jobs: int, retry_failed: bool,
                  on_page: Callable[[PageJob, PageRead], None] | None,
                  stopping: threading.Event | None) -> OcrReport:
    report = OcrReport()
    with Catalog(data.catalog) as catalog:
        ensure_current_index(data.index_dir, catalog)
        ix = open_index(data.index_dir)
        work = backlog(catalog, BlobStore(data.store_dir), limits.ocr.language, retry_failed)
        target = partial(ocr_page, limits=limits)
        with WorkerPool(target, jobs, pool) as workers:
            for job, (text, read) in _results(workers.run(iter(work), _stopped(stopping))):
                catalog.set_page_text(job.doc_id, job.page_no, text, read)
                _count(report, job, read)
                if on_page:
                    on_page(job, read)
                if (report.read + report.failed) % INDEX_EVERY == 0:
                    index_pending(ix, catalog)
        index_pending(ix, catalog)
    return report


def _results(results: Iterator) -> Iterator[tuple[PageJob, tuple[str, PageRead]]]:
    """The pool's own failures (the page overran, ran out of memory, crashed its worker) as that page's."""
    for job, result in results:
        if isinstance(result, PoolFailure):
            result = ("", PageRead(ocr=OcrState.FAILED, language=job.language,
                                   note=f"{result.reason}: {result.detail}"))
        yield job, result


def _count(report: OcrReport, job: PageJob, read: PageRead) -> None:
    if read.ocr == OcrState.DONE:
        report.read += 1
        report.documents.add(job.doc_id)
    elif read.ocr == OcrState.FAILED:
        report.failed += 1
        report.failures.append(f"document {job.doc_id}, page {job.page_no}: {read.note}")
    else:
        report.not_scans += 1


def _stopped(stopping: threading.Event | None) -> Callable[[], bool]:
    return stopping.is_set if stopping is not None else (lambda: False)
