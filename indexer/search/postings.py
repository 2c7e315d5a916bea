"""Term postings of one index generation as numpy arrays: read block by block, decoded in bulk, cached.

Whoosh's own matchers decode a posting at a time in Python; here every posting of a term becomes two
arrays (documents, counts) in a few numpy calls, and positions, which phrases alone need, are decoded for
all the candidate documents at once. One bounded cache per process and generation holds them.
"""
from __future__ import annotations

import os
import threading
import weakref
from array import array
from collections import OrderedDict
from itertools import chain, compress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE, pack_ushort

from indexer.search.schema import COUNTS_FIELDS, PackedPositions
from indexer.search.segments import block_data, block_spans, blocks_of, term_records

POSTINGS_CACHE_BYTES = 64 * 1024 * 1024  # per process and generation, shared by the server's threads
EXPANSIONS_KEPT = 4096  # multi-term expansions kept per process and generation


@dataclass(frozen=True)
class TermPostings:
    docs: np.ndarray  # int32 docnums, ascending
    weights: np.ndarray  # float32 term frequencies

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes


_EMPTY = TermPostings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


class PostingsCache:
    """Decoded postings of one generation, shared by every thread of a
    process; least recently used out first, bounded in bytes.

    The arrays are never written to after they are made, so threads may share them without copying.
    """

    def __init__(self, limit_bytes: int = POSTINGS_CACHE_BYTES) -> None:
        self.limit_bytes = limit_bytes
        self._items: OrderedDict[tuple, TermPostings | np.ndarray] = OrderedDict()  # (field, term), or a kept result's key
        self._bytes = 0
        self._lock = threading.Lock()
        self._expansions: OrderedDict[tuple[str, str], tuple[bytes, ...]] = OrderedDict()
        self._words: dict[tuple[str, str], list[str]] = {}
        # Read-only descriptors of the generation's postings files, closed when the generation is let go
        # (a merged-away segment's files are deleted: an open descriptor would keep them on disk).
        self._descriptors: dict[str, int] = {}
        weakref.finalize(self, _close_all, self._descriptors)

    def descriptor(self, path: Path) -> int:
        """One descriptor per postings file of this generation (pread is safe from many threads)."""
        with self._lock:
            fd = self._descriptors.get(str(path))
            if fd is None:
                fd = self._descriptors[str(path)] = os.open(path, os.O_RDONLY)
            return fd

    def get(self, key: tuple) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, postings: TermPostings | np.ndarray) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = postings
            self._bytes += postings.nbytes
            while self._bytes > self.limit_bytes and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes


    def words(self, key: tuple[str, str], make: Callable[[], list[str]]) -> list[str]:
        """A field's spelling words of one first letter: listed once per generation, then shared."""
        with self._lock:
            found = self._words.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._words.setdefault(key, found)
        return found

    def expansion(self, key: tuple[str, str], make: Callable[[], tuple[bytes, ...]]) -> tuple[bytes, ...]:
        """The terms a prefix*, wildcard or fuzzy~ query stands for: made once, then kept."""
        with self._lock:
            found = self._expansions.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._expansions[key] = found
                while len(self._expansions) > EXPANSIONS_KEPT:
                    self._expansions.popitem(last=False)
        return found


def _close_all(descriptors: dict[str, int]) -> None:
    for fd in descriptors.values():
        os.close(fd)
    descriptors.clear()


