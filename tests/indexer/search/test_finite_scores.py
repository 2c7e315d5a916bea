"""Scores stay finite whatever the documents: an empty (image-only) document must not break ranking."""
from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from archive.catalog import Catalog
from indexer.search.rebuild import rebuild_index
from archive.metadata import DocumentMeta
from indexer.load.run import load_paths
from indexer.search.results import SearchRequest
from tests.builders import make_pdf, make_scanned_pdf
from tests.conftest import open_searcher


def _load(data, folder: Path) -> None:
    report = load_paths([folder], data, DocumentMeta(), jobs=1)
    assert report.failed == 0, report.outcomes


def test_an_image_only_pdf_does_not_break_ranking_or_more_like_this(data, corpus, tmp_path):
    # The audit says "negotiated" once; the extra report says it three times in a short text: it ranks first.
    make_pdf(corpus["audit"].parent / "2020-bargaining-report.pdf",
             ["Bargaining report: negotiated, negotiated and negotiated again"], title="Bargaining Report 2020")
    make_scanned_pdf(corpus["audit"].parent / "2017-signed-contract.pdf", pages=2)
    _load(data, corpus["audit"].parent.parent)
    with Catalog(data.catalog_path) as catalog:
        rebuild_index(data.index_dir, catalog, jobs=1)
    with open_searcher(data) as searcher:
        gen = searcher.generation()
        assert all(math.isfinite(v) for v in gen.columns.avg_length.values())
        assert 0.0 in gen.columns.lengths["content"]  # the scan has no words: length 0, not NaN
        results = searcher.search(SearchRequest("negotiated", per_page=1))
        assert results.total == 3
        assert [h.document.title for h in results.hits] == ["Bargaining Report 2020"]
        report = results.hits[0].document
        related = searcher.related(report, ("public", "members", "staff"))
        # The two other documents that speak of negotiating; the scan shares no word with anything.
        assert sorted(d.title for d in related) == ["2021 Convention Report", "Financial Audit for Fiscal Year 2019"]


@pytest.mark.parametrize("seed", range(6))
def test_randomized_corpora_with_empty_documents_score_finitely(data, tmp_path, seed):
    rng = random.Random(seed)
    words = ["union", "contract", "dues", "pension", "grievance", "arbitration", "wages", "steward"]
    folder = tmp_path / f"corpus{seed}"
    for i in range(rng.randint(6, 14)):
        if rng.random() < 0.35:
            make_scanned_pdf(folder / f"scan-{i}.pdf", pages=1)
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
            make_pdf(folder / f"doc-{i}.pdf", [text], title=f"Document {i}")
    make_scanned_pdf(folder / "scan-last.pdf", pages=1)
    _load(data, folder)
    with Catalog(data.catalog_path) as catalog:
        rebuild_index(data.index_dir, catalog, jobs=1)
    with open_searcher(data) as searcher:
        gen = searcher.generation()
        for word in words:
            match = gen.evaluator.evaluate(searcher_query(word))
            assert np.isfinite(match.score).all(), word
            results = searcher.search(SearchRequest(word, per_page=2))
            if results.total:
                assert results.hits, word
                scores = match.score[match.mask]
                best = gen.columns.doc_id[np.flatnonzero(match.mask)[np.argmax(scores)]]
                assert results.hits[0].document.id == int(best)


def searcher_query(word: str):
    from indexer.search.query import parse_query

    return parse_query(word).query
