from archive.catalog import Catalog


def test_api_search_returns_hits_pages_and_facets(client):
    body = client.get("/api/search?q=pension").get_json()
    assert body["total"] == 1
    hit = body["hits"][0]
    assert {k: hit[k] for k in ("title", "type", "year", "filename")} == {
        "title": "Financial Audit for Fiscal Year 2019", "type": "financial_audit", "year": 2019,
        "filename": "2019-financial-audit.pdf"}
    assert hit["pages"][0]["page"] == 3 and "pension" in hit["pages"][0]["snippet"]
    assert {"value": "financial_audit", "count": 1, "selected": False} in body["facets"]["doc_type"]


def test_api_filters_combine(client):
    body = client.get("/api/search?type=financial_audit&type=fact_sheet&year=2018").get_json()
    assert [h["filename"] for h in body["hits"]] == ["2018-fact-sheet.txt"]


def test_api_document(client, loaded):
    with Catalog(loaded.catalog_path) as catalog:
        doc = next(d for d in catalog.iter_documents() if d.doc_type == "convention_report")
    body = client.get(f"/api/documents/{doc.id}?q=negotiations").get_json()
    assert body["title"] == "2021 Convention Report" and body["page_count"] == 2
    assert [p["page"] for p in body["matching_pages"]] == [2]


def test_api_errors_are_json(client):
    missing = client.get("/api/documents/424242")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    bad = client.get("/api/search?page=-1")
    assert bad.status_code == 400 and "page" in bad.get_json()["message"]


def test_app_factory_config(tmp_path):
    from web.app import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "d"), "PER_PAGE": 5})
    assert app.config["PER_PAGE"] == 5
    assert app.config["DATA"].root == (tmp_path / "d").resolve()
    assert (tmp_path / "d" / "store").is_dir()
