"""tantivy, the search benchmark's peer: the same corpus, facets and queries, answered in-process.

    .venv/bin/python -m bench.bench_search --docs 300 --skip-http --skip-fts --tantivy

One tantivy document per archive document (id, title, content = its pages, and the four facets as fast
fields), read from the same catalog our own index is built from. Each query does what ours does: the
total, the first 10 hits by BM25, facet counts over all matches for doc_type, year, division and access
(each facet counted under every filter but its own), and page snippets for the 10 hits shown.
Benchmark-only: the archive never imports tantivy (`pip install -e '.[bench]'`).
"""
from __future__ import annotations

import json
import re
import resource
import shutil
import sqlite3
import string
import time
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Iterator

import tantivy
from whoosh.analysis import StopFilter  # our analyzer's stop list (indexer.search.schema)

INDEX_VERSION = 3  # bump when the schema or the analyzer below changes: the cached index is rebuilt
FACETS = ("doc_type", "year", "division", "access")
TEXT_FIELDS = ["title", "content"]
ANALYZER = "archive_en"
HITS = 10
PAGES_PER_HIT = 3  # as ours (indexer.search.searcher.PAGES_PER_HIT)
WRITER_HEAP = 512_000_000  # split between tantivy's indexing threads (one per core)
METHOD = ("facets by tantivy's aggregation API (terms aggregations over fast fields, one aggregate() call per "
          "distinct filter scope); a hit's matching pages by one search of a page-level tantivy index, "
          "snippets by its SnippetGenerator on the best 3 pages of each hit; no \"did you mean\": a miss or a "
          "typo costs tantivy one empty search, where ours also looks for a suggestion")

_TOKEN = re.compile(r'"[^"]*"|\S+')


def _analyzer() -> tantivy.TextAnalyzer:
    """Ours in tantivy's terms: lowercased words, our stop words dropped, Porter2 (Snowball) stems.

    Our stop list is Whoosh's, which also drops one-character words; tantivy's own "english" list is
    another one (it keeps "you", "we", "may"), and with it a query of stop words found every document.
    """
    stops = sorted(StopFilter().stops | set(string.ascii_lowercase + string.digits))
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.custom_stopword(stops))
            .filter(tantivy.Filter.stemmer("english")).build())


def _schema() -> tantivy.Schema:
    """One tantivy document per archive document; the facets as fast fields.

    Strings with the raw tokenizer and the year as an integer, not tantivy Facet fields: tantivy-py
    exposes no FacetCollector, and its aggregation API (which it does expose, as Searcher.aggregate) counts
    the terms of fast fields, so raw-tokenized string fast fields give exact counts per value, in Rust;
    they are also indexed, so a filter is a plain term query.
    """
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", tokenizer_name=ANALYZER)
    builder.add_text_field("content", tokenizer_name=ANALYZER)
    for name in ("doc_type", "division", "access"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    builder.add_integer_field("year", indexed=True, fast=True)
    return builder.build()


def _page_schema() -> tantivy.Schema:
    """One tantivy document per page, in an index of its own (its BM25 statistics are the pages' own).

    Which pages of a hit match comes from this index: asking the snippet generator of every page of the
    ten hits (tokenizing some 80,000 words a query) cost 22 ms a query on 300 documents, most of the time.
    """
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("doc_id", indexed=True, fast=True)
    builder.add_integer_field("page_no", fast=True)
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)  # stored: the snippets
    return builder.build()


def _folder(data) -> Path:
    return data.root / f"tantivy.v{INDEX_VERSION}"


def _open(folder: Path, schema: tantivy.Schema) -> tantivy.Index:
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    index.register_tokenizer(ANALYZER, _analyzer())  # tokenizers are not kept on disk: register on every open
    return index


