import re

import pytest

from archive.catalog import Catalog


def doc_id_of(data, filename: str) -> int:
    with Catalog(data.catalog_path) as catalog:
        return next(d.id for d in catalog.iter_documents() if d.filename == filename)


def test_search_page_shows_hits_pages_snippets_and_facets(client):
    html = client.get("/search?q=pension").get_data(as_text=True)
    assert "1 result for “pension”" in html
    assert "Financial Audit for Fiscal Year 2019" in html
    assert re.search(r'href="/documents/\d+/view#page=3">Page 3</a>', html)
    assert "<mark>pension</mark>" in html
    assert 'href="/search?q=pension&amp;type=financial_audit"' in html


def test_an_empty_query_lists_everything_newest_first(client):
    html = client.get("/search?q=").get_data(as_text=True)
    assert "All documents (4)" in html
    order = [html.index(t) for t in ("Statement on School Funding", "2021 Convention Report",
                                     "Financial Audit for Fiscal Year 2019", "Member Organizer Institute")]
    assert order == sorted(order)


def test_clicking_a_facet_narrows_and_shows_the_selection(client):
    html = client.get("/search?type=convention_report").get_data(as_text=True)
    assert "All documents (1)" in html and "2021 Convention Report" in html
    assert "Financial Audit for Fiscal Year 2019" not in html
    assert 'class="selected" aria-current="true"' in html
    assert "Type: Convention report" in html  # the chip that removes the filter


def test_document_page_shows_metadata_matches_preview_and_download(client, loaded):
    doc_id = doc_id_of(loaded, "2019-financial-audit.pdf")
    html = client.get(f"/documents/{doc_id}?q=pension").get_data(as_text=True)
    assert "Financial audit" in html and "2019" in html and "Pages" in html
    assert "Pages matching “pension” (1)" in html
    assert f'href="/documents/{doc_id}/download"' in html
    assert "Independent Auditor" in html  # the text preview


def test_download_sends_the_original_bytes_with_type_and_name(client, loaded, corpus):
    doc_id = doc_id_of(loaded, "2019-financial-audit.pdf")
    response = client.get(f"/documents/{doc_id}/download")
    assert response.status_code == 200
    assert response.data == corpus["audit"].read_bytes()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=2019-financial-audit.pdf"


def test_download_honours_range_requests(client, loaded, corpus):
    doc_id = doc_id_of(loaded, "2019-financial-audit.pdf")
    response = client.get(f"/documents/{doc_id}/download", headers={"Range": "bytes=0-7"})
    assert response.status_code == 206
    assert response.data == corpus["audit"].read_bytes()[:8]
    assert response.headers["Content-Range"].startswith("bytes 0-7/")


def test_html_originals_are_never_served_as_html_inline(client, loaded):
    doc_id = doc_id_of(loaded, "2022-statement.html")
    response = client.get(f"/documents/{doc_id}/view")
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url,status", [
    ("/documents/999999", 404), ("/documents/999999/download", 404), ("/documents/abc", 404),
    ("/search?page=abc", 400), ("/search?page=0", 400), ("/search?type=memo", 400),
    ("/search?year=20x9", 400), ("/search?sort=random", 400), ("/search?division=Pilots", 400),
    ("/no/such/page", 404),
])
def test_bad_ids_and_parameters_get_a_friendly_page(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "<h1>" in html
    assert "Go to the archive’s search" in html


@pytest.mark.parametrize("q", ["((((", '"unclosed', "title:", "AND OR NOT", "x" * 20000, "<script>alert(1)</script>"])
def test_typos_and_absurd_queries_never_error(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_document_text_is_escaped_in_results_and_pages(client, loaded, tmp_path):
    from indexer.load.run import load_paths
    from tests.builders import make_pdf

    hostile = make_pdf(tmp_path / "hostile.pdf", ['Grievance <script>alert("owned")</script> <b>bold</b> & more'])
    load_paths([hostile], loaded, jobs=1)
    html = client.get("/search?q=grievance").get_data(as_text=True)
    assert '<script>alert("owned")</script>' not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html
    doc_id = doc_id_of(loaded, "hostile.pdf")
    page = client.get(f"/documents/{doc_id}?q=grievance").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_an_unexpected_error_is_a_plain_500_page(app, client, monkeypatch):
    from web import resources

    monkeypatch.setattr(resources, "searcher", lambda: 1 / 0)
    response = client.get("/search?q=x")
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert "ZeroDivisionError" not in response.get_data(as_text=True)


def test_result_links_are_the_routes_own_urls(app, client):
    from flask import url_for

    from web.presenters.common import DocumentUrls

    html = client.get("/search?q=pension").get_data(as_text=True)
    with app.test_request_context():
        links = DocumentUrls()
        for endpoint in ("pages.document", "pages.download", "pages.view"):
            for doc_id in (1, 42, 987654321):
                assert links(endpoint, doc_id) == url_for(endpoint, doc_id=doc_id)
        audit = re.search(r'href="(/documents/(\d+)/view)#page=3"', html)
        assert audit and audit.group(1) == url_for("pages.view", doc_id=int(audit.group(2)))
