"""Whoosh segments written in bulk, and merged by streaming sorted terms: the index's only writing path.

Whoosh's own writer files every posting as a Python tuple in a pool, sorts runs of them on disk, merges
the runs and encodes a posting at a time: about 60% of its indexing time, and all of a merge's. Here a
batch of documents becomes one segment directly:

- each field's postings are put in (term, document) order by one numpy sort;
- the blocks are cut, and their statistics taken, by numpy over the whole field; what is left per block
  is one pickle and one zlib call, both C;
- the per-document data (stored fields, columns, field lengths) goes through Whoosh's own per-document
  writer, which costs a few calls per document, not per posting.

The files are Whoosh's W3 format byte for byte where it matters (block layout, term info, hash table):
readers are Whoosh's own, and `tests/indexer/search/test_segments.py` checks that an index written this
way answers every query kind exactly as one written by Whoosh's writer.

A merge reads each source segment's terms in order and copies their postings under the new document
numbers (dropping deleted documents), re-cutting blocks only; it never analyses or pools anything.
"""
from __future__ import annotations

import heapq
import itertools
import pickle
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass
from io import BytesIO
from typing import Iterable, Iterator, Sequence

import numpy as np
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.formats import Positions
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte

from indexer.search.tokens import AnalysedText

BLOCK = 128  # postings per block (the W3 codec's blocklimit)
COMPRESSION = 3  # zlib level of block data (the W3 codec's)
CHUNK_POSTINGS = 1_000_000  # a merge encodes this many postings at a time, bounding its memory
INDEX_NAME = "MAIN"
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's fixed part: flags, weight, df, lengths, max weight, ids
_NO_LENGTH = 256  # larger than any length byte: "no length" when taking a minimum


@dataclass
class SortedPostings:
    """Postings of consecutive terms of one field, by term then document.

    `values` is None for a format without values (Existence), bytes of `width` bytes per posting for a
    fixed-size format (Frequency), or a list of one bytes object per posting (positions).
    """

    terms: list[bytes]
    starts: np.ndarray  # int64, len(terms) + 1: term i holds postings starts[i]:starts[i + 1]
    docs: np.ndarray  # int64 document numbers in the segment being written
    weights: np.ndarray  # float32
    values: None | bytes | list[bytes]
    width: int  # bytes per value when fixed; -1 when variable


# -- writing a segment from documents -----------------------------------------------------------------------


def write_segment(storage: Storage, schema: Schema, docs: Sequence[dict]):
    """One new segment of `docs` (field dicts as `IndexWriter.add_document` takes them) in `storage`.

    A text field may be given as `AnalysedText` (made in a worker by `indexer.search.tokens`); other values
    are indexed by the field itself, as Whoosh's writer would.
    """
    codec = default_codec()
    segment = codec.new_segment(storage, INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)
    fields: dict[str, _FieldBuffer] = defaultdict(_FieldBuffer)
    lengths: dict[str, np.ndarray] = {}
    for docnum, values in enumerate(docs):
        perdoc.start_doc(docnum)
        for name in sorted(values):
            _add_field(schema, name, values[name], docnum, perdoc, fields, lengths, len(docs))
        perdoc.finish_doc()
    perdoc.close()
    segment.set_doc_count(len(docs))
    with _SegmentFiles(storage, segment) as files:
        for name in sorted(fields):
            files.write_field(name, [fields[name].sorted(schema[name].format)], lengths.get(name))
    return segment


def _add_field(schema: Schema, name: str, value, docnum: int, perdoc, fields: dict, lengths: dict,
               doccount: int) -> None:
    """One field of one document, as `SegmentWriter.add_document` files it."""
    if value is None:
        return
    field = schema[name]
    length = 0
    if field.indexed:
        if isinstance(value, AnalysedText):
            fields[name].add_analysed(docnum, value)
            length = value.length
        else:
            for tbytes, freq, weight, vbytes in field.index(value):
                fields[name].add(tbytes, docnum, weight, vbytes)
                length += freq
        if not field.scorable:
            length = 0
        elif length:
            lengths.setdefault(name, np.zeros(doccount, dtype=np.uint8))[docnum] = length_to_byte(length)
    if field.separate_spelling():
        words = value.words if isinstance(value, AnalysedText) else field.spellable_words(value)
        fields[field.spelling_fieldname(name)].add_words(words)
    perdoc.add_field(name, field, value if field.stored else None, length)
    if field.column_type is not None:
        perdoc.add_column_value(name, field.column_type, field.to_column_value(value))


