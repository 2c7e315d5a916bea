"""Staff changes to documents: correct metadata, withdraw, restore, delete; the index follows at once.

Each change is one unit of work: the catalog row and its audit entry are written in one transaction that
commits only after the index has been updated, so a busy or broken index leaves the catalog untouched.
"""
from __future__ import annotations

import logging

from whoosh.index import Index

from archive import audit
from archive.catalog import Catalog, CatalogError, Document
from archive.metadata import DocumentMeta
from archive.store import BlobStore
from indexer.search.index import index_documents, index_writer, writing

log = logging.getLogger(__name__)

# A bulk load takes the data folder's write lock for each batch commit: wait this long for it. The lock is
# taken before the catalog transaction, so the load's commit never waits for an edit that waits for it.
LOCK_WAIT_SECONDS = 15.0


class DocumentNotFound(CatalogError):
    """No document has this id."""


def edit_document(ix: Index, catalog: Catalog, doc_id: int, meta: DocumentMeta, actor: str) -> Document:
    """Correct a document's metadata; returns it as changed (unchanged if nothing differed)."""
    meta = meta.validated()
    with writing(ix, "edit", LOCK_WAIT_SECONDS), catalog.transaction():
        old = _get(catalog, doc_id)
        changes = audit.meta_changes(old.meta, meta)
        if not changes:
            return old
        catalog.update_meta(doc_id, meta)
        audit.record(catalog, actor, "edit", doc_id=doc_id, subject=meta.title, changes=changes)
        return _reindex(ix, catalog, doc_id)


def withdraw_document(ix: Index, catalog: Catalog, doc_id: int, actor: str) -> Document:
    """Hide a document from everyone but staff; its file and text stay, ready to be restored."""
    return _set_withdrawn(ix, catalog, doc_id, actor, True)


def restore_document(ix: Index, catalog: Catalog, doc_id: int, actor: str) -> Document:
    """Bring a withdrawn document back at its own access level."""
    return _set_withdrawn(ix, catalog, doc_id, actor, False)


def delete_document(ix: Index, catalog: Catalog, store: BlobStore, doc_id: int, actor: str) -> Document:
    """Remove a document for good: index entry, catalog row and page texts, then the stored original."""
    with writing(ix, "deletion", LOCK_WAIT_SECONDS), catalog.transaction():
        doc = _get(catalog, doc_id)
        catalog.delete(doc_id)
        audit.record(catalog, actor, "delete", doc_id=doc_id, subject=doc.title,
                     changes=audit.document_snapshot(doc))
        with index_writer(ix, wait_seconds=LOCK_WAIT_SECONDS) as writer:
            writer.delete_by_term("id", str(doc_id))
    try:
        store.delete(doc.sha256)
    except OSError:  # the catalog no longer points at it: an orphan blob, harmless, logged
        log.exception("could not remove the stored original of deleted document %d", doc_id)
    return doc


def _set_withdrawn(ix: Index, catalog: Catalog, doc_id: int, actor: str, withdrawn: bool) -> Document:
    with writing(ix, "withdrawal" if withdrawn else "restore", LOCK_WAIT_SECONDS), catalog.transaction():
        doc = _get(catalog, doc_id)
        if doc.withdrawn == withdrawn:
            return doc
        catalog.set_withdrawn(doc_id, withdrawn)
        audit.record(catalog, actor, "withdraw" if withdrawn else "restore", doc_id=doc_id, subject=doc.title,
                     changes={"withdrawn": {"old": doc.withdrawn, "new": withdrawn}})
        return _reindex(ix, catalog, doc_id)


def _get(catalog: Catalog, doc_id: int) -> Document:
    doc = catalog.get(doc_id)
    if doc is None:
        raise DocumentNotFound(f"there is no document {doc_id}")
    return doc


def _reindex(ix: Index, catalog: Catalog, doc_id: int) -> Document:
    """Write one document's index entry as the catalog (inside the open transaction) now says."""
    doc = _get(catalog, doc_id)
    index_documents(ix, catalog, [doc], wait_seconds=LOCK_WAIT_SECONDS)
    return _get(catalog, doc_id)
