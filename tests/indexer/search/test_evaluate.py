"""The array query evaluator must match exactly the documents Whoosh's own matchers match."""
from __future__ import annotations

import numpy as np
import pytest

from archive.catalog import Catalog
from archive.metadata import DocumentMeta
from archive.datadir import DataDir
from bench.corpus import STOP_WORDS, CorpusSpec, fill_catalog, vocabulary
from indexer.search.index import index_documents, open_index, remove_document
from indexer.search.searcher import ArchiveSearcher
from indexer.search.query import parse_query

# Over 128 documents a segment: postings span several blocks, so skipping blocks is exercised.
SPEC = CorpusSpec(documents=400, pages_per_doc=3, words_per_page=60, vocabulary=400)
WORDS = vocabulary(SPEC)[len(STOP_WORDS):]  # stop words are not indexed
LONE = "zyxxor"  # in one document only: Whoosh inlines such postings instead of writing blocks


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("generated") / "data").ensure()
    with Catalog(data.catalog_path) as catalog:
        fill_catalog(catalog, SPEC)
        catalog.add_document(sha256="f" * 64, filename="lone.pdf", source_path="", mime="application/pdf", size=9,
                             pages=[f"{WORDS[0]} {LONE} {WORDS[1]} {WORDS[150]} {WORDS[151]}"], meta=DocumentMeta("Lone", "other", 2001, None, "Teachers", "public"))
        ix = open_index(data.index_dir)
        docs = list(catalog.iter_documents())
        index_documents(ix, catalog, docs[:200])  # two segments, and a deletion, like a real archive
        index_documents(ix, catalog, docs[200:])
        remove_document(ix, docs[3].id)
    return data


def _queries() -> list[str]:
    words = WORDS
    return [f'"{words[0]} {LONE}"', f'"{LONE} {words[1]}"', f'"{words[150]} {words[151]}"',
            words[0], words[5], words[250], f"{words[1]} {words[40]}", f"{words[2]} OR {words[280]}",
            f"{words[0]} -{words[7]}", f'"{words[0]} {words[1]}"', f'"the {words[0]} of {words[1]}"',
            words[60][:3] + "*", f"{words[9]}~", "year:1995..2010", f"type:contract {words[3]}", f"NOT {words[4]}", "title:audit",
            # Multi-term queries expand over the unstemmed words, then search their stems (query.WordPrefix
            # and kin); Whoosh's own matcher expands through the same classes, so both must still agree.
            "negotiation*", "negotiat?d", "arbitr*n", "salray~"]


NOTHING = [f'"{WORDS[3]} {LONE}"']  # both words in a document, not as a phrase


