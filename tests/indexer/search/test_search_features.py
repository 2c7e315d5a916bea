"""Search behaviour on a small real archive: page hits, facets, timeline, did-you-mean, neighbours, access."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.datadir import DataDir
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from indexer.search.results import SearchRequest
from tests.builders import make_pdf
from tests.conftest import open_searcher

PUBLIC = ("public",)


def _audit(folder: Path, year: int, extra: str = "") -> Path:
    return make_pdf(folder / f"{year}-financial-audit.pdf", [
        f"Independent Auditor's Report for the year ended June 30, {year}",
        f"Statement of activities. Dues revenue grew. {extra}",
    ], title=f"Financial Audit {year}")


@pytest.fixture
def archive(loaded: DataDir, tmp_path: Path) -> DataDir:
    """The shared four documents plus a series of audits, one of them members-only."""
    folder = tmp_path / "more"
    for year in (2016, 2017):
        _audit(folder / "audits", year)
    load_paths([folder], loaded, DocumentMeta(doc_type="financial_audit"), jobs=1)
    secret = _audit(tmp_path / "secret", 2023, "The quorvantine reserve fund is confidential.")
    load_paths([secret], loaded, DocumentMeta(doc_type="financial_audit", access="members"), jobs=1)
    return loaded


@pytest.fixture
def searcher(archive: DataDir):
    with open_searcher(archive) as found:
        yield found


def titles(results) -> list[str]:
    return [hit.document.title for hit in results.hits]


def facet(results, name: str) -> dict[str, int]:
    return {fv.value: fv.count for fv in results.facets[name]}


def test_hit_lists_the_page_where_the_words_are_with_a_marked_snippet(searcher):
    results = searcher.search(SearchRequest("pension liability"))
    hit = results.hits[0]
    assert hit.document.title == "Financial Audit for Fiscal Year 2019"
    assert [p.page for p in hit.page_hits] == [3]
    assert [s.text for s in hit.page_hits[0].snippet if s.match] == ["pension", "liability"]


def test_stemming_finds_other_forms_of_a_word(searcher):
    results = searcher.search(SearchRequest("negotiations"))
    assert sorted(titles(results)) == ["2021 Convention Report", "Financial Audit for Fiscal Year 2019"]
    audit = next(h for h in results.hits if "2019" in h.document.title)
    assert [s.text for s in audit.page_hits[0].snippet if s.match] == ["negotiated"]


def test_phrase_needs_the_words_in_order(searcher):
    assert searcher.search(SearchRequest('"pension liability"')).total == 1
    assert searcher.search(SearchRequest('"liability pension"')).total == 0


@pytest.mark.parametrize("query, expected", [
    ("negot*", 2), ("pension -liability", 0), ("pension OR stipend", 2), ("type:fact_sheet", 1),
    ("year:2016..2017", 2), ("title:convention", 1), ("pensoin~", 1), ("division:federation-wide", 7),
    ('division:"Federation-wide" pension', 1), ("division:PSRP", 0),
])
def test_query_language(searcher, query, expected):
    assert searcher.search(SearchRequest(query)).total == expected


@pytest.mark.parametrize("query", ["x" * 10_000, "AND OR NOT", '"unbalanced (quote', "((((", "year:..", "*", "~~~"])
def test_absurd_queries_get_an_answer_not_an_error(searcher, query):
    results = searcher.search(SearchRequest(query))
    assert results.total >= 0
    if query.startswith("x") or query == "AND OR NOT":
        assert results.notice


def test_facets_combine_and_count_without_their_own_filter(searcher):
    results = searcher.search(SearchRequest("", filters={"doc_type": ("financial_audit",)}))
    assert results.total == 4  # 2016, 2017, 2019, and the members' 2023 (operator sees all)
    types = facet(results, "doc_type")
    assert types["financial_audit"] == 4 and types["convention_report"] == 1  # other values stay offered
    assert facet(results, "year") == {"2016": 1, "2017": 1, "2019": 1, "2023": 1}  # narrowed by the type
    both = searcher.search(SearchRequest("", filters={"doc_type": ("financial_audit", "fact_sheet")}))
    assert both.total == 5  # OR within one facet
    narrowed = searcher.search(SearchRequest("", filters={"doc_type": ("financial_audit",), "year": ("2016",)}))
    assert narrowed.total == 1  # AND across facets
    assert facet(narrowed, "doc_type") == {"financial_audit": 1}  # zero counts are not listed


def test_timeline_counts_every_year_between_first_and_last(searcher):
    results = searcher.search(SearchRequest("", filters={"year": ("2017",)}))
    years = {y.year: (y.count, y.selected) for y in results.timeline}
    assert list(years) == list(range(2016, 2024))
    assert years[2016] == (1, False) and years[2017] == (1, True) and years[2020] == (0, False)


def test_year_range_from_the_form(searcher):
    results = searcher.search(SearchRequest("", date_from="2017", date_to="2019"))
    assert sorted(h.document.year for h in results.hits) == [2017, 2018, 2019]


def test_sorts(searcher):
    newest = [h.document.year for h in searcher.search(SearchRequest("", sort="newest")).hits]
    assert newest == sorted(newest, reverse=True)
    oldest = [h.document.year for h in searcher.search(SearchRequest("", sort="oldest")).hits]
    assert oldest == sorted(oldest)
    by_title = titles(searcher.search(SearchRequest("", sort="title")))
    assert by_title == sorted(by_title, key=str.casefold)


def test_did_you_mean_offers_a_real_word_that_finds_something(searcher):
    results = searcher.search(SearchRequest("pensoin liabilty"))
    assert results.total == 0
    assert results.suggestion.query == "pension liability" and results.suggestion.total == 1
    assert searcher.search(SearchRequest("pension")).suggestion is None  # found plenty: no suggestion


def test_nothing_from_members_only_documents_reaches_the_public(searcher):
    everyone = searcher.search(SearchRequest("quorvantine"))
    assert everyone.total == 1
    public = searcher.search(SearchRequest("quorvantine", allowed_access=PUBLIC))
    assert public.total == 0 and public.hits == ()
    assert "members" not in facet(public, "access")
    typo = searcher.search(SearchRequest("quorvuntine", allowed_access=PUBLIC))
    assert typo.suggestion is None  # the word exists only in a document they may not see
    assert searcher.search(SearchRequest("quorvuntine")).suggestion.query == "quorvantine"
    assert 2023 not in {y.year for y in searcher.search(SearchRequest("", allowed_access=PUBLIC)).timeline}


def test_editions_and_latest_follow_the_series_within_what_may_be_seen(searcher):
    audits = searcher.search(SearchRequest("", filters={"doc_type": ("financial_audit",)}, sort="oldest"))
    y2017 = next(h.document for h in audits.hits if h.document.year == 2017)
    editions = searcher.editions(y2017, PUBLIC)
    assert editions.previous.year == 2016 and editions.next.year == 2019
    assert [d.year for d in editions.all] == [2019, 2016]
    assert searcher.editions(y2017, ("public", "members")).all[0].year == 2023
    assert searcher.latest("financial_audit", None, PUBLIC).year == 2019
    assert searcher.latest("financial_audit", None, ("public", "members")).year == 2023
    assert searcher.latest("contract", None, PUBLIC) is None


def test_related_documents_share_words_and_respect_access(searcher):
    audits = searcher.search(SearchRequest("", filters={"doc_type": ("financial_audit",)}))
    y2016 = next(h.document for h in audits.hits if h.document.year == 2016)
    related = searcher.related(y2016, PUBLIC)
    assert related and related[0].doc_type == "financial_audit" and y2016.id not in [d.id for d in related]
    assert all(d.access == "public" for d in related)


def test_export_yields_every_hit_not_one_page(searcher):
    request = SearchRequest("", per_page=2)
    assert len(list(searcher.export(request))) == searcher.search(request).total == 7


def test_matching_pages_lists_every_matching_page(searcher):
    audit = searcher.search(SearchRequest("pension")).hits[0].document
    pages = searcher.page_hits_of(audit.id, "statement OR pension")
    assert sorted(p.page for p in pages) == [2, 3]
