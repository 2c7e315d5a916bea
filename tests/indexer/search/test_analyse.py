"""Analysis in worker processes, the position-free counts field, and the shared postings cache."""
from __future__ import annotations

import numpy as np
import pytest

from archive.catalog import Catalog
from archive.datadir import DataDir
from indexer.search import analyse
from indexer.search.analyse import analyse_here, analysers
from indexer.search.index import open_index
from indexer.search.rebuild import rebuild_index
from indexer.search.postings import PostingsCache, TermPostings
from indexer.search.searcher import ArchiveSearcher
from indexer.search.results import SearchRequest


def _ids(catalog: Catalog) -> list[int]:
    return [doc.id for doc in catalog.iter_documents()]


def test_workers_make_the_same_postings_as_the_writer_process(loaded: DataDir):
    with Catalog(loaded.catalog_path) as catalog:
        ids = _ids(catalog)
        with analysers(loaded.catalog_path, pending=10_000, jobs=2) as in_workers:
            assert in_workers is not analyse_here
            made_there = list(in_workers(catalog, ids))
        assert made_there == list(analyse_here(catalog, ids))
        assert all(p.terms for p in made_there)


def test_a_small_backlog_is_analysed_in_process(loaded: DataDir):
    with analysers(loaded.catalog_path, pending=analyse.PARALLEL_FROM - 1, jobs=2) as chosen:
        assert chosen is analyse_here


def test_a_rebuild_with_workers_answers_as_before(loaded: DataDir, monkeypatch):
    def answers() -> list[tuple[str, int]]:
        with Catalog(loaded.catalog_path) as catalog:
            searcher = ArchiveSearcher.open(loaded.index_dir, catalog)
            found = [(q, searcher.search(SearchRequest(q)).total) for q in ("negotiations", '"school funding"', "pens*")]
            searcher.close()
        return found

    before = answers()
    monkeypatch.setattr(analyse, "PARALLEL_FROM", 0)
    with Catalog(loaded.catalog_path) as catalog:
        assert rebuild_index(loaded.index_dir, catalog, jobs=2) == 4
    assert answers() == before and all(total for _, total in before)


def test_the_counts_field_holds_the_content_postings_without_positions(loaded: DataDir):
    reader = open_index(loaded.index_dir).reader()
    assert not reader.schema["content_counts"].format.supports("positions")
    assert reader.schema["content"].format.supports("positions")
    terms = list(reader.field_terms("content"))
    assert terms and terms == list(reader.field_terms("content_counts"))
    for term in terms:
        with_positions = list(reader.postings("content", term).items_as("frequency"))
        assert list(reader.postings("content_counts", term).items_as("frequency")) == with_positions
    reader.close()


def _postings(n: int) -> TermPostings:
    return TermPostings(np.arange(n, dtype=np.int32), np.ones(n, dtype=np.float32))


def test_the_postings_cache_keeps_the_most_recently_used_within_its_bytes():
    cache = PostingsCache(limit_bytes=_postings(100).nbytes * 2)
    cache.put(("content", b"a"), _postings(100))
    cache.put(("content", b"b"), _postings(100))
    assert cache.get(("content", b"a")) is not None  # now the most recent
    cache.put(("content", b"c"), _postings(100))
    assert cache.get(("content", b"b")) is None
    assert cache.get(("content", b"a")) is not None and cache.get(("content", b"c")) is not None


def test_threads_of_a_process_share_one_postings_cache(loaded: DataDir):
    with Catalog(loaded.catalog_path) as one, Catalog(loaded.catalog_path) as two:
        first, second = ArchiveSearcher.open(loaded.index_dir, one), ArchiveSearcher.open(loaded.index_dir, two)
        read = first.generation().postings.get("content", b"pension")
        assert len(read.docs) == 1
        assert second.generation().postings.get("content", b"pension") is read  # decoded once
        first.close()
        second.close()


@pytest.mark.parametrize("positions", [[0], [3, 4, 90], [5, 70_000, 70_001], list(range(0, 3000, 7))])
def test_packed_positions_read_back_the_same_by_whoosh_and_by_numpy(positions: list[int]):
    from indexer.search.postings import _decode_positions
    from indexer.search.schema import PackedPositions

    fmt = PackedPositions()
    value = fmt.encode(positions)
    assert fmt.decode_positions(value) == positions and fmt.decode_frequency(value) == len(positions)
    narrow = fmt.encode([1, 2])  # decoded together with a posting of the other width, in docnum order
    keys = _decode_positions(np.array([7, 9]), [value, narrow])
    assert keys.tolist() == [(7 << 32) + p for p in positions] + [(9 << 32) + 1, (9 << 32) + 2]


def test_cached_expansions_give_the_same_terms_as_whoosh(loaded: DataDir):
    from indexer.search.query import parse_query, positive_terms

    with Catalog(loaded.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(loaded.index_dir, catalog)
        gen = searcher.generation()
        for text in ("negot*", "pension OR fund*", "pensin~", "-pension neg*"):
            q = parse_query(text).query
            expanded = positive_terms(q, gen.searcher.reader(), gen.postings.expand)
            assert expanded == positive_terms(q, gen.searcher.reader()) and expanded, text
        first = gen.postings.expand(parse_query("negot*").query.subqueries[1])
        assert gen.postings.expand(parse_query("negot*").query.subqueries[1]) is first  # listed once
        searcher.close()


def test_a_rebuild_leaves_one_segment(loaded: DataDir, monkeypatch):
    from indexer.search import index

    monkeypatch.setattr(index, "INDEX_BATCH", 1)  # a commit per document: four segments before merging
    with Catalog(loaded.catalog_path) as catalog:
        assert rebuild_index(loaded.index_dir, catalog) == 4
    reader = open_index(loaded.index_dir).reader()
    assert reader.doc_count() == 4 and len(reader.leaf_readers()) == 1
    reader.close()


def test_positions_of_many_postings_of_both_widths_decode_in_document_order():
    """Hundreds of postings (some 4-byte, one without positions) decoded at once, as a common word's are."""
    import random

    from indexer.search.postings import _decode_positions
    from indexer.search.schema import PackedPositions

    rng, fmt = random.Random(3), PackedPositions()
    postings = {doc: sorted(rng.sample(range(0, 90_000 if doc % 7 == 0 else 9_000), rng.randint(1, 40)))
                for doc in range(0, 900, 3)}
    postings[303] = []
    keys = _decode_positions(np.array(sorted(postings)), [fmt.encode(postings[d]) for d in sorted(postings)])
    assert keys.tolist() == [(d << 32) + p for d in sorted(postings) for p in postings[d]]
