"""A document's page: staff actions, how its scanned pages were read, and its neighbours (related, other editions)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from archive.accounts import RANK
from archive.catalog import Document
from archive.pages import OcrState, PageRead
from archive.vocabulary import type_label
from indexer.search.results import Editions
from web.presenters.common import Link, doc_link


@dataclass(frozen=True)
class DocumentActions:
    """What the viewer may do to a document, as URLs (None when not allowed)."""

    edit_url: str | None = None
    withdraw_url: str | None = None
    restore_url: str | None = None
    delete_url: str | None = None
    withdrawn: bool = False

def document_actions(doc: Document, role: str) -> DocumentActions:
    if RANK[role] < RANK["staff"]:
        return DocumentActions()
    return DocumentActions(
        edit_url=url_for("staff.edit", doc_id=doc.id),
        withdraw_url=None if doc.withdrawn else url_for("staff.withdraw", doc_id=doc.id),
        restore_url=url_for("staff.restore", doc_id=doc.id) if doc.withdrawn else None,
        delete_url=url_for("staff.delete", doc_id=doc.id), withdrawn=doc.withdrawn)

@dataclass(frozen=True)
class Neighbours:
    """A document page's links onward: related documents and the other editions of its series."""

    related: tuple[Link, ...]
    previous: Link | None
    next: Link | None
    editions: tuple[Link, ...]  # every edition, newest first; the current one marked selected
    latest_url: str
    series_label: str

def neighbours_view(doc: Document, related: list[Document], editions: Editions) -> Neighbours:
    everyone = sorted([*editions.all, doc], key=lambda d: (d.year or 0, d.date or "", d.id), reverse=True)
    return Neighbours(
        related=tuple(doc_link(d) for d in related),
        previous=doc_link(editions.previous) if editions.previous else None,
        next=doc_link(editions.next) if editions.next else None,
        editions=tuple(doc_link(d, doc) for d in everyone) if editions.all else (),
        latest_url=url_for("pages.latest", doc_type=doc.doc_type, division=doc.division),
        series_label=f"{type_label(doc.doc_type)}, {doc.division}",
    )


@dataclass(frozen=True)
class ScanView:
    """How a document's scanned pages were read: waiting for OCR, read (with confidence), or failed."""

    waiting: int
    read: tuple[tuple[int, int], ...]  # (page, confidence in percent)
    failed: tuple[tuple[int, str], ...]  # (page, why)


def scan_view(reads: list[tuple[int, PageRead]]) -> ScanView | None:
    """What the page says about OCR; None for a document whose text all came from text layers."""
    waiting = sum(1 for _, r in reads if r.ocr == OcrState.PENDING)
    read = tuple((n, round(r.confidence or 0)) for n, r in reads if r.ocr == OcrState.DONE)
    failed = tuple((n, r.note) for n, r in reads if r.ocr == OcrState.FAILED)
    return ScanView(waiting, read, failed) if waiting or read or failed else None
