"""What became of each file in a load, and the tally a person reads at the end."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable

from archive.catalog import Document
from archive.pages import OcrState, PageRead
from indexer.extract.errors import Reason


class Outcome(StrEnum):
    """What happened to one file; the ledger, reports and pages show the value as is."""

    LOADED = "loaded"
    DUPLICATE = "duplicate"  # its content is already in the archive
    UNCHANGED = "unchanged"  # loaded before and not changed since
    SKIPPED = "skipped"  # failed before and unchanged since
    FAILED = "failed"
    WOULD_LOAD = "would-load"  # a dry run's answer for a file that would load

    @property
    def in_archive(self) -> bool:
        """True if the file's content is in the archive as a document (so the ledger names one)."""
        return self in (Outcome.LOADED, Outcome.DUPLICATE)


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file, with what a report shows about it."""

    path: str
    outcome: Outcome
    doc_id: int | None = None
    reason: Reason | str = ""
    detail: str = ""
    pages: int = 0
    text_pages: int = 0
    mime: str = ""
    doc_type: str = ""
    year: int | None = None
    sha256: str = ""
    engines: str = ""  # pages by the engine that read them, as "pypdf:12 tesseract:3"
    needs_ocr: int = 0  # scanned pages waiting for OCR
    ocr_failed: int = 0  # scanned pages OCR could not read (the ledger of pages says why)

    def engine_counts(self) -> Counter:
        return Counter({name: int(n) for name, n in (part.split(":") for part in self.engines.split())})


def page_tally(reads: Iterable[PageRead]) -> dict[str, object]:
    """FileOutcome's page fields (engines, needs_ocr, ocr_failed) for a document's page reads."""
    reads = list(reads)
    engines = Counter(r.engine for r in reads if r.engine)
    return {"engines": " ".join(f"{name}:{n}" for name, n in sorted(engines.items())),
            "needs_ocr": sum(r.ocr == OcrState.PENDING for r in reads),
            "ocr_failed": sum(r.ocr == OcrState.FAILED for r in reads)}


@dataclass
class LoadReport:
    """Counts of a load's outcomes and the failures; every outcome only if `keep_outcomes` (small loads)."""

    keep_outcomes: bool = True
    outcomes: list[FileOutcome] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    failures: list[FileOutcome] = field(default_factory=list)
    failed_by_reason: Counter = field(default_factory=Counter)
    pages: int = 0
    pages_by_engine: Counter = field(default_factory=Counter)
    jobs: int = 1  # worker processes, for estimates
    needs_ocr: int = 0
    ocr_failed: int = 0
    interrupted: bool = False

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.outcome] += 1
        if outcome.outcome == Outcome.FAILED:
            self.failures.append(outcome)
            self.failed_by_reason[outcome.reason] += 1
        if outcome.outcome in (Outcome.LOADED, Outcome.WOULD_LOAD):
            self.pages += outcome.pages
            self.pages_by_engine.update(outcome.engine_counts())
            self.needs_ocr += outcome.needs_ocr
            self.ocr_failed += outcome.ocr_failed
        if self.keep_outcomes:
            self.outcomes.append(outcome)

    def of(self, outcome: Outcome) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    @property
    def loaded(self) -> int:
        return self.counts[Outcome.LOADED]

    @property
    def duplicates(self) -> int:
        return self.counts[Outcome.DUPLICATE]

    @property
    def failed(self) -> int:
        return self.counts[Outcome.FAILED]

    @property
    def done(self) -> int:
        return sum(self.counts.values())


def failure(path: str, reason: Reason | str, detail: str, sha256: str | None = None) -> FileOutcome:
    return FileOutcome(path, Outcome.FAILED, reason=reason, detail=detail, sha256=sha256 or "")


def duplicate_of(path: str, existing: Document) -> FileOutcome:
    """A file whose content the archive already holds as `existing`."""
    detail = f"already in the archive as document {existing.id} ({existing.filename})"
    return FileOutcome(path, Outcome.DUPLICATE, existing.id, detail=detail, pages=existing.pages,
                       text_pages=existing.text_pages, mime=existing.mime, doc_type=existing.doc_type,
                       year=existing.year, sha256=existing.sha256)
