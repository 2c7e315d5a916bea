"""Per-document values of one index generation as arrays: facet codes, years, sort keys, field lengths.

Built once when a searcher opens a new generation (a few ms per 10,000 documents) and then shared by
every query, so facet counts, the timeline, filters and sorting are array operations, not Python loops
over the matches.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

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

    def counts_in(self, docnums: np.ndarray) -> np.ndarray:
        """How many of these documents hold each value, in the order of `values`."""
        return np.bincount(self.codes[docnums] + 1, minlength=len(self.values) + 1)[1:]  # code -1 counts in slot 0

    def mask_of(self, selected: tuple[str, ...]) -> np.ndarray:
        """True for documents whose value is any of `selected` (OR within one facet)."""
        # A lookup table indexed by code: one gather, where np.isin sorted the whole column (~2 ms at
        # 50,000 documents, and every search asks for the access mask). Code -1 reads the last slot.
        table = np.zeros(len(self.values) + 1, dtype=bool)
        table[[c for c in map(self.code_of, selected) if c >= 0]] = True
        return table[self.codes]


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
    """Every document's value of a sortable field, read a segment's column at a time (not a value at a
    time, with a seek and a read each: at 10,000 documents that was most of the half second a new
    generation took to open)."""
    if size == 0:  # an index with no documents yet has no columns (Whoosh raises NotImplementedError)
        return []
    values: list = []
    for leaf, _ in reader.leaf_readers():
        if leaf.has_column(name):
            values.extend(_leaf_values(leaf, name))
        else:
            values.extend([None] * leaf.doc_count_all())
    return values


def _padded(values: np.ndarray, size: int, default) -> np.ndarray:
    """A fixed-width column holds values up to the last document that had one; the rest read as the default."""
    if len(values) >= size:
        return values[:size]
    return np.concatenate([values, np.full(size - len(values), default, dtype=values.dtype)])


def _leaf_values(leaf, name: str) -> list:
    """One segment's column in bulk: its data read at once and cut up, where the column type allows.

    Whoosh's column readers seek and read once per document. Its variable-bytes column (our ID fields) is
    the values one after another followed by their lengths; its numeric column is big-endian numbers.
    Text comes back as its UTF-8 bytes (decoded once per distinct value by the callers), numbers as ints.
    """
    raw = leaf.column_reader(name, translate=False)
    if isinstance(raw, VarBytesColumn.Reader):
        lengths = np.asarray(raw._lengths, dtype=np.int64)
        starts = np.asarray(raw._offsets, dtype=np.int64)
        data = raw._dbfile.get(raw._basepos, int((starts + lengths).max(initial=0)))
        return [data[a:b] for a, b in zip(starts.tolist(), (starts + lengths).tolist())]  # UTF-8 bytes
    if isinstance(raw, NumericColumn.Reader) and raw._typecode not in "qQ":
        data = raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen)
        numbers = _padded(np.frombuffer(data, dtype=">" + raw._typecode), leaf.doc_count_all(), raw._default).tolist()
        return [leaf.schema[name].from_column_value(n) for n in numbers]
    return list(leaf.column_reader(name))  # another column type: Whoosh's own reading


def _facet_column(reader: IndexReader, name: str, size: int) -> Column:
    raw = _sortable_values(reader, name, size)
    distinct = {v for v in raw if v}  # a few values, each decoded once
    values = tuple(sorted({_text(v) for v in distinct}))
    index = {v: i for i, v in enumerate(values)}
    code_of = {v: index[_text(v)] for v in distinct}
    codes = np.fromiter(map(code_of.get, raw, repeat(-1)), dtype=np.int32, count=size)
    return Column(codes, values)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _ranks(values: list) -> np.ndarray:
    # UTF-8 bytes sort in the order of their text (code point order), so bytes need no decoding here.
    keys = [(v.encode("utf-8") if isinstance(v, str) else v) or b"" for v in values]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = np.empty(len(values), dtype=np.int32)
    ranks[order] = np.arange(len(values), dtype=np.int32)
    return ranks


def load_columns(reader: IndexReader) -> Columns:
    """Read every per-document value the search needs from one reader (one index generation)."""
    size = reader.doc_count_all()
    live = np.ones(size, dtype=bool)
    if reader.has_deletions():
        for leaf, offset in reader.leaf_readers():  # each segment keeps its own set of deleted numbers
            live[[offset + i for i in leaf.segment().deleted_docs()]] = False
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
    if size == 0:  # an index with no documents yet: Whoosh's empty reader has no columns
        return np.zeros(0, dtype=np.float32)
    parts = []
    for leaf, _ in reader.leaf_readers():
        name = f"_{field}_len"  # the W3 codec's length column: one byte per document, 0 for none
        if leaf._perdoc.has_column(name):
            raw = leaf._perdoc.column_reader(name, LENGTHS_COLUMN)  # one byte per document, read at once
            parts.append(_padded(np.frombuffer(raw._dbfile.get(raw._basepos, raw._count), dtype=np.uint8),
                                 leaf.doc_count_all(), 0))
        else:
            parts.append(np.zeros(leaf.doc_count_all(), dtype=np.uint8))
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
    return _BYTE_LENGTHS[codes]


# The length each length byte stands for (0 for 0: no words), as `doc_field_length` answers it.
_BYTE_LENGTHS = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float32)


def _newest(reader: IndexReader, size: int) -> np.ndarray:
    return np.array([v or 0 for v in _sortable_values(reader, "newest", size)], dtype=np.int64)


def _stored_ids(reader: IndexReader, size: int) -> np.ndarray:
    """Catalog id per docnum (-1 for deleted documents), from the id column."""
    raw = _sortable_values(reader, "id", size)
    return np.array([int(v) if v else -1 for v in raw], dtype=np.int64)  # int() reads bytes and text
