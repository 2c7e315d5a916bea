"""The content analyzer run over a whole text at once: the same terms and positions as the schema's analyzer.

Whoosh's analyzer passes one Token object through five Python generators per word (tokenize, lowercase,
stop, address parts, stem): about 20 ms for a 20-page document. Here each step is one C-speed pass over
the document's words (a regular expression's findall, map, a list comprehension, a dict of stems), and the
postings are grouped with numpy: the same terms, counts and positions in about a fifth of the time.
`tests/indexer/search/test_tokens.py` checks the two against each other on varied text.

Queries are still parsed with the schema's own analyzer (`indexer.search.schema.text_analyzer`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from whoosh.analysis import STOP_WORDS

from indexer.search.schema import TOKEN_PATTERN, address_parts, stem_word

_TOKEN = re.compile(TOKEN_PATTERN)
_MIN_SIZE = 2  # Whoosh's StopFilter drops words shorter than this


class _Stems(dict):
    """word -> stem, filled on first sight (unbounded, as the schema's StemFilter(cachesize=-1) is)."""

    def __missing__(self, word: str) -> str:
        stem = self[word] = stem_word(word)
        return stem


_STEMS = _Stems()


@dataclass(frozen=True, eq=False)
class AnalysedText:
    """A text's postings for one field: each distinct term once, with its count and ascending positions.

    `positions` holds every term's positions one term after another, in the order of `terms`; `words` are
    the distinct unstemmed words, sorted (the spelling word list). Made in a worker process and sent to
    the index writer: numpy arrays pickle as buffers, not a Python object per posting.
    """

    terms: tuple[bytes, ...]
    freqs: np.ndarray  # int32, one per term
    positions: np.ndarray  # uint32, sum(freqs) of them
    words: tuple[str, ...] = field(default=())

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AnalysedText) and self.terms == other.terms and self.words == other.words
                and np.array_equal(self.freqs, other.freqs) and np.array_equal(self.positions, other.positions))

    __hash__ = None  # mutable arrays inside: not hashable

    @property
    def length(self) -> int:
        """The number of tokens: the field length a scorer reads."""
        return int(self.freqs.sum())


def analyse_text(text: str) -> AnalysedText:
    """The content postings of `text`, exactly as the schema's analyzer would make them."""
    words, positions = _tokens(text)
    stems = list(map(_STEMS.__getitem__, words))
    ids: dict[str, int] = {}
    term_of = np.fromiter((ids.setdefault(s, len(ids)) for s in stems), dtype=np.int32, count=len(stems))
    order = np.argsort(term_of, kind="stable")  # grouped by term, positions ascending within each
    freqs = np.bincount(term_of, minlength=len(ids)).astype(np.int32)
    grouped = np.asarray(positions, dtype=np.uint32)[order]
    return AnalysedText(tuple(s.encode("utf-8") for s in ids), freqs, grouped, tuple(sorted(set(words))))


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """The lowercased, stop-filtered words of `text` with addresses split into parts, and their positions.

    Whoosh's StopFilter renumbers what it keeps: the first word kept keeps its own position and each next
    one takes the next number. An address takes its own position, and its parts that one and the next:
    every word after it moves along by the parts it added.
    """
    lowered = [w.lower() for w in _TOKEN.findall(text)]
    kept = [i for i, w in enumerate(lowered) if len(w) >= _MIN_SIZE and w not in STOP_WORDS]
    if not kept:
        return [], []
    words = [lowered[i] for i in kept]
    first = kept[0]
    if all(map(str.isalnum, words)):  # nearly always: no address in the text
        return words, list(range(first, first + len(words)))
    out_words: list[str] = []
    out_positions: list[int] = []
    shift = 0
    for n, word in enumerate(words):
        pos = first + n + shift
        parts = [] if word.isalnum() else address_parts(word)
        out_words.append(word)
        out_positions.append(pos)
        for i, part in enumerate(parts):
            out_words.append(part.group())
            out_positions.append(pos + i)
        shift += max(len(parts) - 1, 0)
    return out_words, out_positions
