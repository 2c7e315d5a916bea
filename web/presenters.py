"""Page data for templates: labels, toggle URLs and pagination computed here, so templates only print."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup

from archive.catalog import Document
from archive.vocabulary import type_label
from indexer.search import FacetValue, Hit, SearchResults
from web.markup import snippet_html
from web.params import FILTER_PARAMS

FACET_LABELS = {"doc_type": "Type", "year": "Year", "division": "Division", "access": "Access"}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first", "title": "Title"}
FACET_VISIBLE = 8


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    selected: bool = False
    count: int | None = None


@dataclass(frozen=True)
class FacetView:
    name: str
    label: str
    values: tuple[Link, ...]
    more: tuple[Link, ...]  # values past the first few, shown collapsed


@dataclass(frozen=True)
class PageView:
    page: int
    snippet: Markup
    url: str


@dataclass(frozen=True)
class HitView:
    id: int
    title: str
    url: str
    download_url: str
    meta: str
    pages: tuple[PageView, ...]
    more_pages: int
    lead: Markup


@dataclass(frozen=True)
class SearchPage:
    query: str
    total: int
    notice: str | None
    hits: tuple[HitView, ...]
    facets: tuple[FacetView, ...]
    chips: tuple[Link, ...]  # selected filters, each a link that removes it
    sorts: tuple[Link, ...]
    pager: tuple[Link, ...]
    prev_url: str | None
    next_url: str | None
    json_url: str
    page: int
    page_count: int


def value_label(name: str, value: str) -> str:
    if name == "doc_type":
        return type_label(value)
    if name == "year" and value == "unknown":
        return "Year unknown"
    return value.capitalize() if name == "access" else value


def document_meta_line(doc: Document) -> str:
    return " · ".join(str(x) for x in (type_label(doc.doc_type), doc.year or "Year unknown", doc.division))


class SearchUrls:
    """Builds search URLs that keep every current parameter except the ones changed."""

    def __init__(self, results: SearchResults) -> None:
        request = results.request
        self.params: dict[str, list[str]] = {"q": [request.query]} if request.query else {}
        for param, name in FILTER_PARAMS.items():
            if request.filters.get(name):
                self.params[param] = list(request.filters[name])
        if request.sort != "relevance":
            self.params["sort"] = [request.sort]
        self.page = request.page

    def url(self, endpoint: str = "pages.search", **changes: list[str] | None) -> str:
        params = {**self.params, **changes}
        return url_for(endpoint, **{k: v for k, v in params.items() if v})

    def toggle(self, param: str, value: str) -> str:
        current = self.params.get(param, [])
        values = [v for v in current if v != value] if value in current else [*current, value]
        return self.url(**{param: values})

    def page_url(self, page: int) -> str:
        return self.url(page=[str(page)] if page > 1 else None)


def search_page(results: SearchResults) -> SearchPage:
    urls = SearchUrls(results)
    request = results.request
    return SearchPage(
        query=request.query, total=results.total, notice=results.notice,
        hits=tuple(_hit_view(hit, request.query) for hit in results.hits),
        facets=tuple(_facet_view(name, values, urls) for name, values in results.facets.items() if values),
        chips=_chips(results, urls),
        sorts=tuple(Link(label, urls.url(sort=[key] if key != "relevance" else None), key == request.sort)
                    for key, label in SORT_LABELS.items()),
        pager=tuple(Link(str(n), urls.page_url(n), n == request.page)
                    for n in _pager_numbers(request.page, results.page_count)),
        prev_url=urls.page_url(request.page - 1) if request.page > 1 else None,
        next_url=urls.page_url(request.page + 1) if request.page < results.page_count else None,
        json_url=urls.url("api.search", page=[str(request.page)] if request.page > 1 else None),
        page=request.page, page_count=results.page_count,
    )


def _hit_view(hit: Hit, query: str) -> HitView:
    doc = hit.document
    q = {"q": query} if query else {}
    return HitView(
        id=doc.id, title=doc.title, url=url_for("pages.document", doc_id=doc.id, **q),
        download_url=url_for("pages.download", doc_id=doc.id), meta=document_meta_line(doc),
        pages=tuple(PageView(p.page, snippet_html(p.snippet), _page_url(doc, p.page)) for p in hit.pages),
        more_pages=hit.more_pages, lead=snippet_html(hit.lead),
    )


def _page_url(doc: Document, page: int) -> str:
    if doc.mime == "application/pdf":
        return url_for("pages.view", doc_id=doc.id) + f"#page={page}"
    return url_for("pages.document", doc_id=doc.id)


def _facet_view(name: str, values: tuple[FacetValue, ...], urls: SearchUrls) -> FacetView:
    param = next(p for p, n in FILTER_PARAMS.items() if n == name)
    links = tuple(Link(value_label(name, fv.value), urls.toggle(param, fv.value), fv.selected, fv.count)
                  for fv in values)
    return FacetView(name, FACET_LABELS[name], links[:FACET_VISIBLE], links[FACET_VISIBLE:])


def _chips(results: SearchResults, urls: SearchUrls) -> tuple[Link, ...]:
    chips = []
    for param, name in FILTER_PARAMS.items():
        for value in results.request.filters.get(name, ()):
            chips.append(Link(f"{FACET_LABELS[name]}: {value_label(name, value)}", urls.toggle(param, value), True))
    return tuple(chips)


def _pager_numbers(page: int, count: int, width: int = 2) -> list[int]:
    numbers = {1, count, *range(max(1, page - width), min(count, page + width) + 1)}
    return sorted(numbers)

