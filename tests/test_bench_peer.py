"""The benchmark's tantivy peer answers what ours answers: the same totals and facet counts, the right pages."""
from __future__ import annotations

import os
import re

import pytest

from archive.catalog import Catalog
from archive.datadir import DataDir
from bench.bench_search import to_request
from bench.corpus import STOP_WORDS, CorpusSpec, build, vocabulary
from indexer.search.searcher import ArchiveSearcher

SPEC = CorpusSpec(documents=30, pages_per_doc=2, words_per_page=50)


@pytest.fixture(scope="module")
def peer_tantivy():
    """bench.peer_tantivy; tantivy is in the dev extra, so under CI a missing package is a failure."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("tantivy is required under CI=true: `pip install -e '.[dev]'` installs it")
        pytest.skip("tantivy is not installed (pip install -e '.[bench]')")
    from bench import peer_tantivy
    return peer_tantivy


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> DataDir:
    return build(SPEC, out=tmp_path_factory.mktemp("corpus"))  # catalog and our index, in tmp, not bench/out


@pytest.fixture(scope="module")
def ours(corpus: DataDir):
    with Catalog(corpus.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(corpus.index_dir, catalog)
        yield searcher
        searcher.close()


@pytest.fixture(scope="module")
def word(ours: ArchiveSearcher) -> str:
    """A word found in some documents but not all: totals and facet counts that can differ."""
    for candidate in vocabulary(SPEC)[len(STOP_WORDS):300]:
        if 3 <= ours.search(to_request(candidate, {})).total <= SPEC.documents - 3:
            return candidate
    raise AssertionError("no word of the generated corpus is in between 3 and 27 of its documents")


def test_the_build_indexes_every_document_and_page_and_is_reused(peer_tantivy, corpus: DataDir) -> None:
    built = peer_tantivy.build_tantivy(corpus)
    assert (built["documents"], built["pages"], built["cached"]) == (30, 60, False)
    assert built["wall"] > 0 and built["cpu"] > 0 and built["mb"] > 0
    again = peer_tantivy.build_tantivy(corpus)
    assert again["cached"] is True and again["wall"] == built["wall"]  # the first build's figures, kept


@pytest.mark.parametrize("filters", [{}, {"type": "financial_audit"}, {"division": "Teachers"},
                                     {"from": "2000", "to": "2015"}], ids=["none", "type", "division", "years"])
def test_a_word_query_finds_the_same_total_and_facet_counts_as_ours(
        peer_tantivy, corpus: DataDir, ours: ArchiveSearcher, word: str, filters: dict) -> None:
    expected = ours.search(to_request(word, filters))
    found = peer_tantivy.open_peer(corpus).search(word, filters)
    assert found.total == expected.total
    # each facet counted under every filter but its own: a filter must not empty its own facet
    assert found.facets == peer_tantivy.our_facets(expected)
    assert len(found.hits) == min(10, expected.total)


def test_the_pages_of_a_hit_are_those_holding_the_word_with_the_word_marked(
        peer_tantivy, corpus: DataDir, word: str) -> None:
    found = peer_tantivy.open_peer(corpus).search(word, {})
    holding = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    with Catalog(corpus.catalog_path) as catalog:
        for doc_id, _ in found.hits:
            pages = catalog.page_texts(doc_id)
            assert sorted(found.page_numbers[doc_id]) == [n for n, text in pages if holding.search(text)]
            assert all(f"<b>{word}</b>" in html.lower() for _, html in found.pages[doc_id])
