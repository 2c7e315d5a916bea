"""The Whoosh schema and its version: change one field here and bump SCHEMA_VERSION."""
from __future__ import annotations

import re
import sys
from array import array
from functools import lru_cache
from itertools import accumulate
from typing import Iterator

from whoosh.analysis import (CompositeAnalyzer, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter,
                            Token)
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint
from whoosh.lang.porter2 import stem as porter2_stem

# A different version on disk means the index is rebuilt from the catalog.
# 2: content is a PostedText field (same analyzer, postings may come ready-made)
# 3: spelling word lists for content and title (did you mean), id sortable (a column for fast lookups)
# 4: content_counts, the content's postings without positions (what matching and scoring read);
#    positions of title and content packed as fixed-width deltas (PackedPositions), not pickled
# 5: the field classes moved to indexer.search.schema; Whoosh pickles them by module path, so an index
#    of version 4 names classes that no longer import and is rebuilt from the catalog
# 6: URLs, e-mail addresses and dotted or underscored names filed whole and by their parts (AddressParts),
#    so the word lists behind prefix*, wildcard and fuzzy~ queries hold the parts too
SCHEMA_VERSION = 6

FACET_FIELDS = ("doc_type", "year", "division", "access")
PAGE_GAP = "\n\n"  # between pages in the content field (a paragraph break: no phrase runs across it)


# A token is a URL, an e-mail address, or a word that may hold dots ("www.riverbend.org", "3.5", "e.g").
# The three share their first run of word characters, read once (this form tokenizes twice as fast).
# The lookahead lets the usual word, followed by a space or a full stop, skip the three alternatives:
# each needs one of these after the run (the tokens are the same, in a third less time).
TOKEN_PATTERN = r"""\w+(?:(?=[.:@+-]\w|://)(?:://[^\s<>"']*\w|(?:[.+-]\w+)*@\w+(?:[.-]\w+)*|(?:\.\w+)*))?"""
_PART = re.compile(r"[^\W_]+")  # letters and digits: what a token's parts are made of


def text_analyzer() -> CompositeAnalyzer:
    """English stemming (Porter2: "negotiated" and "negotiations" share a stem, unlike Porter), with
    addresses filed whole and by their parts.

    Whoosh's StemmingAnalyzer, with `AddressParts` after the stop filter: that filter renumbers the
    positions it keeps, which would pull a part off its whole. The stem cache is unbounded because
    the bounded pure-Python cache thrashes on numbers.
    """
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | StopFilter() | AddressParts()
            | StemFilter(stemfn=porter2_stem, cachesize=-1))


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """The term a lowercased word is filed under (the analyzer's own stemming)."""
    return porter2_stem(word)


