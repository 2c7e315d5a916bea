"""Searching the index: a request in, plain result values out (hits, matching pages, facet counts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh import sorting
from whoosh.index import Index
from whoosh.searching import Searcher

from archive.catalog import Catalog, Document
from archive.vocabulary import VISIBILITY_LEVELS
from indexer.index import open_index
from indexer.query import parse_query, positive_terms
from indexer.schema import FACET_FIELDS, text_analyzer
from indexer.snippets import PageHit, Segment, lead_snippet, match_pages

PAGES_PER_HIT = 3
SORTS = ("relevance", "newest", "oldest", "title")
MAX_PER_PAGE = 100


class SearchRequestError(ValueError):
    """A request parameter no search can honour (page 0, an unknown sort)."""


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet field -> values (OR)
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    # Visibility levels the viewer may see (web.access decides them); the operator's CLI sees all.
    allowed_access: tuple[str, ...] = VISIBILITY_LEVELS

    def checked(self) -> "SearchRequest":
        """Self if every parameter is usable, else a SearchRequestError saying which is not."""
        if self.page < 1:
            raise SearchRequestError("page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchRequestError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if self.sort not in SORTS:
            raise SearchRequestError(f"sort must be one of {', '.join(SORTS)}")
        unknown = set(self.filters) - set(FACET_FIELDS)
        if unknown:
            raise SearchRequestError(f"unknown filter {sorted(unknown)[0]!r}")
        return self


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    document: Document
    pages: tuple[PageHit, ...]  # best matching pages, at most PAGES_PER_HIT
    more_pages: int  # matching pages beyond those
    lead: tuple[Segment, ...] = ()  # opening words, when the query matched no page text


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    notice: str | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


class ArchiveSearcher:
    """Searches one index with one catalog connection; refreshes itself when the index changes."""

    def __init__(self, ix: Index, catalog: Catalog) -> None:
        self.ix = ix
        self.catalog = catalog
        self.analyzer = text_analyzer()
        self._searcher: Searcher = ix.searcher()

    @classmethod
    def open(cls, index_dir: Path, catalog: Catalog) -> "ArchiveSearcher":
        return cls(open_index(index_dir), catalog)

    def close(self) -> None:
        self._searcher.close()

    def searcher(self) -> Searcher:
        """The Whoosh searcher, reopened if a writer committed since it was opened."""
        if not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers and misses deletions made since
            # (and fails on an index that was empty).
            self._searcher.close()
            self._searcher = self.ix.searcher()
        return self._searcher

    def search(self, request: SearchRequest) -> SearchResults:
        """One page of results with facet counts over every match."""
        request = request.checked()
        parsed = parse_query(request.query)
        searcher = self.searcher()
        results = searcher.search_page(
            parsed.query, request.page, pagelen=request.per_page, filter=_filter(request),
            groupedby={name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACET_FIELDS},
            **_sorting(request, parsed.query))
        terms = positive_terms(parsed.query, searcher.reader())
        ids = [int(hit["id"]) for hit in results]
        hits = self._hits(ids, terms, request.allowed_access)
        facets = {name: _facet_values(name, results.results.groups(name), request.filters.get(name, ()))
                  for name in FACET_FIELDS}
        return SearchResults(request, results.total, hits, facets, parsed.notice)

    def matching_pages(self, doc_id: int, query_text: str) -> list[PageHit]:
        """Every page of one document that matches a query, best first."""
        parsed = parse_query(query_text)
        terms = positive_terms(parsed.query, self.searcher().reader())
        return match_pages(self.catalog.page_texts(doc_id), terms, self.analyzer)

    def _hits(self, ids: list[int], terms: frozenset[str], allowed: tuple[str, ...]) -> tuple[Hit, ...]:
        docs = self.catalog.get_many(ids)
        pages = self.catalog.pages_of_many(ids)
        hits = []
        for doc_id in ids:
            # Deleted since the index was read, or withdrawn/restricted in the catalog ahead of the index.
            if doc_id not in docs or docs[doc_id].visibility not in allowed:
                continue
            matched = match_pages(pages[doc_id], terms, self.analyzer)
            lead = () if matched else lead_snippet(_first_text(pages[doc_id]))
            hits.append(Hit(docs[doc_id], tuple(matched[:PAGES_PER_HIT]),
                            max(0, len(matched) - PAGES_PER_HIT), lead))
        return tuple(hits)


def _filter(request: SearchRequest) -> wq.Query:
    parts: list[wq.Query] = [wq.Or([wq.Term("access", a) for a in request.allowed_access])]
    for name, values in request.filters.items():
        if values:
            parts.append(wq.Or([wq.Term(name, v) for v in values]))
    return wq.And(parts)


def _sorting(request: SearchRequest, q: wq.Query) -> dict:
    sort = request.sort
    if sort == "relevance" and isinstance(q, wq.Every):
        sort = "newest"  # an empty query has no relevance: newest first
    if sort == "newest":
        return {"sortedby": "newest", "reverse": True}
    if sort == "oldest":
        return {"sortedby": "newest"}
    if sort == "title":
        return {"sortedby": "title_sort"}
    return {}


def _facet_values(name: str, counts: dict, selected: tuple[str, ...]) -> tuple[FacetValue, ...]:
    """Values with a count, plus selected ones without; years newest first, others commonest first."""
    values = [FacetValue(str(v), n, str(v) in selected) for v, n in counts.items() if n > 0 and v is not None]
    values += [FacetValue(v, 0, True) for v in selected if v not in counts]
    if name == "year":
        return tuple(sorted(values, key=lambda fv: fv.value, reverse=True))
    return tuple(sorted(values, key=lambda fv: (-fv.count, fv.value)))


def _first_text(pages: list[tuple[int, str]]) -> str:
    return next((text for _, text in pages if text.strip()), "")
