"""Staff changes reach catalog, index and audit log together, or not at all."""
from __future__ import annotations

from dataclasses import replace

import pytest

from archive import audit
from archive.catalog import Catalog
from archive.metadata import MetadataError
from archive.store import BlobStore
from archive.vocabulary import ACCESS_LEVELS
from indexer.load import curate
from indexer.search.errors import IndexBusyError
from indexer.load.curate import delete_document, edit_document, restore_document, withdraw_document
from indexer.search.index import open_index
from indexer.search.rebuild import rebuild_index
from indexer.search.searcher import ArchiveSearcher
from tests.indexer.load.test_write_lock import held_by_another_thread
from indexer.search.results import SearchRequest


def _ids(loaded, catalog, query: str, allowed=None) -> list[int]:
    searcher = ArchiveSearcher.open(loaded.index_dir, catalog)
    try:
        request = SearchRequest(query=query, **({"allowed_access": allowed} if allowed else {}))
        return [hit.document.id for hit in searcher.search(request).hits]
    finally:
        searcher.close()


def _audit_doc(catalog):
    return catalog.find_by_sha(next(catalog.iter_documents()).sha256)


def test_withdrawn_documents_stay_withdrawn_through_a_full_rebuild(loaded):
    with Catalog(loaded.catalog_path) as catalog:
        doc = _audit_doc(catalog)
        withdraw_document(open_index(loaded.index_dir), catalog, doc.id, "tester")
        rebuild_index(loaded.index_dir, catalog)
        assert _ids(loaded, catalog, "pension", ACCESS_LEVELS) == []
        assert _ids(loaded, catalog, "pension") == [doc.id]  # the operator sees everything
        restore_document(open_index(loaded.index_dir), catalog, doc.id, "tester")
        assert _ids(loaded, catalog, "pension", ACCESS_LEVELS) == [doc.id]


def test_a_busy_index_leaves_the_catalog_and_audit_log_untouched(loaded, monkeypatch):
    monkeypatch.setattr(curate, "LOCK_WAIT_SECONDS", 0.2)
    ix = open_index(loaded.index_dir)
    with Catalog(loaded.catalog_path) as catalog:
        doc = _audit_doc(catalog)
        with held_by_another_thread(loaded.root, "load (writing a batch)"):
            with pytest.raises(IndexBusyError, match="nothing was changed"):
                edit_document(ix, catalog, doc.id, replace(doc.meta, year=2001), "t")
            with pytest.raises(IndexBusyError):
                withdraw_document(ix, catalog, doc.id, "t")
            with pytest.raises(IndexBusyError):
                delete_document(ix, catalog, BlobStore(loaded.store_dir), doc.id, "t")
        assert catalog.get(doc.id) == doc
        assert BlobStore(loaded.store_dir).has(doc.sha256)
        assert audit.entries(catalog) == []


def test_an_edit_that_changes_nothing_records_nothing(loaded):
    with Catalog(loaded.catalog_path) as catalog:
        doc = _audit_doc(catalog)
        assert edit_document(open_index(loaded.index_dir), catalog, doc.id, doc.meta, "t") == doc
        assert audit.entries(catalog) == []


def test_invalid_metadata_is_refused_before_anything_changes(loaded):
    with Catalog(loaded.catalog_path) as catalog:
        doc = _audit_doc(catalog)
        bad = replace(doc.meta, doc_type="memo")
        with pytest.raises(MetadataError, match="unknown document type"):
            edit_document(open_index(loaded.index_dir), catalog, doc.id, bad, "t")
        assert catalog.get(doc.id) == doc


def test_missing_document_is_a_clear_error(loaded):
    with Catalog(loaded.catalog_path) as catalog:
        with pytest.raises(curate.DocumentNotFound, match="no document 4242"):
            withdraw_document(open_index(loaded.index_dir), catalog, 4242, "t")
