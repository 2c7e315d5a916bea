"""Which pages of a document match, and a short passage of each with the matches marked."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from whoosh.analysis import Analyzer

SNIPPET_WORDS = 32
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    """A run of snippet text; `match` marks the words the query found. Text is raw, not escaped."""

    text: str
    match: bool = False


@dataclass(frozen=True)
class PageHit:
    page: int
    snippet: tuple[Segment, ...]
    score: int = 0

    @property
    def snippet_text(self) -> str:
        return "".join(segment.text for segment in self.snippet)


def _matches(text: str, terms: frozenset[str], analyzer: Analyzer) -> list[tuple[int, int, int]]:
    """(word position, start char, end char) of every token of `text` whose stem is a query term."""
    found = []
    for token in analyzer(text, positions=True, chars=True, removestops=True):
        if token.text in terms:
            found.append((token.pos, token.startchar, token.endchar))
    return found


def match_pages(pages: Iterable[tuple[int, str]], terms: frozenset[str], analyzer: Analyzer,
                limit: int | None = None) -> list[PageHit]:
    """Pages containing any query term, best first (more distinct terms, then more matches)."""
    if not terms:
        return []
    hits = []
    for number, text in pages:
        found = _matches(text, terms, analyzer)
        if found:
            distinct = len({text[s:e].casefold() for _, s, e in found})
            hits.append(PageHit(number, _snippet(text, found), distinct * 1000 + len(found)))
    hits.sort(key=lambda hit: (-hit.score, hit.page))
    return hits if limit is None else hits[:limit]


def lead_snippet(text: str, words: int = SNIPPET_WORDS) -> tuple[Segment, ...]:
    """The opening words of a page, for results of an empty query."""
    parts = text.split()
    lead = " ".join(parts[:words])
    return (Segment(lead + (" …" if len(parts) > words else "")),) if lead else ()


def _snippet(text: str, found: Sequence[tuple[int, int, int]]) -> tuple[Segment, ...]:
    """A window of about SNIPPET_WORDS words around the densest cluster of matches."""
    best = max(range(len(found)), key=lambda i: _density(found, i))
    first_pos = found[best][0]
    window = [m for m in found if first_pos <= m[0] < first_pos + SNIPPET_WORDS // 2]
    start = _back_words(text, window[0][1], 8)
    end = _forward_words(text, window[-1][2], SNIPPET_WORDS - 8 - (window[-1][0] - first_pos))
    return _segments(text, start, end, [(s, e) for _, s, e in window])


def _density(found: Sequence[tuple[int, int, int]], i: int) -> int:
    pos = found[i][0]
    return sum(1 for other in found[i:] if other[0] < pos + SNIPPET_WORDS // 2)


def _back_words(text: str, index: int, words: int) -> int:
    pos = index
    for _ in range(words):
        pos = text.rfind(" ", 0, max(pos - 1, 0))
        if pos <= 0:
            return 0
    return pos + 1


def _forward_words(text: str, index: int, words: int) -> int:
    pos = index
    for _ in range(max(words, 4)):
        nxt = text.find(" ", pos + 1)
        if nxt < 0:
            return len(text)
        pos = nxt
    return pos


def _segments(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> tuple[Segment, ...]:
    out: list[Segment] = [Segment("… ")] if start > 0 else []
    cursor = start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        if s > cursor:
            out.append(Segment(_flat(text[cursor:s])))
        out.append(Segment(_flat(text[s:e]), match=True))
        cursor = e
    if end > cursor:
        out.append(Segment(_flat(text[cursor:end])))
    if end < len(text):
        out.append(Segment(" …"))
    return tuple(out)


def _flat(text: str) -> str:
    """Line breaks and runs of spaces become one space, so a snippet reads as one line."""
    return _SPACES.sub(" ", text)