class _FieldBuffer:
    """One field's postings of a new segment, gathered document by document, then sorted at once."""

    def __init__(self) -> None:
        self.analysed: list[tuple[int, AnalysedText]] = []
        self.loose: list[tuple[bytes, int, float, bytes]] = []
        self.words: set[str] = set()

    def add_analysed(self, docnum: int, text: AnalysedText) -> None:
        self.analysed.append((docnum, text))

    def add(self, tbytes: bytes, docnum: int, weight: float, vbytes: bytes) -> None:
        self.loose.append((tbytes, docnum, weight, vbytes))

    def add_words(self, words: Iterable[str]) -> None:
        self.words.update(words)

    def sorted(self, fmt) -> SortedPostings:
        if self.words:  # a spelling word list: only its terms are read (one posting each, in document 0)
            self.loose = [(w.encode("utf-8"), 0, 1.0, pack_uint(1)) for w in self.words]
        if self.analysed:
            return _sorted_analysed(self.analysed, fmt)
        return _sorted_loose(self.loose, fmt)


def _sorted_loose(items: list[tuple[bytes, int, float, bytes]], fmt) -> SortedPostings:
    items.sort(key=lambda item: (item[0], item[1]))
    terms, firsts = [], []
    for i, item in enumerate(items):
        if not terms or item[0] != terms[-1]:
            terms.append(item[0])
            firsts.append(i)
    docs = np.fromiter((item[1] for item in items), dtype=np.int64, count=len(items))
    weights = np.fromiter((item[2] for item in items), dtype=np.float32, count=len(items))
    width = _width(fmt)
    values = [item[3] for item in items]
    return SortedPostings(terms, np.array([*firsts, len(items)], dtype=np.int64), docs, weights,
                          None if width == 0 else (b"".join(values) if width > 0 else values), width)


def _sorted_analysed(analysed: list[tuple[int, AnalysedText]], fmt) -> SortedPostings:
    """Every document's terms ranked in one sorted vocabulary, then one stable sort: documents stay in order."""
    all_terms = list(itertools.chain.from_iterable(text.terms for _, text in analysed))
    vocabulary = sorted(set(all_terms))
    rank = {term: i for i, term in enumerate(vocabulary)}
    term_ids = np.fromiter(map(rank.__getitem__, all_terms), dtype=np.int64, count=len(all_terms))
    per_doc = np.array([len(text.terms) for _, text in analysed], dtype=np.int64)
    docs = np.repeat(np.array([d for d, _ in analysed], dtype=np.int64), per_doc)
    freqs = np.concatenate([text.freqs for _, text in analysed]).astype(np.int64)
    order = np.argsort(term_ids, kind="stable")
    starts = np.searchsorted(term_ids[order], np.arange(len(vocabulary) + 1))
    weights = (freqs[order] * fmt.field_boost).astype(np.float32)
    width = _width(fmt)
    if isinstance(fmt, Positions):
        positions = np.concatenate([text.positions for _, text in analysed])
        encoded = packed_positions(positions, freqs)
        values: None | bytes | list[bytes] = [encoded[i] for i in order.tolist()]
    elif width == 4:  # Frequency: each posting's count as a big-endian unsigned int
        values = freqs[order].astype(">u4").tobytes()
    else:
        values = None
    return SortedPostings(vocabulary, starts.astype(np.int64), docs[order], weights, values, width)


def _width(fmt) -> int:
    size = fmt.fixed_value_size()
    return -1 if size is None else size


