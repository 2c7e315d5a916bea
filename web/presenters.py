"""Page data for templates: labels, toggle URLs and pagination computed here, so templates only print."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Mapping
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup

from archive.accounts import RANK
from archive.audit import AuditEntry
from archive.catalog import Document
from archive.metadata import DocumentMeta
from archive.vocabulary import ACCESS_LEVELS, DIVISIONS, DOC_TYPES, type_label
from indexer.load.outcomes import Outcome
from indexer.load.upload import UploadOutcome
from indexer.search.results import Editions, FacetValue, Hit, SearchResults
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
    year_from: str
    year_to: str
    hidden: tuple[tuple[str, str], ...]  # the current search as form fields, for the year-range form


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
        for param, bound in (("from", request.year_from), ("to", request.year_to)):
            if bound:
                self.params[param] = [str(bound)]
        self.page = request.page
        self._bases: dict[str, str] = {}
        self._encodings: dict[str, str] = {}

    def url(self, endpoint: str = "pages.search", **changes: list[str] | None) -> str:
        # One url_for per endpoint and page, and each current parameter encoded once: a results page
        # has ~100 links and url_for costs ~50 us each, urlencode ~20.
        base = self._bases.get(endpoint) or self._bases.setdefault(endpoint, url_for(endpoint))
        parts = [self._encoded(k) if k not in changes else _encode(k, changes[k] or ())
                 for k in {**self.params, **changes}]
        query = "&".join(p for p in parts if p)
        return f"{base}?{query}" if query else base

    def _encoded(self, param: str) -> str:
        found = self._encodings.get(param)
        if found is None:
            found = self._encodings[param] = _encode(param, self.params[param])
        return found

    def toggle(self, param: str, value: str) -> str:
        current = self.params.get(param, [])
        values = [v for v in current if v != value] if value in current else [*current, value]
        return self.url(**{param: values})

    def page_url(self, page: int) -> str:
        return self.url(page=[str(page)] if page > 1 else None)


def _encode(param: str, values: Iterable[str]) -> str:
    return urlencode([(param, v) for v in values])


class DocumentUrls:
    """Links to documents by id, each route resolved once per results page (url_for is the slow part)."""

    _ID = 987654321  # stands in for the id while the route is resolved

    def __init__(self) -> None:
        self._routes: dict[str, str] = {}

    def __call__(self, endpoint: str, doc_id: int) -> str:
        route = self._routes.get(endpoint)
        if route is None:
            route = self._routes[endpoint] = url_for(endpoint, doc_id=self._ID)
        return route.replace(str(self._ID), str(int(doc_id)))


def search_page(results: SearchResults) -> SearchPage:
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
        year_from=str(request.year_from or ""), year_to=str(request.year_to or ""),
        hidden=tuple((k, v) for k, values in urls.params.items() if k not in ("from", "to") for v in values),
    )


TIMELINE_HEIGHT, TIMELINE_WIDTH, BAR_STEP_MAX = 80, 640, 40


def _timeline(results: SearchResults, urls: SearchUrls) -> Timeline | None:
    """Bars scaled to the busiest year; each links to the search narrowed to its year."""
    years = results.timeline
    if not years:
        return None
    peak = max(y.count for y in years) or 1
    step = min(TIMELINE_WIDTH / len(years), BAR_STEP_MAX)
    bars = []
    for i, y in enumerate(years):
        height = round((TIMELINE_HEIGHT - 4) * y.count / peak, 1) if y.count else 0
        url = urls.url(year=[str(y.year)], page=None, **{"from": None, "to": None})
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
        pages=tuple(PageView(p.page, snippet_html(p.snippet), _page_url(doc, p.page, doc_url)) for p in hit.pages),
        more_pages=hit.more_pages, lead=snippet_html(hit.lead),
    )


def _page_url(doc: Document, page: int, doc_url: DocumentUrls) -> str:
    if doc.mime == "application/pdf":
        return doc_url("pages.view", doc.id) + f"#page={page}"
    return doc_url("pages.document", doc.id)


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



# -- staff and admin pages ------------------------------------------------
@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class MetaForm:
    """Values and choices of a metadata form (edit or upload); blank choices mean "infer"."""

    title: str
    year: str
    date: str
    doc_types: tuple[Option, ...]
    divisions: tuple[Option, ...]
    access_levels: tuple[Option, ...]


@dataclass(frozen=True)
class DocumentActions:
    """What the viewer may do to a document, as URLs (None when not allowed)."""

    edit_url: str | None = None
    withdraw_url: str | None = None
    restore_url: str | None = None
    delete_url: str | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class UploadResult:
    name: str
    outcome: str  # loaded | duplicate | failed
    message: str
    url: str | None


@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    subject: str
    url: str | None
    changes: tuple[tuple[str, str, str], ...]  # (field, old, new)


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    page: int
    prev_url: str | None
    next_url: str | None


def _options(choices, current: str, blank: str | None) -> tuple[Option, ...]:
    pairs = [("", blank)] if blank is not None else []
    pairs += [(key, label) for key, label in choices]
    return tuple(Option(key, label, key == current) for key, label in pairs)


def _meta_form(values, blank: str | None) -> MetaForm:
    get = values.get
    return MetaForm(
        title=str(get("title") or ""), year=str(get("year") or ""), date=str(get("date") or ""),
        doc_types=_options(DOC_TYPES.items(), str(get("doc_type") or ""), blank),
        divisions=_options(((d, d) for d in DIVISIONS), str(get("division") or ""), blank),
        access_levels=_options(((a, a.capitalize()) for a in ACCESS_LEVELS), str(get("access") or ""), blank))


def edit_form(source: DocumentMeta | Mapping) -> MetaForm:
    """The edit form filled from a document's metadata or from what was just posted."""
    return _meta_form(asdict(source) if isinstance(source, DocumentMeta) else source, None)


