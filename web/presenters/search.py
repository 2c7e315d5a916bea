"""The results page as plain data: facets with toggle URLs, hits, the timeline and paging, so the template only prints."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import quote_plus, urlencode

from flask import url_for
from markupsafe import Markup

from archive.catalog import Document
from indexer.search.results import FacetValue, Hit, SearchResults
from web.markup import snippet_html
from web.params import FILTER_PARAMS
from web.presenters.common import Link, DocumentUrls, document_meta_line, value_label
from web.zips import ZipOffer, megabytes


FACET_LABELS = {"doc_type": "Type", "year": "Year", "division": "Division", "access": "Access"}

SORT_LABELS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first", "title": "Title",
               "added": "Newly added"}

FACET_VISIBLE = 8

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
class Bar:
    """One year of the timeline: an SVG bar that links to that year."""

    year: int
    count: int
    url: str
    selected: bool
    x: float
    y: float
    height: float
    label: str

@dataclass(frozen=True)
class Timeline:
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_width: float
    first: int
    last: int

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
    timeline: Timeline | None
    suggestion: Link | None  # the corrected query, as a link to run it
    csv_url: str
    export_json_url: str
    date_from: str
    date_to: str
    hidden: tuple[tuple[str, str], ...]  # the current search as form fields, for the date-range form
    download_all: DownloadAll | None = None  # every original of the search as one zip
    feed_url: str = ""  # the search's Atom feed, with the viewer's personal feed key if they have one
    feed_personal: bool = False

@dataclass(frozen=True)
class DownloadAll:
    label: str  # "Download all (4 files, 1.2 MB)"
    url: str | None  # None when the search is over what one download holds
    refusal: str | None  # why not, in a sentence

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
        for param, bound in (("from", request.date_from), ("to", request.date_to)):
            if bound:
                self.params[param] = [str(bound)]
        self.page = request.page
        self._bases: dict[str, str] = {}
        self._encodings: dict[str, str] = {}

    def url(self, endpoint: str = "pages.search", **changes: list[str] | None) -> str:
        # One url_for per endpoint and page, and each current parameter encoded once: a results page
        # has ~100 links and url_for costs ~50 us each, urlencode ~20.
        parts = [self._encoded(k) if k not in changes else _encode(k, changes[k] or ())
                 for k in {**self.params, **changes}]
        return _joined(self._base(endpoint), parts)

    def varying(self, param: str, **fixed: list[str] | None) -> Callable[[list[str]], str]:
        """`values -> url(param=values, **fixed)`, for links that differ in one parameter alone (a year's
        bar, a facet's values): the rest of the query string is put together once, not once a link."""
        keys = list({**self.params, **fixed, param: None})
        parts = [self._encoded(k) if k not in fixed else _encode(k, fixed[k] or ()) for k in keys if k != param]
        at = keys.index(param)
        before, after, base = "&".join(p for p in parts[:at] if p), "&".join(p for p in parts[at:] if p), self._base()
        return lambda values: _joined(base, (before, _encode(param, values), after))

    def _base(self, endpoint: str = "pages.search") -> str:
        return self._bases.get(endpoint) or self._bases.setdefault(endpoint, url_for(endpoint))

    def _encoded(self, param: str) -> str:
        found = self._encodings.get(param)
        if found is None:
            found = self._encodings[param] = _encode(param, self.params[param])
        return found

    def toggle(self, param: str, value: str) -> str:
        return self.toggles(param)(value)

    def toggles(self, param: str) -> Callable[[str], str]:
        """`value -> URL` with that value of `param` added to the search, or taken out if it is in it."""
        current, with_values = self.params.get(param, []), self.varying(param)
        return lambda value: with_values([v for v in current if v != value] if value in current else [*current, value])

    def page_url(self, page: int) -> str:
        return self.url(page=[str(page)] if page > 1 else None)

def _joined(base: str, parts: Iterable[str]) -> str:
    query = "&".join(p for p in parts if p)
    return f"{base}?{query}" if query else base

def _encode(param: str, values: Iterable[str]) -> str:
    # What urlencode makes of (param, value) pairs of strings, without its per-pair type checks (a results
    # page encodes ~140 of them).
    key = quote_plus(param)
    return "&".join(f"{key}={quote_plus(v)}" for v in values)

def search_page(results: SearchResults, offer: ZipOffer | None = None, feed_key: str | None = None) -> SearchPage:
    urls, doc_urls = SearchUrls(results), DocumentUrls()
    request = results.request
    return SearchPage(
        query=request.query, total=results.total, notice=results.notice,
        hits=tuple(_hit_view(hit, request.query, doc_urls) for hit in results.hits),
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
        timeline=_timeline(results, urls), suggestion=_suggestion(results, urls),
        csv_url=urls.url("pages.export", format=["csv"]), export_json_url=urls.url("pages.export", format=["json"]),
        date_from=request.date_from or "", date_to=request.date_to or "",
        hidden=tuple((k, v) for k, values in urls.params.items() if k not in ("from", "to") for v in values),
        download_all=_download_all(offer, urls),
        feed_url=urls.url("feeds.search", sort=None, key=[feed_key] if feed_key else None),
        feed_personal=feed_key is not None,
    )


def _download_all(offer: ZipOffer | None, urls: SearchUrls) -> DownloadAll | None:
    if offer is None:
        return None
    files = f"{offer.files:,} file{'' if offer.files == 1 else 's'}"
    label = f"Download all ({files}, {megabytes(offer.size)})" if offer.size is not None else f"Download all ({files})"
    url = None if offer.refusal else urls.url("pages.export", format=["zip"], page=None)
    return DownloadAll(label, url, offer.refusal)


TIMELINE_HEIGHT, TIMELINE_WIDTH, BAR_STEP_MAX = 80, 640, 40

def _timeline(results: SearchResults, urls: SearchUrls) -> Timeline | None:
    """Bars scaled to the busiest year; each links to the search narrowed to its year."""
    years = results.timeline
    if not years:
        return None
    peak = max(y.count for y in years) or 1
    step = min(TIMELINE_WIDTH / len(years), BAR_STEP_MAX)
    bars = []
    year_url = urls.varying("year", page=None, **{"from": None, "to": None})
    for i, y in enumerate(years):
        height = round((TIMELINE_HEIGHT - 4) * y.count / peak, 1) if y.count else 0
        url = year_url([str(y.year)])
        label = f"{y.year}: {y.count} document{'' if y.count == 1 else 's'}"
        bars.append(Bar(y.year, y.count, url, y.selected, round(i * step, 1), TIMELINE_HEIGHT - height, height, label))
    return Timeline(tuple(bars), max(round(step * len(years)), 80), TIMELINE_HEIGHT, round(max(step - 2, 1), 1),
                    years[0].year, years[-1].year)

def _suggestion(results: SearchResults, urls: SearchUrls) -> Link | None:
    found = results.suggestion
    if found is None:
        return None
    return Link(found.query, urls.url(q=[found.query], page=None), False, found.total)

def _hit_view(hit: Hit, query: str, doc_url: DocumentUrls) -> HitView:
    doc = hit.document
    q = f"?{urlencode({'q': query})}" if query else ""
    return HitView(
        id=doc.id, title=doc.title, url=doc_url("pages.document", doc.id) + q,
        download_url=doc_url("pages.download", doc.id), meta=document_meta_line(doc),
        pages=tuple(PageView(p.page, snippet_html(p.snippet), _page_url(doc, p.page, doc_url)) for p in hit.page_hits),
        more_pages=hit.more_pages, lead=snippet_html(hit.lead),
    )

def _page_url(doc: Document, page: int, doc_url: DocumentUrls) -> str:
    if doc.mime == "application/pdf":
        return doc_url("pages.view", doc.id) + f"#page={page}"
    return doc_url("pages.document", doc.id)

def _facet_view(name: str, values: tuple[FacetValue, ...], urls: SearchUrls) -> FacetView:
    param = next(p for p, n in FILTER_PARAMS.items() if n == name)
    toggle = urls.toggles(param)
    links = tuple(Link(value_label(name, fv.value), toggle(fv.value), fv.selected, fv.count)
                  for fv in values)
    return FacetView(name, FACET_LABELS[name], links[:FACET_VISIBLE], links[FACET_VISIBLE:])

def _chips(results: SearchResults, urls: SearchUrls) -> tuple[Link, ...]:
    chips = []
    for param, name in FILTER_PARAMS.items():
        for value in results.request.filters.get(name, ()):
            chips.append(Link(f"{FACET_LABELS[name]}: {value_label(name, value)}", urls.toggle(param, value), True))
    request = results.request
    if request.date_from or request.date_to:
        chips.append(Link(f"Dates: {_date_range_label(request.date_from, request.date_to)}",
                          urls.url(page=None, **{"from": None, "to": None}), True))
    return tuple(chips)

def _date_range_label(low: str | None, high: str | None) -> str:
    if low and high:
        return low if low == high else f"{low} to {high}"
    return f"from {low}" if low else f"up to {high}"

def _pager_numbers(page: int, count: int, width: int = 2) -> list[int]:
    numbers = {1, count, *range(max(1, page - width), min(count, page + width) + 1)}
    return sorted(numbers)



# -- staff and admin pages ------------------------------------------------