class PostingsReader:
    """Term postings of one index generation as arrays, through a cache of recently read terms.

    A text field's documents and counts come from its position-free twin (`COUNTS_FIELDS`); positions,
    needed by phrases alone, from the field itself.
    """

    def __init__(self, searcher: Searcher, cache: PostingsCache | None = None) -> None:
        self.reader = searcher.reader()
        # An index with no documents yet has a single EmptyReader leaf, without the term table read below.
        self.leaves = [(leaf, offset) for leaf, offset in self.reader.leaf_readers() if leaf.doc_count_all()]
        self._cache = cache if cache is not None else PostingsCache()
        self._files: dict[int, int | None] = {}

    def _file(self, leaf) -> int | None:
        """A descriptor of the segment's postings file (None where it isn't a plain file of the W3 codec).

        Terms are read with one pread of their whole extent, not through a memory map: mapped pages
        count in a serving process's resident memory, and a day of searches touches gigabytes of them."""
        key = id(leaf)
        if key not in self._files:
            try:
                path = Path(leaf.storage().folder) / leaf.segment().make_filename(W3Codec.POSTS_EXT)
                self._files[key] = self._cache.descriptor(path)
            except (AttributeError, OSError):
                self._files[key] = None
        return self._files[key]

    def get(self, field: str, btext: bytes) -> TermPostings:
        key = (COUNTS_FIELDS.get(field, field), btext)
        found = self._cache.get(key)
        if found is None:
            found = self._read(*key)
            self._cache.put(key, found)
        return found

    def kept(self, key: tuple, make: Callable[[], Any]) -> Any:
        """What `make` works out from many postings (arrays, or a TermPostings), kept like a word's postings.

        For the documents of a phrase, and the summed scores of a prefix's hundreds of words: a facet click,
        a page turn or the same search again then reads none of it again. Positions themselves are never
        kept (a common word's fill the cache); a phrase's 50-75 ms of them at 50,000 documents come down to
        the few kilobytes of documents found."""
        found = self._cache.get(key)
        if found is None:
            found = make()
            self._cache.put(key, found)
        return found

    def expand(self, q: wq.MultiTerm) -> tuple[bytes, ...]:
        """The indexed terms a multi-term query stands for (a prefix* of 450 words takes ~15 ms to list)."""
        fieldobj = self.reader.schema[q.fieldname]
        return self._cache.expansion((type(q).__name__, repr(q)), lambda: tuple(
            bt if isinstance(bt, bytes) else fieldobj.to_bytes(bt) for bt in q._btexts(self.reader)))

    def spelling_words(self, field: str, first: str) -> list[str]:
        """The unstemmed words of a text field that start with `first` (every segment's spelling list).

        Listed a letter at a time, when first asked for, and kept for the generation."""
        def make() -> list[str]:
            words: set[str] = set()
            for leaf, _ in self.leaves:
                spelling = leaf.schema[field].spelling_fieldname(field)
                if spelling in leaf.schema:
                    words.update(_keys_with_prefix(leaf, spelling, first))
            return sorted(words)
        return self._cache.words((field, first), make) if first else []

    def positions(self, field: str, btext: bytes, candidates: np.ndarray) -> "TermPositions":
        """A term's positions in the candidate documents (ascending docnums), handed out a stretch at a time.

        Decoded for the candidates' blocks alone and never kept: a common word's positions run to
        millions at 50,000 documents, and kept they pushed the documents and counts of every other
        word out of the cache (a round of the benchmark's queries got slower, not faster).
        """
        chosen = np.zeros(self.reader.doc_count_all(), dtype=bool)
        chosen[candidates] = True
        pieces: list[Iterator[_Piece]] = []
        for leaf, offset in self.leaves:
            fmt = leaf.schema[field].format
            try:
                info = leaf._terms.term_info(field, btext)
            except TermNotFound:
                continue
            fd = self._file(leaf)
            if fd is None or info.is_inlined() or not isinstance(fmt, PackedPositions):
                # Inlined postings (a word in one document) or another format: Whoosh's own decoding.
                keys = _matcher_positions(_matcher(leaf, field, btext, fmt), offset, chosen)
                pieces.append(iter([_Piece(offset, leaf.doc_count_all() + offset - 1, keys=keys)]))
            else:
                offset_in_file, length = info.extent()
                data = os.pread(fd, _length(length), offset_in_file)
                pieces.append(_block_pieces(data, offset, candidates))
        return TermPositions(chain.from_iterable(pieces), chosen)

    def _read(self, field: str, btext: bytes) -> TermPostings:
        docs, weights = [], []
        for leaf, offset in self.leaves:
            if field not in leaf.schema:
                continue
            try:
                info = leaf._terms.term_info(field, btext)
            except TermNotFound:
                continue
            fd = self._file(leaf)
            if fd is None or info.is_inlined():
                ids, ws = _leaf_arrays(_matcher(leaf, field, btext, leaf.schema[field].format))
            else:
                ids, ws = _block_arrays(fd, *info.extent())
            docs.append(ids + offset)
            weights.append(ws)
        if not docs:
            return _EMPTY
        return TermPostings(np.concatenate(docs).astype(np.int32), np.concatenate(weights).astype(np.float32))


def _length(length) -> int:
    return length[0] if isinstance(length, tuple) else length  # W3TermInfo.from_bytes keeps it in a tuple


def _keys_with_prefix(leaf, field: str, first: str) -> Iterator[str]:
    """A segment's terms of `field` that start with `first`, read as one stretch of its terms file.

    Whoosh's expand_prefix yields a key through four generators and a read each (~30 ms a letter at
    50,000 documents); the keys of a prefix lie side by side in the ordered terms file, so one read and a
    walk over (key length, value length, key, value) records list them in ~1 ms."""
    tindex = getattr(getattr(leaf, "_terms", None), "_tindex", None)
    number = getattr(getattr(leaf, "_terms", None), "_fieldmap", {}).get(field)
    if tindex is None or number is None:  # another codec: Whoosh's own way
        yield from (w.decode("utf-8") if isinstance(w, bytes) else w for w in leaf.expand_prefix(field, first))
        return
    low = pack_ushort(number) + first.encode("utf-8")
    high = low[:-1] + bytes([low[-1] + 1])  # just past every key that starts with `low`
    start = tindex.closest_key_pos(low)
    if start is None:
        return
    end = tindex.closest_key_pos(high) or tindex.endofdata
    data = tindex.dbfile.get(start, end - start)
    yield from (key[2:].decode("utf-8") for key, _ in term_records(data, 0, len(data)))  # after the field number


