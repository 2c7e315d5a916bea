"""From what a person types to a Whoosh query: field aliases, year ranges, a length cap, no errors."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Callable, Iterable

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser
from whoosh.reading import IndexReader

from archive.vocabulary import normalize_division
from indexer.search.schema import build_schema

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


def _parser() -> MultifieldParser:
    parser = MultifieldParser(list(SEARCH_FIELDS), build_schema(), group=AndGroup)
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
