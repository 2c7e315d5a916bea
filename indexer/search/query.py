"""From what a person types to a Whoosh query: field aliases, year ranges, a length cap, no errors."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from itertools import chain
from typing import Callable, Iterable

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, FuzzyTermPlugin, MultifieldPlugin, QueryParser
from whoosh.reading import IndexReader

from archive.vocabulary import normalize_division
from indexer.search.schema import build_schema, stem_word

MAX_QUERY_CHARS = 500
SEARCH_FIELDS = ("title", "content")
_YEAR_RANGE = re.compile(r"\byear:(\d{4})\.\.(\d{4})\b")
_DIVISION = re.compile(r'\bdivision:(?:"([^"]*)"|(\S+))')
_MINUS = re.compile(r"(^|\s)-(?=[\w\"(])")
_OPERATORS = re.compile(r'[():"\[\]{}^~*?\\+-]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b')


@dataclass(frozen=True)
class ParsedQuery:
    query: wq.Query
    notice: str | None = None  # said to the person when their input was changed


class _OverWords:
    """A multi-term query expanded over a text field's unstemmed words, each then searched by its stem.

    The words are the field's spelling list (`spell_content`, `spell_title`): stemming the typed text
    instead turned `decli*` into `dec*`, which found "decade" and "decided", and `formulacanary*` into
    `formulacanari*`, which missed "formulacanaryf1". Whoosh's own matcher and our evaluator both
    expand through `_btexts`, so they agree.
    """

    fieldname: str

    def _btexts(self, ixreader: IndexReader) -> list[bytes]:
        field = ixreader.schema[self.fieldname]
        words_field = field.spelling_fieldname(self.fieldname)
        if words_field == self.fieldname:  # a field without a word list: Whoosh's own expansion
            return list(super()._btexts(ixreader))
        words = (w.decode("utf-8") if isinstance(w, bytes) else w for w in self._words(ixreader, words_field))
        return sorted({field.to_bytes(stem_word(word)) for word in words})

    def _words(self, ixreader: IndexReader, words_field: str) -> Iterable[bytes | str]:
        raise NotImplementedError


class WordPrefix(_OverWords, wq.Prefix):
    """prefix*: the words starting with the text as typed (lowercased)."""

    def _words(self, ixreader: IndexReader, words_field: str) -> Iterable[bytes]:
        return ixreader.expand_prefix(words_field, self.text)


class WordWildcard(_OverWords, wq.Wildcard):
    """wild?card*: the words matching the pattern as typed (lowercased)."""

    def _words(self, ixreader: IndexReader, words_field: str) -> Iterable[bytes]:
        return wq.Wildcard(words_field, self.text)._btexts(ixreader)

    def normalize(self) -> wq.Query:
        q = super().normalize()
        return WordPrefix(q.fieldname, q.text, boost=q.boost) if type(q) is wq.Prefix else q


class WordFuzzy(_OverWords, wq.FuzzyTerm):
    """word~: the words within `maxdist` edits of the word as typed (lowercased)."""

    def _words(self, ixreader: IndexReader, words_field: str) -> Iterable[str]:
        return _within(ixreader, (self.fieldname, words_field), self.text, self.maxdist, self.prefixlength)


def _within(ixreader: IndexReader, fields: tuple[str, str], word: str, maxdist: int, prefix: int) -> set[str]:
    """The words within `maxdist` edits of `word`, two neighbouring letters swapped counting as one edit.

    Per segment, an automaton finds them in the segment's word list (a multi-segment reader would compare
    every stem of the field in Python). The automaton knows no swaps ("pensoin" is two edits from
    "pension"), so each swapped form is looked up again with one edit fewer.
    """
    leaves = [leaf for leaf, _ in ixreader.leaf_readers()]
    if maxdist <= 0:  # the word itself, if listed: a lookup, cheaper than an automaton
        return {word} if any((fields[1], word) in leaf for leaf in leaves) else set()
    found = set(chain.from_iterable(leaf.terms_within(fields[0], word, maxdist, prefix) for leaf in leaves))
    for i in range(prefix, len(word) - 1):
        if word[i] != word[i + 1]:
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            found |= _within(ixreader, fields, swapped, maxdist - 1, prefix)
    return found


_OVER_WORDS = {wq.Prefix: WordPrefix, wq.Wildcard: WordWildcard, wq.FuzzyTerm: WordFuzzy}


class _Parser(QueryParser):
    """Whoosh's parser, except that prefix*, wildcards and fuzzy~ on the text keep the text as typed."""

    def term_query(self, fieldname: str, text: str, termclass: type, boost: float = 1.0, tokenize: bool = True,
                   removestops: bool = True) -> wq.Query | None:
        if termclass in _OVER_WORDS and fieldname in SEARCH_FIELDS:
            return _OVER_WORDS[termclass](fieldname, text.lower(), boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


def _parser() -> QueryParser:
    parser = _Parser(None, build_schema(), group=AndGroup)
    parser.add_plugin(MultifieldPlugin(list(SEARCH_FIELDS)))  # what MultifieldParser() does
    parser.add_plugin(FieldAliasPlugin({"doc_type": ["type"]}))
    parser.add_plugin(FuzzyTermPlugin())  # typo tolerance on request: wrod~ or wrod~2
    return parser


_PARSER = _parser()


@lru_cache(maxsize=1024)
def parse_query(text: str) -> ParsedQuery:
    """Parse a query; too long or unparsable input is trimmed or reduced to its words, never an error.

    Cached: every facet click, page turn and export parses the same text again (~1 ms each), and
    parsed queries are only read, never changed.
    """
    notice = None
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notice = f"Your search was shortened to its first {MAX_QUERY_CHARS} characters."
    if not text:
        return ParsedQuery(wq.Every(), notice)
    text = _MINUS.sub(r"\1NOT ", _YEAR_RANGE.sub(r"year:[\1 TO \2]", _DIVISION.sub(_division, text)))
    try:
        parsed = _PARSER.parse(text)
    except Exception:  # the parser has many failure modes on hostile input; words still search
        parsed, notice = _words_only(text), "Part of your search could not be understood; searched for its words."
    if parsed is wq.NullQuery:
        parsed = _words_only(text)
    if parsed is wq.NullQuery:
        notice = notice or "Your search has no words that can be searched for."
    return ParsedQuery(parsed, notice)


def _division(match: re.Match) -> str:
    """division:psrp or division:"higher ed" as the catalog spells the division (the field is exact)."""
    written = match.group(1) if match.group(1) is not None else match.group(2)
    return f'division:"{normalize_division(written) or written}"'


def _words_only(text: str) -> wq.Query:
    plain = _OPERATORS.sub(" ", text)
    words = [w for w in plain.split() if w]
    if not words:
        return wq.NullQuery
    return _PARSER.parse(" ".join(words))


def positive_terms(q: wq.Query, reader: IndexReader,
                   expand: Callable[[wq.MultiTerm], Iterable[bytes]] | None = None) -> frozenset[str]:
    """The indexed terms (stems) the query looks for in the text, excluding negated ones.

    `expand` lists a prefix*/wildcard/fuzzy query's terms (the searcher passes its cached expansions).
    """
    if isinstance(q, wq.Not):
        return frozenset()
    if isinstance(q, wq.AndNot):
        return positive_terms(q.a, reader, expand)
    if not q.is_leaf():
        found: set[str] = set()
        for child in q.children():
            found |= positive_terms(child, reader, expand)
        return frozenset(found)
    if q.field() not in SEARCH_FIELDS:
        return frozenset()
    if expand is not None and isinstance(q, wq.MultiTerm):
        return frozenset(_text(t) for t in expand(q))
    terms = q.existing_terms(reader, phrases=True, expand=True)
    return frozenset(_text(t) for field, t in terms if field in SEARCH_FIELDS)


def _text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