def packed_positions(positions: np.ndarray, counts: np.ndarray) -> list[bytes]:
    """`PackedPositions` values of many postings at once: a big-endian count, a width byte (2 or 4), then
    the little-endian deltas from the posting's previous position (the first from 0)."""
    n = len(counts)
    if not n:
        return []
    ends_tok = np.cumsum(counts)
    firsts = ends_tok - counts
    pos = positions.astype(np.int64)
    deltas = np.empty_like(pos)
    deltas[0] = pos[0]
    deltas[1:] = pos[1:] - pos[:-1]
    deltas[firsts] = pos[firsts]
    width = np.where(np.maximum.reduceat(deltas, firsts) > 0xFFFF, 4, 2)
    sizes = 5 + counts * width
    ends = np.cumsum(sizes)
    starts = ends - sizes
    buf = np.zeros(int(ends[-1]), dtype=np.uint8)
    buf[(starts[:, None] + np.arange(4)).ravel()] = counts.astype(">u4").view(np.uint8)
    buf[starts + 4] = width
    for w, dtype in ((2, "<u2"), (4, "<u4")):
        chosen = width == w
        if not chosen.any():
            continue
        data = deltas[np.repeat(chosen, counts)].astype(dtype).view(np.uint8)
        spans = counts[chosen] * w
        first_byte = np.repeat(starts[chosen] + 5, spans)
        within = np.arange(len(data)) - np.repeat(np.cumsum(spans) - spans, spans)
        buf[first_byte + within] = data
    blob = buf.tobytes()
    return [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


# -- the files of a segment ----------------------------------------------------------------------------------


class _SegmentFiles:
    """The terms table (.trm) and postings (.pst) of a new segment, written field by field in sorted order."""

    def __init__(self, storage: Storage, segment) -> None:
        self.terms = OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        self.fieldmap = self.terms.extras["fieldmap"] = {}
        self.postfile = segment.create_file(storage, W3Codec.POSTS_EXT)
        self.offset = self.postfile.tell()

    def __enter__(self) -> "_SegmentFiles":
        return self

    def __exit__(self, *exc) -> None:
        self.terms.close()
        self.postfile.close()

    def write_field(self, name: str, chunks: Iterable[SortedPostings], lengths: np.ndarray | None) -> float:
        """Postings of one field, chunks in term order; `lengths` are the documents' length bytes.
        Returns the sum of the weights written."""
        prefix = pack_ushort(self.fieldmap.setdefault(name, len(self.fieldmap)))
        weight = 0.0
        for chunk in chunks:
            if chunk.terms:
                self._write_chunk(prefix, chunk, lengths)
                weight += float(chunk.weights.astype(np.float64).sum())
        return weight

    def _write_chunk(self, prefix: bytes, p: SortedPostings, lengths: np.ndarray | None) -> None:
        counts = np.diff(p.starts)
        nblocks = (counts + BLOCK - 1) // BLOCK
        block_term = np.repeat(np.arange(len(p.terms)), nblocks)
        nth = np.arange(len(block_term)) - np.repeat(np.cumsum(nblocks) - nblocks, nblocks)
        bstart = p.starts[block_term] + BLOCK * nth
        bend = np.minimum(bstart + BLOCK, p.starts[block_term + 1])
        # Block statistics for the whole chunk at once (Whoosh's block info and term info).
        deltas = np.empty_like(p.docs)
        deltas[1:] = p.docs[1:] - p.docs[:-1]
        deltas[bstart] = p.docs[bstart]
        lens = lengths[p.docs] if lengths is not None else np.zeros(len(p.docs), dtype=np.uint8)
        masked = np.where(lens > 0, lens.astype(np.int64), _NO_LENGTH)
        block_min, block_max = np.minimum.reduceat(masked, bstart), np.maximum.reduceat(lens, bstart)
        block_maxw = np.maximum.reduceat(p.weights, bstart)
        ones = np.logical_and.reduceat(p.weights == 1.0, bstart)
        same = np.logical_and.reduceat(p.weights == np.repeat(p.weights[bstart], bend - bstart), bstart)
        term_first = p.starts[:-1]
        term_weight = np.add.reduceat(p.weights.astype(np.float64), term_first)
        term_maxw = np.maximum.reduceat(p.weights, term_first)
        term_min, term_max = np.minimum.reduceat(masked, term_first), np.maximum.reduceat(lens, term_first)
        first_id, last_id = p.docs[term_first], p.docs[p.starts[1:] - 1]

        out: list[bytes] = []
        dl, wl = deltas.tolist(), p.weights.tolist()
        last_ids, bmaxw = p.docs[bend - 1].tolist(), block_maxw.tolist()
        bmin, bmax = block_min.tolist(), block_max.tolist()
        ones_l, same_l = ones.tolist(), same.tolist()
        bterm, bs, be = block_term.tolist(), bstart.tolist(), bend.tolist()
        term_offsets = [0] * len(p.terms)
        position = self.offset
        for b, (t, s, e) in enumerate(zip(bterm, bs, be)):
            if s == p.starts[t]:  # the first block of a term starts with the codec's tag
                term_offsets[t] = position
                out.append(WHOOSH3_HEADER_MAGIC)
                position += 4
            weights = None if ones_l[b] else (wl[s] if same_l[b] else tuple(wl[s:e]))
            data = zlib.compress(pickle.dumps((tuple(dl[s:e]), weights, _block_values(p, s, e)), 2), COMPRESSION)
            info = pickle.dumps((e - s, last_ids[b], bmaxw[b], COMPRESSION, _byte(bmin[b]), bmax[b]), 2)
            size = len(info) + len(data)
            last = e == p.starts[t + 1]
            out += (pack_int(-size if last else size), info, data)
            position += 4 + size
        self.postfile.write(b"".join(out))
        ends = term_offsets[1:] + [position]
        for t, term in enumerate(p.terms):
            info = _TERMINFO.pack(0, float(term_weight[t]), int(counts[t]), _byte(int(term_min[t])),
                                  int(term_max[t]), float(term_maxw[t]), int(first_id[t]), int(last_id[t]))
            self.terms.add(prefix + term, info + pack_long(term_offsets[t]) + pack_int(ends[t] - term_offsets[t]))
        self.offset = position


def _byte(length_byte: int) -> int:
    return 0 if length_byte == _NO_LENGTH else length_byte


def _block_values(p: SortedPostings, s: int, e: int):
    if p.values is None:
        return None
    if p.width > 0:
        return p.values[s * p.width:e * p.width]
    return tuple(p.values[s:e])


# -- merging segments ----------------------------------------------------------------------------------------


@dataclass
class Source:
    """A segment to merge and the storage that holds it."""

    storage: Storage
    segment: object


def merge_segments(sources: Sequence[Source], storage: Storage, schema: Schema):
    """One new segment in `storage` holding the live documents of `sources`, in order; None if none is live."""
    readers = [SegmentReader(src.storage, schema, src.segment) for src in sources]
    try:
        docmaps, total = _docmaps(readers)
        if not total:
            return None
        codec = default_codec()
        segment = codec.new_segment(storage, INDEX_NAME)
        lengths = _copy_per_doc(readers, codec.per_document_writer(storage, segment), schema, total)
        segment.set_doc_count(total)
        totals = {}
        with _SegmentFiles(storage, segment) as files:
            for name in sorted({name for r in readers for name in r._terms.indexed_field_names()}):
                if name in schema:
                    field = schema[name]
                    weight = files.write_field(name, _merged_terms(readers, docmaps, name, field), lengths.get(name))
                    if field.scorable and weight:
                        totals[name] = round(weight / field.format.field_boost)
        # A field's length is the sum of its terms' counts: taken from the live postings, it stays exact
        # when documents were deleted (their own lengths are only kept rounded, in a byte).
        segment._fieldlengths = totals
        return segment
    finally:
        for reader in readers:
            reader.close()


def _docmaps(readers: list[SegmentReader]) -> tuple[list[np.ndarray], int]:
    """For each source, its documents' numbers in the merged segment (-1: deleted)."""
    maps, base = [], 0
    for reader in readers:
        live = np.ones(reader.doc_count_all(), dtype=bool)
        live[list(reader.segment().deleted_docs())] = False
        numbers = np.where(live, base + np.cumsum(live) - 1, -1)
        maps.append(numbers)
        base += int(live.sum())
    return maps, base


def _copy_per_doc(readers: list[SegmentReader], perdoc, schema: Schema, total: int) -> dict[str, np.ndarray]:
    """Stored fields, columns and field lengths of the live documents, as Whoosh's merge copies them;
    returns each scorable field's length bytes by new document number."""
    names = sorted(schema.names())
    lengths = {name: np.zeros(total, dtype=np.uint8) for name in names if schema[name].scorable}
    docnum = 0
    for reader in readers:
        columns = {name: reader.column_reader(name, schema[name].column_type) for name in names
                   if schema[name].column_type is not None and reader.has_column(name)}
        columns = {name: (c.raw_column() if hasattr(c, "raw_column") else c) for name, c in columns.items()}
        for old, stored in reader.iter_docs():
            perdoc.start_doc(docnum)
            for name in names:
                field = schema[name]
                length = reader.doc_field_length(old, name) if field.scorable else 0
                perdoc.add_field(name, field, stored.get(name), length)
                if length:
                    lengths[name][docnum] = length_to_byte(length)
                if name in columns:
                    perdoc.add_column_value(name, field.column_type, columns[name][old])
            perdoc.finish_doc()
            docnum += 1
    perdoc.close()
    return lengths


def _merged_terms(readers: list[SegmentReader], docmaps: list[np.ndarray], name: str,
                  field) -> Iterator[SortedPostings]:
    """The field's terms from every source in order, postings renumbered, in chunks of bounded size."""
    spelling = name.startswith("spell_")
    width = _width(field.format)
    streams = [_field_items(r, name, i) for i, r in enumerate(readers)]
    chunk = _Chunk(width)
    for term, group in itertools.groupby(heapq.merge(*streams, key=lambda x: (x[0], x[1])), key=lambda x: x[0]):
        if spelling:
            chunk.add(term, np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.float32), pack_uint(1))
        else:
            parts = [_read_postings(readers[i], info, width, docmaps[i]) for _, i, info in group]
            docs = np.concatenate([d for d, _, _ in parts])
            if len(docs):
                chunk.add(term, docs, np.concatenate([w for _, w, _ in parts]), _join_values([v for _, _, v in parts]))
        if chunk.size >= CHUNK_POSTINGS:
            yield chunk.done()
            chunk = _Chunk(width)
    yield chunk.done()