class AddressParts(Filter):
    """URLs, e-mail addresses and dotted or underscored names, filed whole and as their parts.

    "jane.doe@statecollege.edu" is filed whole at the position of "jane", then "doe", "statecollege" and
    "edu" at the next positions, so `doe` finds it and a phrase runs through it into the words around.
    Queries are analysed into the parts alone: the parser joins them as a phrase, which finds
    "riverbend.org" inside "http://www.riverbend.org/photos". Numbers such as 3.5 stay whole.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0  # positions taken by the parts of addresses so far
        for t in tokens:
            if shift and t.positions:
                t.pos += shift
            # isalnum() first: nearly every token is a plain word, and this loop runs for each one
            if t.text.isalnum() or not (parts := address_parts(t.text)):
                yield t
                continue
            if t.mode != "query":
                yield t
            yield from _parts_of(t, parts)
            shift += len(parts) - 1


def address_parts(text: str) -> list[re.Match]:
    """The letter-and-digit runs of a token that holds other characters too (none for words and numbers)."""
    if text.isalnum():
        return []
    parts = list(_PART.finditer(text))
    return [] if all(part.group().isdigit() for part in parts) else parts


def _parts_of(t: Token, parts: list[re.Match]) -> Iterator[Token]:
    """The token `t` again as each of its parts, at consecutive positions from its own."""
    whole_pos = t.pos if t.positions else 0
    whole_start = t.startchar if t.chars else 0
    for i, part in enumerate(parts):
        t.text = part.group()
        if t.positions:
            t.pos = whole_pos + i
        if t.chars:
            t.startchar, t.endchar = whole_start + part.start(), whole_start + part.end()
        yield t


def build_schema() -> Schema:
    """One Whoosh document per archive document; page texts stay in the catalog."""
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        # spelling=True keeps a word list of unstemmed forms (field spell_<name>) for "did you mean".
        content=PostedText(analyzer=analyzer, spelling=True),
        content_counts=CountedText(analyzer=analyzer),
        title=PackedText(analyzer=analyzer, field_boost=3.0, spelling=True),
        doc_type=ID(sortable=True),
        year=ID(sortable=True),
        division=ID(sortable=True),
        access=ID(sortable=True),
        newest=NUMERIC(int, bits=32, sortable=True, signed=False),
        title_sort=ID(sortable=True),
    )


class PackedPositions(Positions):
    """Positions as the count, a width byte (2 or 4) and little-endian deltas of that width.

    Whoosh pickles each posting's position list; unpickling is one Python call per posting, ~10 us,
    so a phrase of two common words spent ~100 ms there. Fixed-width deltas of every posting of a
    term are decoded by numpy in one pass (`indexer.search.evaluate`), and by this class for Whoosh's own
    matchers.
    """

    def encode(self, poslist) -> bytes:
        deltas = [b - a for a, b in zip([0, *poslist], poslist)]
        wide = bool(deltas) and max(deltas) > 0xFFFF
        packed = array("I" if wide else "H", deltas)
        if packed.itemsize != (4 if wide else 2):  # the C types' sizes, checked rather than assumed
            raise ValueError("unsupported platform: array('H'/'I') are not 2/4 bytes")
        if sys.byteorder == "big":
            packed.byteswap()
        return pack_uint(len(deltas)) + bytes([packed.itemsize]) + packed.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        packed = array("I" if valuestring[_INT_SIZE] == 4 else "H", valuestring[_INT_SIZE + 1:])
        if sys.byteorder == "big":
            packed.byteswap()
        return list(accumulate(packed))

    def decode_frequency(self, valuestring: bytes) -> int:
        return unpack_uint(valuestring[:_INT_SIZE])[0]


class PackedText(TEXT):
    """A TEXT field with phrase support whose positions are stored as `PackedPositions`.

    A query word the analyzer splits ("riverbend.org", "self-help") is searched as a phrase of its parts.
    """

    def __init__(self, analyzer, field_boost: float = 1.0, spelling: bool = False) -> None:
        super().__init__(analyzer=analyzer, phrase=True, field_boost=field_boost, spelling=spelling,
                         multitoken_query="phrase")
        self.format = PackedPositions(field_boost=field_boost)


class PostedText(PackedText):
    """The content field: a `PackedText` with a spelling word list.

    Its postings are made by `indexer.search.tokens.analyse_text` in worker processes and filed by
    `indexer.search.segments`; queries parse with the analyzer as for any TEXT field. (The class keeps
    its name: the table of contents pickles the schema's classes by name.)
    """


class CountedText(TEXT):
    """The content again, as term counts only: the postings every word query and the scoring read.

    With positions, a block of postings is a zlib'd pickle mostly made of position lists, and decoding
    it costs ~15x more than the counts alone; phrases are the only queries that need positions, so
    they alone read the positional field. Filed from the same `AnalysedText` as the content.
    """

    def __init__(self, analyzer) -> None:
        super().__init__(analyzer=analyzer, phrase=False)  # Frequency format: counts, no positions


# Which field holds the position-free postings of a text field (matching reads those).
COUNTS_FIELDS = {"content": "content_counts"}
