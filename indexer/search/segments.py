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
import mmap
import os
import pickle
import struct
import zlib
from array import array
from collections import defaultdict
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.fields import Schema, SpellField
from whoosh.filedb.filestore import Storage
from whoosh.formats import Positions
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte

from indexer.search.tokens import AnalysedText

BLOCK = 1024  # postings per block (Whoosh's writer cuts 128; its readers take any size)
ARRAY_FROM = 32  # postings: a block this long stores its ids and weights as arrays, not tuples of numbers
PICKLE_PROTOCOL = 3  # the first with native bytes and arrays; 4 and 5 add a frame header to every block
COMPRESSION = 3  # zlib level of block data (the W3 codec's)
COMPRESS_FROM = 100  # bytes: a smaller block is stored as it is (zlib would make it bigger, and cost ~10 us)
RECUT_BELOW = 256  # postings per run: a term with fewer on average is cut into full blocks when runs are joined
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


def write_segment(storage: Storage, schema: Schema, docs: Sequence[dict], first: int = 0):
    """One new segment of `docs` (field dicts as `IndexWriter.add_document` takes them) in `storage`.

    A text field may be given as `AnalysedText` (made in a worker by `indexer.search.tokens`); other values
    are indexed by the field itself, as Whoosh's writer would. With `first` > 0 the postings number the
    documents from `first` (a run of a rebuild: `merge_runs` joins runs by copying their postings).
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
    with _SegmentFiles(storage, segment, first) as files:
        for name in sorted(fields):
            if fields[name].words:
                files.write_words(name, sorted(word.encode("utf-8") for word in fields[name].words))
            else:
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
    the little-endian deltas from the posting's previous position (the first from 0).

    The postings are laid out one after another in one buffer, headers placed through a byte mask: an index
    per byte of the deltas (two int64 arrays the size of the buffer) cost the load's writer a third of its CPU
    and, at a batch's size, page faults for hundreds of MB."""
    n = len(counts)
    if not n:
        return []
    firsts = np.cumsum(counts) - counts
    pos = positions.astype(np.int64)
    deltas = np.empty_like(pos)
    deltas[0] = pos[0]
    np.subtract(pos[1:], pos[:-1], out=deltas[1:])
    deltas[firsts] = pos[firsts]
    width = np.where(np.maximum.reduceat(deltas, firsts) > 0xFFFF, 4, 2)
    sizes = 5 + counts * width
    ends = np.cumsum(sizes)
    starts = ends - sizes
    header = np.empty((n, 5), dtype=np.uint8)
    header[:, :4] = counts.astype(">u4").view(np.uint8).reshape(n, 4)
    header[:, 4] = width
    is_header = np.zeros(int(ends[-1]), dtype=bool)
    is_header[(starts[:, None] + np.arange(5)).ravel()] = True
    buf = np.empty(int(ends[-1]), dtype=np.uint8)
    buf[is_header] = header.ravel()
    buf[~is_header] = _delta_bytes(deltas, counts, width)
    blob = buf.tobytes()
    return [blob[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


def _delta_bytes(deltas: np.ndarray, counts: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Each posting's deltas at its width, little-endian, the postings one after another."""
    if (width == 2).all():
        return deltas.astype("<u2").view(np.uint8)
    wide = deltas.astype("<u4").view(np.uint8).reshape(-1, 4)
    return wide[np.repeat(width, counts)[:, None] > np.arange(4)]  # a narrow posting keeps 2 bytes of each 4


# -- the files of a segment ----------------------------------------------------------------------------------


class TermTable:
    """The terms file: Whoosh's ordered hash file (`filetables.OrderedHashWriter`), written in bulk.

    The same layout: a header, every (key, term info) in key order, 256 open-addressing hash tables, their
    directory, the extras pickle and the array of key positions. Whoosh's writer spends ~40 us a term on
    an MD5 hash, per-key file writes and a Python probe loop; here the CRC32 hash (the format's hash type
    1, which readers take from the header) is taken per key in C and the tables are filled with numpy.
    """

    HASH_TYPE = 1  # crc32 & 0xFFFFFFFF (whoosh.filedb.filetables._hash_functions)

    def __init__(self, dbfile) -> None:
        self.dbfile = dbfile
        self.extras: dict = {}
        dbfile.write(b"HSH3" + bytes([self.HASH_TYPE]) + pack_int(0) + pack_int(0))
        self.position = dbfile.tell()
        self.hashes: list[np.ndarray] = []
        self.positions: list[np.ndarray] = []
        self.last = b""

    def add_many(self, keys: list[bytes], values: list[bytes]) -> None:
        """Keys in increasing order, each after every key added before."""
        if not keys:
            return
        if keys[0] <= self.last and self.last:
            raise ValueError(f"keys must increase: {self.last!r}..{keys[0]!r}")
        self.last = keys[-1]
        sizes = np.fromiter((8 + len(k) + len(v) for k, v in zip(keys, values)), dtype=np.int64, count=len(keys))
        ends = self.position + np.cumsum(sizes)
        self.positions.append(ends - sizes)
        self.hashes.append(np.fromiter(map(zlib.crc32, keys), dtype=np.uint32, count=len(keys)))
        pack = _LENGTHS.pack
        self.dbfile.write(b"".join(pack(len(k), len(v)) + k + v for k, v in zip(keys, values)))
        self.position = int(ends[-1])

    def close(self) -> None:
        hashes = np.concatenate(self.hashes) if self.hashes else np.zeros(0, dtype=np.uint32)
        positions = np.concatenate(self.positions) if self.positions else np.zeros(0, dtype=np.int64)
        directory = []
        bucket_of = hashes & 255
        for bucket in range(256):
            chosen = bucket_of == bucket
            start = self.dbfile.tell()
            table = _hash_table(hashes[chosen], positions[chosen])
            directory.append(_DIR_ENTRY.pack(start, len(table)))
            self.dbfile.write(table.tobytes())
        self.dbfile.write(b"".join(directory))
        extras_at = self.dbfile.tell()
        typecode = "H" if len(positions) == 0 or positions.max() < 2 ** 16 else (
            "i" if positions.max() < 2 ** 31 else ("I" if positions.max() < 2 ** 32 else "q"))
        self.extras.update(indextype=typecode, indexlen=len(positions))
        self.dbfile.write(pickle.dumps(self.extras, -1))
        self.dbfile.write(positions.astype(">" + {"H": "u2", "i": "i4", "I": "u4", "q": "i8"}[typecode]).tobytes())
        self.dbfile.write(pack_int(self.dbfile.tell() - extras_at))
        self.dbfile.close()


_LENGTHS = struct.Struct("!ii")
_DIR_ENTRY = struct.Struct("!qi")
_SLOT = np.dtype([("hash", ">u4"), ("position", ">i8")])


def _hash_table(hashes: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """One bucket's open-addressing table of twice as many slots as keys; a key that finds its slot taken
    tries the next ones, as the reader probes. (Empty slots are (0, 0): no key is at position 0.)"""
    slots = 2 * len(hashes)
    table = np.zeros(slots, dtype=_SLOT)
    if not slots:
        return table
    taken = np.zeros(slots, dtype=bool)
    want = (hashes >> 8).astype(np.int64) % slots
    pending = np.arange(len(hashes))
    while len(pending):
        spot = want[pending]
        free = ~taken[spot]
        places, first = np.unique(spot[free], return_index=True)
        winners = pending[free][first]
        taken[places] = True
        table["hash"][places] = hashes[winners]
        table["position"][places] = positions[winners]
        placed = np.zeros(len(hashes), dtype=bool)
        placed[winners] = True
        pending = pending[~placed[pending]]
        want[pending] = (want[pending] + 1) % slots
    return table


class _SegmentFiles:
    """The terms table (.trm) and postings (.pst) of a new segment, written field by field in sorted order."""

    def __init__(self, storage: Storage, segment, first: int = 0) -> None:
        self.first = first  # the number postings give the segment's first document
        self.terms = TermTable(segment.create_file(storage, W3Codec.TERMS_EXT))
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
        self.terms.add_many([prefix + term for term in p.terms], self._encode(p, lengths))

    def _encode(self, p: SortedPostings, lengths: np.ndarray | None) -> list[bytes]:
        """Write the chunk's posting blocks at the end of the postings file; returns each term's info."""
        counts = np.diff(p.starts)
        nblocks = (counts + BLOCK - 1) // BLOCK
        block_term = np.repeat(np.arange(len(p.terms)), nblocks)
        nth = np.arange(len(block_term)) - np.repeat(np.cumsum(nblocks) - nblocks, nblocks)
        bstart = p.starts[block_term] + BLOCK * nth
        bend = np.minimum(bstart + BLOCK, p.starts[block_term + 1])
        # Block statistics for the whole chunk at once (Whoosh's block info and term info).
        docs = p.docs + self.first  # as numbered in the postings (a run's documents start at `first`)
        deltas = np.empty_like(docs)
        deltas[1:] = docs[1:] - docs[:-1]
        deltas[bstart] = docs[bstart]
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
        first_id, last_id = docs[term_first], docs[p.starts[1:] - 1]

        out: list[bytes] = []
        dl, wl = deltas.tolist(), p.weights.tolist()
        deltas16, deltas32, weights32 = deltas.astype(np.uint16), deltas.astype(np.uint32), p.weights.astype(np.float32)
        wide = np.maximum.reduceat(deltas, bstart) > 0xFFFF
        last_ids, bmaxw = docs[bend - 1].tolist(), block_maxw.tolist()
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
            if e - s < ARRAY_FROM:
                ids, weights = tuple(dl[s:e]), None if ones_l[b] else (wl[s] if same_l[b] else tuple(wl[s:e]))
            else:  # arrays pickle as their bytes and load ~6x faster than tuples; Whoosh's matchers take both
                ids = array("I", deltas32[s:e].tobytes()) if wide[b] else array("H", deltas16[s:e].tobytes())
                weights = None if ones_l[b] else (wl[s] if same_l[b] else array("f", weights32[s:e].tobytes()))
            data = pickle.dumps((ids, weights, _block_values(p, s, e)), PICKLE_PROTOCOL)
            # Positions are stored as they are: zlib saves a third of their bytes, but inflating them was
            # the largest cost of a phrase of two common words (~15 ms a word at 50,000 documents).
            compression = COMPRESSION if len(data) >= COMPRESS_FROM and p.width >= 0 else 0  # the reader checks the flag
            if compression:
                data = zlib.compress(data, compression)
            info = pickle.dumps((e - s, last_ids[b], bmaxw[b], compression, _byte(bmin[b]), bmax[b]), 2)
            size = len(info) + len(data)
            last = e == p.starts[t + 1]
            out += (pack_int(-size if last else size), info, data)
            position += 4 + size
        self.postfile.write(b"".join(out))
        ends = term_offsets[1:] + [position]
        pack = _TERMINFO.pack
        self.offset = position
        return [pack(0, w, n, _byte(lo), hi, mw, first, last) + pack_long(start) + pack_int(end - start)
                for w, n, lo, hi, mw, first, last, start, end in zip(
                    term_weight.tolist(), counts.tolist(), term_min.tolist(), term_max.tolist(), term_maxw.tolist(),
                    first_id.tolist(), last_id.tolist(), term_offsets, ends)]

    def concatenate(self, name: str, runs: list["_SourceTerms"], lengths: np.ndarray | None, width: int) -> None:
        """A field's terms from runs numbered one after another, in one pass over their sorted terms.

        A term's blocks are copied as they are, one run's after another, unless its runs hold few postings
        each: those are decoded and cut into full blocks again (in chunks, by `_encode`). A rarer word
        otherwise kept a small block from every run (a hundred at 50,000 documents), and reading a block
        costs ~15 us whatever its size."""
        prefix = pack_ushort(self.fieldmap.setdefault(name, len(self.fieldmap)))
        streams = [_tagged(run.field(name), i) for i, run in enumerate(runs)]
        keys, infos, out = [], [], []
        chunk, slots = _Chunk(width), []  # terms to re-cut, and where their infos go in `infos`
        for term, group in itertools.groupby(heapq.merge(*streams, key=lambda x: (x[0], x[1])),
                                             key=lambda x: x[0]):
            parts = [(runs[i].postings, info) for _, i, info in group]
            keys.append(prefix + term)
            if len(parts) > 1 and sum(_TERMINFO.unpack_from(info)[2] for _, info in parts) < RECUT_BELOW * len(parts):
                chunk.term(term)
                for postings, info in parts:
                    _read_postings(postings, info, 0, chunk)
                slots.append(len(infos))
                infos.append(b"")
                if chunk.size >= CHUNK_POSTINGS:
                    self._recut(chunk, slots, infos, out, lengths)  # writes and empties `out`
                    chunk, slots = _Chunk(width), []
            else:
                infos.append(self._copied(parts, out))
                if len(out) > 100_000:
                    self._flush(out)
                    out = []
        self._recut(chunk, slots, infos, out, lengths)
        self.terms.add_many(keys, infos)

    def _copied(self, parts: list[tuple[object, bytes]], out: list[bytes]) -> bytes:
        """A term's blocks from each run appended to `out` (written at self.offset onwards); its info."""
        stats = [_TERMINFO.unpack_from(info) for _, info in parts]
        pieces = [WHOOSH3_HEADER_MAGIC]
        for n, (postings, info) in enumerate(parts):
            offset, length = struct.unpack_from("!qi", info, _TERMINFO.size)
            pieces.append(_blocks(postings, offset, length, last=n == len(parts) - 1))
        lows = [lo for _, _, _, lo, _, _, _, _ in stats if lo]
        size = sum(map(len, pieces))
        info = _TERMINFO.pack(0, sum(f[1] for f in stats), sum(f[2] for f in stats), min(lows, default=0),
                              max(f[4] for f in stats), max(f[5] for f in stats), stats[0][6],
                              stats[-1][7]) + pack_long(self.offset) + pack_int(size)
        out += pieces
        self.offset += size
        return info

    def _flush(self, out: list[bytes]) -> None:
        self.postfile.write(b"".join(out))

    def _recut(self, chunk: "_Chunk", slots: list[int], infos: list[bytes], out: list[bytes],
               lengths: np.ndarray | None) -> None:
        """Write what was copied so far, then the gathered terms cut into full blocks, filling their infos."""
        self._flush(out)
        out.clear()
        if chunk.terms:
            for slot, info in zip(slots, self._encode(chunk.done(None), lengths)):
                infos[slot] = info

    def write_words(self, name: str, words: list[bytes]) -> None:
        """A spelling word list: every word's term info points at one shared posting (document 0), since
        only the words themselves are ever read."""
        prefix = pack_ushort(self.fieldmap.setdefault(name, len(self.fieldmap)))
        start = self.offset
        data = pickle.dumps(((0,), None, pack_uint(1)), 2)
        info = pickle.dumps((1, 0, 1.0, 0, 0, 0), 2)
        block = WHOOSH3_HEADER_MAGIC + pack_int(-(len(info) + len(data))) + info + data
        self.postfile.write(block)
        self.offset += len(block)
        shared = _TERMINFO.pack(0, 1.0, 1, 0, 0, 1.0, 0, 0) + pack_long(start) + pack_int(len(block))
        self.terms.add_many([prefix + word for word in words], [shared] * len(words))


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
        docmap, bases, total = _docmap(readers)
        if not total:
            return None
        codec = default_codec()
        segment = codec.new_segment(storage, INDEX_NAME)
        lengths = _copy_per_doc(readers, codec.per_document_writer(storage, segment), schema, total)
        segment.set_doc_count(total)
        terms = [_SourceTerms(src.storage, src.segment) for src in sources]
        totals = {}
        with _SegmentFiles(storage, segment) as files:
            for name in sorted({name for t in terms for name in t.fields}):
                field = schema[name] if name in schema else None
                if isinstance(field, SpellField):
                    files.write_words(name, sorted({term for t in terms for term, _ in t.field(name)}))
                elif field is not None:
                    chunks = _merged_terms(terms, docmap, bases, name, _width(field.format))
                    weight = files.write_field(name, chunks, lengths.get(name))
                    if field.scorable and weight:
                        totals[name] = round(weight / field.format.field_boost)
        # A field's length is the sum of its terms' counts: taken from the live postings, it stays exact
        # when documents were deleted (their own lengths are only kept rounded, in a byte).
        segment._fieldlengths = totals
        return segment
    finally:
        for reader in readers:
            reader.close()


def merge_runs(runs: Sequence[Source], storage: Storage, schema: Schema):
    """One segment of the runs of a rebuild, whose postings already number their documents as the merged
    segment will (`write_segment(..., first=...)`, in order, no deletions): a term's posting blocks are
    copied as they are, one run's after another, and the term infos combined; a rarer word's postings
    are cut into full blocks again (`_SegmentFiles.concatenate`)."""
    readers = [SegmentReader(run.storage, schema, run.segment) for run in runs]
    try:
        total = sum(r.doc_count_all() for r in readers)
        codec = default_codec()
        segment = codec.new_segment(storage, INDEX_NAME)
        lengths = _copy_per_doc(readers, codec.per_document_writer(storage, segment), schema, total)
        segment.set_doc_count(total)
        segment._fieldlengths = {name: sum(r.field_length(name) for r in readers)
                                 for name in schema.names() if schema[name].scorable}
        terms = [_SourceTerms(run.storage, run.segment) for run in runs]
        with _SegmentFiles(storage, segment) as files:
            for name in sorted({name for t in terms for name in t.fields}):
                if isinstance(schema[name], SpellField):
                    files.write_words(name, sorted({term for t in terms for term, _ in t.field(name)}))
                else:
                    files.concatenate(name, terms, lengths.get(name), _width(schema[name].format))
        return segment
    finally:
        for reader in readers:
            reader.close()


def _docmap(readers: list[SegmentReader]) -> tuple[np.ndarray, list[int], int]:
    """Every source document's number in the merged segment (-1: deleted), the sources one after another;
    where each source starts in that array; how many documents stay."""
    maps, bases, start, kept = [], [], 0, 0
    for reader in readers:
        live = np.ones(reader.doc_count_all(), dtype=bool)
        live[list(reader.segment().deleted_docs())] = False
        maps.append(np.where(live, kept + np.cumsum(live) - 1, -1))
        bases.append(start)
        start += len(live)
        kept += int(live.sum())
    return np.concatenate(maps) if maps else np.zeros(0, dtype=np.int64), bases, kept


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


class _SourceTerms:
    """A source segment's terms file read straight through, and its postings file, both mapped.

    Whoosh's reader fetches each key and value with a seek and a read (six calls a term); a merge reads
    every term, so the terms file's key/value area is walked instead. Its layout is the ordered hash
    file's: a 13-byte header, then (key length, value length, key, value) in key order, up to the first
    hash table, whose place the directory before the extras gives. A field's keys are contiguous; only
    where each field's keys begin and end is kept, and the terms are read when the merge reaches them
    (a rebuild of 50,000 documents joins a hundred runs: their terms would not all fit in memory).
    """

    def __init__(self, storage: Storage, segment) -> None:
        folder = Path(storage.folder)
        self.terms = _mapped(folder / segment.make_filename(W3Codec.TERMS_EXT))
        self.postings = _mapped(folder / segment.make_filename(W3Codec.POSTS_EXT))
        data = self.terms
        extras_length = struct.unpack_from("!i", data, len(data) - 4)[0]
        extras_at = len(data) - 4 - extras_length
        extras = pickle.loads(data[extras_at:])  # the index array after it is ignored by loads
        end = struct.unpack_from("!q", data, extras_at - 256 * _DIR_ENTRY.size)[0]
        names = {number: name for name, number in extras["fieldmap"].items()}
        self.spans: dict[str, list[int]] = {}
        pos, unpack = 13, _LENGTHS.unpack_from
        while pos < end:
            key_length, value_length = unpack(data, pos)
            name = names[int.from_bytes(data[pos + 8:pos + 10], "big")]
            span = self.spans.setdefault(name, [pos, pos])
            pos += 8 + key_length + value_length
            span[1] = pos
        self.fields = set(self.spans)

    def field(self, name: str) -> Iterator[tuple[bytes, bytes]]:
        """(term, term info) of one field, in term order (a key is the field's 2-byte number, then the term)."""
        return ((key[2:], value) for key, value in term_records(self.terms, *self.spans.get(name, (0, 0))))


def term_records(data, pos: int, end: int) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) of the records of an ordered hash file from `pos` to `end`, each stored as its key
    length, value length, key and value."""
    unpack = _LENGTHS.unpack_from
    while pos < end:
        key_length, value_length = unpack(data, pos)
        key_end = pos + 8 + key_length
        yield data[pos + 8:key_end], data[key_end:key_end + value_length]
        pos = key_end + value_length


def _mapped(path: Path) -> mmap.mmap | bytes:
    """A file mapped read-only (an empty file cannot be mapped: an empty buffer stands in)."""
    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _merged_terms(sources: list[_SourceTerms], docmap: np.ndarray, bases: list[int], name: str,
                  width: int) -> Iterator[SortedPostings]:
    """The field's terms from every source in order, postings renumbered, in chunks of bounded size."""
    streams = [_tagged(source.field(name), i) for i, source in enumerate(sources)]
    chunk = _Chunk(width)
    for term, group in itertools.groupby(heapq.merge(*streams, key=lambda x: (x[0], x[1])), key=lambda x: x[0]):
        chunk.term(term)
        for _, i, info in group:
            _read_postings(sources[i].postings, info, bases[i], chunk)
        if chunk.size >= CHUNK_POSTINGS:
            yield chunk.done(docmap)
            chunk = _Chunk(width)
    yield chunk.done(docmap)


def _tagged(items: Iterable[tuple[bytes, bytes]], i: int) -> Iterator[tuple[bytes, int, bytes]]:
    """(term, source number, term info): a function, so that each stream keeps its own number."""
    return ((term, i, info) for term, info in items)


class _Chunk:
    """Postings of consecutive terms gathered as plain lists (most terms have a few), made arrays once."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.terms: list[bytes] = []
        self.ends: list[int] = []
        self.ids: list[int] = []  # source document numbers, offset by the source's base in the docmap
        self.weights: list[float] = []
        self.values: list = []

    @property
    def size(self) -> int:
        return len(self.ids)

    def term(self, term: bytes) -> None:
        if self.terms:
            self.ends.append(len(self.ids))
        self.terms.append(term)

    def done(self, docmap: np.ndarray | None) -> SortedPostings:
        if self.terms:
            self.ends.append(len(self.ids))
        docs = np.array(self.ids, dtype=np.int64)
        if docmap is not None:  # renumbered (a merge), or as they are (joined runs, already numbered)
            docs = docmap[docs] if len(docs) else docs
        weights = np.array(self.weights, dtype=np.float32)
        values = None if self.width == 0 else (b"".join(self.values) if self.width > 0 else self.values)
        live = docs >= 0
        counts = np.diff(np.array([0, *self.ends], dtype=np.int64))
        terms = self.terms
        if not live.all():  # deleted documents: drop their postings, and terms left with none
            kept = np.add.reduceat(live, np.array([0, *self.ends[:-1]]), dtype=np.int64) if len(live) else counts
            kept[counts == 0] = 0
            docs, weights, values = docs[live], weights[live], _kept_values(values, live, self.width)
            terms = [t for t, k in zip(terms, kept.tolist()) if k]
            counts = kept[kept > 0]
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        return SortedPostings(terms, starts, docs, weights, values, self.width)


def _blocks(postings, offset: int, length: int, last: bool) -> bytes:
    """A term's posting blocks in a run, without the list's tag; unless `last`, its final block is marked
    as followed by more (a negative size marks the last block of a list)."""
    blocks = postings[offset + 4:offset + length]
    if last:
        return blocks
    pos = 0
    while True:
        size = struct.unpack_from("!i", blocks, pos)[0]
        if size < 0:
            return blocks[:pos] + pack_int(-size) + blocks[pos + 4:]
        pos += 4 + size


def _kept_values(values, live: np.ndarray, width: int):
    if values is None:
        return None
    if width > 0:
        return np.frombuffer(values, dtype=np.uint8).reshape(-1, width)[live].tobytes()
    return list(itertools.compress(values, live.tolist()))


def _read_postings(postings: bytes, info: bytes, base: int, chunk: _Chunk) -> None:
    """Append one term's postings in one source to the chunk (ids offset by the source's base)."""
    if info[0]:  # inlined in the term info (Whoosh does this only for lists shorter than its inlinelimit)
        ids, weights, values = pickle.loads(info[_TERMINFO.size:])
        values = b"".join(values) if chunk.width > 0 else values
        _append(chunk, base, list(ids), list(weights), values, len(ids))
        return
    for ids, weights, values, count in blocks_of(postings, struct.unpack_from("!q", info, _TERMINFO.size)[0]):
        _append(chunk, base, list(itertools.accumulate(ids)),
                [1.0] * count if weights is None else ([weights] * count if isinstance(weights, float) else weights),
                values, count)


def blocks_of(postings, offset: int) -> Iterator[tuple[tuple, object, object, int]]:
    """Each block of the posting list at `offset`: (document deltas, weights as stored, values, count).

    Read straight from the postings bytes: Whoosh's matcher seeks, tells and reads several times a
    block, which was most of the time of decoding a common word's postings.
    """
    for info, start, end in block_spans(postings, offset):
        ids, weights, values = block_data(postings, info, start, end)
        yield ids, weights, values, info[0]


def block_spans(postings, offset: int) -> Iterator[tuple[tuple, int, int]]:
    """Each block's info (count, last id, max weight, compression, min and max length) and where its
    data lies, without decoding the data: a reader may skip the blocks it does not need."""
    pos = offset + 4  # after the block tag
    last = False
    while not last:
        size = struct.unpack_from("!i", postings, pos)[0]
        last = size < 0
        size = abs(size)
        window = postings[pos + 4:pos + 4 + min(size, 128)]
        block_info = pickle.loads(window)
        yield block_info, pos + 4 + _pickled_length(block_info, window), pos + 4 + size
        pos += 4 + size


def block_data(postings, info: tuple, start: int, end: int) -> tuple:
    """A block's (document deltas, weights as stored, values)."""
    data = postings[start:end]
    return pickle.loads(zlib.decompress(data) if info[3] else data)


def _append(chunk: _Chunk, base: int, ids: list[int], weights, values, count: int) -> None:
    chunk.ids.extend([base + i for i in ids] if base else ids)
    chunk.weights.extend(weights)
    if chunk.width > 0:
        chunk.values.append(values)
    elif chunk.width < 0:
        chunk.values.extend(values)


def _pickled_length(obj: tuple, window: bytes) -> int:
    """How many bytes a block's info pickle takes: pickled again the same way, it is the same bytes."""
    again = pickle.dumps(obj, 2)
    if window.startswith(again):
        return len(again)
    reader = BytesIO(window)  # written some other way: read it again, counting
    pickle.load(reader)
    return reader.tell()