def _field_items(reader: SegmentReader, name: str, i: int) -> Iterator[tuple[bytes, int, W3TermInfo]]:
    """(term, source number, term info) of one field of one source, in term order."""
    items = reader._terms.items_from(name, b"")
    for (fname, term), info in itertools.takewhile(lambda item: item[0][0] == name, items):
        yield term, i, info


class _Chunk:
    def __init__(self, width: int) -> None:
        self.width = width
        self.terms: list[bytes] = []
        self.starts = [0]
        self.docs: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.values: list = []
        self.size = 0

    def add(self, term: bytes, docs: np.ndarray, weights: np.ndarray, values) -> None:
        self.terms.append(term)
        self.size += len(docs)
        self.starts.append(self.size)
        self.docs.append(docs)
        self.weights.append(weights)
        if values is not None:
            self.values.append(values)

    def done(self) -> SortedPostings:
        empty = not self.terms
        docs = np.zeros(0, dtype=np.int64) if empty else np.concatenate(self.docs)
        weights = np.zeros(0, dtype=np.float32) if empty else np.concatenate(self.weights).astype(np.float32)
        if self.width == 0:
            values = None
        elif self.width > 0:
            values = b"".join(self.values)
        else:
            values = list(itertools.chain.from_iterable(self.values))
        return SortedPostings(self.terms, np.array(self.starts, dtype=np.int64), docs, weights, values, self.width)


