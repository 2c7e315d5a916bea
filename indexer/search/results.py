"""What a search takes and gives: the request, and plain result values (hits, facet values, a timeline).

These cross into `web`, which never sees Whoosh: frozen dataclasses only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from archive.catalog import Document
from archive.vocabulary import VISIBILITY_LEVELS
from indexer.search.schema import FACET_FIELDS
from indexer.search.snippets import PageHit, Segment
from indexer.search.spelling import Suggestion

SORTS = ("relevance", "newest", "oldest", "title", "added")  # added: newest in the archive first (feeds)
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
    year_from: int | None = None  # inclusive year range (the form's from/to)
    year_to: int | None = None

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
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise SearchRequestError("the first year of a range must not be after the last")
        return self


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class YearCount:
    year: int
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    document: Document
    page_hits: tuple[PageHit, ...]  # best matching pages, at most PAGES_PER_HIT
    more_pages: int  # matching pages beyond those
    lead: tuple[Segment, ...] = ()  # opening words, when the query matched no page text
    page_numbers: tuple[int, ...] = ()  # every matching page, best first


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    notice: str | None = None
    timeline: tuple[YearCount, ...] = ()  # every year from the first to the last with a match
    suggestion: Suggestion | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


@dataclass(frozen=True)
class Editions:
    """The same series (type and division) in other years, as far as the person may see."""

    previous: Document | None
    next: Document | None
    all: tuple[Document, ...]  # newest first
