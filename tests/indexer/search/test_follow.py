"""A node's index following the catalog's change sequence, on both catalog backends."""
from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from indexer.search.follow import apply_changes, ensure_following_index, lag
from indexer.search.index import followed, open_index

META = DocumentMeta("Contract 2020", "contract", 2020, None, "Teachers", "public")


def add(catalog: Catalog, sha: str, text: str) -> int:
    return catalog.add_document(sha256=sha, filename="c.pdf", source_path="", mime="application/pdf", size=1,
                                pages=[text], meta=META)


def filed(index_dir: Path) -> dict[str, str]:
    """Document id -> the access it is filed under, as this node's index holds it."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        access = searcher.reader().column_reader("access")
        return {fields["id"]: access[number] for number, fields in searcher.reader().iter_docs()}


def test_a_node_builds_its_index_then_applies_inserts_edits_and_tombstones(catalog_target, tmp_path):
    index_dir = tmp_path / "node" / "index"
    with Catalog(catalog_target) as catalog:
        first = add(catalog, "a" * 64, "grievance procedure")
        assert ensure_following_index(index_dir, catalog) is True  # missing: built from the catalog
        assert ensure_following_index(index_dir, catalog) is False  # there, current and followed
        assert filed(index_dir) == {str(first): "public"} and followed(index_dir) == 1

        second = add(catalog, "b" * 64, "salary schedule")  # 2
        catalog.update_meta(first, DocumentMeta(**{**META.__dict__, "access": "members"}))  # 3
        assert lag(index_dir, catalog).behind == 2
        assert "behind: 2 changes (it has applied up to change 1 of 3)" in lag(index_dir, catalog).describe()
        assert apply_changes(index_dir, catalog) == 2
        assert filed(index_dir) == {str(first): "members", str(second): "public"}

        catalog.set_withdrawn(second, True)  # 4
        catalog.delete(first)  # 5: a tombstone
        assert apply_changes(index_dir, catalog, batch=1) == 2
        assert filed(index_dir) == {str(second): "withdrawn"}
        assert followed(index_dir) == 5 and lag(index_dir, catalog).behind == 0
        assert apply_changes(index_dir, catalog) == 0
        assert "up to date (change 5)" in lag(index_dir, catalog).describe()


def test_an_index_that_never_followed_is_built_again(catalog_target, tmp_path):
    index_dir = tmp_path / "node" / "index"
    with Catalog(catalog_target) as catalog:
        doc = add(catalog, "a" * 64, "pension")
        open_index(index_dir)  # an empty index, made by a server that did not follow
        assert followed(index_dir) is None
        assert lag(index_dir, catalog).behind == 0 and "does not follow" in lag(index_dir, catalog).describe()
        assert ensure_following_index(index_dir, catalog) is True
        assert filed(index_dir) == {str(doc): "public"} and followed(index_dir) == 1
