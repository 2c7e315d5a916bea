"""Per-document values of one index generation as arrays: facet codes, years, sort keys, field lengths.

Built once when a searcher opens a new generation (a few ms per 10,000 documents) and then shared by
every query, so facet counts, the timeline, filters and sorting are array operations, not Python loops
over the matches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

from indexer.search.schema import FACET_FIELDS

TEXT_FIELDS = ("title", "content")


@dataclass(frozen=True)
class Column:
    """One facet field: a small integer code per document and the value each code stands for."""

    codes: np.ndarray  # int32 per docnum; -1 where the document has no value
    values: tuple[str, ...]

    def code_of(self, value: str) -> int:
        try:
            return self.values.index(value)
        except ValueError:
            return -1

    def mask_of(self, selected: tuple[str, ...]) -> np.ndarray:
        """True for documents whose value is any of `selected` (OR within one facet)."""
        codes = [c for c in map(self.code_of, selected) if c >= 0]
        return np.isin(self.codes, np.array(codes, dtype=np.int32))


@dataclass(frozen=True)
class Columns:
    size: int  # docnums run from 0 to size - 1
    live: np.ndarray  # bool: not deleted
    facets: dict[str, Column]
    year: np.ndarray  # int32, 0 when unknown
    newest: np.ndarray  # int64 sort key YYYYMMDD
    title_rank: np.ndarray  # int32 rank of the title sort key
    doc_id: np.ndarray  # int64 catalog id per docnum
    lengths: dict[str, np.ndarray]  # float32 field length per docnum, for scoring
    avg_length: dict[str, float]


def _sortable_values(reader: IndexReader, name: str, size: int) -> list:
    if size == 0:  # an index with no documents yet has no columns (Whoosh raises NotImplementedError)
        return []
    column = reader.column_reader(name)
    return [column[i] for i in range(size)]


def _facet_column(reader: IndexReader, name: str, size: int) -> Column:
    raw = _sortable_values(reader, name, size)
    values = tuple(sorted({_text(v) for v in raw if v not in (None, b"", "")}))
    index = {v: i for i, v in enumerate(values)}
    codes = np.fromiter((index.get(_text(v), -1) if v else -1 for v in raw), dtype=np.int32, count=size)
    return Column(codes, values)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _ranks(values: list) -> np.ndarray:
    order = sorted(range(len(values)), key=lambda i: _text(values[i] or b""))
    ranks = np.empty(len(values), dtype=np.int32)
    ranks[order] = np.arange(len(values), dtype=np.int32)
    return ranks


def load_columns(reader: IndexReader) -> Columns:
    """Read every per-document value the search needs from one reader (one index generation)."""
    size = reader.doc_count_all()
    live = np.ones(size, dtype=bool)
    if reader.has_deletions():
        deleted = [i for i in range(size) if reader.is_deleted(i)]
        live[deleted] = False
    facets = {name: _facet_column(reader, name, size) for name in FACET_FIELDS}
    years = facets["year"]
    year_numbers = np.array([int(v) if v.isdigit() else 0 for v in years.values] + [0], dtype=np.int32)
    doc_ids = _stored_ids(reader, size)
    lengths = {f: _field_lengths(reader, f, size) for f in TEXT_FIELDS}
    avg = {f: float(lengths[f][live].mean()) if live.any() else 1.0 for f in TEXT_FIELDS}
    return Columns(size, live, facets, year_numbers[years.codes], _newest(reader, size),
                   _ranks(_sortable_values(reader, "title_sort", size)), doc_ids, lengths,
                   {f: max(a, 1.0) for f, a in avg.items()})


def _field_lengths(reader: IndexReader, field: str, size: int) -> np.ndarray:
    """Words per document in `field`; 0 for a document without any.

    Whoosh answers None (not the default) for a document that has no words in the field, such as a
    scan without a text layer; as a float that is NaN, which made every BM25 score NaN.
    """
    return np.array([reader.doc_field_length(i, field, 0) or 0 for i in range(size)], dtype=np.float32)


def _newest(reader: IndexReader, size: int) -> np.ndarray:
    return np.array([v or 0 for v in _sortable_values(reader, "newest", size)], dtype=np.int64)


def _stored_ids(reader: IndexReader, size: int) -> np.ndarray:
    """Catalog id per docnum (-1 for deleted documents), from the id column."""
    raw = _sortable_values(reader, "id", size)
    return np.array([int(_text(v)) if v else -1 for v in raw], dtype=np.int64)
