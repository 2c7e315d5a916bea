"""Searching the index: a request in, plain result values out (hits, matching pages, facet counts)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import functools
import logging
import os
import re
import threading
from typing import Callable, Iterator

import numpy as np
from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Searcher

from archive.catalog import Catalog, Document
from archive.database import database_errors
from indexer.search.columns import Columns, load_columns
from indexer.search.errors import IndexDamagedError, StaleIndexError
from indexer.search.index import open_index
from indexer.search.evaluate import QueryEvaluator, Scored
from indexer.search.postings import PostingsCache, PostingsReader
from indexer.search.query import parse_query, positive_terms
from indexer.search.schema import FACET_FIELDS, stem_word
from indexer.search.snippets import PageHit, TermFinder, lead_snippet, page_hits
from indexer.search.spelling import Suggestion, suggest
from indexer.search.results import (
    Editions,
    FacetValue,
    Found,
    Hit,
    SearchRequest,
    SearchRequestError,
    SearchResults,
    YearCount,
)

log = logging.getLogger(__name__)
PAGES_PER_HIT = 3
SUGGEST_BELOW = 3  # offer "did you mean" when a query finds fewer documents than this
RELATED_COUNT = 5
EXPORT_CHUNK = 200


@dataclass(frozen=True)
class _Shared:
    """What every thread of a process shares for one generation: column arrays and decoded postings."""

    columns: Columns
    postings: PostingsCache


_SHARED_LOCK = threading.Lock()
_SHARED: dict[tuple, _Shared] = {}


def _generation_key(index_dir: str, searcher: Searcher) -> tuple:
    # The generation number restarts when an index is rebuilt in place: the TOC file's identity tells.
    generation = searcher.reader().generation()
    try:
        toc = (Path(index_dir) / f"_MAIN_{generation}.toc").stat()
        stamp = (toc.st_ino, toc.st_mtime_ns)
    except OSError:
        stamp = (id(searcher),)  # not a file index: never shared
    return (index_dir, generation, *stamp)


def _shared(index_dir: str, searcher: Searcher) -> _Shared:
    """The column arrays and postings cache of a generation, made once per process (read-only once made)."""
    key = _generation_key(index_dir, searcher)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _Shared(load_columns(searcher.reader()), PostingsCache())
            for old in [k for k in _SHARED if k[0] == index_dir]:
                del _SHARED[old]  # a process keeps only the newest generation of each index
            _SHARED[key] = found
        return found


class Generation:
    """Everything derived from one index generation: the searcher, its column arrays, postings."""

    def __init__(self, searcher: Searcher, index_dir: str, folder: str = "") -> None:
        self.searcher = searcher
        self.folder = folder  # the index folder the link pointed at when this generation was opened
        shared = _shared(index_dir, searcher)
        self.columns: Columns = shared.columns
        self.postings = PostingsReader(searcher, shared.postings)
        self.evaluator = QueryEvaluator(searcher, self.columns, self.postings)

    def allowed(self, access: tuple[str, ...]) -> np.ndarray:
        return self.columns.live & self.columns.facets["access"].mask_of(access)


@dataclass
class _Selection:
    """The matches of one request: every filter applied, and per facet all filters but its own."""

    match: Scored
    final: np.ndarray
    facets: dict[str, tuple[FacetValue, ...]]
    timeline: tuple[YearCount, ...]


def _reads_index(method: Callable) -> Callable:
    """A search method whose failure to read the index (a truncated segment: struct.error, "Block tag
    error", EOFError...) becomes IndexDamagedError, which the web answers with 503 and a rebuild."""
    @functools.wraps(method)
    def reading(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (SearchRequestError, StaleIndexError, IndexDamagedError, *database_errors()):  # the catalog's, not the index's
            raise
        except Exception as exc:
            log.info("the search index could not be read", exc_info=True)
            raise IndexDamagedError(f"the search index could not be read ({type(exc).__name__}: "
                                    f"{' '.join(str(exc).split())[:160]})") from exc
    return reading


class ArchiveSearcher:
    """Searches one index with one catalog connection; refreshes itself when the index changes."""

    def __init__(self, ix: Index, catalog: Catalog) -> None:
        self.ix = ix
        self.catalog = catalog
        self._generation: Generation | None = None
        self._lock = threading.Lock()
        self._key = str(getattr(getattr(ix, "storage", None), "folder", id(ix)))

    @classmethod
    def open(cls, index_dir: Path, catalog: Catalog) -> "ArchiveSearcher":
        return cls(open_index(index_dir), catalog)

    def close(self) -> None:
        if self._generation:
            self._generation.searcher.close()

    @_reads_index
    def generation(self) -> Generation:
        """The current generation, reloaded (searcher and arrays) if a writer committed or a rebuild was
        swapped in since."""
        with self._lock:
            current = self._generation
            if current is None or current.folder != os.path.realpath(self._key) or not current.searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and misses deletions made since
                # (and fails on an index that was empty).
                if current is not None:
                    current.searcher.close()
                folder = os.path.realpath(self._key)
                self._generation = Generation(self.ix.searcher(), self._key, folder)
            return self._generation

    def searcher(self) -> Searcher:
        return self.generation().searcher

    # -- search ------------------------------------------------------------
    @_reads_index
    def search(self, request: SearchRequest, ids_up_to: int = 0) -> SearchResults:
        """One page of results with facet counts, a timeline and, if little is found, a suggestion.

        With `ids_up_to`, also the ids of every match (in no particular order) when there are no more than
        that many: what a "download all" offer needs to know, without a second search.
        """
        request = request.checked()
        parsed = parse_query(request.query)
        gen = self.generation()
        selection = self._select(gen, parsed.query, request)
        start = (request.page - 1) * request.per_page
        docnums = _ordered(gen.columns, selection.final, selection.match.score, _sort(request, parsed.query),
                           start + request.per_page)[start:]
        finder = self._finder(parsed.query, gen)
        hits = self._hits([int(d) for d in gen.columns.doc_id[docnums]], finder, request.allowed_access)
        total = int(selection.final.sum())
        suggestion = self._suggest(gen, request) if total < SUGGEST_BELOW and request.query.strip() else None
        ids = _ids(gen.columns, np.flatnonzero(selection.final)) if 0 < total <= ids_up_to else ()
        return SearchResults(request, total, hits, selection.facets, parsed.notice, selection.timeline, suggestion,
                             ids)

    @_reads_index
    def documents(self, request: SearchRequest, most: int) -> Found:
        """Every document a request finds, in its sort order, from the catalog; none if there are more than `most`."""
        request = request.checked()
        parsed = parse_query(request.query)
        gen = self.generation()
        selection = self._select(gen, parsed.query, request)
        total = int(selection.final.sum())
        if total > most:
            return Found(total, ())
        docnums = _ordered(gen.columns, selection.final, selection.match.score, _sort(request, parsed.query), None)
        return Found(total, tuple(self._documents(gen, docnums, request.allowed_access)))

    @_reads_index
    def count(self, request: SearchRequest) -> int:
        """How many documents a request finds (no page, no facets)."""
        gen = self.generation()
        return int(self._select(gen, parse_query(request.query).query, request).final.sum())

    def export(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of a request in its sort order, a chunk at a time (for CSV and JSON exports).

        Not a generator itself: the request is checked and the selection made when this is called, so a
        bad parameter raises SearchRequestError before a streamed response has sent its first byte.
        """
        request = request.checked()
        parsed = parse_query(request.query)
        gen = self.generation()
        selection = self._select(gen, parsed.query, request)
        docnums = _ordered(gen.columns, selection.final, selection.match.score, _sort(request, parsed.query), None)
        ids = [int(d) for d in gen.columns.doc_id[docnums]]
        return self._hit_chunks(ids, self._finder(parsed.query, gen), request.allowed_access)

    def _hit_chunks(self, ids: list[int], finder: TermFinder, allowed_access: tuple[str, ...]) -> Iterator[Hit]:
        for begin in range(0, len(ids), EXPORT_CHUNK):
            yield from self._hits(ids[begin:begin + EXPORT_CHUNK], finder, allowed_access)

    def _select(self, gen: Generation, q: wq.Query, request: SearchRequest) -> _Selection:
        columns = gen.columns
        match = gen.evaluator.evaluate(q)
        base = match.mask & gen.allowed(request.allowed_access)
        masks = {name: columns.facets[name].mask_of(values) for name, values in request.filters.items() if values}
        dates = _date_range(columns, request)
        if dates is not None:  # counted with the year facet, so the timeline still shows the years around
            masks["year"] = masks["year"] & dates if "year" in masks else dates
        final = base.copy()
        for mask in masks.values():
            final &= mask
        facets, scopes = {}, {}
        for name in FACET_FIELDS:
            # Each facet counts under the other facets' filters; facets under the same filters (all of them,
            # when there are none) share one list of documents.
            others = tuple(other for other in masks if other != name)
            if others not in scopes:
                scope = base.copy()
                for other in others:
                    scope &= masks[other]
                scopes[others] = np.flatnonzero(scope)
            facets[name] = _facet_values(name, columns.facets[name], scopes[others], request.filters.get(name, ()))
        return _Selection(match, final, facets, _timeline(facets["year"]))

    def _finder(self, q: wq.Query, gen: Generation) -> TermFinder:
        return TermFinder(positive_terms(q, gen.searcher.reader(), gen.postings.expand), stem_word)

    def _suggest(self, gen: Generation, request: SearchRequest) -> Suggestion | None:
        allowed = gen.allowed(request.allowed_access)

        def count(text: str) -> int:
            return self.count(replace(request, query=text))

        def form_seen(word: str, docs: np.ndarray) -> bool:
            return self._form_seen(gen, word, docs)

        return suggest(request.query, gen.postings, allowed, count, form_seen)

    def _form_seen(self, gen: Generation, word: str, docs: np.ndarray, most: int = 25) -> bool:
        """Whether `word` itself (not just its stem) stands in the title or text of one of these documents."""
        ids = [int(i) for i in gen.columns.doc_id[np.flatnonzero(docs)[:most]]]
        pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.IGNORECASE)  # as TermFinder reads words
        if any(pattern.search(doc.title) for doc in self.catalog.get_many(ids).values()):
            return True
        # A document's pages at a time, stopping at the first that has the word: usually the first document
        # does, and reading every page of 25 documents took ~15 ms of a search that found nothing.
        return any(pattern.search(text) for doc_id in ids for _, text in self.catalog.page_texts(doc_id))

    @_reads_index
    def page_hits_of(self, doc_id: int, query_text: str) -> list[PageHit]:
        """Every page of one document that matches a query, best first."""
        parsed = parse_query(query_text)
        return page_hits(self.catalog.page_texts(doc_id), self._finder(parsed.query, self.generation()))

    def _hits(self, ids: list[int], finder: TermFinder, allowed: tuple[str, ...]) -> tuple[Hit, ...]:
        docs = self.catalog.get_many(ids)
        pages = self.catalog.pages_of_many(ids)
        hits = []
        for doc_id in ids:
            # Deleted since the index was read, or withdrawn/restricted in the catalog ahead of the index.
            if doc_id not in docs or docs[doc_id].visibility not in allowed:
                continue
            matched = page_hits(pages[doc_id], finder, limit=PAGES_PER_HIT)
            lead = () if matched else lead_snippet(_first_text(pages[doc_id]))
            hits.append(Hit(docs[doc_id], tuple(matched[:PAGES_PER_HIT]),
                            max(0, len(matched) - PAGES_PER_HIT), lead, tuple(m.page for m in matched)))
        return tuple(hits)

    # -- one document's neighbours ------------------------------------------
    @_reads_index
    def visible(self, doc_id: int, allowed_access: tuple[str, ...]) -> bool:
        """True if the document is in the index and the person may see it."""
        gen = self.generation()
        where = np.flatnonzero(gen.columns.doc_id == doc_id)
        return bool(len(where)) and bool(gen.allowed(allowed_access)[where[0]])

    @_reads_index
    def related(self, doc: Document, allowed_access: tuple[str, ...], count: int = RELATED_COUNT) -> list[Document]:
        """Documents sharing this one's most distinctive words ("more like this"), best first."""
        gen = self.generation()
        text = " ".join(t for _, t in self.catalog.page_texts(doc.id))[:60_000]
        keys = gen.searcher.key_terms_from_text("content", f"{doc.title} {text}", numterms=12)
        if not keys:
            return []
        match = gen.evaluator.evaluate(wq.Or([wq.Term("content", word, boost=weight) for word, weight in keys]))
        mask = match.mask & gen.allowed(allowed_access) & (gen.columns.doc_id != doc.id)
        docnums = _ordered(gen.columns, mask, match.score, "relevance", count)
        return self._documents(gen, docnums, allowed_access)

    @_reads_index
    def editions(self, doc: Document, allowed_access: tuple[str, ...]) -> Editions:
        """Other years of the same series: same type and division, nearest older and newer."""
        gen = self.generation()
        docnums = self._series(gen, doc.doc_type, doc.division, allowed_access)
        series = [d for d in self._documents(gen, docnums, allowed_access) if d.id != doc.id]
        key = (doc.year or 0, doc.date or "")
        older = [d for d in series if (d.year or 0, d.date or "") < key]
        newer = [d for d in series if (d.year or 0, d.date or "") > key]
        return Editions(older[0] if older else None, newer[-1] if newer else None, tuple(series))

    @_reads_index
    def latest(self, doc_type: str, division: str | None, allowed_access: tuple[str, ...]) -> Document | None:
        """The newest document of a series the person may see."""
        gen = self.generation()
        found = self._documents(gen, self._series(gen, doc_type, division, allowed_access)[:1], allowed_access)
        return found[0] if found else None

    def _series(self, gen: Generation, doc_type: str, division: str | None,
                allowed_access: tuple[str, ...]) -> np.ndarray:
        facets = gen.columns.facets
        mask = gen.allowed(allowed_access) & facets["doc_type"].mask_of((doc_type,))
        if division:
            mask &= facets["division"].mask_of((division,))
        return _ordered(gen.columns, mask, None, "newest", None)

    def _documents(self, gen: Generation, docnums: np.ndarray, allowed: tuple[str, ...]) -> list[Document]:
        """Catalog rows in the given order, leaving out any the catalog now hides (it runs ahead of the index)."""
        ids = [int(i) for i in gen.columns.doc_id[docnums]]
        found = self.catalog.get_many(ids)
        return [found[i] for i in ids if i in found and found[i].visibility in allowed]


def _date_range(columns: Columns, request: SearchRequest) -> np.ndarray | None:
    """Documents whose date falls in the request's from/to; one with only a year if that year overlaps.

    Read from `newest` (YYYYMMDD, YYYY0000 when only the year is known, 0 when neither is): a year-only
    document covers YYYY0101 to YYYY1231, a dated one its day; a document with neither is outside any range.
    """
    low, high = request.date_span("from"), request.date_span("to")
    if low is None and high is None:
        return None
    newest = columns.newest
    year_only = newest % 10_000 == 0
    first, last = np.where(year_only, newest + 101, newest), np.where(year_only, newest + 1231, newest)
    mask = newest > 0
    if low is not None:
        mask &= last >= _day_key(low.first)
    if high is not None:
        mask &= first <= _day_key(high.last)
    return mask


def _day_key(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _sort(request: SearchRequest, q: wq.Query) -> str:
    if request.sort == "relevance" and isinstance(q, wq.Every):
        return "newest"  # an empty query has no relevance: newest first
    return request.sort


def _ordered(columns: Columns, mask: np.ndarray, score: np.ndarray | None, sort: str,
             limit: int | None) -> np.ndarray:
    """Docnums of `mask` in the requested order, only the first `limit` of them fully sorted.

    Ties go to the older catalog id: the order is the same whatever the index's segments (a rebuilt index
    and one written batch by batch, with edits, number their documents differently)."""
    docnums = np.flatnonzero(mask)
    ids = columns.doc_id[docnums]
    if sort == "relevance" and score is not None:
        keys = (ids, -score[docnums])  # lexsort: last key is the primary one
    elif sort in ("newest", "relevance"):
        keys = (ids, -columns.newest[docnums])
    elif sort == "added":  # catalog ids only grow: the highest was added last
        keys = (ids, -ids)
    elif sort == "oldest":
        newest = columns.newest[docnums]
        keys = (ids, np.where(newest == 0, np.iinfo(np.int64).max, newest))
    else:
        keys = (ids, columns.title_rank[docnums])
    if limit is not None and len(docnums) > 4 * limit:
        # Partial selection on the primary key first: sorting 10,000 matches for ten hits is waste.
        primary = keys[-1]
        cut = np.argpartition(primary, limit - 1)[:limit]
        threshold = primary[cut].max()
        keep = primary <= threshold
        docnums, keys = docnums[keep], tuple(k[keep] for k in keys)
    order = np.lexsort(keys)
    return docnums[order][:limit] if limit is not None else docnums[order]


def _facet_values(name: str, column, docnums: np.ndarray, selected: tuple[str, ...]) -> tuple[FacetValue, ...]:
    """Values with a count among `docnums`, plus selected ones without; years newest first, others commonest first."""
    counts = column.counts_in(docnums)
    values = [FacetValue(v, int(n), v in selected) for v, n in zip(column.values, counts) if n > 0]
    values += [FacetValue(v, 0, True) for v in selected if v not in column.values or not counts[column.code_of(v)]]
    if name == "year":
        return tuple(sorted(values, key=lambda fv: fv.value, reverse=True))
    return tuple(sorted(values, key=lambda fv: (-fv.count, fv.value)))


def _timeline(years: tuple[FacetValue, ...]) -> tuple[YearCount, ...]:
    """Documents per year, every year from the first to the last present (gaps as zero)."""
    known = {int(fv.value): fv for fv in years if fv.value.isdigit()}
    if not known:
        return ()
    return tuple(YearCount(y, known[y].count if y in known else 0, y in known and known[y].selected)
                 for y in range(min(known), max(known) + 1))


def _ids(columns: Columns, docnums: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in columns.doc_id[docnums])


def _first_text(pages: list[tuple[int, str]]) -> str:
    return next((text for _, text in pages if text.strip()), "")