def _block_arrays(fd: int, offset: int, length) -> tuple[np.ndarray, np.ndarray]:
    """A term's (docnum, weight) in one segment: its whole posting list read at once, then decoded by a
    few numpy calls. Blocks hold arrays (written by `indexer.search.segments`) or, when short or written
    by Whoosh's own writer, tuples of numbers; the ids are deltas restarting at each block."""
    data = os.pread(fd, _length(length), offset)
    deltas: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    counts: list[int] = []
    for ids, stored, _, count in blocks_of(data, 0):
        deltas.append(np.frombuffer(ids, dtype=_ARRAY_TYPES[ids.typecode]) if isinstance(ids, array)
                      else np.array(ids, dtype=np.int64))
        if stored is None or isinstance(stored, float):
            weights.append(np.full(count, 1.0 if stored is None else stored, dtype=np.float32))
        else:
            weights.append(np.frombuffer(stored, dtype=np.float32) if isinstance(stored, array)
                           else np.array(stored, dtype=np.float32))
        counts.append(count)
    if len(deltas) == 1:
        return np.cumsum(deltas[0], dtype=np.int64), weights[0]
    return _restarted_sums(np.concatenate(deltas).astype(np.int64), np.array(counts)), np.concatenate(weights)


_ARRAY_TYPES = {"B": np.uint8, "H": np.uint16, "I": np.uint32, "L": np.uint64, "f": np.float32}


def _restarted_sums(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sums of the deltas, restarting at the start of each run of `counts` of them."""
    sums = np.cumsum(deltas)
    firsts = np.cumsum(counts) - counts
    return sums - np.repeat(sums[firsts] - deltas[firsts], counts)


def _matcher(leaf, field: str, btext: bytes, fmt):
    """A segment's matcher for a term, or None if the segment lacks it (one term lookup, not two)."""
    terms = leaf._terms
    try:
        info = terms.term_info(field, btext)
    except TermNotFound:
        return None
    return terms._codec.postings_reader(terms._postfile, info, fmt, term=(field, btext))


def _leaf_arrays(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) of one segment's postings, decoded a block at a time."""
    if not isinstance(matcher, W3LeafMatcher):  # another codec: the slow, general way
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)
    ids, weights = [], []
    while matcher.is_active():
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        block = np.cumsum(np.array(raw_ids, dtype=np.int64)) if not matcher._byteids else np.array(raw_ids)
        ids.append(block)
        if raw_weights is None:
            weights.append(np.ones(len(block), dtype=np.float32))
        elif isinstance(raw_weights, float):
            weights.append(np.full(len(block), raw_weights, dtype=np.float32))
        else:
            weights.append(np.array(raw_weights, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


@dataclass
class _Piece:
    """A stretch of one term's postings in ascending docnum order: a block still encoded (`data` and its
    span), or keys already made by Whoosh's matcher."""

    low: int  # the smallest docnum it can hold
    high: int  # its last docnum
    data: bytes = b""
    info: tuple = ()
    span: tuple[int, int] = (0, 0)
    offset: int = 0
    keys: np.ndarray | None = None


def _block_pieces(data: bytes, offset: int, candidates: np.ndarray) -> Iterator[_Piece]:
    """The blocks of a posting list (`data`, read whole) that hold a candidate; the rest are skipped undecoded."""
    low = offset
    for info, start, end in block_spans(data, 0):
        high = info[1] + offset
        if np.searchsorted(candidates, high, side="right") > np.searchsorted(candidates, low):
            yield _Piece(low, high, data, info, (start, end), offset)
        low = high + 1


class TermPositions:
    """One term's positions (doc << 32 | position) in the chosen documents, a stretch of documents at a time.

    A phrase of two common words meets millions of positions. Decoded whole, every numpy pass over them
    wrote fresh memory; the same passes over stretches of about 100,000 positions run ~7x faster (no page
    faults, data in cache), and a thread's memory for a phrase stays a few megabytes. Each block is
    decoded once, when the first stretch reaches it.
    """

    def __init__(self, pieces: Iterator[_Piece], chosen: np.ndarray) -> None:
        self._pieces = pieces
        self._chosen = chosen
        self._next: _Piece | None = next(pieces, None)
        self._held: tuple[np.ndarray, list[bytes]] | None = None  # a block's postings past the last bound

    def upto(self, bound: int, wanted: bool = True) -> np.ndarray:
        """Keys of the chosen documents below `bound`, after those already handed out, ascending.
        With `wanted` false they are passed over without decoding their positions."""
        parts: list[np.ndarray] = []
        docnums: list[np.ndarray] = []
        values: list[bytes] = []
        while True:
            if self._held is not None:
                ids, held_values = self._held
                n = int(np.searchsorted(ids, bound))
                docnums.append(ids[:n])
                values += held_values[:n]
                self._held = (ids[n:], held_values[n:]) if n < len(ids) else None
                if self._held is not None:
                    break
            piece = self._next
            if piece is None or piece.low >= bound:
                break
            self._next = next(self._pieces, None)
            if piece.keys is not None:  # Whoosh's keys: in order, after whatever blocks came before
                parts.append(_decode_positions(np.concatenate(docnums), values) if docnums else _NO_KEYS)
                docnums, values = [], []
                split = int(np.searchsorted(piece.keys, np.int64(bound) << 32))
                parts.append(piece.keys[:split])
                if split < len(piece.keys):
                    self._next = _Piece(bound, piece.high, keys=piece.keys[split:])
                continue
            self._held = self._decoded(piece)
        if not wanted:
            return _NO_KEYS
        if docnums:
            parts.append(_decode_positions(np.concatenate(docnums), values))
        parts = [part for part in parts if len(part)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts) if parts else _NO_KEYS

    def _decoded(self, piece: _Piece) -> tuple[np.ndarray, list[bytes]]:
        """A block's chosen documents and their encoded positions."""
        deltas, _, block_values = block_data(piece.data, piece.info, *piece.span)
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64)) + piece.offset
        wanted = self._chosen[ids]
        if wanted.all():
            return ids, block_values
        return ids[wanted], list(compress(block_values, wanted.tolist()))