def _join_values(parts: list):
    if parts[0] is None:
        return None
    if isinstance(parts[0], bytes):
        return b"".join(parts)
    return list(itertools.chain.from_iterable(parts))


def _read_postings(reader: SegmentReader, info: W3TermInfo, width: int, docmap: np.ndarray):
    """One term's postings in one source: (new document numbers, weights, values), deleted ones dropped."""
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        ids = np.array(ids, dtype=np.int64)
        weights = np.array(weights, dtype=np.float32)
        values = (b"".join(values) if width > 0 else list(values)) if width else None
    else:
        ids, weights, values = _read_blocks(reader._terms._postfile, info, width)
    new = docmap[ids]
    live = new >= 0
    if live.all():
        return new, weights, values
    keep = live.tolist()
    if width > 0:
        values = b"".join(values[i * width:(i + 1) * width] for i, k in enumerate(keep) if k)
    elif width < 0:
        values = list(itertools.compress(values, keep))
    return new[live], weights[live], values


def _read_blocks(postfile, info: W3TermInfo, width: int):
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length
    raw = BytesIO(postfile.get(offset, length))
    if raw.read(4) != WHOOSH3_HEADER_MAGIC:
        raise ValueError("a posting list without its block tag")
    ids, weights, values = [], [], []
    last = False
    while not last:
        size = struct.unpack("!i", raw.read(4))[0]
        last = size < 0
        start = raw.tell()
        count, _, _, compression, _, _ = pickle.load(raw)
        data = raw.read(abs(size) - (raw.tell() - start))
        block_ids, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
        ids.append(np.cumsum(np.array(block_ids, dtype=np.int64)))
        if block_weights is None:
            weights.append(np.ones(count, dtype=np.float32))
        elif isinstance(block_weights, float):
            weights.append(np.full(count, block_weights, dtype=np.float32))
        else:
            weights.append(np.array(block_weights, dtype=np.float32))
        if block_values is not None:
            values.append(block_values)
    values_out = None if width == 0 else (b"".join(values) if width > 0 else
                                          list(itertools.chain.from_iterable(values)))
    return np.concatenate(ids), np.concatenate(weights), values_out
