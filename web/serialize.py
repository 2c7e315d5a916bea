"""Search results and documents as JSON-ready dicts: one shape for the API and the command line."""
from __future__ import annotations

from archive.catalog import Document
from indexer.search.results import Hit, SearchResults
from indexer.search.snippets import PageHit


def document_to_json(doc: Document) -> dict:
    return {
        "id": doc.id, "title": doc.title, "type": doc.doc_type, "year": doc.year, "date": doc.date,
        "division": doc.division, "access": doc.access, "filename": doc.filename, "mime": doc.mime,
        "size": doc.size, "page_count": doc.pages, "text_pages": doc.text_pages, "added_at": doc.added_at,
        "sha256": doc.sha256,
    }


def page_to_json(page: PageHit) -> dict:
    return {"page": page.page, "snippet": page.snippet_text,
            "matches": [segment.text for segment in page.snippet if segment.match]}


def hit_to_json(hit: Hit) -> dict:
    doc = hit.document
    return {
        "id": doc.id, "title": doc.title, "type": doc.doc_type, "year": doc.year, "date": doc.date,
        "division": doc.division, "access": doc.access, "filename": doc.filename,
        "pages": [page_to_json(page) for page in hit.page_hits], "more_pages": hit.more_pages,
    }


def results_to_json(results: SearchResults) -> dict:
    request = results.request
    return {
        "query": request.query,
        "filters": {name: list(values) for name, values in request.filters.items()},
        "from": request.date_from, "to": request.date_to,
        "page": request.page, "per_page": request.per_page, "sort": request.sort,
        "total": results.total, "notice": results.notice,
        "hits": [hit_to_json(hit) for hit in results.hits],
        "facets": {name: [{"value": fv.value, "count": fv.count, "selected": fv.selected} for fv in values]
                   for name, values in results.facets.items()},
        "timeline": [{"year": y.year, "count": y.count} for y in results.timeline],
        "suggestion": ({"query": results.suggestion.query, "total": results.suggestion.total}
                       if results.suggestion else None),
    }


EXPORT_COLUMNS = ("id", "title", "type", "year", "division", "pages", "snippet", "url")


def export_record(hit: Hit, url: str) -> dict:
    """One exported result: the document, its matching pages, the best page's snippet and its URL."""
    doc = hit.document
    return {"id": doc.id, "title": doc.title, "type": doc.doc_type, "year": doc.year, "division": doc.division,
            "pages": sorted(hit.page_numbers), "snippet": hit_snippet(hit), "url": url}


def hit_snippet(hit: Hit) -> str:
    """The best matching page's passage as plain text, or the document's opening words."""
    return hit.page_hits[0].snippet_text if hit.page_hits else "".join(s.text for s in hit.lead)