def build_tantivy(data) -> dict:
    """tantivy's indexes of the corpus (documents, pages), built beside it unless there; its build figures.

    Wall seconds, CPU-seconds of this whole process (tantivy's indexing threads run in it, so getrusage
    counts them), the size in MB and the segment count. Reading the catalog is included, as it is in our
    own rebuild. Kept in a marker file, so a cached index still reports what its build cost.
    """
    folder, marker = _folder(data), data.root / f"tantivy.v{INDEX_VERSION}.done"
    if marker.exists() and folder.is_dir():
        return {**json.loads(marker.read_text()), "cached": True}
    shutil.rmtree(folder, ignore_errors=True)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    docs, pages = _open(folder / "docs", _schema()), _open(folder / "pages", _page_schema())
    # 0 threads: tantivy's choice, one per core, for each writer; the two share the heap budget
    doc_writer = docs.writer(heap_size=WRITER_HEAP // 2, num_threads=0)
    page_writer = pages.writer(heap_size=WRITER_HEAP // 2, num_threads=0)
    for doc, page_docs in _catalog_documents(data.catalog_path):
        doc_writer.add_document(doc)
        for page in page_docs:
            page_writer.add_document(page)
    for writer in (doc_writer, page_writer):
        writer.commit()
        writer.wait_merging_threads()
    figures = {"wall": time.perf_counter() - wall, "cpu": _cpu_seconds() - cpu}
    docs.reload()
    pages.reload()
    figures.update(mb=sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6,
                   segments=docs.searcher().num_segments, documents=docs.searcher().num_docs,
                   pages=pages.searcher().num_docs)
    marker.write_text(json.dumps(figures))
    return {**figures, "cached": False}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process, tantivy's included
    return usage.ru_utime + usage.ru_stime


def _catalog_documents(catalog_path: Path) -> Iterator[tuple[tantivy.Document, list[tantivy.Document]]]:
    """Every catalogued document (our rebuild also takes every one, whatever its status) and its pages."""
    db = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    try:
        meta = db.execute("SELECT id, title, doc_type, year, division, access FROM documents ORDER BY id")
        pages = groupby(db.execute("SELECT doc_id, page_no, text FROM pages ORDER BY doc_id, page_no"),
                        key=lambda r: r[0])
        page_of = next(pages, None)
        for doc_id, title, doc_type, year, division, access in meta:
            while page_of is not None and page_of[0] < doc_id:
                page_of = next(pages, None)
            rows = list(page_of[1]) if page_of is not None and page_of[0] == doc_id else []
            doc = tantivy.Document(id=doc_id, title=title, content=[text for _, _, text in rows],
                                   doc_type=doc_type, division=division, access=access)
            if year is not None:
                doc.add_integer("year", year)
            yield doc, [tantivy.Document(doc_id=doc_id, page_no=page_no, text=text) for _, page_no, text in rows]
    finally:
        db.close()


@dataclass(frozen=True)
class PeerResults:
    total: int
    hits: list[tuple[int, float]]  # (catalog id, BM25 score), best first
    facets: dict[str, dict[str, int]]  # facet field -> value -> count (values with a count only)
    pages: dict[int, list[tuple[int, str]]]  # catalog id -> best pages (page number, snippet HTML)
    page_numbers: dict[int, list[int]]  # catalog id -> every matching page, best first


class Peer:
    """tantivy's indexes, open, answering the benchmark's (query, URL filters) pairs."""

    def __init__(self, folder: Path) -> None:
        self.docs = _open(folder / "docs", _schema())
        self.pages = _open(folder / "pages", _page_schema())
        self.searcher, self.page_searcher = self.docs.searcher(), self.pages.searcher()
        # the most pages a document has: ten times that collects every matching page of the ten hits,
        # without a top-k heap sized for far more (tantivy allocates it whole)
        most = self.page_searcher.aggregate(tantivy.Query.all_query(), {"most": {"max": {"field": "page_no"}}})
        self.most_pages = int(most["most"]["value"] or 1)

    def search(self, text: str, filters: dict) -> PeerResults:
        words = self.text_query(text)
        own = self.filter_queries(filters)
        found = self.searcher.search(_all([words, *own.values()]), limit=HITS, count=True)
        hits = [(self.searcher.doc(address)["id"][0], score) for score, address in found.hits]
        pages, numbers = self._pages(text, [doc_id for doc_id, _ in hits])
        return PeerResults(found.count, hits, self.facets(words, own), pages, numbers)

    def text_query(self, text: str, on_pages: bool = False) -> tantivy.Query:
        """Our query syntax in tantivy's: words and "phrases" go to its parser (over title and content,
        all must match, as ours); a prefix* is expanded over the term dictionaries, as ours expands it
        over the words, because the parser reads `word*` as the word and a regex query gives no snippets.

        On the pages, any part may match (as ours marks a page that holds any of the query's words).
        """
        index, searcher = (self.pages, self.page_searcher) if on_pages else (self.docs, self.searcher)
        fields = ["text"] if on_pages else TEXT_FIELDS
        parsed, prefixes = [], []
        for token in _TOKEN.findall(text):
            (prefixes if token.endswith("*") and not token.startswith('"') else parsed).append(token)
        parts = [_expanded(searcher, index.schema, fields, p.rstrip("*").lower()) for p in prefixes]
        if parsed:
            parts.append(index.parse_query(" ".join(parsed), fields, conjunction_by_default=not on_pages))
        if not parts:
            return tantivy.Query.all_query()
        return _any(parts) if on_pages else _all(parts)

    def filter_queries(self, filters: dict) -> dict[str, tantivy.Query]:
        """The benchmark's URL filters, by the facet each one narrows (as ours counts them)."""
        schema, own = self.docs.schema, {}
        if "type" in filters:
            own["doc_type"] = tantivy.Query.term_query(schema, "doc_type", filters["type"])
        if "division" in filters:
            own["division"] = tantivy.Query.term_query(schema, "division", filters["division"])
        if "from" in filters or "to" in filters:
            low, high = filters.get("from"), filters.get("to")
            own["year"] = tantivy.Query.range_query(schema, "year", tantivy.FieldType.Integer,
                                                    int(low) if low else None, int(high) if high else None)
        return own

    def facets(self, words: tantivy.Query, own: dict[str, tantivy.Query]) -> dict[str, dict[str, int]]:
        """Counts per value over every match, each facet under all filters but its own (as ours).

        Facets that share a scope (those without a filter of their own) are counted in one aggregate() call.
        """
        scopes: dict[tuple[str, ...], list[str]] = {}
        for name in FACETS:
            scopes.setdefault(tuple(sorted(set(own) - {name})), []).append(name)
        counts = {}
        for scope, names in scopes.items():
            spec = {name: {"terms": {"field": name, "size": 100_000}} for name in names}
            answer = self.searcher.aggregate(_all([words, *(own[s] for s in scope)]), spec)
            for name in names:
                counts[name] = {_key(b["key"]): b["doc_count"] for b in answer[name]["buckets"]}
        return counts

    def _pages(self, text: str, doc_ids: list[int]) -> tuple[dict, dict]:
        """The hits' matching pages (one search of the page index, best BM25 first), snippets for the best 3."""
        if not doc_ids:
            return {}, {}
        words = self.text_query(text, on_pages=True)
        within = tantivy.Query.term_set_query(self.pages.schema, "doc_id", doc_ids)
        found = self.page_searcher.search(_all([words, within]), limit=HITS * self.most_pages, count=False)
        addresses = [address for _, address in found.hits]
        owners = self.page_searcher.fast_field_values("doc_id", addresses)
        numbers = self.page_searcher.fast_field_values("page_no", addresses)
        by_doc: dict[int, list] = {doc_id: [] for doc_id in doc_ids}
        for owner, number, address in zip(owners, numbers, addresses):
            by_doc[owner].append((number, address))
        generator = tantivy.SnippetGenerator.create(self.page_searcher, words, self.pages.schema, "text")
        snippets = {doc_id: [(number, generator.snippet_from_doc(self.page_searcher.doc(address)).to_html())
                             for number, address in best[:PAGES_PER_HIT]] for doc_id, best in by_doc.items()}
        return snippets, {doc_id: [number for number, _ in best] for doc_id, best in by_doc.items()}


def _expanded(searcher: tantivy.Searcher, schema: tantivy.Schema, fields: list[str], prefix: str) -> tantivy.Query:
    """prefix* as the terms of the fields that start with it, any of them."""
    terms = [(field, term) for field in fields for term, _ in searcher.terms_with_prefix(field, prefix)]
    if not terms:
        return tantivy.Query.empty_query()
    return _any([tantivy.Query.term_query(schema, field, term) for field, term in terms])


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _all(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _key(value) -> str:
    """A bucket key as ours names facet values: the year as digits (tantivy may give it as a float)."""
    return str(int(value)) if isinstance(value, float) else str(value)


def open_peer(data) -> Peer:
    build_tantivy(data)
    return Peer(_folder(data))


def tantivy_search(data, queries) -> dict:
    """p50/p95/p99/max of tantivy answering the queries as ours does (warmed on the first 20, as ours),
    and the same per query kind under "by_kind"."""
    from bench.bench_search import percentiles, warm_page_cache  # here: imported by bench_search only for --tantivy

    warm_page_cache(_folder(data))  # as ours: its index in the page cache, as on a server in steady state
    peer = open_peer(data)
    for _, q, f in queries[:20]:
        peer.search(q, f)
    times, by_kind = [], {}
    for kind, q, f in queries:
        started = time.perf_counter()
        results = peer.search(q, f)
        elapsed = time.perf_counter() - started
        assert results.facets["doc_type"] or results.total == 0
        times.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
    return {**percentiles(times), "by_kind": {kind: percentiles(v) for kind, v in by_kind.items()}}


def our_facets(results) -> dict[str, dict[str, int]]:
    """Our SearchResults' facet counts in the peer's shape (values with a count only)."""
    return {name: {fv.value: fv.count for fv in values if fv.count} for name, values in results.facets.items()}


def agreement(data, queries) -> str:
    """How often tantivy finds what ours finds: the same total, the same facet counts (by query kind).

    The two differ by design in a few places: Whoosh's stop filter renumbers positions, so our phrase
    "report award" also finds "report of the award"; and ours expands prefix* over the unstemmed words,
    tantivy here over its stemmed terms.
    """
    from archive.catalog import Catalog
    from bench.bench_search import to_request
    from indexer.search.searcher import ArchiveSearcher

    peer = open_peer(data)
    totals: dict[str, list[int]] = {}
    with Catalog(data.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        try:
            for kind, q, f in queries:
                ours, theirs = searcher.search(to_request(q, f)), peer.search(q, f)
                same = totals.setdefault(kind, [0, 0, 0])
                same[0] += ours.total == theirs.total
                same[1] += our_facets(ours) == theirs.facets
                same[2] += 1
        finally:
            searcher.close()
    kinds = ", ".join(f"{kind} {t}/{f}/{n}" for kind, (t, f, n) in totals.items())
    total, facets = (sum(v[i] for v in totals.values()) for i in (0, 1))
    return (f"tantivy agrees with ours on the total for {total} of {len(queries)} queries and on every facet "
            f"count for {facets} (by kind, total/facets/queries: {kinds})")
