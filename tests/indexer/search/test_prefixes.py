"""prefix*, wildcards and fuzzy~ look through the words as written, then search each word found by its stem."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from indexer.search.index import index_writer, open_index, remove_document
from indexer.search.results import SearchRequest
from tests.builders import make_pdf
from tests.conftest import open_searcher, searcher_over

PAGES = {
    "Board Minutes": ["Roll call and agenda", "The board declined the offer after a decline in dues."],
    "Ten Years On": ["A decade ago the council decided to act."],
    "Bargaining Update": ["Negotiations continue statewide."],
    "Mediator Notes": ["The negotiation ended at midnight."],
    "Canary Sheet": ["Test marker formulacanaryf1 for the search team."],
}


@pytest.fixture
def searcher(data: DataDir, tmp_path: Path):
    with searcher_over(data, tmp_path / "incoming", PAGES) as found:
        yield found


def found(searcher, query: str) -> list[str]:
    return sorted(hit.document.title for hit in searcher.search(SearchRequest(query)).hits)


def marked(searcher, query: str) -> dict[str, list[str]]:
    """The words each hit's snippets mark, by title."""
    return {hit.document.title: [s.text for page in hit.page_hits for s in page.snippet if s.match]
            for hit in searcher.search(SearchRequest(query)).hits}


def test_a_prefix_is_not_stemmed_before_it_is_expanded(searcher):
    # Stemmed, "decli" is "dec", which also starts "decade" and "decided".
    assert found(searcher, "decli*") == ["Board Minutes"]
    assert marked(searcher, "decli*") == {"Board Minutes": ["declined", "decline"]}


def test_a_prefix_longer_than_the_stem_finds_the_words_it_starts(searcher):
    assert found(searcher, "negotiation*") == ["Bargaining Update", "Mediator Notes"]
    assert marked(searcher, "negotiation*") == {"Bargaining Update": ["Negotiations"], "Mediator Notes": ["negotiation"]}


def test_a_prefix_ending_inside_a_word_with_digits(searcher):
    # Stemmed, "formulacanary" is "formulacanari", which "formulacanaryf1" does not start with.
    assert found(searcher, "formulacanary*") == ["Canary Sheet"]
    assert marked(searcher, "formulacanary*") == {"Canary Sheet": ["formulacanaryf1"]}


def test_page_hits_of_a_prefix_are_the_pages_with_its_words(searcher):
    [hit] = searcher.search(SearchRequest("decli*")).hits
    assert hit.page_numbers == (2,)
    assert [p.page for p in searcher.page_hits_of(hit.document.id, "decli*")] == [2]


@pytest.mark.parametrize("query, titles", [
    ("negot*ion", ["Bargaining Update", "Mediator Notes"]),  # "negotiation", and its stem's other words
    ("declin?d", ["Board Minutes"]),
    ("negotiat?ons", ["Bargaining Update", "Mediator Notes"]),
])
def test_wildcards_match_the_words_as_written(searcher, query, titles):
    assert found(searcher, query) == titles


def test_fuzzy_finds_a_word_with_two_letters_swapped(searcher):
    assert found(searcher, "decliend~") == ["Board Minutes"]
    assert marked(searcher, "decliend~") == {"Board Minutes": ["declined", "decline"]}


def test_words_stay_listed_when_the_document_they_were_filed_under_is_removed_and_segments_merge(data: DataDir,
                                                                                                 tmp_path: Path):
    # Whoosh files a segment's word list under one of its documents (document 0 when written).
    titles = ["First", "Second", "Third", "Fourth"]
    for pair in ((0, 1), (2, 3)):  # one load, one commit, one segment per pair, loaded in name order
        paths = [make_pdf(tmp_path / f"{n}.pdf", [f"Marker formulacanaryf{n} of {titles[n]}"], title=titles[n])
                 for n in pair]
        load_paths(paths, data, DocumentMeta(), jobs=1)
    ix = open_index(data.index_dir)
    with Catalog(data.catalog_path) as catalog:
        ids = {d.title: d.id for d in catalog.iter_documents()}
    for title in ("First", "Third"):  # each segment's first document, then a merge
        remove_document(ix, ids[title])
        with index_writer(ix, optimize=True):
            pass
    with open_searcher(data) as searcher:
        assert found(searcher, "formulacanary*") == ["Fourth", "Second"]
