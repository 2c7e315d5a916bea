"""URLs, e-mail addresses and dotted or underscored names are found whole and by each of their parts."""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.lang.porter2 import stem

from archive.datadir import DataDir
from indexer.search.results import SearchRequest
from indexer.search.snippets import TermFinder
from tests.conftest import searcher_over

PAGES = {
    "Rally Photos": ["Spring gathering report", "Photos at http://www.riverbend.org/photos/2019-rally.jpg for members."],
    "Contacts": ["Write to jane.doe@statecollege.edu with questions. Dues rose 12.50 dollars."],
    "Files": ["Attached: bylaws_final_draft.pdf as agreed."],
    "Other": ["The college board met in the state capitol. Mr. Doe from Riverbend spoke."],
}


@pytest.fixture
def searcher(data: DataDir, tmp_path: Path):
    with searcher_over(data, tmp_path / "incoming", PAGES) as found:
        yield found


def marked(searcher, query: str) -> dict[str, list[str]]:
    """The words each hit's snippets mark, by title."""
    return {hit.document.title: [s.text for page in hit.page_hits for s in page.snippet if s.match]
            for hit in searcher.search(SearchRequest(query)).hits}


@pytest.mark.parametrize("query, expected", [
    ("statecollege", {"Contacts": ["statecollege"]}),
    ("jane", {"Contacts": ["jane"]}),
    ("bylaws", {"Files": ["bylaws"]}),
    ("draft", {"Files": ["draft"]}),
    ("jpg", {"Rally Photos": ["jpg"]}),
])
def test_each_part_of_an_address_is_found_and_marked(searcher, query, expected):
    assert marked(searcher, query) == expected


def test_a_part_also_written_as_a_word_finds_both(searcher):
    assert marked(searcher, "riverbend") == {"Rally Photos": ["riverbend"], "Other": ["Riverbend"]}
    assert marked(searcher, "doe") == {"Contacts": ["doe"], "Other": ["Doe"]}


@pytest.mark.parametrize("query, expected", [
    ("jane.doe@statecollege.edu", {"Contacts": ["jane", "doe", "statecollege", "edu"]}),
    ("riverbend.org", {"Rally Photos": ["riverbend", "org"]}),
    ("http://www.riverbend.org/photos/2019-rally.jpg",
     {"Rally Photos": ["Photos", "http", "www", "riverbend", "org", "photos", "2019", "rally", "jpg"]}),
    ("bylaws_final_draft.pdf", {"Files": ["bylaws", "final", "draft", "pdf"]}),
])
def test_an_address_or_a_run_of_its_parts_finds_only_where_they_stand_together(searcher, query, expected):
    # "Other" has "Riverbend", "Doe", "state" and "college", but not as one address. The snippet marks a
    # phrase's words wherever they stand in it, as for any phrase ("Photos" before the URL).
    assert marked(searcher, query) == expected


def test_phrases_run_through_an_address_into_the_words_around_it(searcher):
    assert marked(searcher, '"write to jane.doe"') == {"Contacts": ["Write", "jane", "doe"]}
    assert marked(searcher, '"edu with questions"') == {"Contacts": ["edu", "questions"]}
    assert marked(searcher, '"write doe"') == {}


def test_the_whole_address_is_indexed_for_prefixes(searcher):
    assert marked(searcher, "jane.doe@state*") == {"Contacts": ["jane.doe@statecollege.edu"]}
    assert marked(searcher, "www.riverbend.*") == {}  # the URL is filed whole, and by parts, not by host
    assert marked(searcher, "http://www.riverbend*") == {"Rally Photos": ["http://www.riverbend.org/photos/2019-rally.jpg"]}


def test_page_hits_find_the_page_with_the_address(searcher):
    [hit] = searcher.search(SearchRequest("riverbend.org")).hits
    assert hit.page_numbers == (2,)
    assert [p.page for p in searcher.page_hits_of(hit.document.id, "riverbend.org")] == [2]


def test_a_number_with_a_decimal_point_stays_one_word_while_a_dotted_name_splits(searcher):
    assert marked(searcher, "12.50") == {"Contacts": ["12.50"]}
    assert marked(searcher, "50") == {}
    assert marked(searcher, "edu") == {"Contacts": ["edu"]}


def test_term_finder_reads_underscores_and_dots_as_breaks_between_words():
    finder = TermFinder(frozenset({stem("final"), stem("doe")}), stem)
    text = "bylaws_final_draft.pdf from jane.doe@statecollege.edu, not a doer"
    assert [text[s:e] for s, e in finder.spans(text)] == ["final", "doe"]
