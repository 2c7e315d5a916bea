"""Deciding in the parent what each file needs, so only new content reaches a worker."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from archive.catalog import Catalog, FileRecord
from archive.store import sha256_of
from indexer.extract.errors import Reason
from indexer.load.outcomes import FileOutcome, Outcome, duplicate_of, failure
from indexer.load.prepare import Task

Decision = tuple[FileOutcome, int | None, int | None]  # an outcome settled without a worker, and the file's stat


class Planner:
    """Unchanged files (same path, size and modification time as last time) cost one stat; otherwise the
    content hash settles duplicates of the archive and of files earlier in the same batch."""

    def __init__(self, catalog: Catalog | None, retry_failed: bool, analyze: bool,
                 language_for: Callable[[str], str | None] = lambda path: None) -> None:
        self.catalog, self.retry_failed, self.analyze = catalog, retry_failed, analyze
        self.language_for = language_for
        self.first_with: dict[str, str] = {}  # sha256 -> the batch's first file with that content
        self.settled: dict[str, FileOutcome] = {}  # sha256 -> what became of that first file
        self.waiting: dict[str, list[tuple[str, int, int]]] = {}  # copies waiting for the first one's outcome

    def plan(self, path: str) -> Task | Decision | None:
        """A task for a worker, an outcome decided here, or None when the file waits for a copy in flight."""
        try:
            stat = os.stat(path)
        except OSError as exc:
            reason = Reason.MISSING if isinstance(exc, FileNotFoundError) else Reason.UNREADABLE
            return _unreadable(path, reason, exc), None, None
        size, mtime = stat.st_size, stat.st_mtime_ns
        record = self.catalog.file_record(path) if self.catalog else None
        if record and (record.size, record.mtime_ns) == (size, mtime):
            known = self._known(path, record)
            if known is not None:
                return known, None, None
        try:
            sha = sha256_of(Path(path))
        except OSError as exc:
            return _unreadable(path, Reason.UNREADABLE, exc), size, mtime
        return self._by_content(path, size, mtime, sha, record)

    def _known(self, path: str, record: FileRecord) -> FileOutcome | None:
        """The outcome of a file the ledger knows with the same stat, unless it must be read again."""
        if Outcome(record.outcome).in_archive:
            return FileOutcome(path, Outcome.UNCHANGED, record.doc_id, sha256=record.sha256 or "")
        if record.outcome == Outcome.FAILED and not self.retry_failed:
            return FileOutcome(path, Outcome.SKIPPED, reason=record.reason, sha256=record.sha256 or "",
                               detail="failed before and unchanged since (--retry-failed tries again)")
        return None

    def _by_content(self, path: str, size: int, mtime: int, sha: str,
                    record: FileRecord | None) -> Task | Decision | None:
        existing = self.catalog.find_by_sha(sha) if self.catalog else None
        if existing and record and record.sha256 == sha and Outcome(record.outcome).in_archive:
            # Touched but not changed: remember the new stat so the next run skips it on a stat alone.
            return FileOutcome(path, Outcome.UNCHANGED, existing.id, sha256=sha, detail="same content"), size, mtime
        if existing:
            return duplicate_of(path, existing), size, mtime
        if sha in self.settled:
            return _copy_of(path, self.first_with[sha], self.settled[sha]), size, mtime
        if sha in self.first_with:
            self.waiting.setdefault(sha, []).append((path, size, mtime))
            return None
        self.first_with[sha] = path
        return Task(path, size, mtime, sha, analyze=self.analyze, language=self.language_for(path))

    def settle(self, sha: str, outcome: FileOutcome) -> list[Decision]:
        """The first file with this content is done: decide the copies that waited for it."""
        first = self.first_with[sha]
        if outcome.outcome == Outcome.LOADED:
            del self.first_with[sha]  # later copies find it in the catalog: keep memory flat on long loads
        else:
            self.settled[sha] = outcome
        return [(_copy_of(path, first, outcome), size, mtime) for path, size, mtime in self.waiting.pop(sha, [])]


def _unreadable(path: str, reason: Reason, exc: OSError) -> FileOutcome:
    return failure(path, reason, f"cannot read the file: {exc.strerror or exc}")


def _copy_of(path: str, first: str, outcome: FileOutcome) -> FileOutcome:
    """The outcome of a file with the same bytes as `first`, earlier in this batch."""
    if outcome.outcome == Outcome.FAILED:
        return failure(path, outcome.reason, f"same content as {first}: {outcome.detail}", outcome.sha256)
    where = f"document {outcome.doc_id}" if outcome.doc_id else "a file earlier in this batch"
    return FileOutcome(path, Outcome.DUPLICATE, outcome.doc_id, detail=f"same content as {first} ({where})",
                       pages=outcome.pages, text_pages=outcome.text_pages, mime=outcome.mime,
                       doc_type=outcome.doc_type, year=outcome.year, sha256=outcome.sha256)
