"""Postings are read with pread from descriptors kept per index generation, and closed with it: a segment
merged away must not stay on disk because a serving process still holds its file open."""
from __future__ import annotations

import gc
import os
from pathlib import Path

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from archive.vocabulary import DIVISIONS
from indexer.search.index import create_index, document_fields, index_writer, write_documents
from indexer.search.results import SearchRequest
from tests.conftest import open_searcher


def _open_postings_files() -> set[str]:
    found = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.endswith(".pst") or target.endswith(".pst (deleted)"):
            found.add(target)
    return found


def _add(catalog: Catalog, n: int, text: str) -> None:
    catalog.add_document(sha256=f"{n:064d}", filename=f"d{n}.pdf", source_path="", mime="application/pdf",
                         size=1, pages=[text], meta=DocumentMeta(f"Doc {n}", "other", 2020, None, DIVISIONS[0],
                                                                  "public"))


def test_a_merged_away_segment_is_not_kept_open(tmp_path):
    data = DataDir(tmp_path / "data").ensure()
    with Catalog(data.catalog_path) as catalog:
        ix = create_index(data.index_dir)
        for n in range(3):
            _add(catalog, n, f"union dues pension batch{n}")
            write_documents(ix, catalog, [document_fields(catalog.get(n + 1), ["union dues pension"])])
        before = _open_postings_files()
        with open_searcher(data) as searcher:
            assert searcher.search(SearchRequest("pension")).total == 3
            held = _open_postings_files() - before
            assert len(held) == 3  # one descriptor per segment of the generation
            with index_writer(ix, optimize=True):  # the three merged into one
                pass
            assert searcher.search(SearchRequest("pension")).total == 3  # the new generation
            gc.collect()
            now = _open_postings_files() - before
        assert not [f for f in now if f.endswith("(deleted)")]
        assert len(now) <= 1


def test_spelling_words_of_a_letter_are_the_segment_terms_whoosh_lists(tmp_path):
    """The words of one first letter, read as one stretch of the terms file, are exactly those Whoosh's
    expand_prefix lists: across two segments, with non-ASCII letters, and for letters no word starts with."""
    from indexer.search.postings import PostingsReader, _keys_with_prefix

    data = DataDir(tmp_path / "data").ensure()
    texts = ["zebra zoning zone apple éducation école ecole élan", "zulu zoning négociation naïve nurse 2019 zz"]
    with Catalog(data.catalog_path) as catalog:
        ix = create_index(data.index_dir)
        for n, text in enumerate(texts):
            _add(catalog, n, text)
            write_documents(ix, catalog, [document_fields(catalog.get(n + 1), [text])])
        with ix.reader() as reader:
            leaves = [leaf for leaf, _ in reader.leaf_readers()]
            assert len(leaves) == 2
            for first in ("z", "é", "e", "n", "a", "2", "q", "ÿ"):
                for leaf in leaves:
                    whoosh = sorted(w.decode() if isinstance(w, bytes) else w
                                    for w in leaf.expand_prefix("spell_content", first))
                    assert sorted(_keys_with_prefix(leaf, "spell_content", first)) == whoosh
        with ix.searcher() as searcher:
            words = PostingsReader(searcher).spelling_words("content", "z")
        assert words == ["zebra", "zone", "zoning", "zulu", "zz"]