def upload_form(posted) -> MetaForm:
    return _meta_form(posted, "Work it out from the file")


def document_actions(doc: Document, role: str) -> DocumentActions:
    if RANK[role] < RANK["staff"]:
        return DocumentActions()
    return DocumentActions(
        edit_url=url_for("staff.edit", doc_id=doc.id),
        withdraw_url=None if doc.withdrawn else url_for("staff.withdraw", doc_id=doc.id),
        restore_url=url_for("staff.restore", doc_id=doc.id) if doc.withdrawn else None,
        delete_url=url_for("staff.delete", doc_id=doc.id), withdrawn=doc.withdrawn)


def upload_results(outcomes: Iterable[UploadOutcome]) -> tuple[UploadResult, ...]:
    results = []
    for item in outcomes:
        o = item.outcome
        url = url_for("pages.document", doc_id=o.doc_id) if o.doc_id else None
        message = {Outcome.LOADED: f"Loaded as document {o.doc_id} ({o.pages} pages).",
                   Outcome.DUPLICATE: f"Already in the archive: {o.detail}."}.get(o.outcome, f"Refused: {o.detail}.")
        results.append(UploadResult(item.name, o.outcome, message, url))
    return tuple(results)


def audit_page(entries: Iterable[AuditEntry], page: int, total: int, per_page: int) -> AuditPage:
    rows = tuple(AuditRow(
        e.at, e.actor, e.action, e.subject,
        url_for("pages.document", doc_id=e.doc_id) if e.doc_id and e.action != "delete" else None,
        tuple((name, _show(c.get("old")), _show(c.get("new"))) for name, c in e.changes.items()))
        for e in entries)
    last = max(1, -(-total // per_page))
    return AuditPage(rows, page, url_for("admin.audit_log", page=page - 1) if page > 1 else None,
                     url_for("admin.audit_log", page=page + 1) if page < last else None)


def _show(value) -> str:
    return "—" if value is None else str(value)


@dataclass(frozen=True)
class Neighbours:
    """A document page's links onward: related documents and the other editions of its series."""

    related: tuple[Link, ...]
    previous: Link | None
    next: Link | None
    editions: tuple[Link, ...]  # every edition, newest first; the current one marked selected
    latest_url: str
    series_label: str


def _doc_link(doc: Document, current: Document | None = None) -> Link:
    label = f"{doc.title} ({doc.year or 'year unknown'})"
    return Link(label, url_for("pages.document", doc_id=doc.id), current is not None and doc.id == current.id)


def neighbours_view(doc: Document, related: list[Document], editions: Editions) -> Neighbours:
    everyone = sorted([*editions.all, doc], key=lambda d: (d.year or 0, d.date or "", d.id), reverse=True)
    return Neighbours(
        related=tuple(_doc_link(d) for d in related),
        previous=_doc_link(editions.previous) if editions.previous else None,
        next=_doc_link(editions.next) if editions.next else None,
        editions=tuple(_doc_link(d, doc) for d in everyone) if editions.all else (),
        latest_url=url_for("pages.latest", doc_type=doc.doc_type, division=doc.division),
        series_label=f"{type_label(doc.doc_type)}, {doc.division}",
    )
