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
