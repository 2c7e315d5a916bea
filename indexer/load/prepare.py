"""What a worker process does with one file: extract it, guess its metadata, make its index postings.

Runs in the load's worker pool and touches nothing shared; the single writer takes the result from there.
The parent imports this module too, for its types and to name `prepare_task` to the pool, but reads no file:
the extractors (pypdf, pypdfium2, PIL, ~0.25 s to import) are imported by the workers alone (their fork
server preloads them, indexer.load.pool.PRELOAD).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from archive.metadata import DocumentMeta
from archive.store import sha256_of
from indexer.extract.errors import LoadError, Reason
from indexer.extract.result import Extraction, Limits
from indexer.load.infer import Inferred, infer_metadata
from indexer.search.schema import PAGE_GAP
from indexer.search.tokens import AnalysedText, analyse_text

DEFAULT_DIVISION = "Federation-wide"
DEFAULT_ACCESS = "public"


@dataclass(frozen=True)
class Task:
    """One file for a worker, already stat-ed and hashed by the parent."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    analyze: bool = True  # turn the text into index postings in the worker (not needed for a preflight)
    language: str | None = None  # the language of its scans, when it differs from the load's


@dataclass(frozen=True)
class Prepared:
    """A file read and understood by a worker, ready for the single writer."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    extraction: Extraction
    inferred: Inferred
    analysed: AnalysedText | None = None


@dataclass(frozen=True)
class Failed:
    """A file a worker (or the pool watching it) could not prepare, and why."""

    path: str
    reason: Reason | str
    detail: str
    sha256: str | None = None


def prepare_task(task: Task, limits: Limits = Limits()) -> Prepared | Failed:
    """Extract and infer one file (and make its index postings)."""
    from indexer.extract.dispatch import extract  # a worker's: already imported by the fork server

    if task.language:
        limits = replace(limits, ocr=replace(limits.ocr, language=task.language))
    try:
        extraction = extract(Path(task.path), limits)
    except LoadError as exc:
        return Failed(task.path, exc.reason, exc.detail, task.sha256)
    analysed = analyse_text(PAGE_GAP.join(extraction.pages)) if task.analyze else None
    return Prepared(task.path, task.size, task.mtime_ns, task.sha256, extraction,
                    infer_metadata(Path(task.path), extraction), analysed)


def prepare(path: str, limits: Limits = Limits()) -> Prepared | Failed:
    """Hash, extract and infer one file, in the calling process."""
    try:
        stat = os.stat(path)
        sha = sha256_of(Path(path))
    except OSError as exc:
        return Failed(path, Reason.UNREADABLE, f"cannot read the file: {exc.strerror or exc}")
    return prepare_task(Task(path, stat.st_size, stat.st_mtime_ns, sha), limits)


def is_memory_failure(result: Prepared | Failed) -> bool:
    return isinstance(result, Failed) and result.reason == Reason.MEMORY


def final_meta(prepared: Prepared, given: DocumentMeta) -> DocumentMeta:
    """Values a person gave first, then inferred ones, then the archive's defaults."""
    inferred = prepared.inferred
    return DocumentMeta(
        title=given.title or inferred.title or Path(prepared.path).stem,
        doc_type=given.doc_type or inferred.doc_type or "other",
        year=given.year or inferred.year,
        date=given.date or inferred.date,
        division=given.division or inferred.division or DEFAULT_DIVISION,
        access=given.access or DEFAULT_ACCESS,
    )
