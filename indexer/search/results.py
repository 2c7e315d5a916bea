"""What a search takes and gives: the request, and plain result values (hits, facet values, a timeline).

These cross into `web`, which never sees Whoosh: frozen dataclasses only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archive.catalog import Document
from archive.metadata import DateSpan, MetadataError, parse_date_span
from archive.vocabulary import VISIBILITY_LEVELS
from indexer.search.snippets import PageHit, Segment

if TYPE_CHECKING:  # a type only: the spelling index (numpy, rapidfuzz) is the searcher's to import
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
    # An inclusive range of dates (the form's from/to), each as written: YYYY, YYYY-MM or YYYY-MM-DD.
    date_from: str | None = None
    date_to: str | None = None

    def checked(self) -> "SearchRequest":
        """Self if every parameter is usable, else a SearchRequestError saying which is not."""
        if self.page < 1:
            raise SearchRequestError("page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchRequestError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if self.sort not in SORTS:
            raise SearchRequestError(f"sort must be one of {', '.join(SORTS)}")
        from indexer.search.schema import FACET_FIELDS  # here: the command line names SORTS without Whoosh

        unknown = set(self.filters) - set(FACET_FIELDS)
        if unknown:
            raise SearchRequestError(f"unknown filter {sorted(unknown)[0]!r}")
        low, high = self.date_span("from"), self.date_span("to")
        if low and high and low.first > high.last:
            raise SearchRequestError(f"the range starts ({low.text}) after it ends ({high.text})")
        return self

    def date_span(self, bound: str) -> DateSpan | None:
        """The `from` or `to` date as the days it covers, None if not given; SearchRequestError if unreadable."""
        text = self.date_from if bound == "from" else self.date_to
        if not text:
            return None
        try:
            return parse_date_span(text)
        except MetadataError as exc:
            raise SearchRequestError(f"“{bound}”: {exc}") from None


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
    ids: tuple[int, ...] = ()  # every match's id, when the search was asked for them (ArchiveSearcher.search)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


@dataclass(frozen=True)
class Found:
    """Every document of a search, in its order, when there were few enough to list (else only their number)."""

    total: int
    documents: tuple[Document, ...]  # empty when the total was over the limit asked for


@dataclass(frozen=True)
class Editions:
    """The same series (type and division) in other years, as far as the person may see."""

    previous: Document | None
    next: Document | None
    all: tuple[Document, ...]  # newest first
