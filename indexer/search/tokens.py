"""The content analyzer run over a whole text at once: the same terms and positions as the schema's analyzer.

Whoosh's analyzer passes one Token object through five Python generators per word (tokenize, lowercase,
stop, address parts, stem): about 20 ms for a 20-page document. Here each step is one C-speed pass over
the document's words (a regular expression's findall, a list comprehension, a map over the words' term
numbers), stemming runs once per distinct word, and the postings are grouped with numpy: the same terms,
counts and positions in about a quarter of the time. ASCII text (nearly all of it) is lowercased whole
before tokenizing. `tests/indexer/search/test_tokens.py` checks the two against each other on varied text.

Queries are still parsed with the schema's own analyzer (`indexer.search.schema.text_analyzer`).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

import numpy as np
from whoosh.analysis import STOP_WORDS

from indexer.search.schema import TOKEN_PATTERN, address_parts, stem_word

_TOKEN = re.compile(TOKEN_PATTERN)
_MIN_SIZE = 2  # Whoosh's StopFilter drops words shorter than this
# What the stop filter drops from ASCII text: the stop words and every one-character token.
_ASCII_DROPPED = frozenset(STOP_WORDS) | frozenset(string.ascii_lowercase + string.digits + "_")


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
    words, first, positions = _tokens(text)
    distinct = dict.fromkeys(words)  # in order of first sight, as the terms are numbered
    ids: dict[str, int] = {}
    # Stemmed and numbered once per distinct word; then one C-speed map over all the words.
    id_of = {word: ids.setdefault(_STEMS[word], len(ids)) for word in distinct}
    term_of = np.fromiter(map(id_of.__getitem__, words), dtype=np.int32, count=len(words))
    order = np.argsort(term_of, kind="stable")  # grouped by term, positions ascending within each
    freqs = np.bincount(term_of, minlength=len(ids)).astype(np.int32)
    if positions is None:  # the words hold consecutive positions from `first`
        grouped = (order + first).astype(np.uint32)
    else:
        grouped = np.asarray(positions, dtype=np.uint32)[order]
    return AnalysedText(tuple(map(str.encode, ids)), freqs, grouped, tuple(sorted(distinct)))  # UTF-8


def _tokens(text: str) -> tuple[list[str], int, list[int] | None]:
    """The lowercased, stop-filtered words of `text` with addresses split into parts, and their positions:
    consecutive from the second value when the third is None (no address in the text), else the third.

    Whoosh's StopFilter renumbers what it keeps: the first word kept keeps its own position and each next
    one takes the next number. An address takes its own position, and its parts that one and the next:
    every word after it moves along by the parts it added.
    """
    lowered, words = _kept_words(text)
    if not words:
        return [], 0, None
    first = next(i for i, word in enumerate(lowered) if _is_kept(word))
    if all(map(str.isalnum, words)):  # nearly always: no address in the text
        return words, first, None
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
    return out_words, 0, out_positions


def _kept_words(text: str) -> tuple[list[str], list[str]]:
    """Every lowercased token of `text`, and those the stop filter keeps."""
    return _ascii_kept_words(text) if text.isascii() else _exact_kept_words(text)


def _ascii_kept_words(text: str) -> tuple[list[str], list[str]]:
    """`_exact_kept_words` for ASCII text, without a Python call per token.

    Lowercasing ASCII before tokenizing gives the same tokens (case changes no character's class), and
    an ASCII token shorter than _MIN_SIZE is one character, which _ASCII_DROPPED lists.
    """
    lowered = _TOKEN.findall(text.lower())
    return lowered, [w for w in lowered if w not in _ASCII_DROPPED]


def _exact_kept_words(text: str) -> tuple[list[str], list[str]]:
    """Whoosh's way: each token lowercased on its own (a final sigma lowers by its place in the text, so
    lowering the text first could differ), then the stop filter's test of length and stop list."""
    lowered = [w.lower() for w in _TOKEN.findall(text)]
    return lowered, [w for w in lowered if _is_kept(w)]


def _is_kept(word: str) -> bool:
    return len(word) >= _MIN_SIZE and word not in STOP_WORDS
