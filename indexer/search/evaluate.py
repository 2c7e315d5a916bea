"""Evaluating a parsed Whoosh query into arrays: which documents match, and a BM25 score for each.

Whoosh's own collectors walk the matches one Python call at a time (~10 us per match with facets).
Here each term's postings arrive as arrays (`indexer.search.postings`), and AND / OR / NOT become array
operations over every document of the generation. Phrases and anything unusual still go through
Whoosh's own matcher, restricted to the candidates, so results stay exactly Whoosh's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.search.columns import Columns
from indexer.search.postings import PostingsReader, TermPostings

K1, B = 1.2, 0.75
STRETCH_POSITIONS = 100_000  # a phrase's positions are decoded and matched this many at a time
LOOKUP_BELOW = 32  # a phrase's next positions are looked up when one side is this many times shorter


@dataclass
class Scored:
    mask: np.ndarray  # bool per docnum
    score: np.ndarray  # float32 per docnum (0 where not matching)


class QueryEvaluator:
    """Turns a Whoosh query into a Scored over every document of one generation."""

    def __init__(self, searcher: Searcher, columns: Columns, postings: PostingsReader) -> None:
        self.searcher = searcher
        self.columns = columns
        self.postings = postings
        self.n_docs = max(int(columns.live.sum()), 1)

    def evaluate(self, q: wq.Query) -> Scored:
        """Documents matching `q` (deleted ones excluded) and their scores."""
        match = self._node(q)
        match.mask &= self.columns.live
        return match

    def _empty(self) -> Scored:
        size = self.columns.size
        return Scored(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float32))

    def _node(self, q: wq.Query) -> Scored:
        if isinstance(q, wq.Every):
            return Scored(self.columns.live.copy(), np.zeros(self.columns.size, dtype=np.float32))
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return self._empty()
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.And):
            return self._and([self._node(c) for c in q.subqueries])
        if isinstance(q, (wq.Or, wq.DisjunctionMax)):
            return self._or([self._node(c) for c in q.subqueries])
        if isinstance(q, wq.Not):
            inner = self._node(q.query)
            return Scored(self.columns.live & ~inner.mask, np.zeros(self.columns.size, dtype=np.float32))
        if isinstance(q, wq.AndNot):
            pos, neg = self._node(q.a), self._node(q.b)
            pos.mask &= ~neg.mask
            return pos
        if isinstance(q, wq.AndMaybe):
            req, opt = self._node(q.a), self._node(q.b)
            req.score += np.where(req.mask, opt.score, 0)
            return req
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, wq.MultiTerm):  # prefix*, wildcards, fuzzy~, ranges on ID fields
            return self._multiterm(q)
        return self._whoosh(q, None)

    def _and(self, parts: list[Scored]) -> Scored:
        if not parts:
            return self._empty()
        mask, score = parts[0].mask.copy(), parts[0].score.copy()
        for part in parts[1:]:
            mask &= part.mask
            score += part.score
        score[~mask] = 0
        return Scored(mask, score)

    def _or(self, parts: list[Scored]) -> Scored:
        if not parts:
            return self._empty()
        mask, score = parts[0].mask.copy(), parts[0].score.copy()
        for part in parts[1:]:
            mask |= part.mask
            score += part.score
        return Scored(mask, score)

    def _term(self, field: str, text, boost: float = 1.0) -> Scored:
        fieldobj = self.searcher.schema[field] if field in self.searcher.schema else None
        if fieldobj is None:
            return self._empty()
        btext = fieldobj.to_bytes(text) if not isinstance(text, bytes) else text
        return self._from_postings(field, self.postings.get(field, btext), boost)

    def _from_postings(self, field: str, postings: TermPostings, boost: float) -> Scored:
        match = self._empty()
        if len(postings.docs):
            match.mask[postings.docs] = True
            match.score[postings.docs] = self._bm25(field, postings, boost)
        return match

    def _bm25(self, field: str, postings: TermPostings, boost: float) -> np.ndarray:
        """BM25 of one term for each of its documents (text fields; other fields score 0)."""
        lengths = self.columns.lengths.get(field)
        if lengths is None:
            return np.zeros(len(postings.docs), dtype=np.float32)
        df = len(postings.docs)
        idf = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))
        tf = postings.weights
        norm = K1 * (1 - B + B * lengths[postings.docs] / self.columns.avg_length[field])
        return (boost * idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32)

    def _multiterm(self, q: wq.MultiTerm) -> Scored:
        """prefix*, wildcards, fuzzy~ and ranges: every expanded term's postings summed in one pass."""
        summed = self.postings.kept(("multiterm", type(q).__name__, repr(q), q.boost), lambda: self._summed(q))
        match = self._empty()
        match.mask[summed.docs] = True
        match.score[summed.docs] = summed.weights
        return match

    def _summed(self, q: wq.MultiTerm) -> TermPostings:
        """The documents of every expanded term, each with the sum of its terms' scores."""
        field = q.fieldname
        found = [p for p in (self.postings.get(field, bt) for bt in self.postings.expand(q)) if len(p.docs)]
        if not found:
            return TermPostings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        docs = np.concatenate([p.docs for p in found])
        scores = np.bincount(docs, weights=np.concatenate([self._bm25(field, p, q.boost) for p in found]))
        unique = np.unique(docs)
        return TermPostings(unique.astype(np.int32), scores[unique].astype(np.float32))

    def _phrase(self, q: wq.Phrase) -> Scored:
        """Documents with every word, then the words' positions checked for all of them at once."""
        words = self._and([self._term(q.fieldname, w, q.boost) for w in q.words])
        if len(q.words) == 1:  # "the union": stop words are not indexed; one word is its own phrase
            return words
        fieldobj = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema else None
        if fieldobj is None or not fieldobj.format.supports("positions") or q.slop != 1:
            return self._whoosh(q, words)
        candidates = np.flatnonzero(words.mask)
        terms = [fieldobj.to_bytes(word) for word in q.words]
        found = self.postings.kept(("phrase", q.fieldname, tuple(terms)),
                                   lambda: self._phrase_docs(q.fieldname, terms, candidates).astype(np.int32))
        words.mask[:] = False
        words.mask[found] = True
        words.score[~words.mask] = 0
        return words

    def _phrase_docs(self, field: str, terms: list[bytes], candidates: np.ndarray) -> np.ndarray:
        """The candidates where the words stand in order, checked a stretch of documents at a time."""
        streams = [self.postings.positions(field, term, candidates) for term in terms]
        found = []
        for bound in self._stretches(field, terms, candidates):
            starts = None
            for k, stream in enumerate(streams):
                keys = stream.upto(bound, wanted=starts is None or len(starts) > 0)
                starts = keys if starts is None else _followed(starts, keys - k)
            found.append(np.unique(starts >> 32))
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def _stretches(self, field: str, terms: list[bytes], candidates: np.ndarray) -> np.ndarray:
        """Docnum bounds that cut the candidates into stretches of about STRETCH_POSITIONS positions of the
        phrase's words (their counts per document tell how many, before any position is read)."""
        if not len(candidates):
            return np.zeros(0, dtype=np.int64)
        load = np.zeros(len(candidates), dtype=np.float64)
        for term in terms:
            postings = self.postings.get(field, term)  # every candidate has every word
            at = np.minimum(np.searchsorted(postings.docs, candidates), len(postings.docs) - 1)
            load += postings.weights[at]
        running = np.cumsum(load)
        cuts = np.searchsorted(running, np.arange(STRETCH_POSITIONS, running[-1], STRETCH_POSITIONS))
        return np.append(np.unique(candidates[cuts]), self.columns.size)

    def _whoosh(self, q: wq.Query, candidates: Scored | None) -> Scored:
        """Whoosh's own matcher for what the arrays can't answer, visiting only the candidates."""
        match = self._empty()
        matcher = q.matcher(self.searcher, self.searcher.boolean_context())
        if candidates is None:
            found = list(matcher.all_ids())
        else:
            found = _visit(matcher, np.flatnonzero(candidates.mask))
        if found:
            match.mask[np.array(found)] = True
            match.score[match.mask] = candidates.score[match.mask] if candidates is not None else 1.0
        return match