_NO_KEYS = np.zeros(0, dtype=np.int64)


def _matcher_positions(matcher, offset: int, chosen: np.ndarray) -> np.ndarray:
    keys = [(np.int64(matcher.id() + offset) << 32) + np.array(matcher.value_as("positions"), dtype=np.int64)
            for _ in _each(matcher) if chosen[matcher.id() + offset]]
    return np.concatenate(keys) if keys else _NO_KEYS


def _each(matcher) -> Iterator[None]:
    while matcher.is_active():
        yield None
        matcher.next()


def _decode_positions(docnums: np.ndarray, values: list[bytes]) -> np.ndarray:
    """doc << 32 | position for the `PackedPositions` values of several postings, ascending.

    Each value is a 4-byte count, a width byte (2 or 4) and the deltas at that width: all values are
    joined once and read by a few numpy calls, whatever their number.
    """
    blob = np.frombuffer(b"".join(values), dtype=np.uint8)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    starts = np.cumsum(lengths) - lengths
    widths = blob[starts + _INT_SIZE]
    header = np.ones(len(blob), dtype=bool)
    header[(starts[:, None] + np.arange(_INT_SIZE + 1)).ravel()] = False
    body, body_lengths = blob[header], lengths - _INT_SIZE - 1  # the delta bytes of every posting, in order
    parts = []
    for width, dtype in ((2, "<u2"), (4, "<u4")):
        chosen = widths == width
        if not chosen.any():
            continue
        mine = body if chosen.all() else body[np.repeat(chosen, body_lengths)]
        deltas = mine.view(dtype).astype(np.int64)
        parts.append(_restarted(docnums[chosen].astype(np.int64), deltas, body_lengths[chosen] // width))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    # Two ascending runs (2- and 4-byte postings): a stable sort merges them in linear time.
    return parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts), kind="stable")


def _restarted(docnums: np.ndarray, deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """doc << 32 | running sum of the deltas, restarting at each posting (postings without deltas skipped).

    One cumulative sum makes the keys: each posting's first delta is raised by its own key base less the
    last key of the posting before. That avoids repeating a value per position (two passes over
    millions of them for a phrase of two common words). `deltas` (int64, the caller's) becomes the keys."""
    keep = counts > 0
    docnums, counts = docnums[keep], counts[keep]
    if not len(counts):
        return np.zeros(0, dtype=np.int64)
    firsts = np.cumsum(counts) - counts
    bases = docnums << 32
    lasts = bases + np.add.reduceat(deltas, firsts)  # each posting's last key
    deltas[firsts] += bases - np.concatenate(([0], lasts[:-1]))  # the caller's own array: no copy
    return np.cumsum(deltas, out=deltas)