@pytest.mark.parametrize("text", _queries() + NOTHING)
def test_same_documents_as_whoosh(generated: DataDir, text: str):
    with Catalog(generated.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(generated.index_dir, catalog)
        gen = searcher.generation()
        q = parse_query(text).query
        ours = set(np.flatnonzero(gen.evaluator.evaluate(q).mask).tolist())
        theirs = set(gen.searcher.docs_for_query(q))
        searcher.close()
    assert ours == theirs and bool(ours) == (text not in NOTHING)


def _phrases_from_pages(data: DataDir, most: int = 6) -> list[str]:
    """Runs of two and three adjacent indexed words taken from the pages: phrases that do occur."""
    found: list[str] = []
    with Catalog(data.catalog_path) as catalog:
        for doc in list(catalog.iter_documents())[10:50]:  # past the one removed from the index
            words = catalog.page_texts(doc.id, [1])[0][1].split()
            for at in range(len(words) - 2):
                run = words[at:at + 3]
                if not any(w in STOP_WORDS for w in run):
                    found.append(" ".join(run[:2 + len(found) % 2]))
                    break
    return [f'"{text}"' for text in found[:most]]


@pytest.mark.parametrize("stretch", [1, 7, 10_000])
def test_phrases_match_whoosh_in_stretches_of_any_size(generated: DataDir, stretch: int, monkeypatch):
    """Positions are decoded a stretch of documents at a time; stretches that cut blocks (and Whoosh's
    inlined postings) apart must find the same documents as one stretch over everything."""
    monkeypatch.setattr("indexer.search.evaluate.STRETCH_POSITIONS", stretch)
    monkeypatch.setattr("indexer.search.searcher._SHARED", {})  # phrases found before are kept: find them afresh
    queries = _phrases_from_pages(generated) + [q for q in _queries() if q.startswith('"')] + NOTHING
    with Catalog(generated.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(generated.index_dir, catalog)
        gen = searcher.generation()
        for text in queries:
            q = parse_query(text).query
            ours = set(np.flatnonzero(gen.evaluator.evaluate(q).mask).tolist())
            assert ours == set(gen.searcher.docs_for_query(q)), text
            assert bool(ours) == (text not in NOTHING), text
        searcher.close()


def test_phrases_through_whoosh_matchers_in_stretches(tmp_path, monkeypatch):
    """A segment that is not a plain postings file (Whoosh's compound segment) has its positions read by
    Whoosh's matcher, a whole segment at once; stretches that cut through it must still find the same
    documents as Whoosh."""
    from tests.conftest import index_with_whoosh

    data = DataDir(tmp_path / "data").ensure()
    texts = ["union contract wages", "union contract", "wages union contract", "union zorbleck contract",
             "contract union", "union contract union contract"]
    with Catalog(data.catalog_path) as catalog:
        for i, text in enumerate(texts):
            catalog.add_document(sha256=f"{i:064x}", filename=f"d{i}.pdf", source_path="", mime="application/pdf",
                                 size=1, pages=[text], meta=DocumentMeta(f"D{i}", "other", 2001, None, "Teachers", "public"))
        index_with_whoosh(data, catalog, compound=True)
        monkeypatch.setattr("indexer.search.evaluate.STRETCH_POSITIONS", 1)
        monkeypatch.setattr("indexer.search.searcher._SHARED", {})
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        gen = searcher.generation()
        assert gen.postings._file(gen.searcher.reader().leaf_readers()[0][0]) is None  # Whoosh's matcher reads it
        for text, expected in (('"union zorbleck"', 1), ('"zorbleck contract"', 1), ('"union contract"', 4),
                               ('"contract union"', 2), ('"zorbleck union"', 0)):
            q = parse_query(text).query
            ours = set(np.flatnonzero(gen.evaluator.evaluate(q).mask).tolist())
            assert ours == set(gen.searcher.docs_for_query(q)) and len(ours) == expected, text
        searcher.close()


def test_a_phrase_found_once_is_not_checked_again(generated: DataDir, monkeypatch):
    """The documents a phrase was found in are kept for the generation like a word's postings: the same
    phrase again (a facet click, the next page) reads no position; another phrase still does."""
    from indexer.search.postings import PostingsReader

    monkeypatch.setattr("indexer.search.searcher._SHARED", {})
    phrase, other = _phrases_from_pages(generated, most=2)
    with Catalog(generated.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(generated.index_dir, catalog)
        gen = searcher.generation()
        first = np.flatnonzero(gen.evaluator.evaluate(parse_query(phrase).query).mask)

        def no_positions(*args, **kwargs):
            raise AssertionError("positions read again")

        monkeypatch.setattr(PostingsReader, "positions", no_positions)
        again = np.flatnonzero(gen.evaluator.evaluate(parse_query(phrase).query).mask)
        with pytest.raises(AssertionError, match="positions read again"):
            gen.evaluator.evaluate(parse_query(other).query)
        searcher.close()
    assert len(first) and np.array_equal(first, again)


def test_a_prefix_summed_once_reads_no_postings_again(generated: DataDir, monkeypatch):
    """A prefix* stands for dozens or hundreds of words; their documents and summed scores are kept for the
    generation: the same prefix again reads no word's postings, with the same matches and scores."""
    from indexer.search.postings import PostingsReader

    monkeypatch.setattr("indexer.search.searcher._SHARED", {})
    prefix = WORDS[60][:3] + "*"
    with Catalog(generated.catalog_path) as catalog:
        searcher = ArchiveSearcher.open(generated.index_dir, catalog)
        gen = searcher.generation()
        first = gen.evaluator.evaluate(parse_query(prefix).query)

        def no_postings(*args, **kwargs):
            raise AssertionError("postings read again")

        monkeypatch.setattr(PostingsReader, "get", no_postings)
        again = gen.evaluator.evaluate(parse_query(prefix).query)
        with pytest.raises(AssertionError, match="postings read again"):
            gen.evaluator.evaluate(parse_query(WORDS[61][:3] + "*").query)
        searcher.close()
    assert first.mask.sum() > 1 and np.array_equal(first.mask, again.mask) and np.array_equal(first.score, again.score)
