"""The search page, exports and series links over a real app on a small loaded archive."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.builders import make_pdf
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from indexer.search.results import SearchRequest, SearchResults


@pytest.fixture
def series_app(loaded, tmp_path):
    """The shared archive plus two more audits, so a series has editions."""
    from web.app import create_app

    for year in (2016, 2017):
        make_pdf(tmp_path / "more" / f"{year}-audit.pdf", [f"Independent Auditor's Report {year}",
                                                           "Dues revenue and pension notes"],
                 title=f"Financial Audit {year}")
    load_paths([tmp_path / "more"], loaded, DocumentMeta(doc_type="financial_audit"), jobs=1)
    return create_app({"DATA_DIR": str(loaded.root), "TESTING": True})


@pytest.fixture
def web(series_app):
    return series_app.test_client()


def test_result_links_open_the_pdf_at_the_matching_page(web):
    html = web.get("/search?q=pension+liability").get_data(as_text=True)
    assert re.search(r'href="/documents/\d+/view#page=3">Page 3</a>', html)
    assert "<mark>pension</mark>" in html


def test_facet_links_toggle_and_selected_values_show_as_removable(web):
    html = web.get("/search?type=financial_audit").get_data(as_text=True)
    assert "3 documents" in html or "All documents (3)" in html
    assert 'aria-label="Selected filters"' in html and 'href="/search"' in html  # the chip removes it
    assert "Convention report" in html  # other types still offered, with their counts


def test_timeline_bars_link_to_their_year(web):
    html = web.get("/search?q=dues").get_data(as_text=True)
    assert '<figure class="timeline"' in html
    bars = re.findall(r'<a href="([^"]+)" role="listitem" aria-label="(\d{4}): (\d+) documents?"', html)
    assert ("/search?q=dues&amp;year=2017", "2017", "1") in bars
    assert any(count == "0" for _, _, count in bars)  # a year between with nothing is drawn empty


def test_did_you_mean_links_to_the_corrected_search(web):
    html = web.get("/search?q=pensoin").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=pension"' in html


def test_csv_export_has_every_result_streamed(web):
    response = web.get("/export?format=csv&per_page=1")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6 and set(rows[0]) == {"id", "title", "type", "year", "division", "pages", "snippet", "url"}
    assert rows[0]["url"].startswith("http://localhost/documents/")


def test_json_export_lists_matching_pages_and_snippets(web):
    body = json.loads(web.get("/export?format=json&q=pension").get_data(as_text=True))
    assert body["query"] == "pension"
    pages = {r["title"]: r["pages"] for r in body["results"]}
    assert pages["Financial Audit for Fiscal Year 2019"] == [3]
    assert all("pension" in r["snippet"].lower() for r in body["results"])


def test_export_formula_cells_are_neutralised(web, loaded, tmp_path):
    make_pdf(tmp_path / "evil" / "x.pdf", ["Nothing here"], title="=HYPERLINK(\"http://evil\")")
    load_paths([tmp_path / "evil"], loaded, DocumentMeta(), jobs=1)
    text = web.get("/export?format=csv&q=title:hyperlink").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_latest_redirects_to_the_newest_edition(web):
    response = web.get("/latest/financial_audit")
    assert response.status_code == 302
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Financial Audit for Fiscal Year 2019" in page
    assert web.get("/latest/contract").status_code == 404
    assert web.get("/latest/nonsense").status_code == 404


def test_document_page_shows_editions_and_related(web):
    html = web.get("/search?q=title:2017").get_data(as_text=True)
    doc_url = re.search(r'<h2><a href="(/documents/\d+)', html).group(1)
    page = web.get(doc_url).get_data(as_text=True)
    assert 'rel="prev"' in page and "Financial Audit 2016" in page
    assert 'rel="next"' in page and "Financial Audit for Fiscal Year 2019" in page
    assert "Related documents" in page


def test_bad_year_range_is_a_clear_400(web):
    response = web.get("/search?from=20x9")
    assert response.status_code == 400 and "YYYY, YYYY-MM or YYYY-MM-DD" in response.get_data(as_text=True)
    assert web.get("/search?from=2020&to=2010").status_code == 400


@pytest.mark.parametrize("query", ["x" * 10_000, "AND OR", '"((', "year:..", "-", "*~"])
def test_absurd_queries_render_a_page(web, query):
    response = web.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_api_search_includes_timeline_and_suggestion(web):
    body = web.get("/api/search?q=pensoin").get_json()
    assert body["suggestion"] == {"query": "pension", "total": 3} and body["timeline"] == []
    body = web.get("/api/search?q=dues").get_json()
    assert {"year": 2017, "count": 1} in body["timeline"]


def test_cli_search_sorts_and_suggests(series_app, cli_runner):
    from web.cli import main

    root = series_app.config["DATA"].root
    result = cli_runner.invoke(main, ["--data-dir", str(root), "search", "", "--sort", "oldest", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.index("Financial Audit 2016") < result.output.index("Financial Audit 2017")
    typo = cli_runner.invoke(main, ["--data-dir", str(root), "search", "pensoin"])
    assert "Did you mean: pension (3 documents)" in typo.output


@pytest.mark.parametrize("request_", [
    SearchRequest(),
    SearchRequest("pension & dues", {"year": ("2016",)}, page=3, sort="newest", date_from="2010"),
    SearchRequest("a=b", {"doc_type": ("financial_audit", "contract"), "year": ("2016", "2017")}, date_to="2020-05"),
    SearchRequest("", {"division": ("Higher Ed",)}, page=2),
])
def test_links_made_once_for_many_values_equal_links_made_one_by_one(series_app, request_):
    """Year bars and facet values share the rest of their query string, put together once; every link must
    be exactly the one the general builder makes for the same change."""
    from web.presenters.search import SearchUrls

    with series_app.test_request_context("/search"):
        urls = SearchUrls(SearchResults(request_, 0, (), {}))
        bar = urls.varying("year", page=None, **{"from": None, "to": None})
        for year in ("2016", "2017", "1999"):
            assert bar([year]) == urls.url(year=[year], page=None, **{"from": None, "to": None})
        for param in ("type", "year", "division", "access"):
            toggle = urls.toggles(param)
            for value in ("2016", "financial_audit", "Higher Ed", "x&y=z"):
                current = urls.params.get(param, [])
                values = [v for v in current if v != value] if value in current else [*current, value]
                assert toggle(value) == urls.url(**{param: values})
