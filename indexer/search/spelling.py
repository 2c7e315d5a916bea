"""Did you mean: corrections drawn from the archive's real (unstemmed) words, checked against what a person may see.

Candidates come from the index's spelling word list (fields spell_content and spell_title). Whoosh files
that list without document numbers (every spelling posting says document 0), so it can't tell which
documents hold a word: each candidate is instead checked through its stem's postings in the text fields
against the documents the person may see, and a correction is only offered if it then finds something
for them. A stem is not enough: "organizers" may stand only in a hidden document while "organizing"
(the same stem) is public, so a candidate is offered only once its exact form is found in the text of a
document the person may see (`form_seen`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter2 import stem as porter2_stem

from indexer.search.postings import PostingsReader

TEXT_FIELDS = ("content", "title")
_WORD = re.compile(r'(?<![\w:*~"-])([A-Za-z][A-Za-z\']{2,30})(?![\w:*~])')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


@dataclass(frozen=True)
class Suggestion:
    query: str  # the corrected query text
    total: int  # documents it finds


FormSeen = Callable[[str, np.ndarray], bool]  # (word, mask of documents) -> is the exact form in one?


def stem_docs(word: str, postings: PostingsReader, allowed: np.ndarray) -> np.ndarray:
    """A mask of the allowed documents that hold this word's stem (in the text or the title)."""
    stemmed = porter2_stem(word.lower()).encode("utf-8")
    seen = np.zeros(len(allowed), dtype=bool)
    for field in TEXT_FIELDS:
        found = postings.get(field, stemmed)
        seen[found.docs] = True
    return seen & allowed


def known(word: str, postings: PostingsReader, allowed: np.ndarray) -> int:
    """How many allowed documents hold this word's stem."""
    return int(stem_docs(word, postings, allowed).sum())


def correct_word(word: str, postings: PostingsReader, allowed: np.ndarray, form_seen: FormSeen) -> str | None:
    """The closest real word seen in allowed documents (fewest edits, then commonest), or None."""
    maxdist = 1 if len(word) <= 4 else 2
    for distance in range(1, maxdist + 1):
        ranked = []
        for candidate in _within(postings, word, distance) - {word}:
            docs = stem_docs(candidate, postings, allowed)
            if docs.any():
                ranked.append((-int(docs.sum()), candidate, docs))
        # Most common first; the exact-form check reads page texts, so it runs only until one passes.
        for _, candidate, docs in sorted(ranked, key=lambda r: r[:2]):
            if form_seen(candidate, docs):
                return candidate
    return None


def _within(postings: PostingsReader, word: str, distance: int) -> set[str]:
    """Spelling words within `distance` edits that share the first letter of `word`.

    Edits count as in optimal string alignment: two letters swapped ("pensoin") are one edit, not two, so
    "pension" ranks before a commoner word two edits away ("person"). rapidfuzz compares the word with
    every word of its first letter in C (about a millisecond; Whoosh's automaton walked the word list in
    Python, ~100 ms a word at 10,000 documents).
    """
    bucket = postings.spelling_words("content", word[:1])
    return {found for found, _, _ in process.extract(word, bucket, scorer=OSA.distance,
                                                     score_cutoff=distance, limit=None)}


def suggest(text: str, postings: PostingsReader, allowed: np.ndarray,
            count: Callable[[str], int], form_seen: FormSeen) -> Suggestion | None:
    """A corrected query if some plain word is unknown to the allowed documents and the fix finds something."""
    changed = False
    pieces: list[str] = []
    cursor = 0
    for match in _WORD.finditer(text):
        word = match.group(1)
        if word in _OPERATORS or word.lower() in STOP_WORDS or known(word.lower(), postings, allowed):
            continue
        fixed = correct_word(word.lower(), postings, allowed, form_seen)
        if fixed:
            pieces += [text[cursor:match.start(1)], fixed]
            cursor, changed = match.end(1), True
    if not changed:
        return None
    corrected = "".join(pieces) + text[cursor:]
    total = count(corrected)
    return Suggestion(corrected, total) if total else None
