"""Which pages of a document match, and a short passage of each with the matches marked."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

SNIPPET_WORDS = 32
SNIPPET_CHARS = 200
MAX_PATTERN_TERMS = 64
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


class TermFinder:
    """Finds the words of a text whose stem is one of the query's terms, at C string-search speed.

    `str.find` picks out words starting like a term (stems are near-prefixes of their words); only the
    distinct words found are stemmed (through a cache), instead of analysing every word of every page.
    A word here is a run of letters and digits, as the analyzer's parts of an address are: `doe` is
    found in "jane.doe@statecollege.edu" and `bar` in "foo_bar" (see `schema.AddressParts`).
    """

    def __init__(self, terms: frozenset[str], stem: Callable[[str], str]) -> None:
        self.terms = terms
        self._stem = stem
        self._accepted: dict[str, bool] = {}
        self._heads = _covering_heads({t[:max(2, len(t) - 1)].lower() for t in terms if t})
        pattern = "|".join(re.escape(h) for h in self._heads)
        self._regex = re.compile(rf"(?<![^\W_])(?:{pattern})[^\W_]*", re.IGNORECASE) if pattern else None

    def _accepts(self, word: str) -> bool:
        found = self._accepted.get(word)
        if found is None:
            found = self._accepted[word] = self._stem(word.lower()) in self.terms
        return found

    def score(self, text: str) -> int:
        """Distinct terms present * 1000 + their occurrences; 0 if no word of the text matches.

        Occurrences are counted as substrings (C speed, may include longer words); a page only scores
        once one real match is confirmed, which for a present word is its first occurrence.
        """
        lowered = text.lower()
        counts = [lowered.count(head) for head in self._heads]
        if not any(counts):
            return 0
        if not any(self._accepts(lowered[s:e]) for head in self._heads for s, e in _word_starts(lowered, head)):
            return 0
        return sum(1 for n in counts if n) * 1000 + sum(counts)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matching word, in text order."""
        lowered = text.lower()
        if len(lowered) != len(text):  # lowering moved offsets (rare letters): the case-blind regex
            return [m.span() for m in self._regex.finditer(text) if self._accepts(m.group())] if self._regex else []
        # Heads are prefix-free, so no word is found twice.
        return sorted((s, e) for head in self._heads for s, e in _word_starts(lowered, head)
                      if self._accepts(lowered[s:e]))


_WORD_REST = re.compile(r"[^\W_]*")  # letters and digits


def _word_starts(text: str, head: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of `text` that begins with `head`."""
    at = text.find(head)
    while at >= 0:
        if at and text[at - 1].isalnum():  # inside a word, not at its start
            at = text.find(head, at + 1)
            continue
        end = _WORD_REST.match(text, at + len(head)).end()
        yield at, end
        at = text.find(head, end)


def _covering_heads(heads: set[str], most: int = MAX_PATTERN_TERMS) -> list[str]:
    """At most `most` prefixes that start every given head: shortened until few enough.

    A word is still only counted as found once its stem is one of the terms, so shorter heads cost
    some lookups, never wrong matches.
    """
    kept = _prefix_free(sorted(heads, key=len))
    length = max(map(len, kept), default=0)
    while len(kept) > most and length > 2:
        length -= 1
        kept = _prefix_free(sorted({h[:length] for h in kept}, key=len))
    return kept[:most]


def _prefix_free(heads: list[str]) -> list[str]:
    """Shortest first, without those another head starts: a prefix* query's hundreds of words share one."""
    kept: list[str] = []
    for head in heads:
        if not any(head.startswith(shorter) for shorter in kept):
            kept.append(head)
    return kept


def page_hits(pages: Iterable[tuple[int, str]], finder: TermFinder, limit: int | None = None) -> list[PageHit]:
    """Pages containing any query term, best first (more distinct words, then more matches).

    Every page is scored; snippets are cut only for the first `limit` pages (all if None).
    """
    scored = sorted(((-score, number, text) for number, text in pages if (score := finder.score(text))),
                    key=lambda item: item[:2])
    hits = []
    for rank, (negative, number, text) in enumerate(scored):
        snippet = _snippet(text, finder.spans(text)) if limit is None or rank < limit else ()
        hits.append(PageHit(number, snippet, -negative))
    return hits


def lead_snippet(text: str, words: int = SNIPPET_WORDS) -> tuple[Segment, ...]:
    """The opening words of a page, for results of an empty query."""
    parts = text.split()
    lead = " ".join(parts[:words])
    return (Segment(lead + (" …" if len(parts) > words else "")),) if lead else ()


def _snippet(text: str, found: Sequence[tuple[int, int]]) -> tuple[Segment, ...]:
    """A window of about SNIPPET_CHARS characters around the densest cluster of matches."""
    best = _densest(found)
    first = found[best][0]
    window = [m for m in found[best:] if m[1] <= first + SNIPPET_CHARS // 2]
    start = _back_words(text, window[0][0], 8)
    end = _forward_words(text, window[-1][1], max(4, SNIPPET_WORDS - 8 - len(text[first:window[-1][1]].split())))
    # Mark every match the window shows, not only those of its densest stretch.
    return _segments(text, start, end, [m for m in found if start <= m[0] and m[1] <= end])


def _densest(found: Sequence[tuple[int, int]]) -> int:
    """Index of the match that starts the window holding the most matches."""
    starts = [s for s, _ in found]
    return max(range(len(starts)), key=lambda i: bisect_left(starts, starts[i] + SNIPPET_CHARS // 2) - i)


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
