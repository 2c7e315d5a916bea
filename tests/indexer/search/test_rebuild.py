"""Rebuilds beside the live index, swapped in atomically; edits made meanwhile are not lost; damage is seen."""
from __future__ import annotations

import os

import pytest

from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from archive.store import BlobStore
from indexer.load.consistency import check_consistency
from indexer.load.curate import delete_document, edit_document, withdraw_document
from indexer.load.run import load_paths
from indexer.search import rebuild
from indexer.search.errors import IndexDamagedError
from indexer.search.index import open_index
from indexer.search.rebuild import rebuild_index
from indexer.search.results import SearchRequest
from tests.builders import make_pdf
from tests.conftest import open_searcher


def titles(searcher, query: str) -> list[str]:
    return sorted(h.document.title for h in searcher.search(SearchRequest(query)).hits)


def test_a_searcher_open_during_a_rebuild_answers_then_moves_to_the_new_index(loaded):
    with open_searcher(loaded) as searcher, Catalog(loaded.catalog_path) as catalog:
        before = searcher.generation().folder
        assert titles(searcher, "pension") == ["Financial Audit for Fiscal Year 2019"]
        rebuild_index(loaded.index_dir, catalog)
        assert searcher.generation().folder != before == str(loaded.root / before.split("/")[-1])
        assert os.path.islink(loaded.index_dir) and searcher.generation().folder == os.path.realpath(loaded.index_dir)
        assert titles(searcher, "pension") == ["Financial Audit for Fiscal Year 2019"]


def test_edits_made_while_the_new_index_is_built_are_in_it_after_the_swap(loaded, tmp_path, monkeypatch):
    build = rebuild._index_everything

    def build_then_edit(ix, catalog, jobs):
        built = build(ix, catalog, jobs)
        live = open_index(loaded.index_dir)  # staff and a load keep working on the live index meanwhile
        ids = {d.title: d.id for d in catalog.iter_documents()}
        audit = catalog.get(ids["Financial Audit for Fiscal Year 2019"])
        edit_document(live, catalog, audit.id, DocumentMeta(**{**audit.meta.__dict__, "title": "Audited Statements"}), "t")
        withdraw_document(live, catalog, ids["2021 Convention Report"], "t")
        delete_document(live, catalog, BlobStore(loaded.store_dir), ids["Member Organizer Institute Fact Sheet"], "t")
        load_paths([make_pdf(tmp_path / "late.pdf", ["Late arrival: the quinceberry motion"])], loaded, jobs=1)
        return built

    monkeypatch.setattr(rebuild, "_index_everything", build_then_edit)
    with Catalog(loaded.catalog_path) as catalog:
        assert rebuild_index(loaded.index_dir, catalog) == 4
    with open_searcher(loaded) as searcher:
        assert titles(searcher, "pension") == ["Audited Statements"]
        members = searcher.search(SearchRequest("delegates", allowed_access=("public", "members")))
        assert members.total == 0  # withdrawn: filed under "withdrawn" in the new index, for staff only
        assert searcher.search(SearchRequest("stipend")).total == 0  # deleted
        assert titles(searcher, "quinceberry") == ["Late arrival: the quinceberry motion"]  # loaded meanwhile
    assert check_consistency(loaded) == []


@pytest.mark.parametrize("damage", ["segment", "toc"])
def test_a_damaged_index_is_seen_by_the_check_and_by_search(loaded, damage):
    # A disk that filled up or a copy cut short: the postings or the table of contents end early.
    # Every file of the kind: a load may file its documents in more than one segment, and a search only
    # reads the segments that hold its words.
    for file in loaded.index_dir.glob("*.pst" if damage == "segment" else "_MAIN_*.toc"):
        file.write_bytes(file.read_bytes()[:16])
    [problem] = check_consistency(loaded)
    assert problem.startswith("the search index is damaged (") and problem.endswith("run `archive reindex` to "
                                                                                     "rebuild it from the catalog")
    with pytest.raises(IndexDamagedError):
        with open_searcher(loaded) as searcher:
            searcher.search(SearchRequest("pension"))
    with Catalog(loaded.catalog_path) as catalog:
        rebuild_index(loaded.index_dir, catalog)
    assert check_consistency(loaded) == []


def test_a_new_archive_has_one_index_folder_behind_its_link_and_a_rebuild_keeps_the_one_before(loaded):
    folders = lambda: sorted(p.name for p in loaded.root.glob("index.*") if p.is_dir())  # noqa: E731
    [first] = folders()
    assert os.readlink(loaded.index_dir) == first
    with Catalog(loaded.catalog_path) as catalog:
        rebuild_index(loaded.index_dir, catalog)
        assert folders()[0] == first and len(folders()) == 2  # readers may still have the previous one open
        rebuild_index(loaded.index_dir, catalog)
    assert first not in folders() and len(folders()) == 2