def _followed(starts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The phrase starts (doc << 32 | pos) whose next word sits at the same offset in `keys` (ascending,
    as `PostingsReader.positions` returns them).

    Both are ascending without repeats, so the starts kept are the values the two have in common. When one
    is far shorter, each of its values is looked up in the other; otherwise one merge (a stable sort of
    the two joined runs) brings equal values side by side: for two common words' millions of positions,
    about 2.5x faster than looking each one up."""
    if not len(starts) or not len(keys):
        return np.zeros(0, dtype=np.int64)
    few, many = (starts, keys) if len(starts) <= len(keys) else (keys, starts)
    if len(few) * LOOKUP_BELOW < len(many):
        at = np.minimum(np.searchsorted(many, few), len(many) - 1)
        return few[many[at] == few]
    merged = np.concatenate((starts, keys))
    merged.sort(kind="stable")
    return merged[1:][merged[1:] == merged[:-1]]


def _visit(matcher, candidates: np.ndarray) -> list[int]:
    """The candidates (ascending docnums) that the matcher also matches, skipping between them."""
    found, i = [], 0
    while i < len(candidates) and matcher.is_active():
        target = int(candidates[i])
        matcher.skip_to(target)
        if not matcher.is_active():
            break
        docnum = matcher.id()
        if docnum == target:
            found.append(docnum)
            i += 1
        else:
            i = int(np.searchsorted(candidates, docnum))
    return found
