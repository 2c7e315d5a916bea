import pytest

from archive.catalog import Catalog
from indexer.search.rebuild import rebuild_index
from indexer.search.searcher import ArchiveSearcher
from indexer.search.results import SearchRequest, SearchRequestError
from tests.conftest import open_searcher


@pytest.fixture
def searcher(loaded):
    with open_searcher(loaded) as found:
        yield found


def titles(results) -> list[str]:
    return [hit.document.title for hit in results.hits]


def test_a_word_finds_the_document_and_the_page_it_is_on(searcher):
    results = searcher.search(SearchRequest("pension"))
    assert titles(results) == ["Financial Audit for Fiscal Year 2019"]
    assert [p.page for p in results.hits[0].page_hits] == [3]
    assert [s.text for s in results.hits[0].page_hits[0].snippet if s.match] == ["pension"]


def test_stemming_finds_other_forms_of_a_word(searcher):
    results = searcher.search(SearchRequest("negotiations"))
    assert sorted(titles(results)) == ["2021 Convention Report", "Financial Audit for Fiscal Year 2019"]


def test_all_words_must_match_by_default(searcher):
    assert titles(searcher.search(SearchRequest("pension delegates"))) == []
    assert len(searcher.search(SearchRequest("pension OR delegates")).hits) == 2


def test_phrase_exclusion_and_prefix(searcher):
    assert titles(searcher.search(SearchRequest('"school funding"'))) == ["Statement on School Funding"]
    assert titles(searcher.search(SearchRequest('"funding school"'))) == []
    assert "Financial Audit for Fiscal Year 2019" not in titles(searcher.search(SearchRequest("negotiations -pension")))
    assert titles(searcher.search(SearchRequest("paraprof*"))) == ["Statement on School Funding"]


def test_script_text_in_html_is_not_searchable(searcher):
    assert searcher.search(SearchRequest("zanzibarquux")).total == 0


def test_empty_query_lists_everything_newest_first(searcher):
    results = searcher.search(SearchRequest(""))
    assert [h.document.year for h in results.hits] == [2022, 2021, 2019, 2018]
    assert all(h.lead for h in results.hits)


def test_facets_count_all_matches_and_filters_narrow(searcher):
    results = searcher.search(SearchRequest(""))
    types = {fv.value: fv.count for fv in results.facets["doc_type"]}
    assert types == {"financial_audit": 1, "convention_report": 1, "press_statement": 1, "fact_sheet": 1}
    narrowed = searcher.search(SearchRequest("", filters={"doc_type": ("financial_audit", "fact_sheet")}))
    assert narrowed.total == 2
    assert {fv.value for fv in narrowed.facets["doc_type"] if fv.selected} == {"financial_audit", "fact_sheet"}
    by_year = searcher.search(SearchRequest("", filters={"year": ("2021",)}))
    assert titles(by_year) == ["2021 Convention Report"]


def test_access_levels_hide_members_only_documents(searcher):
    with Catalog(searcher.catalog.path) as catalog:
        audit = next(d for d in catalog.iter_documents() if d.doc_type == "financial_audit")
        catalog.update_meta(audit.id, audit.meta.__class__(**{**audit.meta.__dict__, "access": "members"}))
    from indexer.search.index import index_pending
    index_pending(searcher.ix, searcher.catalog)
    public = searcher.search(SearchRequest("pension", allowed_access=("public",)))
    assert public.total == 0 and all(fv.value != "financial_audit" for fv in public.facets["doc_type"])
    assert searcher.search(SearchRequest("pension")).total == 1


def test_sorting_and_pagination(searcher):
    first = searcher.search(SearchRequest("", per_page=3, sort="oldest"))
    second = searcher.search(SearchRequest("", per_page=3, page=2, sort="oldest"))
    assert [h.document.year for h in first.hits + second.hits] == [2018, 2019, 2021, 2022]
    assert first.page_count == 2
    assert titles(searcher.search(SearchRequest("", sort="title")))[0] == "2021 Convention Report"


@pytest.mark.parametrize("text", ["((((", "AND OR NOT", '"unclosed', "title:", "x" * 10_000, "*", "[a TO", "year:"])
def test_absurd_queries_never_raise(searcher, text):
    results = searcher.search(SearchRequest(text))
    assert results.total >= 0


def test_a_very_long_query_is_capped_with_a_notice(searcher):
    results = searcher.search(SearchRequest("pension " * 2000))
    assert results.notice and "shortened" in results.notice


@pytest.mark.parametrize("request_", [SearchRequest(page=0), SearchRequest(sort="random"),
                                      SearchRequest(per_page=1000), SearchRequest(filters={"sha256": ("x",)})])
def test_bad_parameters_are_refused(searcher, request_):
    with pytest.raises(SearchRequestError):
        searcher.search(request_)


def test_matching_pages_lists_every_page(searcher):
    audit = searcher.search(SearchRequest("pension")).hits[0].document
    assert [p.page for p in searcher.page_hits_of(audit.id, "financial OR pension")] == [3, 2] or \
        {p.page for p in searcher.page_hits_of(audit.id, "financial OR pension")} == {2, 3}


def test_rebuild_from_the_catalog_gives_the_same_answers(searcher, loaded):
    before = titles(searcher.search(SearchRequest("negotiations", sort="title")))
    with Catalog(loaded.catalog_path) as catalog:
        assert rebuild_index(loaded.index_dir, catalog) == 4
    after = ArchiveSearcher.open(loaded.index_dir, searcher.catalog)
    assert titles(after.search(SearchRequest("negotiations", sort="title"))) == before
    after.close()
